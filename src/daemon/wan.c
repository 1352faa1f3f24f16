/* WAN sockets (wan.h). */
#include "daemon/wan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/addr.h"
#include "daemon/dlog.h"
#include "wire/ipv4.h"

#define SYNTH_HDR (IPV4_HDR_LEN + UDP_HDR_LEN)

static const uint16_t udp_port[2] = { 500, 4500 };

/* Socket buffers large enough for the bursts a batched peer sends (one sendmmsg of
 * WAN_TX_BATCH datagrams, TSO super-packets cut into ~45 segments): with the default ~200 KiB a
 * burst overflows the receiver's ESP socket and TCP inside the tunnel collapses. */
#define WAN_SOCKBUF (4 << 20)

static void size_buffers(int fd)
{
	int sz = WAN_SOCKBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int open_udp(ikg_ip4 addr, uint16_t port, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "UDP socket: %s", strerror(errno));
		return -1;
	}
	size_buffers(fd);
	int dont = IP_PMTUDISC_DONT;   /* let large IKE messages fragment */
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char ip[IKG_IP4_STRLEN];
		int e = errno;
		snprintf(err, errlen, "cannot bind UDP %s:%u: %s%s", ikg_ip4_str(addr, ip), port,
			 strerror(e),
			 e == EADDRNOTAVAIL ? " (wan-address is not an address of this host)" :
			 e == EACCES ? " (needs root or CAP_NET_BIND_SERVICE)" :
			 e == EADDRINUSE ? " (another IKE daemon is running)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int open_raw(ikg_ip4 addr, int proto, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		snprintf(err, errlen, "raw socket for protocol %d: %s%s", proto, strerror(errno),
			 errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	size_buffers(fd);
	int on = 1;
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) < 0) {
		snprintf(err, errlen, "IP_HDRINCL: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(addr) };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot bind raw protocol %d socket: %s", proto,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The batch buffers: static (one WAN per process), so they exist before the daemon drops
 * privileges and locks its memory, and no allocation can fail later. */
static struct wan_tx tx_space[WAN_TX_BATCH];
static uint8_t gro_space[WAN_GRO_BUF];

int wan_open(struct wan *w, ikg_ip4 addr, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->addr = addr;
	for (int i = 0; i < WAN__COUNT; i++)
		w->fd[i] = -1;
	w->fd[WAN_UDP500] = open_udp(addr, 500, err, errlen);
	if (w->fd[WAN_UDP500] >= 0)
		w->fd[WAN_UDP4500] = open_udp(addr, 4500, err, errlen);
	if (w->fd[WAN_UDP4500] >= 0)
		w->fd[WAN_ESP] = open_raw(addr, IPPROTO_ESP, err, errlen);
	if (w->fd[WAN_ESP] >= 0)
		w->fd[WAN_AH] = open_raw(addr, IPPROTO_AH, err, errlen);
	if (w->fd[WAN_AH] < 0) {
		wan_close(w);
		return -1;
	}
	w->tx = tx_space;
	w->gro_buf = gro_space;
	int on = 1;
	w->gro = getenv("IKEGATE_WAN_NO_OFFLOAD") == NULL &&
		 setsockopt(w->fd[WAN_UDP4500], SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
	w->gso = getenv("IKEGATE_WAN_NO_OFFLOAD") == NULL;   /* dropped at the first refusal */
	return 0;
}

void wan_close(struct wan *w)
{
	for (int i = 0; i < WAN__COUNT; i++) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
	}
	w->tx = NULL;
	w->tx_n = 0;
	w->gro_buf = NULL;
	w->gro_len = w->gro_pos = 0;
}

/* Puts one received datagram (payload at data) into p with the synthesized IPv4 + UDP header. */
static void synth_udp(struct wan *w, enum wan_sock s, struct ikg_pkt *p, const uint8_t *data,
		      size_t len, const struct sockaddr_in *from)
{
	p->off = IKG_PKT_HEADROOM;
	p->len = (uint16_t)(len + SYNTH_HDR);
	uint8_t *h = pkt_start(p);
	if (data)
		memcpy(h + SYNTH_HDR, data, len);
	ikg_ip4 src = ntohl(from->sin_addr.s_addr);
	ipv4_write_hdr(h, IPPROTO_UDP_, src, w->addr, (uint16_t)(len + SYNTH_HDR), 0);
	udp_write_hdr(h + IPV4_HDR_LEN, src, ntohs(from->sin_port), w->addr, udp_port[s], len, false);
}

/* Port 4500 with UDP_GRO: one recvmsg may bring many datagrams of gro_seg bytes each (the last
 * one shorter); they are cut apart into pkts. */
static size_t recv_gro(struct wan *w, struct ikg_pkt *pkts, size_t n)
{
	size_t out = 0;
	while (out < n) {
		if (w->gro_pos < w->gro_len) {
			size_t len = w->gro_len - w->gro_pos;
			if (w->gro_seg && len > w->gro_seg)
				len = w->gro_seg;
			if (len + SYNTH_HDR <= IKG_PKT_SIZE - IKG_PKT_HEADROOM)
				synth_udp(w, WAN_UDP4500, &pkts[out++], w->gro_buf + w->gro_pos, len,
					  &w->gro_from);
			else
				w->stats.rx_truncated++;
			w->gro_pos += len;
			continue;
		}
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {w->gro_buf, WAN_GRO_BUF};
		struct msghdr mh = {.msg_name = &w->gro_from, .msg_namelen = sizeof(w->gro_from),
				    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf)};
		ssize_t got;
		do
			got = recvmsg(w->fd[WAN_UDP4500], &mh, MSG_DONTWAIT);
		while (got < 0 && errno == EINTR);
		w->stats.rx_calls++;
		if (got < 0)
			break;
		if (got == 0) {   /* an empty datagram: the core counts it, as without GRO */
			synth_udp(w, WAN_UDP4500, &pkts[out++], NULL, 0, &w->gro_from);
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			w->stats.rx_truncated++;
			continue;
		}
		w->gro_seg = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
				int seg;
				memcpy(&seg, CMSG_DATA(c), sizeof(seg));
				w->gro_seg = (uint16_t)seg;
				w->stats.rx_gro++;
			}
		}
		w->gro_len = (size_t)got;
		w->gro_pos = 0;
	}
	w->stats.rx += out;
	return out;
}

bool wan_pending(const struct wan *w)
{
	return w->gro_pos < w->gro_len;
}

size_t wan_recv(struct wan *w, enum wan_sock s, struct ikg_pkt *pkts, size_t n)
{
	if (s == WAN_UDP4500 && w->gro && w->gro_buf)
		return recv_gro(w, pkts, n);
	struct mmsghdr msgs[WAN_BATCH];
	struct iovec iov[WAN_BATCH];
	struct sockaddr_in from[WAN_BATCH];
	bool udp = s == WAN_UDP500 || s == WAN_UDP4500;
	size_t skip = udp ? SYNTH_HDR : 0;

	if (n > WAN_BATCH)
		n = WAN_BATCH;
	memset(msgs, 0, sizeof(msgs[0]) * n);
	for (size_t i = 0; i < n; i++) {
		pkt_reset(&pkts[i]);
		iov[i].iov_base = pkts[i].data + IKG_PKT_HEADROOM + skip;
		iov[i].iov_len = IKG_PKT_SIZE - IKG_PKT_HEADROOM - skip;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	int got;
	do
		got = recvmmsg(w->fd[s], msgs, (unsigned)n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	w->stats.rx_calls++;
	if (got <= 0)
		return 0;

	size_t out = 0;
	for (int i = 0; i < got; i++) {
		size_t len = msgs[i].msg_len;
		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			w->stats.rx_truncated++;
			continue;
		}
		struct ikg_pkt *p = &pkts[out];
		if (out != (size_t)i)   /* close the gap a truncated datagram left */
			memmove(p->data + IKG_PKT_HEADROOM + skip,
				pkts[i].data + IKG_PKT_HEADROOM + skip, len);
		p->off = IKG_PKT_HEADROOM;
		p->len = (uint16_t)(len + skip);
		if (udp)
			synth_udp(w, s, p, NULL, len, &from[i]);
		out++;
	}
	w->stats.rx += out;
	return out;
}

static void send_failed(struct wan *w, ikg_ms now, ikg_ip4 dst, int e)
{
	char ip[IKG_IP4_STRLEN];
	w->stats.tx_errors++;
	if (now - w->last_error_log >= 1000) {   /* at most one line a second */
		w->last_error_log = now;
		dlog("WAN send to %s failed: %s (%llu failures so far)", ikg_ip4_str(dst, ip),
		     strerror(e), (unsigned long long)w->stats.tx_errors);
	}
}

/* A packet from the core that the daemon cannot send (a bug in the core if it happens). */
static int drop(struct wan *w, ikg_ms now, const char *why)
{
	w->stats.tx_dropped++;
	if (now - w->last_drop_log >= 1000) {
		w->last_drop_log = now;
		dlog("WAN send: dropped a packet: %s (%llu so far)", why,
		     (unsigned long long)w->stats.tx_dropped);
	}
	return -1;
}

/* Where a packet from the core goes: socket, destination, the bytes to hand to the socket. */
struct wan_dgram {
	int sock;
	struct sockaddr_in to;
	const uint8_t *data;
	size_t len;
};

static int classify(struct wan *w, struct ikg_pkt *pkt, ikg_ms now, struct wan_dgram *g)
{
	struct ipv4_view v;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &v) < 0)
		return drop(w, now, "not a valid IPv4 packet");
	memset(&g->to, 0, sizeof(g->to));
	g->to.sin_family = AF_INET;
	g->to.sin_addr.s_addr = htonl(v.dst);

	switch (v.protocol) {
	case IPPROTO_UDP_: {
		struct udp_view u;
		if (udp_parse(v.payload, v.payload_len, &u) < 0)
			return drop(w, now, "malformed UDP header");
		if (u.sport == 500)
			g->sock = WAN_UDP500;
		else if (u.sport == 4500)
			g->sock = WAN_UDP4500;
		else
			return drop(w, now, "UDP source port is neither 500 nor 4500");
		g->to.sin_port = htons(u.dport);
		g->data = u.payload;
		g->len = u.payload_len;
		return 0;
	}
	case IPPROTO_ESP:
	case IPPROTO_AH:
		g->sock = v.protocol == IPPROTO_ESP ? WAN_ESP : WAN_AH;
		g->data = pkt_start(pkt);
		g->len = v.total_len;
		return 0;
	default:
		return drop(w, now, "protocol is not UDP, ESP or AH");
	}
}

int wan_send(struct wan *w, struct ikg_pkt *pkt, ikg_ms now)
{
	struct wan_dgram g;
	if (classify(w, pkt, now, &g) < 0)
		return -1;
	ssize_t n;
	do
		n = sendto(w->fd[g.sock], g.data, g.len, MSG_DONTWAIT, (struct sockaddr *)&g.to,
			   sizeof(g.to));
	while (n < 0 && errno == EINTR);
	w->stats.tx_calls++;
	if (n < 0) {
		send_failed(w, now, ntohl(g.to.sin_addr.s_addr), errno);
		return -1;
	}
	w->stats.tx++;
	return 0;
}

int wan_queue(struct wan *w, struct ikg_pkt *pkt, ikg_ms now)
{
	if (!w->tx)
		return wan_send(w, pkt, now);
	struct wan_dgram g;
	if (classify(w, pkt, now, &g) < 0)
		return -1;
	if (g.sock == WAN_UDP500)   /* IKE leaves at once: its peer may be waiting for it */
		return wan_send(w, pkt, now);
	if (g.len > sizeof(w->tx[0].data))
		return drop(w, now, "datagram larger than a packet buffer");
	if (w->tx_n == WAN_TX_BATCH)
		wan_flush(w, now);
	struct wan_tx *t = &w->tx[w->tx_n++];
	t->sock = g.sock;
	t->dst = g.to.sin_addr.s_addr;
	t->port = g.to.sin_port;
	t->len = (uint16_t)g.len;
	memcpy(t->data, g.data, g.len);
	return 0;
}

/* How many datagrams from tx[i] (up to `to`) can leave as one UDP GSO send: same destination,
 * same size (the last one may be shorter), at most 64 and 64 KiB. */
static size_t gso_group(const struct wan *w, size_t i, size_t to)
{
	const struct wan_tx *a = &w->tx[i];
	size_t j = i + 1, total = a->len;
	while (j < to && j - i < 64) {
		const struct wan_tx *b = &w->tx[j];
		if (b->dst != a->dst || b->port != a->port || b->len > a->len ||
		    total + b->len > 65000)
			break;
		total += b->len;
		j++;
		if (b->len < a->len)
			break;
	}
	return j - i;
}

union gso_ctl {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

/* Sends tx[from, to) (all for the same socket) with as few sendmmsg calls as it takes; on the
 * port-4500 socket each run of same-sized datagrams to one peer is one UDP GSO message. */
static void send_run(struct wan *w, size_t from, size_t to, ikg_ms now)
{
	struct mmsghdr msgs[WAN_TX_BATCH];
	struct iovec iov[WAN_TX_BATCH];
	struct sockaddr_in dst[WAN_TX_BATCH];
	union gso_ctl ctl[WAN_TX_BATCH];
	size_t first[WAN_TX_BATCH], count[WAN_TX_BATCH];
	int fd = w->fd[w->tx[from].sock];
	bool gso = w->gso && w->tx[from].sock == WAN_UDP4500;
	size_t m = 0;

	for (size_t i = from; i < to; m++) {
		size_t k = gso ? gso_group(w, i, to) : 1;
		struct wan_tx *t = &w->tx[i];
		memset(&msgs[m], 0, sizeof(msgs[m]));
		dst[m] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = t->port,
					      .sin_addr.s_addr = t->dst};
		for (size_t q = 0; q < k; q++) {
			iov[i - from + q].iov_base = w->tx[i + q].data;
			iov[i - from + q].iov_len = w->tx[i + q].len;
		}
		msgs[m].msg_hdr.msg_iov = &iov[i - from];
		msgs[m].msg_hdr.msg_iovlen = k;
		msgs[m].msg_hdr.msg_name = &dst[m];
		msgs[m].msg_hdr.msg_namelen = sizeof(dst[m]);
		if (k > 1) {
			memset(&ctl[m], 0, sizeof(ctl[m]));
			msgs[m].msg_hdr.msg_control = ctl[m].buf;
			msgs[m].msg_hdr.msg_controllen = sizeof(ctl[m].buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[m].msg_hdr);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
			uint16_t seg = t->len;
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		first[m] = i;
		count[m] = k;
		i += k;
	}
	size_t done = 0;
	while (done < m) {
		int sent = sendmmsg(fd, msgs + done, (unsigned)(m - done), MSG_DONTWAIT);
		w->stats.tx_calls++;
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0) {
			int e = errno;
			if (count[done] > 1 && (e == EIO || e == EINVAL || e == EOPNOTSUPP)) {
				/* no UDP GSO here: this and every later batch go datagram by datagram */
				w->gso = false;
				send_run(w, first[done], to, now);
				return;
			}
			send_failed(w, now, ntohl(dst[done].sin_addr.s_addr), e);
			w->stats.tx_errors += count[done] - 1;
			done++;
			continue;
		}
		for (int q = 0; q < sent; q++) {
			w->stats.tx += count[done + (size_t)q];
			if (count[done + (size_t)q] > 1)
				w->stats.tx_gso++;
		}
		done += (size_t)sent;
	}
}

void wan_flush(struct wan *w, ikg_ms now)
{
	size_t i = 0;
	while (i < w->tx_n) {
		size_t j = i + 1;
		while (j < w->tx_n && w->tx[j].sock == w->tx[i].sock)
			j++;
		send_run(w, i, j, now);
		i = j;
	}
	w->tx_n = 0;
}
