/* Control protocol client (client.h). */
#include "cli/client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/ctlproto.h"

#define CLIENT_TIMEOUT_S 30

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int client_call(const char *sock, const char *words, int *status, struct strbuf *body,
		char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[CTL_REQUEST_MAX + 8];

	if (strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "cannot reach the daemon at %s: path too long", sock);
		return CLIENT_UNREACHABLE;
	}
	int rl = ctl_format_request(req, sizeof(req), words);
	if (rl < 0) {
		snprintf(err, errlen, "command too long");
		return CLIENT_PROTOCOL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return CLIENT_UNREACHABLE;
	}
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot reach the daemon at %s: %s%s", sock, strerror(e),
			 e == ENOENT || e == ECONNREFUSED ? " (is ikegated running? -s SOCKET "
							    "selects another socket)" :
			 e == EACCES ? " (run as root or as a member of group 'ikegate')" : "");
		close(fd);
		return CLIENT_UNREACHABLE;
	}
	/* a daemon that refuses us may close early: its answer is still there to read */
	int werr = write_all(fd, req, (size_t)rl) < 0 ? errno : 0;
	/* header line, then exactly the announced body */
	char hdr[CTL_HEADER_MAX + 1];
	size_t hl = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (werr)
				snprintf(err, errlen, "cannot send to the daemon at %s: %s", sock,
					 strerror(werr));
			else
				snprintf(err, errlen, "the daemon at %s closed the connection without "
					 "an answer%s%s", sock, r < 0 ? ": " : "",
					 r < 0 ? strerror(errno) : "");
			close(fd);
			return CLIENT_PROTOCOL;
		}
		if (ch == '\n')
			break;
		if (hl == CTL_HEADER_MAX) {
			snprintf(err, errlen, "malformed answer from the daemon at %s", sock);
			close(fd);
			return CLIENT_PROTOCOL;
		}
		hdr[hl++] = ch;
	}
	hdr[hl] = '\0';
	size_t len;
	if (ctl_parse_header(hdr, status, &len) < 0) {
		snprintf(err, errlen, "malformed answer from the daemon at %s", sock);
		close(fd);
		return CLIENT_PROTOCOL;
	}
	sb_reset(body);
	char buf[8192];
	size_t got = 0;
	while (got < len) {
		size_t want = len - got < sizeof(buf) - 1 ? len - got : sizeof(buf) - 1;
		ssize_t r = read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "the daemon at %s sent %zu of %zu bytes", sock, got, len);
			close(fd);
			return CLIENT_PROTOCOL;
		}
		buf[r] = '\0';
		sb_puts(body, buf);
		got += (size_t)r;
	}
	close(fd);
	if (body->failed) {
		snprintf(err, errlen, "out of memory");
		return CLIENT_PROTOCOL;
	}
	return CLIENT_OK;
}
