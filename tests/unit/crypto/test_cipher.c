/* CBC known answers: NIST SP 800-38A F.2.1 / F.2.5 (AES), SP 800-67 (3DES), DES; IV chaining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/cipher.h"
#include "hexutil.h"

static void hex(const char *s, uint8_t *out, size_t len)
{
	assert_int_equal(unhex(s, out, len), (long)len);
}

static const char *const sp800_38a_iv = "000102030405060708090a0b0c0d0e0f";
static const char *const sp800_38a_pt =
	"6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710";

static void check_vector(enum ikg_cipher c, const char *key_hex, const char *iv_hex,
			 const uint8_t *pt, const uint8_t *ct, size_t len)
{
	uint8_t key[IKG_MAX_CIPHER_KEY], iv[IKG_MAX_BLOCK], buf[64];
	size_t bl = ikg_cipher_block_len(c);

	hex(key_hex, key, ikg_cipher_key_len(c));
	hex(iv_hex, iv, bl);
	memcpy(buf, pt, len);
	assert_int_equal(ikg_cbc_encrypt(c, key, iv, buf, len), 0);
	assert_memory_equal(buf, ct, len);
	assert_memory_equal(iv, ct + len - bl, bl);   /* IV = last ciphertext block */

	hex(iv_hex, iv, bl);
	assert_int_equal(ikg_cbc_decrypt(c, key, iv, buf, len), 0);
	assert_memory_equal(buf, pt, len);
	assert_memory_equal(iv, ct + len - bl, bl);
}

static void test_aes128_f21(void **state)
{
	uint8_t pt[64], ct[64];
	hex(sp800_38a_pt, pt, 64);
	hex("7649abac8119b246cee98e9b12e9197d" "5086cb9b507219ee95db113a917678b2"
	    "73bed6b8e3c1743b7116e69e22229516" "3ff1caa1681fac09120eca307586e1a7", ct, 64);
	check_vector(IKG_CIPHER_AES128, "2b7e151628aed2a6abf7158809cf4f3c", sp800_38a_iv, pt, ct, 64);
}

static void test_aes256_f25(void **state)
{
	uint8_t pt[64], ct[64];
	hex(sp800_38a_pt, pt, 64);
	hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6" "9cfc4e967edb808d679f777bc6702c7d"
	    "39f23369a9d9bacfa530e26304231461" "b2eb05e2c39be9fcda6c19078c6a9d1b", ct, 64);
	check_vector(IKG_CIPHER_AES256,
		     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		     sp800_38a_iv, pt, ct, 64);
}

/* SP 800-67 TDEA example (keys 0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123, "The qufck
 * brown fox jump" in ECB). In CBC with a zero IV, block i of plaintext P_i ^ C_(i-1) encrypts to
 * the same C_i, which makes it a three-block CBC vector. */
static void test_3des_cbc(void **state)
{
	uint8_t pt[24], ct[24];
	hex("5468652071756663" "6b2062726f776e20" "666f78206a756d70", pt, 24);
	hex("a826fd8ce53b855f" "cce21c8112256fe6" "68d5c05dd9b6b900", ct, 24);
	for (size_t i = 8; i < 24; i++)
		pt[i] ^= ct[i - 8];
	check_vector(IKG_CIPHER_3DES, "0123456789abcdef23456789abcdef01456789abcdef0123",
		     "0000000000000000", pt, ct, 24);
}

/* Classic DES example (key 133457799BBCDFF1): needs the legacy provider. */
static void test_des_cbc(void **state)
{
	uint8_t pt[8], ct[8];
	hex("0123456789abcdef", pt, 8);
	hex("85e813540f0ab405", ct, 8);
	check_vector(IKG_CIPHER_DES, "133457799bbcdff1", "0000000000000000", pt, ct, 8);
}

/* Two calls with the IV carried over equal one call over the whole buffer. */
static void test_iv_chaining(void **state)
{
	static const enum ikg_cipher all[] = { IKG_CIPHER_DES, IKG_CIPHER_3DES, IKG_CIPHER_AES128,
					       IKG_CIPHER_AES192, IKG_CIPHER_AES256 };
	for (size_t a = 0; a < sizeof all / sizeof all[0]; a++) {
		enum ikg_cipher c = all[a];
		uint8_t key[32], iv1[16], iv2[16], one[96], two[96];
		size_t bl = ikg_cipher_block_len(c), len = 6 * bl, split = 2 * bl;
		for (size_t i = 0; i < sizeof key; i++)
			key[i] = (uint8_t)(0x10 + 7 * i);
		for (size_t i = 0; i < len; i++)
			one[i] = two[i] = (uint8_t)(i * 13 + a);
		memset(iv1, 0x5a, sizeof iv1);
		memcpy(iv2, iv1, sizeof iv2);

		assert_int_equal(ikg_cbc_encrypt(c, key, iv1, one, len), 0);
		assert_int_equal(ikg_cbc_encrypt(c, key, iv2, two, split), 0);
		assert_int_equal(ikg_cbc_encrypt(c, key, iv2, two + split, len - split), 0);
		assert_memory_equal(one, two, len);
		assert_memory_equal(iv1, iv2, bl);

		memset(iv1, 0x5a, sizeof iv1);
		memcpy(iv2, iv1, sizeof iv2);
		assert_int_equal(ikg_cbc_decrypt(c, key, iv1, one, len), 0);
		assert_int_equal(ikg_cbc_decrypt(c, key, iv2, two, split), 0);
		assert_int_equal(ikg_cbc_decrypt(c, key, iv2, two + split, len - split), 0);
		assert_memory_equal(one, two, len);
		assert_memory_equal(iv1, iv2, bl);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(one[i], (uint8_t)(i * 13 + a));
	}
}

static void test_lengths_and_errors(void **state)
{
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[32] = { 0 };
	assert_int_equal(ikg_cipher_block_len(IKG_CIPHER_DES), 8);
	assert_int_equal(ikg_cipher_block_len(IKG_CIPHER_3DES), 8);
	assert_int_equal(ikg_cipher_block_len(IKG_CIPHER_AES192), 16);
	assert_int_equal(ikg_cipher_block_len((enum ikg_cipher)0), 0);
	assert_int_equal(ikg_cipher_key_len(IKG_CIPHER_DES), 8);
	assert_int_equal(ikg_cipher_key_len(IKG_CIPHER_3DES), 24);
	assert_int_equal(ikg_cipher_key_len(IKG_CIPHER_AES128), 16);
	assert_int_equal(ikg_cipher_key_len(IKG_CIPHER_AES192), 24);
	assert_int_equal(ikg_cipher_key_len(IKG_CIPHER_AES256), 32);
	assert_int_equal(ikg_cipher_key_len((enum ikg_cipher)99), 0);
	assert_int_equal(ikg_cbc_encrypt(IKG_CIPHER_AES128, key, iv, buf, 15), -1);
	assert_int_equal(ikg_cbc_decrypt(IKG_CIPHER_3DES, key, iv, buf, 12), -1);
	assert_int_equal(ikg_cbc_encrypt((enum ikg_cipher)99, key, iv, buf, 16), -1);
	assert_int_equal(ikg_cbc_encrypt(IKG_CIPHER_AES128, NULL, iv, buf, 16), -1);
	assert_int_equal(ikg_cbc_encrypt(IKG_CIPHER_AES128, key, iv, buf, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aes128_f21),
		cmocka_unit_test(test_aes256_f25),
		cmocka_unit_test(test_3des_cbc),
		cmocka_unit_test(test_des_cbc),
		cmocka_unit_test(test_iv_chaining),
		cmocka_unit_test(test_lengths_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
