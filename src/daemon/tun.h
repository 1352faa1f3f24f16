/* The LAN-side TUN device (IFF_TUN | IFF_NO_PI): the kernel routes packets for remote member
 * networks into it; the core's decapsulated packets are written back. */
#ifndef IKG_TUN_H
#define IKG_TUN_H

#include <stddef.h>

#include "common/pkt.h"

/* Inner MTU: 1500 minus the worst ESP-in-UDP overhead (IPv4 20 + UDP 8 + ESP 8 + IV 16 +
 * padding 15 + trailer 2 + ICV 16 = 85), rounded down. */
#define TUN_MTU 1400

struct tun {
	int fd;
	int ifindex;
	char name[16];
};

/* Creates (or attaches to) the device name. 0, or -1 with a message in err. */
int tun_open(struct tun *t, const char *name, char *err, size_t errlen);
void tun_close(struct tun *t);
/* The device carries IPv4 only: stop the kernel's IPv6 chatter (router solicitations). */
void tun_disable_ipv6(const struct tun *t);
/* Reads one packet into p (headroom kept for encapsulation). 1 when a packet was read, 0 when
 * nothing is waiting, -1 on error. */
int tun_read(struct tun *t, struct ikg_pkt *p);
/* Writes one IPv4 packet. 0 or -1. */
int tun_write(struct tun *t, const struct ikg_pkt *p);

#endif
