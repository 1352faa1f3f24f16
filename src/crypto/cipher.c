/* Block ciphers in CBC mode for IKEv1 (OpenSSL 3 EVP, padding off, in place).
 *
 * Each EVP_CIPHER is fetched once (explicit fetch, so no per-call implicit fetch) and kept for
 * the life of the process. Single DES lives in OpenSSL 3's "legacy" provider: the first time DES
 * is asked for we load "legacy" and, because loading any provider explicitly disables the
 * automatic loading of the default one, "default" too, into the default library context. If the
 * legacy provider cannot be loaded, DES calls return -1; 3DES and AES come from the default
 * provider and keep working. */
#include "crypto/cipher.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "common/secret.h"

struct cipher_info {
	enum ikg_cipher id;
	const char *fetch_name;
	size_t key_len;
	size_t block_len;
};

static const struct cipher_info ciphers[] = {
	{ IKG_CIPHER_DES, "DES-CBC", 8, 8 },
	{ IKG_CIPHER_3DES, "DES-EDE3-CBC", 24, 8 },
	{ IKG_CIPHER_AES128, "AES-128-CBC", 16, 16 },
	{ IKG_CIPHER_AES192, "AES-192-CBC", 24, 16 },
	{ IKG_CIPHER_AES256, "AES-256-CBC", 32, 16 },
};

#define N_CIPHERS IKG_ARRAY_LEN(ciphers)

static EVP_CIPHER *fetched[N_CIPHERS];
static CRYPTO_ONCE fetch_once = CRYPTO_ONCE_STATIC_INIT;
static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;

static const struct cipher_info *cipher_info(enum ikg_cipher c)
{
	for (size_t i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].id == c)
			return &ciphers[i];
	return NULL;
}

static int legacy_ok = -1;

/* retain_fallbacks = 1: the default provider stays available beside the legacy one. */
static void load_legacy_provider(void)
{
	legacy_ok = OSSL_PROVIDER_try_load(NULL, "legacy", 1) ? 0 : -1;
	if (legacy_ok == 0)
		fetched[0] = EVP_CIPHER_fetch(NULL, ciphers[0].fetch_name, NULL);
}

int ikg_crypto_load_legacy(void)
{
	if (!CRYPTO_THREAD_run_once(&legacy_once, load_legacy_provider))
		return -1;
	return legacy_ok;
}

static void fetch_default_ciphers(void)
{
	for (size_t i = 1; i < N_CIPHERS; i++)
		fetched[i] = EVP_CIPHER_fetch(NULL, ciphers[i].fetch_name, NULL);
}

static const EVP_CIPHER *cipher_evp(enum ikg_cipher c)
{
	if (c == IKG_CIPHER_DES) {
		if (ikg_crypto_load_legacy())
			return NULL;
		return fetched[0];
	}
	if (!CRYPTO_THREAD_run_once(&fetch_once, fetch_default_ciphers))
		return NULL;
	const struct cipher_info *ci = cipher_info(c);
	return ci ? fetched[ci - ciphers] : NULL;
}

size_t ikg_cipher_block_len(enum ikg_cipher c)
{
	const struct cipher_info *ci = cipher_info(c);
	return ci ? ci->block_len : 0;
}

size_t ikg_cipher_key_len(enum ikg_cipher c)
{
	const struct cipher_info *ci = cipher_info(c);
	return ci ? ci->key_len : 0;
}

static int cbc_run(const EVP_CIPHER *evp, int enc, const uint8_t *key, const uint8_t *iv,
		   uint8_t *buf, size_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, ok = 0;

	if (!ctx)
		return -1;
	if (EVP_CipherInit_ex2(ctx, evp, key, iv, enc, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1 && (size_t)outl == len)
		ok = 1;
	EVP_CIPHER_CTX_free(ctx);  /* cleanses the key schedule */
	return ok ? 0 : -1;
}

static int cbc(enum ikg_cipher c, int enc, const uint8_t *key, uint8_t *iv, uint8_t *buf,
	       size_t len)
{
	size_t bl = ikg_cipher_block_len(c);
	uint8_t next_iv[IKG_MAX_BLOCK];

	if (bl == 0 || !key || !iv || (len && !buf) || len % bl != 0 || len > INT_MAX)
		return -1;
	const EVP_CIPHER *evp = cipher_evp(c);
	if (!evp)
		return -1;
	if (len == 0)
		return 0;
	if (!enc)
		memcpy(next_iv, buf + len - bl, bl);  /* last ciphertext block, before it is overwritten */
	if (cbc_run(evp, enc, key, iv, buf, len) != 0) {
		ikg_wipe(next_iv, sizeof next_iv);
		return -1;
	}
	memcpy(iv, enc ? buf + len - bl : next_iv, bl);
	return 0;
}

int ikg_cbc_encrypt(enum ikg_cipher c, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len)
{
	return cbc(c, 1, key, iv, buf, len);
}

int ikg_cbc_decrypt(enum ikg_cipher c, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len)
{
	return cbc(c, 0, key, iv, buf, len);
}
