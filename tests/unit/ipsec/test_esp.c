/* ESP: round trips over every encryption x integrity combination, framing, tampering, replay,
 * truncation, UDP encapsulation, ipsec_input's discard reasons, SA parameter checks. */
#include "ipsec_test.h"

#include <stdlib.h>

#include "wire/esp.h"

struct combo {
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
};

static const enum ikg_esp_enc cbc_encs[] = {IKG_ESP_DES, IKG_ESP_3DES, IKG_ESP_AES128,
					    IKG_ESP_AES192, IKG_ESP_AES256, IKG_ESP_NULL};
static const enum ikg_integ integs[] = {IKG_INTEG_MD5, IKG_INTEG_SHA1, IKG_INTEG_SHA256,
					IKG_INTEG_SHA512};

/* All 26 valid ESP combinations. */
static size_t all_combos(struct combo *out)
{
	size_t n = 0;
	for (size_t e = 0; e < IKG_ARRAY_LEN(cbc_encs); e++)
		for (size_t i = 0; i < IKG_ARRAY_LEN(integs); i++)
			out[n++] = (struct combo){cbc_encs[e], integs[i]};
	out[n++] = (struct combo){IKG_ESP_AES128GCM16, IKG_INTEG_NONE};
	out[n++] = (struct combo){IKG_ESP_AES256GCM16, IKG_INTEG_NONE};
	return n;
}

static size_t block_of(enum ikg_esp_enc enc)
{
	switch (enc) {
	case IKG_ESP_DES:
	case IKG_ESP_3DES:
		return 8;
	case IKG_ESP_AES128:
	case IKG_ESP_AES192:
	case IKG_ESP_AES256:
		return 16;
	default:
		return 4;
	}
}

static size_t iv_of(enum ikg_esp_enc enc)
{
	if (enc == IKG_ESP_AES128GCM16 || enc == IKG_ESP_AES256GCM16)
		return 8;
	return enc == IKG_ESP_NULL ? 0 : block_of(enc);
}

/* Strips the outer IPv4 header of an encapsulated packet, checking it on the way. */
static void check_and_strip_outer(struct ikg_pkt *pkt, uint8_t tos)
{
	struct ipv4_view o;
	assert_int_equal(ipv4_parse(pkt_start(pkt), pkt->len, true, &o), 0);
	assert_int_equal(o.protocol, IKG_PROTO_ESP);
	assert_int_equal(o.src, GW_A);
	assert_int_equal(o.dst, GW_B);
	assert_int_equal(o.total_len, pkt->len);
	assert_int_equal(o.ttl, 64);
	assert_int_equal(o.tos, tos);
	assert_int_equal(o.frag, 0);
	assert_non_null(pkt_pull(pkt, IPV4_HDR_LEN));
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static void round_trip_one(struct sa_pair *sp, struct combo c, size_t payload, uint32_t seq)
{
	struct ikg_pkt pkt, orig;
	uint8_t tos = (uint8_t)(payload & 0xfc);
	test_inner(&pkt, payload, (uint16_t)(payload + 3), tos);
	orig = pkt;
	size_t inner_len = pkt.len;

	assert_int_equal(ipsec_esp_encap(sp->out, &pkt), 0);
	check_and_strip_outer(&pkt, tos);

	struct esp_view v;
	assert_int_equal(esp_parse(pkt_start(&pkt), pkt.len, &v), 0);
	assert_int_equal(v.spi, 0x1000);
	assert_int_equal(v.seq, seq);
	size_t icv = ipsec_icv_len(c.enc, c.integ), b = block_of(c.enc);
	size_t ct = v.body_len - iv_of(c.enc) - icv;
	assert_int_equal(ct % b, 0);
	assert_true(ct >= inner_len + 2 && ct - inner_len - 2 < b);  /* minimal padding */
	/* Encrypted: the inner packet's data is not visible (NULL: it is, in clear). */
	if (payload >= 16)
		assert_int_equal(contains(v.body, v.body_len, pkt_start(&orig) + 28, 16),
				 c.enc == IKG_ESP_NULL);

	enum rx_discard why = RXD__COUNT;
	assert_int_equal(ipsec_esp_decap(sp->in, &pkt, &why), 0);
	assert_int_equal(why, RXD__COUNT);
	assert_int_equal(pkt.len, inner_len);
	assert_memory_equal(pkt_start(&pkt), pkt_start(&orig), inner_len);
}

static void test_round_trip_all_combos(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 13, 14, 15, 16, 17, 100, 1400, 1472};
	struct combo combos[32];
	size_t n = all_combos(combos);
	assert_int_equal(n, 26);
	for (size_t k = 0; k < n; k++) {
		struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, combos[k].enc, combos[k].integ);
		for (size_t s = 0; s < IKG_ARRAY_LEN(sizes); s++)
			round_trip_one(&sp, combos[k], sizes[s], (uint32_t)s + 1);
		struct ipsec_sa_stats st;
		ipsec_sa_stats(sp.in, &st);
		assert_int_equal(st.packets, IKG_ARRAY_LEN(sizes));
		assert_int_equal(st.seq, IKG_ARRAY_LEN(sizes));
		assert_int_equal(st.auth_failures + st.replay_drops + st.other_errors, 0);
		ipsec_sa_stats(sp.out, &st);
		assert_int_equal(st.packets, IKG_ARRAY_LEN(sizes));
		test_pair_free(&sp);
	}
	(void)state;
}

/* Encapsulates one 64-byte-payload packet and leaves pkt at the ESP header. */
static void esp_packet(struct sa_pair *sp, struct ikg_pkt *pkt, uint16_t id)
{
	test_inner(pkt, 64, id, 0);
	assert_int_equal(ipsec_esp_encap(sp->out, pkt), 0);
	assert_non_null(pkt_pull(pkt, IPV4_HDR_LEN));
}

static void test_tamper_every_byte(void **state)
{
	struct combo combos[32];
	size_t n = all_combos(combos);
	for (size_t k = 0; k < n; k++) {
		struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, combos[k].enc, combos[k].integ);
		struct ikg_pkt good, bad;
		esp_packet(&sp, &good, 1);
		for (size_t i = 0; i < good.len; i++) {
			for (int bit = 0; bit < 8; bit += 7) {
				bad = good;
				pkt_start(&bad)[i] ^= (uint8_t)(1u << bit);
				enum rx_discard why = RXD__COUNT;
				assert_int_equal(ipsec_esp_decap(sp.in, &bad, &why), -1);
				assert_int_equal(why, RXD_ESP_AH_ERROR);
			}
		}
		struct ipsec_sa_stats st;
		ipsec_sa_stats(sp.in, &st);
		/* Flipping bit 0 of seq 1 makes seq 0, refused by the window before the ICV. */
		assert_int_equal(st.auth_failures, 2 * good.len - 1);
		assert_int_equal(st.replay_drops, 1);
		assert_int_equal(st.packets, 0);
		/* Nothing above moved the window: the genuine packet still goes through, once. */
		bad = good;
		enum rx_discard why = RXD__COUNT;
		assert_int_equal(ipsec_esp_decap(sp.in, &bad, &why), 0);
		bad = good;
		assert_int_equal(ipsec_esp_decap(sp.in, &bad, &why), -1);
		assert_int_equal(why, RXD_ESP_AH_ERROR);
		ipsec_sa_stats(sp.in, &st);
		assert_int_equal(st.replay_drops, 2);
		assert_int_equal(st.packets, 1);
		test_pair_free(&sp);
	}
	(void)state;
}

static void test_truncated(void **state)
{
	struct combo combos[32];
	size_t n = all_combos(combos);
	for (size_t k = 0; k < n; k++) {
		struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, combos[k].enc, combos[k].integ);
		struct ikg_pkt good, bad;
		esp_packet(&sp, &good, 2);
		for (size_t len = 0; len < good.len; len++) {
			bad = good;
			bad.len = (uint16_t)len;
			enum rx_discard why = RXD__COUNT;
			assert_int_equal(ipsec_esp_decap(sp.in, &bad, &why), -1);
			assert_int_equal(why, RXD_ESP_AH_ERROR);
		}
		/* Extra bytes at the end are no better. */
		bad = good;
		assert_non_null(pkt_put(&bad, 4));
		enum rx_discard why = RXD__COUNT;
		assert_int_equal(ipsec_esp_decap(sp.in, &bad, &why), -1);
		assert_int_equal(why, RXD_ESP_AH_ERROR);
		test_pair_free(&sp);
	}
	(void)state;
}

static void decap_expect(struct ipsec_sa *in, const struct ikg_pkt *pkts, uint32_t seq, int rc)
{
	struct ikg_pkt p = pkts[seq - 1];
	enum rx_discard why = RXD__COUNT;
	assert_int_equal(ipsec_esp_decap(in, &p, &why), rc);
	if (rc != 0)
		assert_int_equal(why, RXD_ESP_AH_ERROR);
	else
		assert_int_equal(why, RXD__COUNT);
}

static void test_replay_window_edges(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128GCM16, IKG_INTEG_NONE);
	enum { N = 400 };
	struct ikg_pkt *pkts = malloc(N * sizeof(*pkts));
	assert_non_null(pkts);
	for (uint32_t i = 0; i < N; i++)
		esp_packet(&sp, &pkts[i], (uint16_t)i);
	decap_expect(sp.in, pkts, 300, 0);
	decap_expect(sp.in, pkts, 300, -1);       /* replay */
	decap_expect(sp.in, pkts, 173, 0);        /* oldest inside a 128 window */
	decap_expect(sp.in, pkts, 172, -1);       /* just beyond */
	decap_expect(sp.in, pkts, 250, 0);        /* out of order, inside */
	decap_expect(sp.in, pkts, 250, -1);       /* ... accepted once */
	decap_expect(sp.in, pkts, 301, 0);
	decap_expect(sp.in, pkts, 174, 0);
	decap_expect(sp.in, pkts, 173, -1);
	decap_expect(sp.in, pkts, 400, 0);
	decap_expect(sp.in, pkts, 273, 0);
	decap_expect(sp.in, pkts, 272, -1);
	decap_expect(sp.in, pkts, 301, -1);
	decap_expect(sp.in, pkts, 302, 0);
	struct ipsec_sa_stats st;
	ipsec_sa_stats(sp.in, &st);
	assert_int_equal(st.replay_drops, 6);
	assert_int_equal(st.packets, 8);
	assert_int_equal(st.seq, 400);
	free(pkts);
	test_pair_free(&sp);
	(void)state;
}

static void test_wide_window(void **state)
{
	struct ipsec_sa_params p;
	test_params(&p, IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128, IKG_INTEG_SHA1, 3);
	p.replay_window = 4096;
	struct sa_pair sp = test_pair_p(&p);
	struct ipsec_sa_params d;
	ipsec_sa_describe(sp.in, &d);
	assert_int_equal(d.replay_window, 4096);
	assert_int_equal(d.enc_key_len + d.integ_key_len, 0);
	enum { N = 4200 };
	struct ikg_pkt *pkts = malloc(N * sizeof(*pkts));
	assert_non_null(pkts);
	for (uint32_t i = 0; i < N; i++)
		esp_packet(&sp, &pkts[i], (uint16_t)i);
	decap_expect(sp.in, pkts, 4200, 0);
	decap_expect(sp.in, pkts, 4200 - 4095, 0);
	decap_expect(sp.in, pkts, 4200 - 4096, -1);
	decap_expect(sp.in, pkts, 2000, 0);
	decap_expect(sp.in, pkts, 2000, -1);
	free(pkts);
	test_pair_free(&sp);
	(void)state;
}

static void test_cbc_iv_unpredictable(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128, IKG_INTEG_SHA1);
	struct ikg_pkt a, b;
	esp_packet(&sp, &a, 9);
	esp_packet(&sp, &b, 9);
	/* Same inner packet: different IVs, hence different ciphertexts. */
	assert_memory_not_equal(pkt_start(&a) + 8, pkt_start(&b) + 8, 16);
	assert_memory_not_equal(pkt_start(&a) + 24, pkt_start(&b) + 24, 16);
	test_pair_free(&sp);
	(void)state;
}

static void test_gcm_iv_is_counter(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_AES256GCM16, IKG_INTEG_NONE);
	struct ikg_pkt a;
	esp_packet(&sp, &a, 1);
	esp_packet(&sp, &a, 1);
	static const uint8_t iv2[8] = {0, 0, 0, 0, 0, 0, 0, 2};
	assert_memory_equal(pkt_start(&a) + 8, iv2, 8);
	test_pair_free(&sp);
	(void)state;
}

static void test_udp_encap_and_input(void **state)
{
	struct ipsec_sa_params p;
	test_params(&p, IKG_PROTO_ESP, 0x4242, IKG_ESP_AES128, IKG_INTEG_SHA256, 5);
	p.udp_encap = true;
	p.sport = 4500;
	p.dport = 31337;                          /* the peer's NATed port */
	struct sa_pair sp = test_pair_p(&p);
	struct ipsec_sad *sad = ipsec_sad_new(0);
	assert_non_null(sad);
	assert_int_equal(ipsec_sad_add(sad, sp.in), 0);

	struct ikg_pkt pkt, orig;
	test_inner(&pkt, 200, 77, 0);
	orig = pkt;
	assert_int_equal(ipsec_output(sp.out, &pkt), 0);
	struct ipv4_view o;
	struct udp_view u;
	assert_int_equal(ipv4_parse(pkt_start(&pkt), pkt.len, true, &o), 0);
	assert_int_equal(o.protocol, IPPROTO_UDP_);
	assert_int_equal(udp_parse(o.payload, o.payload_len, &u), 0);
	assert_int_equal(u.sport, 4500);
	assert_int_equal(u.dport, 31337);
	assert_int_equal(u.length, o.payload_len);
	assert_int_equal(o.payload[6] | o.payload[7], 0);   /* UDP checksum 0 (RFC 3948) */
	assert_int_equal(be32_at(u.payload), 0x4242);

	/* ipsec_input demultiplexes port 4500 to ESP only when the destination port is 4500. */
	struct ikg_pkt rx = pkt;
	struct ipsec_sa *sa = NULL;
	enum rx_discard why = RXD__COUNT;
	assert_int_equal(ipsec_input(sad, &rx, &sa, &why), -1);
	assert_int_equal(why, RXD_UNKNOWN_PROTOCOL);
	ipsec_sa_set_peer(sp.out, GW_B, 4500);
	test_inner(&pkt, 200, 77, 0);
	assert_int_equal(ipsec_output(sp.out, &pkt), 0);
	rx = pkt;
	assert_int_equal(ipsec_input(sad, &rx, &sa, &why), 0);
	assert_ptr_equal(sa, sp.in);
	assert_int_equal(rx.len, orig.len);
	assert_memory_equal(pkt_start(&rx), pkt_start(&orig), orig.len);

	ipsec_sad_free(sad);
	test_pair_free(&sp);
	(void)state;
}

static void test_input_discard_reasons(void **state)
{
	struct sa_pair esp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128GCM16, IKG_INTEG_NONE);
	struct sa_pair ah = test_pair(IKG_PROTO_AH, 0x2000, IKG_ESP_NONE, IKG_INTEG_SHA1);
	struct sa_pair esp2 = test_pair(IKG_PROTO_ESP, 0x2000, IKG_ESP_AES128GCM16, IKG_INTEG_NONE);
	struct sa_pair esp3 = test_pair(IKG_PROTO_ESP, 0x3000, IKG_ESP_AES128GCM16, IKG_INTEG_NONE);
	struct ipsec_sad *sad = ipsec_sad_new(4);
	assert_int_equal(ipsec_sad_add(sad, esp.in), 0);
	assert_int_equal(ipsec_sad_add(sad, ah.in), 0);
	struct ikg_pkt pkt;
	struct ipsec_sa *sa;
	enum rx_discard why;

	test_inner(&pkt, 10, 1, 0);               /* good ESP */
	assert_int_equal(ipsec_output(esp.out, &pkt), 0);
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), 0);
	assert_ptr_equal(sa, esp.in);

	test_inner(&pkt, 10, 1, 0);               /* good AH */
	assert_int_equal(ipsec_output(ah.out, &pkt), 0);
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), 0);
	assert_ptr_equal(sa, ah.in);

	test_inner(&pkt, 10, 1, 0);               /* ESP with the AH SA's SPI */
	assert_int_equal(ipsec_output(esp2.out, &pkt), 0);
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), -1);
	assert_int_equal(why, RXD_SA_MISMATCH);
	assert_null(sa);

	test_inner(&pkt, 10, 1, 0);               /* unknown SPI */
	assert_int_equal(ipsec_output(esp3.out, &pkt), 0);
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), -1);
	assert_int_equal(why, RXD_UNKNOWN_SPI);

	test_inner(&pkt, 10, 1, 0);               /* IPComp */
	pkt_start(&pkt)[9] = IKG_PROTO_IPCOMP;
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), -1);
	assert_int_equal(why, RXD_UNKNOWN_PROTOCOL);

	test_inner(&pkt, 10, 1, 0);               /* replayed ESP: the SA is reported */
	assert_int_equal(ipsec_output(esp.out, &pkt), 0);
	struct ikg_pkt copy = pkt;
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), 0);
	assert_int_equal(ipsec_input(sad, &copy, &sa, &why), -1);
	assert_int_equal(why, RXD_ESP_AH_ERROR);
	assert_ptr_equal(sa, esp.in);

	test_inner(&pkt, 10, 1, 0);               /* ESP too short for an SPI */
	pkt_start(&pkt)[9] = IKG_PROTO_ESP;
	pkt.len = IPV4_HDR_LEN + 4;
	pkt_start(&pkt)[2] = 0;
	pkt_start(&pkt)[3] = IPV4_HDR_LEN + 4;
	assert_int_equal(ipsec_input(sad, &pkt, &sa, &why), -1);
	assert_int_equal(why, RXD_ESP_AH_ERROR);

	ipsec_sad_free(sad);
	test_pair_free(&esp);
	test_pair_free(&ah);
	test_pair_free(&esp2);
	test_pair_free(&esp3);
	(void)state;
}

static void test_encap_refusals(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128, IKG_INTEG_SHA1);
	struct ikg_pkt pkt, orig;
	memset(&pkt, 0, sizeof(pkt));      /* compared whole below: no uninitialised bytes */
	test_inner(&pkt, 10, 1, 0);
	orig = pkt;
	assert_int_equal(ipsec_esp_encap(sp.in, &pkt), -1);       /* inbound SA */
	pkt.off = 20;                                            /* no headroom */
	memmove(pkt.data + 20, pkt_start(&orig), orig.len);
	struct ikg_pkt before = pkt;
	assert_int_equal(ipsec_esp_encap(sp.out, &pkt), -1);
	assert_memory_equal(&pkt, &before, sizeof(pkt));
	pkt = orig;                                              /* not IPv4 */
	pkt_start(&pkt)[0] = 0x60;
	assert_int_equal(ipsec_esp_encap(sp.out, &pkt), -1);
	/* Decap on an outbound SA is an SA mismatch. */
	enum rx_discard why;
	assert_int_equal(ipsec_esp_decap(sp.out, &orig, &why), -1);
	assert_int_equal(why, RXD_SA_MISMATCH);
	struct ipsec_sa_stats st;
	ipsec_sa_stats(sp.out, &st);
	assert_int_equal(st.seq, 0);                             /* no number was used up */
	test_pair_free(&sp);
	(void)state;
}

static void test_link_padding_not_sent(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_ESP, 0x1000, IKG_ESP_NULL, IKG_INTEG_SHA1);
	struct ikg_pkt pkt, orig;
	test_inner(&pkt, 10, 1, 0);
	orig = pkt;
	memset(pkt_put(&pkt, 6), 0xee, 6);        /* Ethernet-style padding after the packet */
	assert_int_equal(ipsec_esp_encap(sp.out, &pkt), 0);
	/* 20 outer + 8 ESP + 38 inner + no padding (38 + 2 is 4-aligned) + 2 trailer + 12 ICV */
	assert_int_equal(pkt.len, 20 + 8 + orig.len + 2 + 12);
	assert_non_null(pkt_pull(&pkt, IPV4_HDR_LEN));
	enum rx_discard why;
	assert_int_equal(ipsec_esp_decap(sp.in, &pkt, &why), 0);
	assert_int_equal(pkt.len, orig.len);
	assert_memory_equal(pkt_start(&pkt), pkt_start(&orig), orig.len);
	test_pair_free(&sp);
	(void)state;
}

static void test_limits(void **state)
{
	struct ipsec_sa_params p;
	test_params(&p, IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128GCM16, IKG_INTEG_NONE, 1);
	p.soft_packets = 2;
	p.hard_packets = 3;
	struct sa_pair sp = test_pair_p(&p);
	struct ikg_pkt pkt;
	for (int i = 0; i < 3; i++) {
		assert_false(ipsec_sa_hard_expired(sp.out));
		assert_int_equal(ipsec_sa_soft_expired(sp.out), i >= 2);
		test_inner(&pkt, 10, 1, 0);
		assert_int_equal(ipsec_esp_encap(sp.out, &pkt), 0);
	}
	assert_true(ipsec_sa_hard_expired(sp.out));
	test_inner(&pkt, 10, 1, 0);
	assert_int_equal(ipsec_esp_encap(sp.out, &pkt), -1);
	test_pair_free(&sp);
	(void)state;
}

static void expect_bad_params(uint8_t proto, enum ikg_esp_enc enc, enum ikg_integ integ,
			      uint32_t spi)
{
	static uint64_t rnd = 7;
	struct ipsec_sa_params p;
	uint8_t keymat[100] = {1};
	assert_int_equal(ipsec_sa_params_init(&p, proto, spi, enc, integ, keymat,
					      ipsec_enc_key_len(enc), ipsec_integ_key_len(integ)),
			 0);
	assert_null(ipsec_sa_new(&p, false, test_random, &rnd));
	assert_null(ipsec_sa_new(&p, true, test_random, &rnd));
}

static void test_bad_params(void **state)
{
	expect_bad_params(IKG_PROTO_ESP, IKG_ESP_AES128GCM16, IKG_INTEG_SHA1, 0x1000);
	expect_bad_params(IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_NONE, 0x1000);
	expect_bad_params(IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_NONE, 0x1000);
	expect_bad_params(IKG_PROTO_ESP, IKG_ESP_NONE, IKG_INTEG_SHA1, 0x1000);
	expect_bad_params(IKG_PROTO_AH, IKG_ESP_AES128, IKG_INTEG_SHA1, 0x1000);
	expect_bad_params(IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_NONE, 0x1000);
	expect_bad_params(IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_SHA1, 255);
	expect_bad_params(IKG_PROTO_IPCOMP, IKG_ESP_AES128, IKG_INTEG_SHA1, 0x1000);
	struct ipsec_sa_params p;
	uint8_t keymat[100] = {0};
	assert_int_equal(ipsec_sa_params_init(&p, IKG_PROTO_ESP, 0x1000, IKG_ESP_AES128GCM16,
					      IKG_INTEG_NONE, keymat, 16, 0),
			 -1);                     /* GCM key without its salt */
	assert_int_equal(ipsec_enc_key_len(IKG_ESP_AES256GCM16), 36);
	assert_int_equal(ipsec_enc_key_len(IKG_ESP_3DES), 24);
	assert_int_equal(ipsec_integ_key_len(IKG_INTEG_SHA512), 64);
	assert_int_equal(ipsec_icv_len(IKG_ESP_AES128, IKG_INTEG_SHA512), 32);
	assert_int_equal(ipsec_icv_len(IKG_ESP_NONE, IKG_INTEG_MD5), 12);
	assert_int_equal(ipsec_icv_len(IKG_ESP_AES128GCM16, IKG_INTEG_NONE), 16);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_combos),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_replay_window_edges),
		cmocka_unit_test(test_wide_window),
		cmocka_unit_test(test_cbc_iv_unpredictable),
		cmocka_unit_test(test_gcm_iv_is_counter),
		cmocka_unit_test(test_udp_encap_and_input),
		cmocka_unit_test(test_input_discard_reasons),
		cmocka_unit_test(test_encap_refusals),
		cmocka_unit_test(test_link_padding_not_sent),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
