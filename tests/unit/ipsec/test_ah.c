/* AH tunnel mode: round trips for every integrity algorithm, header layout, which outer
 * fields are covered (tampering) and which are mutable, NAT breaks it, replay, truncation. */
#include "ipsec_test.h"

#include "wire/esp.h"

static const enum ikg_integ integs[] = {IKG_INTEG_MD5, IKG_INTEG_SHA1, IKG_INTEG_SHA256,
					IKG_INTEG_SHA512};

static void ah_packet(struct sa_pair *sp, struct ikg_pkt *pkt, size_t payload, uint8_t tos)
{
	test_inner(pkt, payload, (uint16_t)payload, tos);
	assert_int_equal(ipsec_ah_encap(sp->out, pkt), 0);
}

static void expect_discard(struct ipsec_sa *in, const struct ikg_pkt *pkt, enum rx_discard r)
{
	struct ikg_pkt p = *pkt;
	enum rx_discard why = RXD__COUNT;
	assert_int_equal(ipsec_ah_decap(in, &p, &why), -1);
	assert_int_equal(why, r);
}

static void test_round_trip(void **state)
{
	static const size_t sizes[] = {0, 1, 3, 64, 1400, 1472};
	for (size_t k = 0; k < IKG_ARRAY_LEN(integs); k++) {
		struct sa_pair sp = test_pair(IKG_PROTO_AH, 0x5000, IKG_ESP_NONE, integs[k]);
		size_t icv = ipsec_icv_len(IKG_ESP_NONE, integs[k]);
		for (size_t s = 0; s < IKG_ARRAY_LEN(sizes); s++) {
			struct ikg_pkt pkt, orig;
			test_inner(&pkt, sizes[s], 9, 0xb8);
			orig = pkt;
			assert_int_equal(ipsec_ah_encap(sp.out, &pkt), 0);
			struct ipv4_view o;
			struct ah_view a;
			assert_int_equal(ipv4_parse(pkt_start(&pkt), pkt.len, true, &o), 0);
			assert_int_equal(o.protocol, IKG_PROTO_AH);
			assert_int_equal(o.tos, 0xb8);
			assert_int_equal(o.src, GW_A);
			assert_int_equal(o.dst, GW_B);
			assert_int_equal(o.total_len, IPV4_HDR_LEN + 12 + icv + orig.len);
			assert_int_equal(ah_parse(o.payload, o.payload_len, &a), 0);
			assert_int_equal(a.next_header, 4);
			assert_int_equal(a.spi, 0x5000);
			assert_int_equal(a.seq, s + 1);
			assert_int_equal(a.icv_len, icv);
			assert_int_equal(a.payload_len, orig.len);
			assert_memory_equal(a.payload, pkt_start(&orig), orig.len);
			enum rx_discard why = RXD__COUNT;
			assert_int_equal(ipsec_ah_decap(sp.in, &pkt, &why), 0);
			assert_int_equal(pkt.len, orig.len);
			assert_memory_equal(pkt_start(&pkt), pkt_start(&orig), orig.len);
		}
		test_pair_free(&sp);
	}
	(void)state;
}

static bool mutable_byte(size_t i)
{
	/* TOS, flags/fragment offset, TTL, header checksum */
	return i == 1 || i == 6 || i == 7 || i == 8 || i == 10 || i == 11;
}

static void test_tamper(void **state)
{
	for (size_t k = 0; k < IKG_ARRAY_LEN(integs); k++) {
		struct sa_pair sp = test_pair(IKG_PROTO_AH, 0x5000, IKG_ESP_NONE, integs[k]);
		struct ikg_pkt good;
		ah_packet(&sp, &good, 40, 0);
		for (size_t i = 0; i < good.len; i++) {
			/* Length, protocol and immutable fields: no better than any other byte.
			 * Mutable fields are tested below. */
			if (mutable_byte(i))
				continue;
			struct ikg_pkt bad = good;
			pkt_start(&bad)[i] ^= 0x80;
			struct ipsec_sa_stats st0, st1;
			ipsec_sa_stats(sp.in, &st0);
			struct ikg_pkt p = bad;
			enum rx_discard why = RXD__COUNT;
			assert_int_equal(ipsec_ah_decap(sp.in, &p, &why), -1);
			ipsec_sa_stats(sp.in, &st1);
			if (i == 9)               /* protocol no longer AH */
				assert_int_equal(why, RXD_SA_MISMATCH);
			else
				assert_int_equal(why, RXD_ESP_AH_ERROR);
		}
		/* The genuine packet still passes, once. */
		struct ikg_pkt p = good;
		enum rx_discard why;
		assert_int_equal(ipsec_ah_decap(sp.in, &p, &why), 0);
		expect_discard(sp.in, &good, RXD_ESP_AH_ERROR);
		test_pair_free(&sp);
	}
	(void)state;
}

static void set_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	uint16_t c = inet_csum(ip, IPV4_HDR_LEN);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void test_mutable_fields_not_covered(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_AH, 0x5000, IKG_ESP_NONE, IKG_INTEG_SHA256);
	struct ikg_pkt pkt;
	ah_packet(&sp, &pkt, 40, 0);
	uint8_t *ip = pkt_start(&pkt);
	ip[1] = 0x20;                             /* a router re-marks DSCP */
	ip[8] = 17;                               /* TTL decremented along the way */
	ip[6] = 0x40;                             /* DF set */
	set_csum(ip);
	enum rx_discard why = RXD__COUNT;
	assert_int_equal(ipsec_ah_decap(sp.in, &pkt, &why), 0);
	test_pair_free(&sp);
	(void)state;
}

static void test_nat_breaks_ah(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_AH, 0x5000, IKG_ESP_NONE, IKG_INTEG_SHA1);
	struct ikg_pkt pkt;
	ah_packet(&sp, &pkt, 40, 0);
	uint8_t *ip = pkt_start(&pkt);
	ip[12] = 203;                             /* source rewritten by a NAT: 203.0.2.1 */
	set_csum(ip);
	expect_discard(sp.in, &pkt, RXD_ESP_AH_ERROR);
	struct ipsec_sa_stats st;
	ipsec_sa_stats(sp.in, &st);
	assert_int_equal(st.auth_failures, 1);
	test_pair_free(&sp);
	(void)state;
}

static void test_truncated_and_replay(void **state)
{
	struct sa_pair sp = test_pair(IKG_PROTO_AH, 0x5000, IKG_ESP_NONE, IKG_INTEG_SHA512);
	struct ikg_pkt good;
	ah_packet(&sp, &good, 40, 0);
	for (size_t len = 0; len < good.len; len++) {
		struct ikg_pkt bad = good;
		bad.len = (uint16_t)len;
		expect_discard(sp.in, &bad, RXD_ESP_AH_ERROR);
	}
	/* A shorter IPv4 total length (trailing bytes ignored as link padding) fails the ICV. */
	struct ikg_pkt bad = good;
	uint8_t *ip = pkt_start(&bad);
	ip[3] = (uint8_t)(ip[3] - 4);
	set_csum(ip);
	expect_discard(sp.in, &bad, RXD_ESP_AH_ERROR);
	struct ikg_pkt p = good;
	enum rx_discard why;
	assert_int_equal(ipsec_ah_decap(sp.in, &p, &why), 0);
	expect_discard(sp.in, &good, RXD_ESP_AH_ERROR);
	struct ipsec_sa_stats st;
	ipsec_sa_stats(sp.in, &st);
	assert_int_equal(st.replay_drops, 1);
	assert_int_equal(st.packets, 1);
	test_pair_free(&sp);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_mutable_fields_not_covered),
		cmocka_unit_test(test_nat_breaks_ah),
		cmocka_unit_test(test_truncated_and_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
