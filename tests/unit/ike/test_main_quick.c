/* Main mode + quick mode between two engines: every combination ends with both sides
 * holding mirrored child SAs with identical keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/addr.h"
#include "harness.h"
#include "ike/ike_sa.h"   /* to look at what an established SA keeps */

struct combo {
	enum ikg_cipher cipher;
	enum ikg_hash hash;
	int group;
	int pfs;
	uint8_t protocol;
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	size_t enc_len, integ_len;
};

static void configure(struct hnet *h, const struct combo *c)
{
	for (int i = 0; i < 2; i++) {
		h->n[i].ike[0].encryption = c->cipher;
		h->n[i].ike[0].hash = c->hash;
		h->n[i].ike[0].dh_group = c->group;
		h->n[i].ipsec[0].pfs_group = c->pfs;
		h->n[i].ipsec[0].protocol = c->protocol;
		h->n[i].ipsec[0].encryption = c->enc;
		h->n[i].ipsec[0].integrity = c->integ;
	}
}

static void check_mirrored(const struct hnet *h, const struct combo *c)
{
	const struct h_node *a = &h->n[0], *b = &h->n[1];

	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(b, MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(a, MSG_PH2_COMPLETE), 1);
	assert_int_equal(h_count(b, MSG_PH2_COMPLETE), 1);
	assert_int_equal(a->n_up, 1);
	assert_int_equal(b->n_up, 1);
	const struct ike_child *ca = &a->up[0], *cb = &b->up[0];
	assert_int_equal(ca->spi_in, cb->spi_out);
	assert_int_equal(ca->spi_out, cb->spi_in);
	assert_true(ca->spi_in >= 256 && ca->spi_out >= 256);
	assert_int_equal(ca->protocol, c->protocol);
	assert_int_equal(ca->enc, c->enc);
	assert_int_equal(cb->enc, c->enc);
	assert_int_equal(ca->integ, c->integ);
	assert_int_equal(ca->enc_key_len, c->enc_len);
	assert_int_equal(ca->integ_key_len, c->integ_len);
	assert_int_equal(cb->enc_key_len, c->enc_len);
	size_t klen = c->enc_len + c->integ_len;
	assert_memory_equal(ca->keys_in, cb->keys_out, klen);
	assert_memory_equal(ca->keys_out, cb->keys_in, klen);
	assert_memory_not_equal(ca->keys_in, ca->keys_out, klen);
	assert_false(ca->udp_encap);
	assert_false(cb->udp_encap);
	assert_int_equal(ca->local_ts.lo, h_ip("10.1.1.0"));
	assert_int_equal(ca->local_ts.hi, h_ip("10.1.1.255"));
	assert_int_equal(ca->remote_ts.lo, cb->local_ts.lo);
	assert_int_equal(ca->remote_ts.hi, cb->local_ts.hi);
	assert_int_equal(ca->local, h_ip("192.0.2.1"));
	assert_int_equal(ca->peer, h_ip("192.0.2.2"));
	assert_int_equal(ca->lifetime_s, 3600);
	assert_int_equal(ca->profile, 0);

	struct ike_sa_info sa[4];
	assert_int_equal(ike_sa_list(a->e, sa, 4), 1);
	assert_true(sa[0].established);
	assert_true(sa[0].initiator);
	assert_int_equal(sa[0].cipher, c->cipher);
	assert_int_equal(sa[0].dh_group, c->group);
	assert_string_equal(sa[0].peer_vendor, "ikegate");
	assert_int_equal(ike_sa_list(b->e, sa, 4), 1);
	assert_false(sa[0].initiator);
	struct ike_child_info ci[4];
	assert_int_equal(ike_child_list(a->e, ci, 4), 1);
	assert_int_equal(ci[0].pfs_group, c->pfs);
	assert_int_equal(ci[0].spi_in, ca->spi_in);
	const uint64_t *cnt = ike_counters(a->e);
	assert_int_equal(cnt[CNT_IKE_AUTH_FAILED], 0);
	assert_int_equal(cnt[CNT_IKE_MALFORMED], 0);
	assert_int_equal(ike_counters(b->e)[CNT_IKE_DROPPED], 0);
	assert_int_equal(a->ph1_state[0], 2);
	assert_int_equal(b->ph1_state[0], 2);
}

static void run_combo(const struct combo *c)
{
	struct hnet h;

	h_init(&h);
	configure(&h, c);
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	check_mirrored(&h, c);
	/* initiating again while up changes nothing */
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	h_free(&h);
}

static void test_3des_sha1_modp1024_pfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_3DES, IKG_HASH_SHA1, 2, 2, IKG_PROTO_ESP, IKG_ESP_AES128,
			  IKG_INTEG_SHA1, 16, 20};
	run_combo(&c);
}

static void test_3des_sha1_modp1024_nopfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_3DES, IKG_HASH_SHA1, 2, 0, IKG_PROTO_ESP, IKG_ESP_3DES,
			  IKG_INTEG_MD5, 24, 16};
	run_combo(&c);
}

static void test_aes128_sha256_modp2048_pfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_AES128, IKG_HASH_SHA256, 14, 14, IKG_PROTO_ESP,
			  IKG_ESP_AES256, IKG_INTEG_SHA256, 32, 32};
	run_combo(&c);
}

static void test_aes128_sha256_modp2048_nopfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_AES128, IKG_HASH_SHA256, 14, 0, IKG_PROTO_ESP,
			  IKG_ESP_AES128, IKG_INTEG_SHA1, 16, 20};
	run_combo(&c);
}

static void test_aes256_sha512_ecp256_pfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_AES256, IKG_HASH_SHA512, 19, 19, IKG_PROTO_ESP,
			  IKG_ESP_AES128GCM16, IKG_INTEG_NONE, 20, 0};
	run_combo(&c);
}

static void test_aes256_sha512_ecp256_nopfs(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_AES256, IKG_HASH_SHA512, 19, 0, IKG_PROTO_ESP,
			  IKG_ESP_AES256GCM16, IKG_INTEG_NONE, 36, 0};
	run_combo(&c);
}

static void test_ah_sha512(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_AES192, IKG_HASH_MD5, 5, 5, IKG_PROTO_AH, IKG_ESP_NONE,
			  IKG_INTEG_SHA512, 0, 64};
	run_combo(&c);
}

static void test_des_null(void **state)
{
	(void)state;
	struct combo c = {IKG_CIPHER_DES, IKG_HASH_SHA384, 1, 0, IKG_PROTO_ESP, IKG_ESP_NULL,
			  IKG_INTEG_SHA1, 0, 20};
	run_combo(&c);
}

/* Lifetime above 0xffff goes as a variable-length attribute; the responder takes the shorter. */
static void test_long_lifetimes(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].lifetime = 86400;
	h.n[1].ike[0].lifetime = 70000;
	h.n[0].ipsec[0].lifetime = 100000;
	h.n[1].ipsec[0].lifetime = 7200;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	assert_int_equal(h.n[1].up[0].lifetime_s, 7200);
	assert_true(h_evidence_has(&h.n[1], MSG_PH1_COMPLETE, "lifetime=70000s"));
	h_free(&h);
}

/* Two member ranges on each side: one child SA pair per (local, remote) pair. */
static void test_two_member_pairs(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	ikg_range_parse("10.1.2.0-10.1.2.99", &h.n[0].ipsec[0].local_members[1]);
	h.n[0].ipsec[0].n_local = 2;
	ikg_range_parse("10.1.2.0/24", &h.n[1].ipsec[0].remote_members[1]);
	h.n[1].ipsec[0].n_remote = 2;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 2);
	assert_int_equal(h.n[1].n_up, 2);
	assert_int_equal(h_count(&h.n[1], MSG_PH2_COMPLETE), 2);
	h_free(&h);
}

/* Two IPsec profiles towards the same peer with the same IKE profile: one phase 1, one child
 * SA pair per profile. */
static void test_two_profiles_one_phase1(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	for (int i = 0; i < 2; i++) {
		h.n[i].ipsec[1] = h.n[i].ipsec[0];
		snprintf(h.n[i].ipsec[1].name, sizeof h.n[i].ipsec[1].name, "tun2");
		h.n[i].cfg.n_ipsec = 2;
	}
	ikg_range_parse("10.1.9.0/24", &h.n[0].ipsec[1].local_members[0]);
	ikg_range_parse("10.1.9.0/24", &h.n[1].ipsec[1].remote_members[0]);
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	assert_int_equal(ike_initiate(h.n[0].e, h.now, 1, h_ip("192.0.2.2")), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h_count(&h.n[0], MSG_PH1_COMPLETE), 1);
	assert_int_equal(h.n[0].n_up, 2);
	assert_int_equal(h.n[1].n_up, 2);
	/* the responder picked each profile by the identities */
	size_t p0 = h.n[1].up[0].profile, p1 = h.n[1].up[1].profile;
	assert_true((p0 == 0 && p1 == 1) || (p0 == 1 && p1 == 0));
	assert_int_equal(h.n[0].ph1_state[1], 2);
	h_free(&h);
}

/* The half-open limit: message 1 floods beyond it are dropped and counted. */
static void test_half_open_limit(void **state)
{
	struct hnet h;
	uint8_t m1[512];

	(void)state;
	h_init(&h);
	h.timers.half_open_max = 4;
	h_start(&h);
	/* capture A's message 1 */
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	assert_int_equal(h.q_len, 1);
	size_t len = h.q[h.q_head].len;
	memcpy(m1, h.q[h.q_head].data, len);
	h.q_len = 0;
	for (int i = 0; i < 10; i++) {
		m1[0] = (uint8_t)(i + 1);                 /* a new initiator cookie each time */
		ike_input(h.n[1].e, h.now, h.n[0].addr, 500, h.n[1].addr, 500, m1, len);
	}
	assert_int_equal(ike_counters(h.n[1].e)[CNT_IKE_LIMIT], 6);
	assert_int_equal(ike_sa_list(h.n[1].e, NULL, 16), 4);
	h.q_len = 0;
	h_free(&h);
}

/* Message 6 lost: A resends message 5 and B, established already (its negotiation state --
 * DH values, nonces, SKEYID -- is freed by then), answers with its stored message 6; both
 * come up. An established SA keeps no negotiation state and only a short copy of its last
 * message. */
static bool lose_first_mm6(struct hnet *h, struct h_dgram *d, void *arg)
{
	int *seen = arg;

	(void)h;
	return d->from == 1 && h_exchange(d) == 2 && ++*seen == 3;
}

static void assert_established_lean(const struct ike_engine *e)
{
	static const uint8_t zero[IKG_MAX_HASH];
	size_t n = 0;

	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->state != P1_ESTABLISHED)
			continue;
		n++;
		assert_null(sa->nego);
		assert_memory_equal(sa->keys.skeyid, zero, sizeof zero);
		assert_true(sa->rtx.len < 200);
		assert_true((sa->rtx.len == 0) == (sa->rtx.buf == NULL));
	}
	assert_int_equal(n, 1);
}

static void test_lost_mm6(void **state)
{
	struct hnet h;
	int seen = 0;

	(void)state;
	h_init(&h);
	h.filter = lose_first_mm6;
	h.filter_arg = &seen;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 10000);
	assert_int_equal(seen, 4);                      /* message 6 went out twice */
	assert_int_equal(h_count(&h.n[0], MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(&h.n[1], MSG_PH1_COMPLETE), 1);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	assert_established_lean(h.n[0].e);
	assert_established_lean(h.n[1].e);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3des_sha1_modp1024_pfs),
		cmocka_unit_test(test_3des_sha1_modp1024_nopfs),
		cmocka_unit_test(test_aes128_sha256_modp2048_pfs),
		cmocka_unit_test(test_aes128_sha256_modp2048_nopfs),
		cmocka_unit_test(test_aes256_sha512_ecp256_pfs),
		cmocka_unit_test(test_aes256_sha512_ecp256_nopfs),
		cmocka_unit_test(test_ah_sha512),
		cmocka_unit_test(test_des_null),
		cmocka_unit_test(test_long_lifetimes),
		cmocka_unit_test(test_two_member_pairs),
		cmocka_unit_test(test_two_profiles_one_phase1),
		cmocka_unit_test(test_half_open_limit),
		cmocka_unit_test(test_lost_mm6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
