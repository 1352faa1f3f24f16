/* TUN device (tun.h). */
#include "daemon/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#define IP_PROTO_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80
#define MAX_SEGMENT_LEN 1500   /* a segment must fit a packet buffer with room for ESP */

static int open_dev(struct tun *t, const char *name, short flags, char *err, size_t errlen)
{
	struct ifreq ifr;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "cannot create TUN device '%s': %s%s", name, strerror(errno),
			 errno == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	return 0;
}

/* The offload buffers: static (one device per process), so they exist before the daemon
 * drops privileges and locks its memory, and no allocation can fail later. */
static uint8_t super_space[TUN_VNET_HDR_LEN + TUN_SUPER_MAX];
static uint8_t flow_space[TUN_FLOWS][TUN_VNET_HDR_LEN + TUN_SUPER_MAX];

/* IFF_VNET_HDR + checksum and TCPv4 segmentation offload; false when the kernel refuses (the
 * device is then reopened without the header). */
static bool enable_offloads(struct tun *t)
{
	int hdr = TUN_VNET_HDR_LEN;
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) < 0)
		return false;
	t->super = super_space;
	for (size_t i = 0; i < TUN_FLOWS; i++)
		t->flows[i].buf = flow_space[i];
	return true;
}

int tun_open(struct tun *t, const char *name, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	bool vnet = getenv("IKEGATE_TUN_NO_OFFLOAD") == NULL;   /* for comparisons */
	if (vnet && open_dev(t, name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, err, errlen) == 0) {
		t->vnet = enable_offloads(t);
		if (!t->vnet) {
			tun_close(t);
			memset(t, 0, sizeof(*t));
			t->fd = -1;
		}
	}
	if (!t->vnet && open_dev(t, name, IFF_TUN | IFF_NO_PI, err, errlen) < 0)
		return -1;
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
	t->super = NULL;
	for (size_t i = 0; i < TUN_FLOWS; i++) {
		t->flows[i].buf = NULL;
		t->flows[i].len = 0;
	}
}

/* ---- checksums (RFC 1071; byte-order independent: summed and stored in memory order) ---- */

/* Adds len bytes at p to a one's-complement sum (64-bit words with end-around carry, four at a
 * time). The result is folded by csum_fold. */
static uint64_t csum_add(const uint8_t *p, size_t len, uint64_t sum)
{
	unsigned __int128 acc = sum;
	while (len >= 32) {
		uint64_t v[4];
		memcpy(v, p, 32);
		acc += (unsigned __int128)v[0] + v[1] + v[2] + v[3];
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		acc += v;
		p += 8;
		len -= 8;
	}
	uint8_t tail[8] = {0};
	memcpy(tail, p, len);   /* the odd last byte is the high byte of a zero-padded word */
	uint64_t t;
	memcpy(&t, tail, 8);
	acc += t;
	uint64_t lo = (uint64_t)acc, hi = (uint64_t)(acc >> 64);
	lo += hi;
	if (lo < hi)
		lo++;
	return lo;
}

static uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void store16(uint8_t *p, uint16_t native)
{
	memcpy(p, &native, 2);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void ip_header_csum(uint8_t *ip, size_t ihl)
{
	store16(ip + 10, 0);
	store16(ip + 10, csum_fold(csum_add(ip, ihl, 0)));
}

/* ---- reading ---- */

static int plain_read(struct tun *t, uint8_t *buf, size_t cap)
{
	ssize_t n;
	do
		n = read(t->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	t->stats.reads++;
	return (int)n;
}

int tun_read(struct tun *t, struct ikg_pkt *p)
{
	int n = tun_read_batch(t, p, 1);
	return n < 0 ? -1 : n > 0;
}

/* Completes a checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM): the field holds
 * the pseudo-header sum; the sum from csum_start to the end goes in. */
static int complete_csum(uint8_t *p, size_t len, uint16_t start, uint16_t off)
{
	if ((size_t)start + off + 2 > len)
		return -1;
	uint16_t c = csum_fold(csum_add(p + start, len - start, 0));
	store16(p + start + off, c ? c : 0xffff);   /* as the kernel: UDP's 0 means "none" */
	return 0;
}

/* Segment i of the TSO super-packet in t->super into p. */
static void cut_segment(struct tun *t, size_t i, struct ikg_pkt *p)
{
	const uint8_t *sp = t->super + TUN_VNET_HDR_LEN;
	size_t ihl = (size_t)(sp[0] & 15) * 4, thl = (size_t)(sp[ihl + 12] >> 4) * 4, hl = ihl + thl;
	size_t off = i * t->gso_size, total = t->super_len - hl;
	size_t plen = total - off < t->gso_size ? total - off : t->gso_size;

	pkt_reset(p);
	uint8_t *d = p->data + p->off;
	memcpy(d, sp, hl);
	memcpy(d + hl, sp + hl + off, plen);
	p->len = (uint16_t)(hl + plen);

	put_be16(d + 2, (uint16_t)(hl + plen));
	put_be16(d + 4, (uint16_t)(get_be16(sp + 4) + i));   /* IP id, as the kernel's TSO */
	ip_header_csum(d, ihl);

	uint8_t *tcp = d + ihl;
	put_be32(tcp + 4, get_be32(sp + ihl + 4) + (uint32_t)off);
	if (i + 1 < t->seg_count)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	uint8_t pseudo[12];
	memcpy(pseudo, d + 12, 8);                           /* source, destination */
	pseudo[8] = 0;
	pseudo[9] = IP_PROTO_TCP;
	put_be16(pseudo + 10, (uint16_t)(thl + plen));
	store16(tcp + 16, 0);
	store16(tcp + 16, csum_fold(csum_add(tcp, thl + plen, csum_add(pseudo, 12, 0))));
}

/* A TSO super-packet just read: checks it and prepares the segment cursor. */
static bool start_super(struct tun *t, const struct virtio_net_hdr *h)
{
	const uint8_t *sp = t->super + TUN_VNET_HDR_LEN;
	size_t len = t->super_len;
	if (len < 40 || (sp[0] >> 4) != 4 || sp[9] != IP_PROTO_TCP || h->gso_size == 0)
		return false;
	size_t ihl = (size_t)(sp[0] & 15) * 4;
	if (ihl < 20 || ihl + 20 > len)
		return false;
	size_t thl = (size_t)(sp[ihl + 12] >> 4) * 4;
	if (thl < 20 || ihl + thl > len || ihl + thl + h->gso_size > MAX_SEGMENT_LEN)
		return false;
	size_t payload = len - ihl - thl;
	if (payload == 0)
		return false;
	t->gso_size = h->gso_size;
	t->seg_count = (payload + h->gso_size - 1) / h->gso_size;
	t->seg_next = 0;
	t->stats.super_packets++;
	return true;
}

enum vread { VR_ERROR = -1, VR_NONE = 0, VR_PACKET, VR_SUPER, VR_DROPPED };

/* One read in vnet mode: a plain packet goes to p, a super-packet becomes the segment cursor. */
static enum vread vnet_read(struct tun *t, struct ikg_pkt *p)
{
	int n = plain_read(t, t->super, TUN_VNET_HDR_LEN + TUN_SUPER_MAX);
	if (n <= 0)
		return n < 0 ? VR_ERROR : VR_NONE;
	if ((size_t)n <= TUN_VNET_HDR_LEN) {
		t->stats.bad++;
		return VR_DROPPED;
	}
	struct virtio_net_hdr h;
	memcpy(&h, t->super, sizeof h);
	t->super_len = (size_t)n - TUN_VNET_HDR_LEN;
	const uint8_t *data = t->super + TUN_VNET_HDR_LEN;
	if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV4) {
		if (start_super(t, &h))
			return VR_SUPER;
		t->stats.bad++;
		return VR_DROPPED;
	}
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE ||
	    t->super_len > IKG_PKT_SIZE - IKG_PKT_HEADROOM - 64) {
		t->stats.bad++;
		return VR_DROPPED;
	}
	pkt_reset(p);
	memcpy(p->data + p->off, data, t->super_len);
	p->len = (uint16_t)t->super_len;
	if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    complete_csum(p->data + p->off, p->len, h.csum_start, h.csum_offset) < 0) {
		t->stats.bad++;
		return VR_DROPPED;
	}
	return VR_PACKET;
}

int tun_read_batch(struct tun *t, struct ikg_pkt *pkts, size_t max)
{
	size_t got = 0;
	if (!t->vnet) {
		while (got < max) {
			struct ikg_pkt *p = &pkts[got];
			pkt_reset(p);
			int n = plain_read(t, p->data + p->off, IKG_PKT_SIZE - IKG_PKT_HEADROOM);
			if (n < 0)
				return got ? (int)got : -1;
			if (n == 0)
				break;
			p->len = (uint16_t)n;
			got++;
		}
		return (int)got;
	}
	for (int reads = 0; got < max;) {
		if (t->seg_next < t->seg_count) {
			cut_segment(t, t->seg_next++, &pkts[got++]);
			t->stats.segments++;
			continue;
		}
		t->seg_next = t->seg_count = 0;
		if (reads++ >= 64)   /* bounded: unusable reads do not loop forever */
			break;
		enum vread r = vnet_read(t, &pkts[got]);
		if (r == VR_ERROR)
			return got ? (int)got : -1;
		if (r == VR_NONE)
			break;
		if (r == VR_PACKET)
			got++;
	}
	return (int)got;
}

/* ---- writing ---- */

int tun_write(struct tun *t, const struct ikg_pkt *p)
{
	static const uint8_t zero_hdr[TUN_VNET_HDR_LEN];   /* no offload for this packet */
	struct iovec iov[2] = {
		{(void *)zero_hdr, TUN_VNET_HDR_LEN},
		{(void *)(p->data + p->off), p->len},
	};
	size_t want = p->len + (t->vnet ? TUN_VNET_HDR_LEN : 0);
	ssize_t n;
	do
		n = t->vnet ? writev(t->fd, iov, 2) : write(t->fd, p->data + p->off, p->len);
	while (n < 0 && errno == EINTR);
	t->stats.writes++;
	return n == (ssize_t)want ? 0 : -1;
}

/* ---- coalescing (vnet mode) ---- */

struct tcp_seg {
	const uint8_t *ip, *tcp, *payload;
	size_t ihl, thl, plen;
	uint32_t seq;
};

/* A plain IPv4 TCP segment that may join a super-packet: no IP options, not a fragment, only
 * ACK (and PSH) set, a payload, and a valid checksum (GCM authenticated the bytes, but a
 * segment the sender got wrong must reach the host as it is, to be dropped there). */
static bool mergeable(const struct ikg_pkt *p, struct tcp_seg *s)
{
	const uint8_t *ip = p->data + p->off;
	size_t len = p->len;
	if (len < 40 || ip[0] != 0x45 || ip[9] != IP_PROTO_TCP || get_be16(ip + 2) != len ||
	    (get_be16(ip + 6) & 0x3fff) != 0)
		return false;
	const uint8_t *tcp = ip + 20;
	size_t thl = (size_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || 20 + thl >= len || (tcp[13] & ~TCP_PSH) != 0x10)
		return false;
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IP_PROTO_TCP;
	put_be16(pseudo + 10, (uint16_t)(len - 20));
	if (csum_fold(csum_add(tcp, len - 20, csum_add(pseudo, 12, 0))) != 0)
		return false;
	*s = (struct tcp_seg){ip, tcp, tcp + thl, 20, thl, len - 20 - thl, get_be32(tcp + 4)};
	return true;
}

static bool same_flow(const struct tun_flow *f, const struct tcp_seg *s)
{
	const uint8_t *ip = f->buf + TUN_VNET_HDR_LEN;
	return f->len && memcmp(ip + 12, s->ip + 12, 8) == 0 && memcmp(ip + 20, s->tcp, 4) == 0;
}

/* Can s be appended to f: next in sequence, same TOS/TTL/DF, ACK, window and options (what the
 * kernel's own GRO requires), same size as the first segment (a shorter one closes the
 * super-packet), room left. */
static bool continues(const struct tun_flow *f, const struct tcp_seg *s)
{
	const uint8_t *ip = f->buf + TUN_VNET_HDR_LEN, *tcp = ip + 20;
	return !f->closed && s->seq == f->next_seq && f->hl == 20 + s->thl &&
	       ip[1] == s->ip[1] && ip[8] == s->ip[8] &&                /* TOS (ECN), TTL */
	       (ip[6] & 0x40) == (s->ip[6] & 0x40) &&                   /* DF */
	       memcmp(tcp + 8, s->tcp + 8, 4) == 0 &&                  /* ack */
	       memcmp(tcp + 14, s->tcp + 14, 2) == 0 &&                /* window */
	       memcmp(tcp + 20, s->tcp + 20, s->thl - 20) == 0 &&      /* options */
	       s->plen <= f->seg_payload &&
	       f->len + s->plen <= 65535 && f->segs < 64;
}

static int write_all(struct tun *t, const uint8_t *buf, size_t len)
{
	ssize_t n;
	do
		n = write(t->fd, buf, len);
	while (n < 0 && errno == EINTR);
	t->stats.writes++;
	return n == (ssize_t)len ? 0 : -1;
}

/* Writes flow f: a plain packet when it holds one segment, else a TCPv4 GSO super-packet with
 * the checksum left partial (the kernel completes it per segment). */
static int flow_flush(struct tun *t, struct tun_flow *f)
{
	if (!f->len)
		return 0;
	uint8_t *ip = f->buf + TUN_VNET_HDR_LEN;
	struct virtio_net_hdr h;
	memset(&h, 0, sizeof h);
	if (f->segs > 1) {
		uint8_t *tcp = ip + 20;
		put_be16(ip + 2, (uint16_t)f->len);
		ip_header_csum(ip, 20);
		uint8_t pseudo[12];
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = IP_PROTO_TCP;
		put_be16(pseudo + 10, (uint16_t)(f->len - 20));
		store16(tcp + 16, (uint16_t)~csum_fold(csum_add(pseudo, 12, 0)));
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h.hdr_len = (uint16_t)f->hl;
		h.gso_size = f->seg_payload;
		h.csum_start = 20;
		h.csum_offset = 16;
		t->stats.coalesced_writes++;
		t->stats.coalesced_segments += f->segs;
	}
	memcpy(f->buf, &h, sizeof h);
	int rc = write_all(t, f->buf, TUN_VNET_HDR_LEN + f->len);
	f->len = 0;
	return rc;
}

int tun_flush(struct tun *t)
{
	int rc = 0;
	for (size_t i = 0; t->vnet && i < TUN_FLOWS; i++)
		if (flow_flush(t, &t->flows[i]) < 0)
			rc = -1;
	return rc;
}

static void flow_start(struct tun_flow *f, const struct ikg_pkt *p, const struct tcp_seg *s)
{
	memcpy(f->buf + TUN_VNET_HDR_LEN, p->data + p->off, p->len);
	f->len = p->len;
	f->hl = s->ihl + s->thl;
	f->seg_payload = (uint16_t)s->plen;
	f->segs = 1;
	f->next_seq = s->seq + (uint32_t)s->plen;
	f->closed = (s->tcp[13] & TCP_PSH) != 0;
}

int tun_queue(struct tun *t, const struct ikg_pkt *p)
{
	if (!t->vnet)
		return tun_write(t, p);
	struct tcp_seg s;
	bool tcp = mergeable(p, &s);
	struct tun_flow *f = NULL, *free_slot = NULL;
	int rc = 0;
	if (!tcp) {
		/* a TCP packet that cannot join (SYN, FIN, ...): its flow's pending segments first */
		const uint8_t *ip = p->data + p->off;
		if (p->len >= 40 && ip[0] == 0x45 && ip[9] == IP_PROTO_TCP) {
			for (size_t i = 0; i < TUN_FLOWS; i++) {
				struct tun_flow *g = &t->flows[i];
				const uint8_t *gip = g->buf + TUN_VNET_HDR_LEN;
				if (g->len && memcmp(gip + 12, ip + 12, 8) == 0 &&
				    memcmp(gip + 20, ip + 20, 4) == 0 && flow_flush(t, g) < 0)
					rc = -1;
			}
		}
		return tun_write(t, p) < 0 ? -1 : rc;
	}
	for (size_t i = 0; i < TUN_FLOWS; i++) {
		if (same_flow(&t->flows[i], &s))
			f = &t->flows[i];
		else if (!t->flows[i].len && !free_slot)
			free_slot = &t->flows[i];
	}
	if (f && continues(f, &s)) {
		memcpy(f->buf + TUN_VNET_HDR_LEN + f->len, s.payload, s.plen);
		f->len += s.plen;
		f->segs++;
		f->next_seq += (uint32_t)s.plen;
		if (s.plen < f->seg_payload)
			f->closed = true;
		if (s.tcp[13] & TCP_PSH) {   /* the sender pushed: keep the flag, close */
			f->buf[TUN_VNET_HDR_LEN + 20 + 13] |= TCP_PSH;
			f->closed = true;
		}
		return 0;
	}
	if (f) {
		rc = flow_flush(t, f);
	} else if (free_slot) {
		f = free_slot;
	} else {
		f = &t->flows[t->flow_victim];
		t->flow_victim = (t->flow_victim + 1) % TUN_FLOWS;
		rc = flow_flush(t, f);
	}
	flow_start(f, p, &s);
	return rc;
}
