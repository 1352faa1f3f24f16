/* NAPT: outbound/inbound round trips with checksums verified by full recomputation, ICMP echo
 * ids, ESP/AH pass-through, unsolicited inbound, port allocation and exhaustion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nat/napt.h"
#include "nat/table.h"
#include "wire/ipv4.h"

#define IP(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (ikg_ip4)(d))
#define SEC(s) ((ikg_ms)(s) * 1000)
#define T0 ((ikg_ms)1055872051000ULL)

static const ikg_ip4 lan1 = IP(192, 168, 1, 10), lan2 = IP(192, 168, 1, 11);
static const ikg_ip4 wan = IP(203, 0, 113, 1);
static const ikg_ip4 peer = IP(198, 51, 100, 7), peer2 = IP(198, 51, 100, 8);

/* ---- packet building and checking (tests may index bytes; the core may not) ---- */

struct pkt {
	uint8_t b[256];
	size_t len;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fill_payload(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static struct pkt udp_pkt(ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
			  size_t payload, bool csum)
{
	struct pkt k = {.len = IPV4_HDR_LEN + UDP_HDR_LEN + payload};
	fill_payload(k.b + IPV4_HDR_LEN + UDP_HDR_LEN, payload, 0x31);
	ipv4_write_hdr(k.b, 17, src, dst, (uint16_t)k.len, 0x4242);
	udp_write_hdr(k.b + IPV4_HDR_LEN, src, sport, dst, dport, payload, csum);
	return k;
}

/* sum of the pseudo header + segment; a correct L4 checksum makes inet_csum over it 0 */
static uint16_t l4_verify(const struct pkt *k)
{
	uint8_t buf[512];
	size_t seg = k->len - IPV4_HDR_LEN;
	memcpy(buf, k->b + 12, 8); /* src, dst */
	buf[8] = 0;
	buf[9] = k->b[9];
	wr16(buf + 10, (uint16_t)seg);
	memcpy(buf + 12, k->b + IPV4_HDR_LEN, seg);
	return inet_csum(buf, 12 + seg);
}

static struct pkt tcp_pkt(ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport)
{
	struct pkt k = {.len = IPV4_HDR_LEN + 20 + 11};
	uint8_t *t = k.b + IPV4_HDR_LEN;
	ipv4_write_hdr(k.b, 6, src, dst, (uint16_t)k.len, 7);
	wr16(t, sport);
	wr16(t + 2, dport);
	t[4] = 0x12; /* seq */
	t[12] = 5 << 4;
	t[13] = 0x18; /* PSH ACK */
	wr16(t + 14, 512);
	fill_payload(t + 20, 11, 0x77);
	wr16(t + 16, l4_verify(&k));
	assert_int_equal(l4_verify(&k), 0);
	return k;
}

static struct pkt icmp_echo(ikg_ip4 src, ikg_ip4 dst, uint8_t type, uint16_t id, uint16_t seq)
{
	struct pkt k = {.len = IPV4_HDR_LEN + 8 + 32};
	uint8_t *m = k.b + IPV4_HDR_LEN;
	ipv4_write_hdr(k.b, 1, src, dst, (uint16_t)k.len, 9);
	m[0] = type;
	wr16(m + 4, id);
	wr16(m + 6, seq);
	fill_payload(m + 8, 32, 0x10);
	wr16(m + 2, inet_csum(m, 8 + 32));
	return k;
}

static struct pkt ipsec_pkt(uint8_t proto, ikg_ip4 src, ikg_ip4 dst, uint32_t spi)
{
	struct pkt k = {.len = IPV4_HDR_LEN + 64};
	uint8_t *e = k.b + IPV4_HDR_LEN;
	ipv4_write_hdr(k.b, proto, src, dst, (uint16_t)k.len, 11);
	fill_payload(e, 64, 0x55);
	if (proto == 51) {
		e[0] = 50; /* next header, payload len, reserved */
		e[1] = 4;
		e[4] = (uint8_t)(spi >> 24), e[5] = (uint8_t)(spi >> 16);
		e[6] = (uint8_t)(spi >> 8), e[7] = (uint8_t)spi;
	} else {
		e[0] = (uint8_t)(spi >> 24), e[1] = (uint8_t)(spi >> 16);
		e[2] = (uint8_t)(spi >> 8), e[3] = (uint8_t)spi;
	}
	return k;
}

static void assert_ip_ok(const struct pkt *k, ikg_ip4 src, ikg_ip4 dst)
{
	assert_int_equal(inet_csum(k->b, IPV4_HDR_LEN), 0);
	assert_int_equal(rd32(k->b + 12), src);
	assert_int_equal(rd32(k->b + 16), dst);
}

static uint16_t sport_of(const struct pkt *k)
{
	return rd16(k->b + IPV4_HDR_LEN);
}

static uint16_t dport_of(const struct pkt *k)
{
	return rd16(k->b + IPV4_HDR_LEN + 2);
}

/* ---- fixtures ---- */

struct fx {
	struct nat_table *t;
	struct napt n;
};

static struct fx *fx_new(size_t cap, uint16_t lo, uint16_t hi, bool preserve)
{
	static struct fx f;
	f.t = nat_table_new(NULL, cap);
	assert_non_null(f.t);
	struct napt_opts o = {.wan_ip = wan, .port_lo = lo, .port_hi = hi,
			      .preserve_ports = preserve};
	assert_int_equal(napt_init(&f.n, f.t, &o), 0);
	return &f;
}

static void fx_free(struct fx *f)
{
	nat_table_free(f->t);
}

/* ---- tests ---- */

static void test_init_checks_options(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 4);
	struct napt n;
	struct napt_opts o = {.wan_ip = wan, .port_lo = 2000, .port_hi = 1000};
	assert_int_equal(napt_init(&n, t, &o), -1);
	o = (struct napt_opts){.wan_ip = wan, .random_ports = true};
	assert_int_equal(napt_init(&n, t, &o), -1);
	o = (struct napt_opts){.wan_ip = wan, .n_reserved = NAPT_MAX_RESERVED + 1};
	assert_int_equal(napt_init(&n, t, &o), -1);
	o = (struct napt_opts){.wan_ip = wan};
	assert_int_equal(napt_init(&n, t, &o), 0);
	assert_int_equal(n.o.port_lo, 1024);
	assert_int_equal(n.o.port_hi, 65535);
	assert_int_equal(napt_init(&n, NULL, &o), -1);
	assert_string_equal(napt_result_name(NAPT_NO_MAPPING), "no-mapping");
	assert_string_equal(napt_result_name(NAPT_OK), "ok");
	nat_table_free(t);
}

static void test_udp_round_trip(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt k = udp_pkt(lan1, 500, peer, 500, 37, true);
	uint8_t payload[37];
	memcpy(payload, k.b + 28, sizeof(payload));
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_OK);
	assert_ip_ok(&k, wan, peer);
	assert_int_equal(sport_of(&k), 50000);
	assert_int_equal(dport_of(&k), 500);
	assert_int_equal(l4_verify(&k), 0);
	assert_memory_equal(k.b + 28, payload, sizeof(payload));

	const struct nat_entry *e = nat_table_first(f->t);
	assert_int_equal(e->lan_ip, lan1);
	assert_int_equal(e->lan_port, 500);
	assert_int_equal(e->wan_ip, wan);
	assert_int_equal(e->wan_port, 50000);
	assert_int_equal(e->rem_ip, peer);
	assert_int_equal(e->rem_port, 500);
	assert_int_equal(e->dir, NAT_DIR_OUT);
	assert_int_equal(e->proto, 17);
	assert_int_equal(e->lifetime_s, 600);

	/* the answer */
	struct pkt r = udp_pkt(peer, 500, wan, 50000, 61, true);
	assert_int_equal(napt_inbound(&f->n, T0 + SEC(1), r.b, r.len), NAPT_OK);
	assert_ip_ok(&r, peer, lan1);
	assert_int_equal(sport_of(&r), 500);
	assert_int_equal(dport_of(&r), 500);
	assert_int_equal(l4_verify(&r), 0);
	assert_true(e->last_used == T0 + SEC(1));

	/* the next packet of the flow reuses the translation */
	k = udp_pkt(lan1, 500, peer, 500, 10, true);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(2), k.b, k.len), NAPT_OK);
	assert_int_equal(sport_of(&k), 50000);
	assert_int_equal(l4_verify(&k), 0);
	assert_int_equal(nat_table_count(f->t), 1);
	/* a second LAN host gets the next port */
	k = udp_pkt(lan2, 500, peer, 500, 10, true);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(2), k.b, k.len), NAPT_OK);
	assert_int_equal(sport_of(&k), 50001);
	assert_int_equal(f->n.stats.out_translated, 3);
	assert_int_equal(f->n.stats.in_translated, 1);
	fx_free(f);
}

static void test_udp_checksum_zero_stays_zero(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt k = udp_pkt(lan1, 4500, peer, 4500, 40, false);
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_OK);
	assert_int_equal(rd16(k.b + 26), 0);
	assert_ip_ok(&k, wan, peer);
	assert_int_equal(sport_of(&k), 50000);
	struct pkt r = udp_pkt(peer, 4500, wan, 50000, 40, false);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_OK);
	assert_int_equal(rd16(r.b + 26), 0);
	assert_int_equal(dport_of(&r), 4500);
	fx_free(f);
}

static void test_many_udp_checksums(void **state)
{
	(void)state;
	/* a sweep of addresses, ports and payloads: every result verifies */
	struct fx *f = fx_new(4096, 1024, 65535, false);
	for (unsigned i = 0; i < 2000; i++) {
		ikg_ip4 src = IP(10, (i * 37) & 0xff, (i * 11) & 0xff, 1 + i % 250);
		struct pkt k = udp_pkt(src, (uint16_t)(i * 97 + 1), peer, (uint16_t)(i + 1),
				       i % 53, true);
		assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_OK);
		assert_int_equal(inet_csum(k.b, IPV4_HDR_LEN), 0);
		assert_int_equal(l4_verify(&k), 0);
		struct pkt r = udp_pkt(peer, (uint16_t)(i + 1), wan, sport_of(&k), i % 29, true);
		assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_OK);
		assert_int_equal(rd32(r.b + 16), src);
		assert_int_equal(inet_csum(r.b, IPV4_HDR_LEN), 0);
		assert_int_equal(l4_verify(&r), 0);
	}
	fx_free(f);
}

static void test_tcp_round_trip(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 40000, 40001, false);
	struct pkt k = tcp_pkt(lan1, 51515, peer, 443);
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_OK);
	assert_ip_ok(&k, wan, peer);
	assert_int_equal(sport_of(&k), 40000);
	assert_int_equal(l4_verify(&k), 0);
	struct pkt r = tcp_pkt(peer, 443, wan, 40000);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_OK);
	assert_ip_ok(&r, peer, lan1);
	assert_int_equal(dport_of(&r), 51515);
	assert_int_equal(l4_verify(&r), 0);
	assert_int_equal(nat_table_first(f->t)->lifetime_s, 86400);
	fx_free(f);
}

static void test_icmp_echo_id_translation(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 30000, 30010, false);
	struct pkt a = icmp_echo(lan1, peer, 8, 0x1234, 1);
	struct pkt b = icmp_echo(lan2, peer, 8, 0x1234, 1);
	assert_int_equal(napt_outbound(&f->n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(napt_outbound(&f->n, T0, b.b, b.len), NAPT_OK);
	assert_ip_ok(&a, wan, peer);
	assert_int_equal(rd16(a.b + 24), 30000);
	assert_int_equal(rd16(b.b + 24), 30001);
	assert_int_equal(rd16(a.b + 26), 1); /* sequence untouched */
	assert_int_equal(inet_csum(a.b + 20, 40), 0);
	assert_int_equal(inet_csum(b.b + 20, 40), 0);

	/* replies go back to the right host with the original id */
	struct pkt rb = icmp_echo(peer, wan, 0, 30001, 1);
	assert_int_equal(napt_inbound(&f->n, T0, rb.b, rb.len), NAPT_OK);
	assert_ip_ok(&rb, peer, lan2);
	assert_int_equal(rd16(rb.b + 24), 0x1234);
	assert_int_equal(rb.b[20], 0);
	assert_int_equal(inet_csum(rb.b + 20, 40), 0);
	struct pkt ra = icmp_echo(peer, wan, 0, 30000, 1);
	assert_int_equal(napt_inbound(&f->n, T0, ra.b, ra.len), NAPT_OK);
	assert_ip_ok(&ra, peer, lan1);
	assert_int_equal(rd16(ra.b + 24), 0x1234);

	const struct nat_entry *e = nat_table_first(f->t);
	assert_int_equal(e->proto, 1);
	assert_int_equal(e->lan_port, 0x1234);
	assert_int_equal(e->wan_port, 30000);
	assert_int_equal(e->rem_port, 0);
	assert_int_equal(e->lifetime_s, 60);

	/* an ICMP error is not translated (no echo id) */
	struct pkt u = icmp_echo(lan1, peer, 3, 0, 0);
	assert_int_equal(napt_outbound(&f->n, T0, u.b, u.len), NAPT_UNSUPPORTED);
	fx_free(f);
}

static void test_esp_pass_through(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt a = ipsec_pkt(50, lan1, peer, 0x1001);
	struct pkt b = ipsec_pkt(50, lan2, peer, 0x2002);
	struct pkt c = ipsec_pkt(50, lan1, peer2, 0x3003);
	uint8_t body[64];
	memcpy(body, a.b + 20, 64);
	assert_int_equal(napt_outbound(&f->n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(1), b.b, b.len), NAPT_OK);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(2), c.b, c.len), NAPT_OK);
	assert_ip_ok(&a, wan, peer);
	assert_ip_ok(&b, wan, peer);
	assert_ip_ok(&c, wan, peer2);
	assert_memory_equal(a.b + 20, body, 64);
	/* one translation per LAN host / peer pair, no ports */
	assert_int_equal(nat_table_count(f->t), 3);
	a = ipsec_pkt(50, lan1, peer, 0x1001);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(3), a.b, a.len), NAPT_OK);
	assert_int_equal(nat_table_count(f->t), 3);
	for (const struct nat_entry *e = nat_table_first(f->t); e; e = nat_table_next(f->t, e)) {
		assert_int_equal(e->proto, 50);
		assert_int_equal(e->lan_port, 0);
		assert_int_equal(e->wan_port, 0);
		assert_int_equal(e->rem_port, 0);
		assert_int_equal(e->lifetime_s, 180);
	}
	/* inbound ESP from peer: to the host that sent to it last (lan1 at T0+3) */
	struct pkt r = ipsec_pkt(50, peer, wan, 0xaaaa);
	assert_int_equal(napt_inbound(&f->n, T0 + SEC(4), r.b, r.len), NAPT_OK);
	assert_ip_ok(&r, peer, lan1);
	r = ipsec_pkt(50, peer2, wan, 0xbbbb);
	assert_int_equal(napt_inbound(&f->n, T0 + SEC(4), r.b, r.len), NAPT_OK);
	assert_ip_ok(&r, peer2, lan1);
	/* ESP from a peer nobody talked to */
	r = ipsec_pkt(50, IP(198, 51, 100, 99), wan, 0xcccc);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_NO_MAPPING);
	fx_free(f);
}

static void test_ah_addresses_rewritten_icv_not_fixed(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt a = ipsec_pkt(51, lan1, peer, 0x4444);
	uint8_t body[64];
	memcpy(body, a.b + 20, 64);
	assert_int_equal(napt_outbound(&f->n, T0, a.b, a.len), NAPT_OK);
	assert_ip_ok(&a, wan, peer);
	/* the AH header and ICV are untouched: the receiver's ICV (over the addresses) fails */
	assert_memory_equal(a.b + 20, body, 64);
	const struct nat_entry *e = nat_table_first(f->t);
	assert_int_equal(e->proto, 51);
	assert_int_equal(e->lifetime_s, 180);
	struct pkt r = ipsec_pkt(51, peer, wan, 0x5555);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_OK);
	assert_ip_ok(&r, peer, lan1);
	fx_free(f);
}

static void test_unsolicited_inbound_dropped(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt r = udp_pkt(peer, 500, wan, 50000, 20, true);
	struct pkt copy = r;
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_NO_MAPPING);
	assert_memory_equal(r.b, copy.b, r.len);
	assert_int_equal(nat_table_count(f->t), 0);

	/* a translation exists, but for another remote: still unsolicited */
	struct pkt k = udp_pkt(lan1, 500, peer, 500, 20, true);
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_OK);
	r = udp_pkt(peer2, 500, wan, 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_NO_MAPPING);
	r = udp_pkt(peer, 501, wan, 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_NO_MAPPING);
	/* not addressed to the NAT */
	r = udp_pkt(peer, 500, IP(203, 0, 113, 2), 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, T0, r.b, r.len), NAPT_NOT_OURS);
	assert_int_equal(f->n.stats.refused[NAPT_NO_MAPPING], 3);
	assert_int_equal(f->n.stats.refused[NAPT_NOT_OURS], 1);
	/* one second before it ages out the answer still passes ... */
	r = udp_pkt(peer, 500, wan, 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, T0 + SEC(599), r.b, r.len), NAPT_OK);
	/* ... and refreshed it; once idle for ike-life (600 s) the NAT itself ages it out */
	ikg_ms last = T0 + SEC(599 + 600) - 1;
	r = udp_pkt(peer, 500, wan, 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, last, r.b, r.len), NAPT_OK);
	r = udp_pkt(peer, 500, wan, 50000, 20, true);
	assert_int_equal(napt_inbound(&f->n, last + SEC(600), r.b, r.len), NAPT_NO_MAPPING);
	assert_int_equal(nat_table_count(f->t), 0);
	fx_free(f);
}

static void test_port_exhaustion(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 60000, 60001, false);
	struct pkt a = udp_pkt(lan1, 1000, peer, 53, 4, true);
	struct pkt b = udp_pkt(lan1, 1001, peer, 53, 4, true);
	struct pkt c = udp_pkt(lan2, 1000, peer, 53, 4, true);
	assert_int_equal(napt_outbound(&f->n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(100), b.b, b.len), NAPT_OK);
	struct pkt copy = c;
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(100), c.b, c.len), NAPT_EXHAUSTED);
	assert_memory_equal(c.b, copy.b, c.len);
	assert_int_equal(f->n.stats.refused[NAPT_EXHAUSTED], 1);
	assert_int_equal(nat_table_count(f->t), 2);
	/* other protocols have their own port space */
	struct pkt t = tcp_pkt(lan1, 1000, peer, 80);
	assert_int_equal(napt_outbound(&f->n, T0, t.b, t.len), NAPT_OK);
	assert_int_equal(sport_of(&t), 60000);
	/* the first UDP translation ages out (300 s idle) and its port is free again */
	assert_int_equal(nat_table_expire(f->t, T0 + SEC(300)), 1);
	c = copy;
	assert_int_equal(napt_outbound(&f->n, T0 + SEC(300), c.b, c.len), NAPT_OK);
	assert_int_equal(sport_of(&c), 60000);
	assert_int_equal(l4_verify(&c), 0);
	fx_free(f);
}

static void test_preserve_and_reserved_ports(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 16);
	struct napt n;
	struct napt_opts o = {.wan_ip = wan, .port_lo = 500, .port_hi = 503,
			      .preserve_ports = true, .reserved = {500, 4500}, .n_reserved = 2};
	assert_int_equal(napt_init(&n, t, &o), 0);
	struct pkt a = udp_pkt(lan1, 40000, peer, 53, 4, true);
	struct pkt b = udp_pkt(lan2, 40000, peer, 53, 4, true);
	struct pkt c = udp_pkt(lan1, 4500, peer, 4500, 4, true);
	assert_int_equal(napt_outbound(&n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(sport_of(&a), 40000); /* kept: free, even outside the range */
	assert_int_equal(napt_outbound(&n, T0, b.b, b.len), NAPT_OK);
	assert_int_equal(sport_of(&b), 501);   /* taken: first free of the range, 500 reserved */
	assert_int_equal(napt_outbound(&n, T0, c.b, c.len), NAPT_OK);
	assert_int_equal(sport_of(&c), 502);   /* 4500 is reserved for the gateway */
	assert_int_equal(l4_verify(&c), 0);
	nat_table_free(t);
}

static uint32_t rnd_seq[4];
static size_t rnd_i;

static void fake_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	assert_int_equal(len, sizeof(uint32_t));
	memcpy(buf, &rnd_seq[rnd_i++ % 4], len);
}

static void test_random_ports(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 16);
	struct napt n;
	struct napt_opts o = {.wan_ip = wan, .port_lo = 10000, .port_hi = 10099,
			      .preserve_ports = true, .random_ports = true, .random = fake_random};
	rnd_seq[0] = 1234;   /* 1234 % 100 = 34 */
	rnd_seq[1] = 34;     /* collides with 10034: probes to 10035 */
	rnd_seq[2] = 99;
	rnd_i = 0;
	assert_int_equal(napt_init(&n, t, &o), 0);
	struct pkt a = udp_pkt(lan1, 10050, peer, 53, 4, true);
	struct pkt b = udp_pkt(lan2, 10050, peer, 53, 4, true);
	struct pkt c = udp_pkt(lan2, 10051, peer, 53, 4, true);
	assert_int_equal(napt_outbound(&n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(sport_of(&a), 10034); /* random wins over preserving */
	assert_int_equal(napt_outbound(&n, T0, b.b, b.len), NAPT_OK);
	assert_int_equal(sport_of(&b), 10035);
	assert_int_equal(napt_outbound(&n, T0, c.b, c.len), NAPT_OK);
	assert_int_equal(sport_of(&c), 10099);
	assert_int_equal(rnd_i, 3);
	/* existing translations do not draw again */
	a = udp_pkt(lan1, 10050, peer, 53, 4, true);
	assert_int_equal(napt_outbound(&n, T0, a.b, a.len), NAPT_OK);
	assert_int_equal(sport_of(&a), 10034);
	assert_int_equal(rnd_i, 3);
	nat_table_free(t);
}

static void test_refused_packets(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, 50000, 50009, false);
	struct pkt k = udp_pkt(lan1, 1000, peer, 53, 20, true);
	k.b[10] ^= 1; /* bad header checksum */
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_MALFORMED);
	assert_int_equal(napt_outbound(&f->n, T0, k.b, 10), NAPT_MALFORMED);

	k = udp_pkt(lan1, 1000, peer, 53, 20, true);
	k.b[6] = 0x20; /* more fragments */
	wr16(k.b + 10, 0);
	wr16(k.b + 10, inet_csum(k.b, 20));
	assert_int_equal(napt_outbound(&f->n, T0, k.b, k.len), NAPT_FRAGMENT);

	struct pkt g = ipsec_pkt(47, lan1, peer, 0); /* GRE */
	assert_int_equal(napt_outbound(&f->n, T0, g.b, g.len), NAPT_UNSUPPORTED);

	/* a UDP header cut short */
	struct pkt s = udp_pkt(lan1, 1000, peer, 53, 0, true);
	s.len = 24;
	wr16(s.b + 2, 24);
	wr16(s.b + 10, 0);
	wr16(s.b + 10, inet_csum(s.b, 20));
	assert_int_equal(napt_outbound(&f->n, T0, s.b, s.len), NAPT_MALFORMED);
	assert_int_equal(nat_table_count(f->t), 0);
	assert_int_equal(f->n.stats.refused[NAPT_MALFORMED], 3);
	assert_int_equal(f->n.stats.refused[NAPT_FRAGMENT], 1);
	assert_int_equal(f->n.stats.refused[NAPT_UNSUPPORTED], 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks_options),
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_udp_checksum_zero_stays_zero),
		cmocka_unit_test(test_many_udp_checksums),
		cmocka_unit_test(test_tcp_round_trip),
		cmocka_unit_test(test_icmp_echo_id_translation),
		cmocka_unit_test(test_esp_pass_through),
		cmocka_unit_test(test_ah_addresses_rewritten_icv_not_fixed),
		cmocka_unit_test(test_unsolicited_inbound_dropped),
		cmocka_unit_test(test_port_exhaustion),
		cmocka_unit_test(test_preserve_and_reserved_ports),
		cmocka_unit_test(test_random_ports),
		cmocka_unit_test(test_refused_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
