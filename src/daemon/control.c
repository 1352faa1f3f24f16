/* The control socket (control.h). */
#include "daemon/control.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/evjournal.h"

#define MAX_PEER_GROUPS 256

static void dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* A stale socket from a crashed daemon is removed; a live one is an error. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control path %s exists and is not a socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (rc == 0) {
			snprintf(err, errlen, "another ikegated is listening on %s", path);
			return -1;
		}
	}
	unlink(path);
	return 0;
}

static void watch(struct control *c, int fd, unsigned tag, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };
	if (epoll_ctl(c->epfd, op, fd, &ev) < 0)
		dlog("epoll_ctl(control): %s", strerror(errno));
}

int control_open(struct control *c, const char *path, int epfd, unsigned tag, ctl_exec_fn exec,
		 void *ctx, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[256];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->epfd = epfd;
	c->tag = tag;
	c->exec = exec;
	c->ctx = ctx;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		c->conns[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(c->path)) {
		snprintf(err, errlen, "control path too long: %s", path);
		return -1;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);

	struct group *gr = getgrnam(CTL_GROUP);
	if (gr) {
		c->have_group = true;
		c->gid = gr->gr_gid;
	}
	dir_of(path, dir, sizeof(dir));
	struct stat st;
	if (stat(dir, &st) < 0) {
		if (mkdir_p(dir, 0750) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
		if (geteuid() == 0 && c->have_group && chown(dir, 0, c->gid) < 0)
			dlog("cannot chown %s to group %s: %s", dir, CTL_GROUP, strerror(errno));
	} else if (geteuid() == 0 && c->have_group && st.st_uid == 0 && st.st_gid == 0 &&
		   (st.st_mode & 07777) == 0750) {
		/* a root:root 0750 directory made for us (systemd's RuntimeDirectory): let the
		 * group traverse it; any other existing directory is left alone */
		if (chown(dir, 0, c->gid) < 0)
			dlog("cannot chown %s to group %s: %s", dir, CTL_GROUP, strerror(errno));
	}
	if (clear_stale(path, err, errlen) < 0)
		return -1;

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	mode_t old = umask(0117);   /* born 0660: no window with wider permissions */
	int rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0) {
		snprintf(err, errlen, "cannot bind control socket %s: %s", path, strerror(errno));
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	if (chmod(path, 0660) < 0)
		dlog("chmod %s: %s", path, strerror(errno));
	if (geteuid() == 0 && chown(path, 0, c->have_group ? c->gid : 0) < 0)
		dlog("chown %s: %s", path, strerror(errno));
	if (listen(c->fd, CTL_MAX_CONNS) < 0) {
		snprintf(err, errlen, "listen on %s: %s", path, strerror(errno));
		control_close(c);
		return -1;
	}
	watch(c, c->fd, tag, EPOLLIN, EPOLL_CTL_ADD);
	return 0;
}

static void conn_close(struct control *c, struct ctl_conn *k)
{
	if (k->fd >= 0) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, k->fd, NULL);
		close(k->fd);
	}
	k->fd = -1;
	sb_free(&k->out);
	k->in_len = 0;
	k->out_off = 0;
	k->writing = false;
	k->denied = false;
}

void control_close(struct control *c)
{
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		conn_close(c, &c->conns[i]);
	if (c->fd >= 0) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		unlink(c->path);
	}
	c->fd = -1;
}

/* Queues the response and switches the connection to writing. */
static void respond(struct control *c, struct ctl_conn *k, int status, const char *body,
		    size_t body_len)
{
	char hdr[CTL_HEADER_MAX];
	int n = ctl_format_header(hdr, sizeof(hdr), status, body_len);
	sb_reset(&k->out);
	sb_puts(&k->out, n > 0 ? hdr : "");
	sb_puts(&k->out, body);
	k->out_off = 0;
	k->writing = true;
	unsigned idx = (unsigned)(k - c->conns);
	watch(c, k->fd, c->tag + 1 + idx, EPOLLOUT, EPOLL_CTL_MOD);
}

static void respond_text(struct control *c, struct ctl_conn *k, int status, const char *text)
{
	respond(c, k, status, text, strlen(text));
}

static bool peer_ok(struct control *c, int fd, char *why, size_t len)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0) {
		snprintf(why, len, "permission denied: cannot identify the peer: %s",
			 strerror(errno));
		return false;
	}
	gid_t groups[MAX_PEER_GROUPS];
	socklen_t gl = sizeof(groups);
	size_t ng = 0;
#ifdef SO_PEERGROUPS
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &gl) == 0)
		ng = gl / sizeof(gid_t);
#endif
	return ctl_peer_allowed(cr.uid, cr.gid, groups, ng, geteuid(), c->have_group, c->gid,
				CTL_GROUP, why, len);
}

static void accept_all(struct control *c, ikg_ms now)
{
	for (;;) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				dlog("accept on control socket: %s", strerror(errno));
			if (errno == EINTR)
				continue;
			return;
		}
		struct ctl_conn *k = NULL;
		for (size_t i = 0; i < CTL_MAX_CONNS && !k; i++)
			if (c->conns[i].fd < 0)
				k = &c->conns[i];
		if (!k) {
			close(fd);   /* too many clients at once: the client sees a closed socket */
			continue;
		}
		k->fd = fd;
		k->in_len = 0;
		k->writing = false;
		k->deadline = now + CTL_IDLE_MS;
		sb_init(&k->out);
		unsigned idx = (unsigned)(k - c->conns);
		watch(c, fd, c->tag + 1 + idx, EPOLLIN, EPOLL_CTL_ADD);
		/* a refused peer still gets to send its request, then reads the refusal */
		k->denied = !peer_ok(c, fd, k->why, sizeof(k->why));
		if (k->denied)
			c->refused++;
	}
}

static void run_request(struct control *c, struct ctl_conn *k)
{
	char *words[CTL_MAX_WORDS];
	if (k->denied) {
		char body[sizeof(k->why) + 2];
		snprintf(body, sizeof(body), "%s\n", k->why);
		respond_text(c, k, CTL_ERROR, body);
		return;
	}
	int n = ctl_parse_request(k->in, words, CTL_MAX_WORDS);
	if (n < 0) {
		respond_text(c, k, CTL_USAGE, "malformed request: expected 'IKG1 <command>'\n");
		return;
	}
	struct strbuf body;
	sb_init(&body);
	int status = c->exec(c->ctx, n, words, &body);
	if (body.failed) {
		respond_text(c, k, CTL_ERROR, "out of memory\n");
	} else {
		respond(c, k, status, sb_str(&body), body.len);
	}
	sb_free(&body);
}

static void conn_read(struct control *c, struct ctl_conn *k)
{
	for (;;) {
		size_t room = CTL_REQUEST_MAX - k->in_len;
		if (room == 0) {
			respond_text(c, k, CTL_USAGE, "request too long\n");
			return;
		}
		ssize_t r = read(k->fd, k->in + k->in_len, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			conn_close(c, k);
			return;
		}
		k->in_len += (size_t)r;
		k->in[k->in_len] = '\0';
		char *nl = memchr(k->in, '\n', k->in_len);
		if (nl) {
			if (memchr(k->in, '\0', (size_t)(nl - k->in))) {
				respond_text(c, k, CTL_USAGE, "malformed request: NUL byte\n");
				return;
			}
			*nl = '\0';
			if (nl > k->in && nl[-1] == '\r')
				nl[-1] = '\0';
			run_request(c, k);
			return;
		}
	}
}

static void conn_write(struct control *c, struct ctl_conn *k)
{
	while (k->out_off < k->out.len) {
		ssize_t w = send(k->fd, k->out.s + k->out_off, k->out.len - k->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			conn_close(c, k);
			return;
		}
		k->out_off += (size_t)w;
	}
	conn_close(c, k);
}

void control_event(struct control *c, unsigned tag, uint32_t events, ikg_ms now)
{
	if (tag == c->tag) {
		accept_all(c, now);
		return;
	}
	unsigned idx = tag - c->tag - 1;
	if (idx >= CTL_MAX_CONNS)
		return;
	struct ctl_conn *k = &c->conns[idx];
	if (k->fd < 0)
		return;
	if (k->writing) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_write(c, k);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(c, k);
	if (k->fd >= 0 && k->writing)
		conn_write(c, k);   /* most responses fit the socket buffer at once */
}

ikg_ms control_expire(struct control *c, ikg_ms now)
{
	ikg_ms next = IKG_MS_NEVER;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *k = &c->conns[i];
		if (k->fd < 0)
			continue;
		if (now >= k->deadline) {
			conn_close(c, k);
			continue;
		}
		if (k->deadline < next)
			next = k->deadline;
	}
	return next;
}
