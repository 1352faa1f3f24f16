/* Digests ("abc") and HMAC known answers (RFC 2202 MD5/SHA-1, RFC 4231 SHA-2), scatter lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/hash.h"
#include "hexutil.h"

#define B(s) ((struct ikg_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static const char hi_there[] = "Hi There";
static const char jefe_data[] = "what do ya want for nothing?";
static const char big_key_data[] = "Test Using Larger Than Block-Size Key - Hash Key First";

struct hmac_case {
	enum ikg_hash h;
	uint8_t key_byte;     /* 0: the key "Jefe" */
	size_t key_len;
	const char *data;
	const char *mac;
};

static const struct hmac_case cases[] = {
	/* RFC 2202 test cases 1, 2, 6 */
	{ IKG_HASH_MD5, 0x0b, 16, hi_there, "9294727a3638bb1c13f48ef8158bfc9d" },
	{ IKG_HASH_MD5, 0, 4, jefe_data, "750c783e6ab0b503eaa86e310a5db738" },
	{ IKG_HASH_MD5, 0xaa, 80, big_key_data, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
	{ IKG_HASH_SHA1, 0x0b, 20, hi_there, "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IKG_HASH_SHA1, 0, 4, jefe_data, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ IKG_HASH_SHA1, 0xaa, 80, big_key_data, "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	/* RFC 4231 test cases 1, 2, 6 */
	{ IKG_HASH_SHA256, 0x0b, 20, hi_there,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKG_HASH_SHA384, 0x0b, 20, hi_there,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKG_HASH_SHA512, 0x0b, 20, hi_there,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ IKG_HASH_SHA256, 0, 4, jefe_data,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ IKG_HASH_SHA384, 0, 4, jefe_data,
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ IKG_HASH_SHA512, 0, 4, jefe_data,
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ IKG_HASH_SHA256, 0xaa, 131, big_key_data,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ IKG_HASH_SHA384, 0xaa, 131, big_key_data,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ IKG_HASH_SHA512, 0xaa, 131, big_key_data,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

static void case_key(const struct hmac_case *c, uint8_t *key)
{
	if (c->key_byte)
		memset(key, c->key_byte, c->key_len);
	else
		memcpy(key, "Jefe", 4);
}

static void test_hmac_vectors(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct hmac_case *c = &cases[i];
		uint8_t key[131], want[IKG_MAX_HASH], got[IKG_MAX_HASH];
		size_t hl = ikg_hash_len(c->h);
		case_key(c, key);
		assert_int_equal(unhex(c->mac, want, sizeof want), (long)hl);
		struct ikg_bytes data = { (const uint8_t *)c->data, strlen(c->data) };
		assert_int_equal(ikg_hmac(c->h, key, c->key_len, &data, 1, got), 0);
		assert_memory_equal(got, want, hl);
	}
}

/* The same message cut into several slices (including empty ones) gives the same MAC/digest. */
static void test_scatter_equals_contiguous(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct hmac_case *c = &cases[i];
		uint8_t key[131], want[IKG_MAX_HASH], got[IKG_MAX_HASH], d1[IKG_MAX_HASH],
			d2[IKG_MAX_HASH];
		size_t hl = ikg_hash_len(c->h), n = strlen(c->data);
		const uint8_t *p = (const uint8_t *)c->data;
		case_key(c, key);
		assert_int_equal(unhex(c->mac, want, sizeof want), (long)hl);
		struct ikg_bytes whole = { p, n };
		struct ikg_bytes parts[5] = {
			{ p, 1 }, { NULL, 0 }, { p + 1, 2 }, { p + 3, n - 4 }, { p + n - 1, 1 },
		};
		assert_int_equal(ikg_hmac(c->h, key, c->key_len, parts, 5, got), 0);
		assert_memory_equal(got, want, hl);
		assert_int_equal(ikg_digest(c->h, &whole, 1, d1), 0);
		assert_int_equal(ikg_digest(c->h, parts, 5, d2), 0);
		assert_memory_equal(d1, d2, hl);
	}
}

static void test_digest_abc(void **state)
{
	static const struct {
		enum ikg_hash h;
		const char *hex;
	} v[] = {
		{ IKG_HASH_MD5, "900150983cd24fb0d6963f7d28e17f72" },
		{ IKG_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ IKG_HASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ IKG_HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
				   "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
		{ IKG_HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t want[IKG_MAX_HASH], got[IKG_MAX_HASH];
		struct ikg_bytes abc = B("abc");
		size_t hl = ikg_hash_len(v[i].h);
		assert_int_equal(unhex(v[i].hex, want, sizeof want), (long)hl);
		assert_int_equal(ikg_digest(v[i].h, &abc, 1, got), 0);
		assert_memory_equal(got, want, hl);
	}
}

static void test_lengths_and_errors(void **state)
{
	uint8_t out[IKG_MAX_HASH];
	struct ikg_bytes abc = B("abc"), bad = { NULL, 3 };
	assert_int_equal(ikg_hash_len(IKG_HASH_MD5), 16);
	assert_int_equal(ikg_hash_len(IKG_HASH_SHA1), 20);
	assert_int_equal(ikg_hash_len(IKG_HASH_SHA256), 32);
	assert_int_equal(ikg_hash_len(IKG_HASH_SHA384), 48);
	assert_int_equal(ikg_hash_len(IKG_HASH_SHA512), 64);
	assert_int_equal(ikg_hash_len((enum ikg_hash)0), 0);
	assert_int_equal(ikg_digest((enum ikg_hash)42, &abc, 1, out), -1);
	assert_int_equal(ikg_hmac((enum ikg_hash)42, out, 4, &abc, 1, out), -1);
	assert_int_equal(ikg_digest(IKG_HASH_SHA1, &bad, 1, out), -1);
	assert_int_equal(ikg_hmac(IKG_HASH_SHA1, NULL, 4, &abc, 1, out), -1);
	/* An empty key is a valid HMAC key (HMAC-SHA256("", "") is a well-known value). */
	uint8_t want[32];
	unhex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", want, 32);
	assert_int_equal(ikg_hmac(IKG_HASH_SHA256, NULL, 0, NULL, 0, out), 0);
	assert_memory_equal(out, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_scatter_equals_contiguous),
		cmocka_unit_test(test_digest_abc),
		cmocka_unit_test(test_lengths_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
