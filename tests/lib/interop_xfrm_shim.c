/* LD_PRELOAD shim for libreswan's pluto in the interop tests (tests/lib/interop.sh).
 *
 * The test kernel has XFRM but no ESP: every XFRM_MSG_NEWSA / XFRM_MSG_UPDSA pluto sends is
 * refused with EPROTONOSUPPORT (AES) or ENOSYS (3DES), and pluto then aborts quick mode before
 * its last message, so no peer of pluto ever sees phase 2 complete. This shim answers exactly
 * those requests (and XFRM_MSG_DELSA) with a netlink success, as a kernel with ESP would, answers
 * XFRM_MSG_GETSA for such an SA with an SA of zero traffic, and records each SA in IX_SHIM_LOG
 * ("allocspi|newsa|updsa|delsa spi=0x... proto=50 dst=a.b.c.d"). SPIs are allocated here too
 * (XFRM_MSG_ALLOCSPI): the kernel's larval SA for an allocated SPI would expire after a few
 * seconds and make pluto delete its IPsec SA. Every other netlink message (policies, routes, ...)
 * and all of pluto's IKE traffic are real.
 * No packet is encrypted by anybody: the libreswan interop is at the IKE level.
 *
 * Build: cc -shared -fPIC -O2 -o shim.so interop_xfrm_shim.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 1024

struct pending {
	int valid;
	size_t len;
	unsigned char reply[NLMSG_SPACE(sizeof(struct xfrm_usersa_info))]; /* what "the kernel" says */
};

static struct pending pend[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);

static void resolve(void)
{
	if (real_write)
		return;
	real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_send = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	real_sendto = (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
				  socklen_t))dlsym(RTLD_NEXT, "sendto");
	real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real_recv = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
	real_recvfrom = (ssize_t(*)(int, void *, size_t, int, struct sockaddr *,
				    socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
}

static int is_xfrm_socket(int fd)
{
	int v = 0;
	socklen_t l = sizeof v;
	if (fd < 0 || fd >= MAX_FDS)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) != 0 || v != AF_NETLINK)
		return 0;
	l = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) != 0 || v != NETLINK_XFRM)
		return 0;
	return 1;
}

static void note(const char *fmt, ...)
{
	const char *path = getenv("IX_SHIM_LOG");
	if (!path)
		return;
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void describe(const char *what, const struct xfrm_id *id, unsigned short family)
{
	char dst[INET6_ADDRSTRLEN] = "?";
	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, &id->daddr, dst, sizeof dst);
	note("%s spi=0x%08x proto=%u dst=%s", what, ntohl(id->spi), id->proto, dst);
}

static __u32 random_u32(void)
{
	__u32 v = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&v, sizeof v, 1, f) != 1)
			v = 0;
		fclose(f);
	}
	return v ? v : (__u32)getpid() * 2654435761u;
}

static __u32 own_port(int fd)
{
	struct sockaddr_nl me;
	socklen_t ml = sizeof me;
	if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
		return me.nl_pid;
	return 0;
}

static void queue_reply(int fd, const void *msg, size_t len)
{
	pthread_mutex_lock(&lock);
	pend[fd].valid = 1;
	pend[fd].len = len < sizeof pend[fd].reply ? len : sizeof pend[fd].reply;
	memcpy(pend[fd].reply, msg, pend[fd].len);
	pthread_mutex_unlock(&lock);
}

/* A request the kernel here cannot honour: remember it and claim it was sent. */
static int intercept(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	if (len < sizeof *h || h->nlmsg_len > len || !is_xfrm_socket(fd))
		return 0;
	const void *body = NLMSG_DATA(h);
	size_t blen = h->nlmsg_len - NLMSG_HDRLEN;
	switch (h->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		if (blen >= sizeof(struct xfrm_usersa_info)) {
			const struct xfrm_usersa_info *sa = body;
			describe(h->nlmsg_type == XFRM_MSG_NEWSA ? "newsa" : "updsa", &sa->id,
				 sa->family);
		}
		break;
	case XFRM_MSG_DELSA:
		if (blen >= sizeof(struct xfrm_usersa_id)) {
			const struct xfrm_usersa_id *sa = body;
			char dst[INET6_ADDRSTRLEN] = "?";
			inet_ntop(sa->family == AF_INET6 ? AF_INET6 : AF_INET, &sa->daddr, dst,
				  sizeof dst);
			note("delsa spi=0x%08x proto=%u dst=%s", ntohl(sa->spi), sa->proto, dst);
		}
		break;
	case XFRM_MSG_ALLOCSPI:
		/* The kernel would keep a larval SA for the SPI and expire it (hard EXPIRE after
		 * xfrm_acq_expires), making pluto delete its IPsec SA: allocate it here instead. */
		if (blen >= sizeof(struct xfrm_userspi_info)) {
			const struct xfrm_userspi_info *u = body;
			struct {
				struct nlmsghdr h;
				struct xfrm_usersa_info info;
			} r;
			__u32 lo = u->min, hi = u->max, spi;
			if (lo < 0x100)
				lo = 0x100;
			if (hi < lo)
				hi = lo;
			spi = lo + (__u32)(random_u32() % ((__u64)hi - lo + 1));
			memset(&r, 0, sizeof r);
			r.h.nlmsg_len = sizeof r;
			r.h.nlmsg_type = XFRM_MSG_NEWSA;
			r.h.nlmsg_seq = h->nlmsg_seq;
			r.h.nlmsg_pid = own_port(fd);
			r.info = u->info;
			r.info.id.spi = htonl(spi);
			note("allocspi spi=0x%08x proto=%u", spi, u->info.id.proto);
			queue_reply(fd, &r, sizeof r);
			return 1;
		}
		return 0;
	case XFRM_MSG_GETSA:
		if (blen >= sizeof(struct xfrm_usersa_id)) {
			const struct xfrm_usersa_id *sa = body;
			if (sa->proto != IPPROTO_ESP && sa->proto != IPPROTO_AH)
				return 0;
			struct {
				struct nlmsghdr h;
				struct xfrm_usersa_info info;
			} r;
			memset(&r, 0, sizeof r);
			r.h.nlmsg_len = sizeof r;
			r.h.nlmsg_type = XFRM_MSG_NEWSA;
			r.h.nlmsg_seq = h->nlmsg_seq;
			r.h.nlmsg_pid = own_port(fd);
			r.info.id.daddr = sa->daddr;
			r.info.id.spi = sa->spi;
			r.info.id.proto = sa->proto;
			r.info.family = sa->family;
			r.info.lft.soft_byte_limit = r.info.lft.hard_byte_limit = XFRM_INF;
			r.info.lft.soft_packet_limit = r.info.lft.hard_packet_limit = XFRM_INF;
			queue_reply(fd, &r, sizeof r);
			return 1;
		}
		return 0;
	default:
		return 0;
	}
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} ack;
	memset(&ack, 0, sizeof ack);
	ack.h.nlmsg_len = sizeof ack;
	ack.h.nlmsg_type = NLMSG_ERROR;
	ack.h.nlmsg_seq = h->nlmsg_seq;
	ack.h.nlmsg_pid = own_port(fd);
	ack.e.error = 0;
	ack.e.msg = *h;
	queue_reply(fd, &ack, sizeof ack);
	return 1;
}

/* The reply to a remembered request (-2: none pending, read from the kernel). */
static ssize_t answer(int fd, void *buf, size_t len, struct sockaddr *from, socklen_t *fromlen,
		      int peek)
{
	if (fd < 0 || fd >= MAX_FDS)
		return -2;
	pthread_mutex_lock(&lock);
	if (!pend[fd].valid) {
		pthread_mutex_unlock(&lock);
		return -2;
	}
	size_t n = len < pend[fd].len ? len : pend[fd].len;
	memcpy(buf, pend[fd].reply, n);
	if (!peek)
		pend[fd].valid = 0;
	pthread_mutex_unlock(&lock);
	if (from && fromlen) {
		struct sockaddr_nl k = { .nl_family = AF_NETLINK };
		socklen_t kl = *fromlen < sizeof k ? *fromlen : sizeof k;
		memcpy(from, &k, kl);
		*fromlen = sizeof k;
	}
	return (ssize_t)n;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	resolve();
	if (intercept(fd, buf, len))
		return (ssize_t)len;
	return real_write(fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	resolve();
	if (intercept(fd, buf, len))
		return (ssize_t)len;
	return real_send(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	resolve();
	if (intercept(fd, buf, len))
		return (ssize_t)len;
	return real_sendto(fd, buf, len, flags, to, tolen);
}

ssize_t read(int fd, void *buf, size_t len)
{
	resolve();
	ssize_t r = answer(fd, buf, len, NULL, NULL, 0);
	return r != -2 ? r : real_read(fd, buf, len);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	resolve();
	ssize_t r = answer(fd, buf, len, NULL, NULL, flags & MSG_PEEK);
	return r != -2 ? r : real_recv(fd, buf, len, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	resolve();
	ssize_t r = answer(fd, buf, len, from, fromlen, flags & MSG_PEEK);
	return r != -2 ? r : real_recvfrom(fd, buf, len, flags, from, fromlen);
}
