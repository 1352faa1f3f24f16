/* The LAN-side TUN device (IFF_TUN | IFF_NO_PI): the kernel routes packets for remote member
 * networks into it; the core's decapsulated packets are written back.
 *
 * Offloads (as wireguard-go does): the device is opened with IFF_VNET_HDR and TUNSETOFFLOAD
 * (checksum + TCP segmentation offload, IPv4). The kernel then hands over TCP "super-packets"
 * of up to 64 KiB (one read instead of ~45) with a virtio-net header; tun_read_batch cuts them
 * into MSS-sized segments itself (headers fixed, checksums computed) before they reach the core,
 * and completes the checksum of packets the kernel left partial. When the kernel refuses the
 * offloads the device works as before, one packet per read. */
#ifndef IKG_TUN_H
#define IKG_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pkt.h"

/* Inner MTU: 1500 minus the worst ESP-in-UDP overhead (IPv4 20 + UDP 8 + ESP 8 + IV 16 +
 * padding 15 + trailer 2 + ICV 16 = 85), rounded down. */
#define TUN_MTU 1400

#define TUN_VNET_HDR_LEN 10          /* struct virtio_net_hdr */
#define TUN_SUPER_MAX (65536 + 256)  /* one read with offloads on */

struct tun_stats {
	uint64_t reads, writes;          /* syscalls */
	uint64_t super_packets, segments; /* TSO super-packets read, segments cut from them */
	uint64_t bad;                    /* reads that could not be used (dropped) */
	uint64_t coalesced_writes, coalesced_segments; /* super-packets written, segments in them */
};

/* Write side (vnet mode): consecutive in-order TCP segments of a flow are coalesced into one
 * super-packet (GRO in userspace) that the kernel forwards whole (GSO) or segments again. */
#define TUN_FLOWS 4

struct tun_flow {
	uint8_t *buf;                    /* virtio header + super-packet, TUN_SUPER_MAX */
	size_t len;                      /* bytes of the super-packet (0 = slot free) */
	size_t hl;                       /* IPv4 + TCP header length */
	uint16_t seg_payload;            /* payload of the first segment (the gso_size) */
	uint16_t segs;
	uint32_t next_seq;
	bool closed;                     /* the last segment was short: nothing may follow */
};

/* One per process: the offload buffers behind super and flows[].buf are static in tun.c. */
struct tun {
	int fd;
	int ifindex;
	char name[16];
	bool vnet;                       /* IFF_VNET_HDR + offloads active */
	/* a super-packet being cut into segments (vnet mode) */
	uint8_t *super;                  /* TUN_SUPER_MAX bytes, allocated once at open */
	size_t super_len;                /* bytes in super (after the virtio header) */
	size_t seg_next, seg_count;      /* next segment to emit, number of segments */
	uint16_t gso_size;
	struct tun_flow flows[TUN_FLOWS];
	size_t flow_victim;              /* next slot to reuse when all are busy */
	struct tun_stats stats;
};

/* Creates (or attaches to) the device name. 0, or -1 with a message in err. Offloads are
 * turned on when the kernel allows them (t->vnet tells). */
int tun_open(struct tun *t, const char *name, char *err, size_t errlen);
void tun_close(struct tun *t);
/* The device carries IPv4 only: stop the kernel's IPv6 chatter (router solicitations). */
void tun_disable_ipv6(const struct tun *t);
/* Reads one packet into p (headroom kept for encapsulation). 1 when a packet was read, 0 when
 * nothing is waiting, -1 on error. */
int tun_read(struct tun *t, struct ikg_pkt *p);
/* Reads up to max packets into pkts (segments of a TSO super-packet count one each). Returns
 * how many (0 when nothing is waiting), -1 on a read error with nothing read. */
int tun_read_batch(struct tun *t, struct ikg_pkt *pkts, size_t max);
/* True while segments of a super-packet already read wait for tun_read_batch. */
static inline bool tun_pending(const struct tun *t) { return t->seg_next < t->seg_count; }
/* Writes one IPv4 packet. 0 or -1. */
int tun_write(struct tun *t, const struct ikg_pkt *p);
/* Queues one IPv4 packet for the LAN: in vnet mode a TCP segment that continues a flow being
 * coalesced joins it, anything else is written at once (after the pending segments of its own
 * flow). tun_flush writes the pending super-packets: call it after each batch. 0 or -1. */
int tun_queue(struct tun *t, const struct ikg_pkt *p);
int tun_flush(struct tun *t);

#endif
