/* NAPT: outbound source rewrite with port allocation, inbound reverse lookup, incremental
 * checksum updates. Packets are parsed with wire/ipv4.h; the fields NAPT rewrites are read
 * and written through the bounded reader/writer of wire/buf.h at offsets the parse checked. */
#include "nat/napt.h"

#include "wire/buf.h"
#include "wire/ipv4.h"

#define IP_CSUM_AT 10
#define IP_SRC_AT 12
#define IP_DST_AT 16
#define L4_SPORT_AT 0
#define L4_DPORT_AT 2
#define UDP_CSUM_AT 6
#define TCP_CSUM_AT 16
#define ICMP_CSUM_AT 2
#define ICMP_ID_AT 4
#define PROTO_ESP 50
#define PROTO_AH 51

/* ---- field access (offsets already checked against the parsed lengths) ---- */

static uint16_t get16(const uint8_t *p)
{
	struct rd r = rd_init(p, 2);
	uint16_t v = 0;

	(void)rd_u16(&r, &v);
	return v;
}

static void put16(uint8_t *p, uint16_t v)
{
	struct wr w = wr_init(p, 2);

	wr_u16(&w, v);
}

static void put32(uint8_t *p, uint32_t v)
{
	struct wr w = wr_init(p, 4);

	wr_u32(&w, v);
}

/* ---- what a packet looks like to NAPT ---- */

struct pkt_info {
	struct ipv4_view v;
	uint8_t *l4;            /* transport header, writable */
	uint16_t sport, dport;  /* ports or echo id (both); 0 for ESP/AH */
};

static enum napt_result classify(uint8_t *p, size_t len, struct pkt_info *pi)
{
	if (ipv4_parse(p, len, true, &pi->v) < 0)
		return NAPT_MALFORMED;
	pi->l4 = p + pi->v.ihl_bytes;
	pi->sport = pi->dport = 0;
	switch (pi->v.protocol) {
	case PROTO_ESP:
	case PROTO_AH:
		return NAPT_OK;
	case IPPROTO_UDP_:
	case IPPROTO_TCP_:
	case IPPROTO_ICMP_:
		break;
	default:
		return NAPT_UNSUPPORTED;
	}
	if (ipv4_is_fragment(&pi->v))
		return NAPT_FRAGMENT;
	if (l4_ports(pi->v.protocol, pi->v.payload, pi->v.payload_len, &pi->sport, &pi->dport) < 0)
		return pi->v.protocol == IPPROTO_ICMP_ ? NAPT_UNSUPPORTED : NAPT_MALFORMED;
	return NAPT_OK;
}

/* ---- rewriting ---- */

static void rewrite_addr(uint8_t *p, size_t at, ikg_ip4 old_ip, ikg_ip4 new_ip)
{
	put32(p + at, new_ip);
	put16(p + IP_CSUM_AT, csum_update32(get16(p + IP_CSUM_AT), old_ip, new_ip));
}

/* The transport part of an address + port change: port_at is the port's offset in the L4
 * header (for ICMP the echo id, which is not covered by a pseudo header). */
static void rewrite_l4(const struct pkt_info *pi, size_t port_at, uint16_t old_port,
		       uint16_t new_port, ikg_ip4 old_ip, ikg_ip4 new_ip)
{
	uint8_t *l4 = pi->l4;
	uint16_t c;

	switch (pi->v.protocol) {
	case IPPROTO_UDP_:
		put16(l4 + port_at, new_port);
		c = get16(l4 + UDP_CSUM_AT);
		if (c == 0)
			return; /* no checksum: stays none */
		c = csum_update32(c, old_ip, new_ip);
		c = csum_update16(c, old_port, new_port);
		put16(l4 + UDP_CSUM_AT, c == 0 ? 0xffff : c);
		return;
	case IPPROTO_TCP_:
		put16(l4 + port_at, new_port);
		c = csum_update32(get16(l4 + TCP_CSUM_AT), old_ip, new_ip);
		put16(l4 + TCP_CSUM_AT, csum_update16(c, old_port, new_port));
		return;
	case IPPROTO_ICMP_:
		put16(l4 + ICMP_ID_AT, new_port);
		put16(l4 + ICMP_CSUM_AT, csum_update16(get16(l4 + ICMP_CSUM_AT), old_port, new_port));
		return;
	default:
		return; /* ESP, AH: addresses only */
	}
}

/* ---- port allocation ---- */

static bool port_free(const struct napt *n, uint8_t proto, uint16_t port)
{
	if (port == 0 && proto != IPPROTO_ICMP_)
		return false;
	for (size_t i = 0; i < n->o.n_reserved; i++)
		if (n->o.reserved[i] == port)
			return false;
	return !nat_table_wan_port_used(n->table, proto, n->o.wan_ip, port);
}

static int alloc_port(struct napt *n, uint8_t proto, uint16_t lan_port, uint16_t *out)
{
	uint32_t lo = n->o.port_lo, size = (uint32_t)n->o.port_hi - lo + 1;
	uint32_t start;

	if (n->o.random_ports) {
		uint32_t r = 0;

		n->o.random(n->o.random_ctx, &r, sizeof(r));
		start = r % size;
	} else {
		if (n->o.preserve_ports && port_free(n, proto, lan_port)) {
			*out = lan_port;
			return 0;
		}
		start = n->cursor >= lo && n->cursor - lo < size ? n->cursor - lo : 0;
	}
	for (uint32_t i = 0; i < size; i++) {
		uint16_t port = (uint16_t)(lo + (start + i) % size);

		if (port_free(n, proto, port)) {
			if (!n->o.random_ports)
				n->cursor = (uint16_t)(lo + (start + i + 1) % size);
			*out = port;
			return 0;
		}
	}
	return -1;
}

/* ---- the translator ---- */

int napt_init(struct napt *n, struct nat_table *t, const struct napt_opts *o)
{
	if (!t || !o || o->n_reserved > NAPT_MAX_RESERVED || (o->random_ports && !o->random))
		return -1;
	*n = (struct napt){.table = t, .o = *o};
	if (n->o.port_lo == 0 && n->o.port_hi == 0) {
		n->o.port_lo = NAPT_DEFAULT_PORT_LO;
		n->o.port_hi = NAPT_DEFAULT_PORT_HI;
	}
	if (n->o.port_lo > n->o.port_hi)
		return -1;
	n->cursor = n->o.port_lo;
	return 0;
}

static enum napt_result refuse(struct napt *n, enum napt_result r)
{
	n->stats.refused[r]++;
	return r;
}

/* The LAN-side key of an outbound packet: ICMP keeps its id as LAN "port" only. */
static uint16_t remote_port_of(const struct pkt_info *pi, uint16_t port)
{
	return pi->v.protocol == IPPROTO_ICMP_ ? 0 : port;
}

static size_t src_port_at(const struct pkt_info *pi)
{
	return pi->v.protocol == IPPROTO_ICMP_ ? ICMP_ID_AT : L4_SPORT_AT;
}

static size_t dst_port_at(const struct pkt_info *pi)
{
	return pi->v.protocol == IPPROTO_ICMP_ ? ICMP_ID_AT : L4_DPORT_AT;
}

enum napt_result napt_outbound(struct napt *n, ikg_ms now, uint8_t *p, size_t len)
{
	struct pkt_info pi;
	enum napt_result r = classify(p, len, &pi);

	nat_table_expire(n->table, now);

	if (r != NAPT_OK)
		return refuse(n, r);
	uint8_t proto = pi.v.protocol;
	uint16_t rem_port = remote_port_of(&pi, pi.dport);
	struct nat_entry *e =
		nat_table_lookup_out(n->table, proto, pi.v.src, pi.sport, pi.v.dst, rem_port);

	if (e) {
		nat_table_refresh(n->table, e, now);
	} else {
		uint16_t wan_port = 0;

		if (nat_proto_has_ports(proto) && alloc_port(n, proto, pi.sport, &wan_port) < 0)
			return refuse(n, NAPT_EXHAUSTED);
		e = nat_table_create(n->table, now, NAT_DIR_OUT, proto, pi.v.src, pi.sport,
				     n->o.wan_ip, wan_port, pi.v.dst, rem_port);
		if (!e)
			return refuse(n, NAPT_EXHAUSTED);
	}
	rewrite_l4(&pi, src_port_at(&pi), pi.sport, e->wan_port, pi.v.src, e->wan_ip);
	rewrite_addr(p, IP_SRC_AT, pi.v.src, e->wan_ip);
	n->stats.out_translated++;
	return NAPT_OK;
}

enum napt_result napt_inbound(struct napt *n, ikg_ms now, uint8_t *p, size_t len)
{
	struct pkt_info pi;
	enum napt_result r = classify(p, len, &pi);

	nat_table_expire(n->table, now);

	if (r != NAPT_OK)
		return refuse(n, r);
	if (pi.v.dst != n->o.wan_ip)
		return refuse(n, NAPT_NOT_OURS);
	uint8_t proto = pi.v.protocol;
	struct nat_entry *e = nat_table_lookup_in(n->table, proto, pi.v.dst, pi.dport, pi.v.src,
						  remote_port_of(&pi, pi.sport));

	if (!e)
		return refuse(n, NAPT_NO_MAPPING);
	nat_table_refresh(n->table, e, now);
	rewrite_l4(&pi, dst_port_at(&pi), pi.dport, e->lan_port, pi.v.dst, e->lan_ip);
	rewrite_addr(p, IP_DST_AT, pi.v.dst, e->lan_ip);
	n->stats.in_translated++;
	return NAPT_OK;
}

const char *napt_result_name(enum napt_result r)
{
	static const char *const names[NAPT__COUNT] = {
		[NAPT_OK] = "ok",
		[NAPT_MALFORMED] = "malformed",
		[NAPT_UNSUPPORTED] = "unsupported",
		[NAPT_FRAGMENT] = "fragment",
		[NAPT_NO_MAPPING] = "no-mapping",
		[NAPT_EXHAUSTED] = "exhausted",
		[NAPT_NOT_OURS] = "not-ours",
	};

	return (unsigned)r < NAPT__COUNT ? names[r] : "unknown";
}
