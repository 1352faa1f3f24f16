/* Diffie-Hellman: agreement in every group, determinism, peer-value checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "crypto/dh.h"

static const int all_groups[] = { 1, 2, 5, 14, 15, 16, 19, 20 };
#define N_ALL (sizeof all_groups / sizeof all_groups[0])

/* splitmix64: a deterministic stand-in for the injected random function. */
static void test_rand(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *out = buf;
	for (size_t i = 0; i < len; i++) {
		uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static void zero_rand(void *ctx, void *buf, size_t len)
{
	memset(buf, 0, len);
}

static size_t secret_len(int group)
{
	return group == 19 ? 32 : group == 20 ? 48 : ikg_dh_pub_len(group);
}

static void test_pub_lens(void **state)
{
	static const size_t want[] = { 96, 128, 192, 256, 384, 512, 64, 96 };
	for (size_t i = 0; i < N_ALL; i++)
		assert_int_equal(ikg_dh_pub_len(all_groups[i]), want[i]);
	assert_int_equal(ikg_dh_pub_len(0), 0);
	assert_int_equal(ikg_dh_pub_len(3), 0);
	assert_int_equal(ikg_dh_pub_len(21), 0);
	uint64_t s = 1;
	assert_null(ikg_dh_new(0, test_rand, &s));
	assert_null(ikg_dh_new(17, test_rand, &s));
	assert_null(ikg_dh_new(14, NULL, NULL));
}

static void test_both_sides_agree(void **state)
{
	for (size_t i = 0; i < N_ALL; i++) {
		int g = all_groups[i];
		uint64_t sa = 1000 + i, sb = 2000 + i;
		struct ikg_dh *a = ikg_dh_new(g, test_rand, &sa), *b = ikg_dh_new(g, test_rand, &sb);
		assert_non_null(a);
		assert_non_null(b);
		size_t pl = ikg_dh_pub_len(g), la = 0, lb = 0;
		uint8_t ka[IKG_DH_MAX_PUB], kb[IKG_DH_MAX_PUB];
		assert_memory_not_equal(ikg_dh_public(a), ikg_dh_public(b), pl);
		assert_int_equal(ikg_dh_shared(a, ikg_dh_public(b), pl, ka, &la), 0);
		assert_int_equal(ikg_dh_shared(b, ikg_dh_public(a), pl, kb, &lb), 0);
		assert_int_equal(la, secret_len(g));
		assert_int_equal(lb, la);
		assert_memory_equal(ka, kb, la);
		/* The shared value does not change when computed again. */
		assert_int_equal(ikg_dh_shared(a, ikg_dh_public(b), pl, kb, &lb), 0);
		assert_memory_equal(ka, kb, la);
		ikg_dh_free(a);
		ikg_dh_free(b);
	}
	ikg_dh_free(NULL);
}

static void test_deterministic(void **state)
{
	for (size_t i = 0; i < N_ALL; i++) {
		uint64_t s1 = 77, s2 = 77;
		struct ikg_dh *a = ikg_dh_new(all_groups[i], test_rand, &s1);
		struct ikg_dh *b = ikg_dh_new(all_groups[i], test_rand, &s2);
		assert_non_null(a);
		assert_non_null(b);
		assert_memory_equal(ikg_dh_public(a), ikg_dh_public(b), ikg_dh_pub_len(all_groups[i]));
		ikg_dh_free(a);
		ikg_dh_free(b);
	}
}

static BIGNUM *modp_prime(int group)
{
	switch (group) {
	case 1: return BN_get_rfc2409_prime_768(NULL);
	case 2: return BN_get_rfc2409_prime_1024(NULL);
	case 5: return BN_get_rfc3526_prime_1536(NULL);
	case 14: return BN_get_rfc3526_prime_2048(NULL);
	case 15: return BN_get_rfc3526_prime_3072(NULL);
	default: return BN_get_rfc3526_prime_4096(NULL);
	}
}

static void expect_rejected(struct ikg_dh *dh, const BIGNUM *y, size_t len)
{
	uint8_t peer[IKG_DH_MAX_PUB], out[IKG_DH_MAX_PUB];
	size_t out_len = 12345;
	assert_int_equal(BN_bn2binpad(y, peer, (int)len), (int)len);
	assert_int_equal(ikg_dh_shared(dh, peer, len, out, &out_len), -1);
	assert_int_equal(out_len, 12345);
}

/* 0, 1, p-1, p, p+1 and all-ones are rejected; 2 and p-2 are accepted. */
static void test_modp_peer_range(void **state)
{
	static const int modp[] = { 1, 2, 5, 14, 15, 16 };
	for (size_t i = 0; i < sizeof modp / sizeof modp[0]; i++) {
		uint64_t s = 5;
		struct ikg_dh *dh = ikg_dh_new(modp[i], test_rand, &s);
		size_t len = ikg_dh_pub_len(modp[i]), out_len = 0;
		BIGNUM *p = modp_prime(modp[i]), *y = BN_new();
		uint8_t peer[IKG_DH_MAX_PUB], out[IKG_DH_MAX_PUB];
		assert_non_null(dh);
		assert_non_null(p);
		assert_non_null(y);

		BN_zero(y);
		expect_rejected(dh, y, len);
		BN_one(y);
		expect_rejected(dh, y, len);
		BN_sub(y, p, BN_value_one());
		expect_rejected(dh, y, len);
		expect_rejected(dh, p, len);
		BN_add(y, p, BN_value_one());
		expect_rejected(dh, y, len);
		memset(peer, 0xff, len);
		assert_int_equal(ikg_dh_shared(dh, peer, len, out, &out_len), -1);

		BN_set_word(y, 2);
		assert_int_equal(BN_bn2binpad(y, peer, (int)len), (int)len);
		assert_int_equal(ikg_dh_shared(dh, peer, len, out, &out_len), 0);
		assert_int_equal(out_len, len);
		BN_sub_word(p, 2);
		assert_int_equal(BN_bn2binpad(p, peer, (int)len), (int)len);
		assert_int_equal(ikg_dh_shared(dh, peer, len, out, &out_len), 0);

		/* Wrong sizes, even with a valid value inside. */
		memcpy(peer, ikg_dh_public(dh), len);
		assert_int_equal(ikg_dh_shared(dh, peer, len - 1, out, &out_len), -1);
		assert_int_equal(ikg_dh_shared(dh, peer, len + 1, out, &out_len), -1);
		assert_int_equal(ikg_dh_shared(dh, peer, 0, out, &out_len), -1);
		assert_int_equal(ikg_dh_shared(dh, NULL, len, out, &out_len), -1);
		BN_free(p);
		BN_free(y);
		ikg_dh_free(dh);
	}
}

static void test_ecp_peer_checks(void **state)
{
	static const int ecp[] = { 19, 20 };
	for (size_t i = 0; i < 2; i++) {
		uint64_t sa = 9, sb = 10;
		struct ikg_dh *a = ikg_dh_new(ecp[i], test_rand, &sa);
		struct ikg_dh *b = ikg_dh_new(ecp[i], test_rand, &sb);
		size_t len = ikg_dh_pub_len(ecp[i]), coord = len / 2, out_len = 0;
		uint8_t peer[IKG_DH_MAX_PUB], out[IKG_DH_MAX_PUB];
		assert_non_null(a);
		assert_non_null(b);

		memcpy(peer, ikg_dh_public(b), len);
		assert_int_equal(ikg_dh_shared(a, peer, len, out, &out_len), 0);
		assert_int_equal(out_len, coord);
		peer[len - 1] ^= 1;   /* y changed: off the curve */
		assert_int_equal(ikg_dh_shared(a, peer, len, out, &out_len), -1);
		memset(peer, 0, len);  /* (0, 0) is not on these curves */
		assert_int_equal(ikg_dh_shared(a, peer, len, out, &out_len), -1);
		memset(peer, 0xff, len);  /* coordinates >= p */
		assert_int_equal(ikg_dh_shared(a, peer, len, out, &out_len), -1);
		memcpy(peer, ikg_dh_public(b), len);
		assert_int_equal(ikg_dh_shared(a, peer, coord, out, &out_len), -1);
		assert_int_equal(ikg_dh_shared(a, peer, len + 1, out, &out_len), -1);
		ikg_dh_free(a);
		ikg_dh_free(b);
	}
}

/* An all-zero random source gives a zero ECP scalar every time: refused, not used. */
static void test_ecp_zero_scalar_refused(void **state)
{
	assert_null(ikg_dh_new(19, zero_rand, NULL));
	assert_null(ikg_dh_new(20, zero_rand, NULL));
	struct ikg_dh *m = ikg_dh_new(2, zero_rand, NULL);  /* MODP forces the top bit */
	assert_non_null(m);
	ikg_dh_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pub_lens),
		cmocka_unit_test(test_both_sides_agree),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_modp_peer_range),
		cmocka_unit_test(test_ecp_peer_checks),
		cmocka_unit_test(test_ecp_zero_scalar_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
