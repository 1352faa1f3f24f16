/* TUN device (tun.h). */
#include "daemon/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int tun_open(struct tun *t, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;

	memset(t, 0, sizeof(*t));
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "cannot create TUN device '%s': %s%s", name, strerror(errno),
			 errno == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	t->ifindex = (int)if_nametoindex(t->name);
	if (t->ifindex == 0) {
		snprintf(err, errlen, "TUN device '%s' has no index: %s", t->name, strerror(errno));
		tun_close(t);
		return -1;
	}
	return 0;
}

void tun_disable_ipv6(const struct tun *t)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", t->name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1) {
		/* best effort: the core drops what is not IPv4 anyway */
	}
	close(fd);
}

void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int tun_read(struct tun *t, struct ikg_pkt *p)
{
	pkt_reset(p);
	ssize_t n;
	do
		n = read(t->fd, p->data + IKG_PKT_HEADROOM, IKG_PKT_SIZE - IKG_PKT_HEADROOM);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0)
		return 0;
	p->len = (uint16_t)n;
	return 1;
}

int tun_write(struct tun *t, const struct ikg_pkt *p)
{
	ssize_t n;
	do
		n = write(t->fd, p->data + p->off, p->len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)p->len ? 0 : -1;
}
