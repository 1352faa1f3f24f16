/* Digests and HMAC over scatter lists (OpenSSL 3 EVP_MD and EVP_MAC "HMAC").
 *
 * Fetched once: one EVP_MD per hash, and one un-keyed HMAC EVP_MAC_CTX per hash with its digest
 * already set. Each ikg_hmac() duplicates that template and keys the copy, so the per-call path
 * does no name lookup or provider fetch. The templates live for the life of the process. */
#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

struct hash_info {
	enum ikg_hash id;
	const char *name;
	size_t len;
};

static const struct hash_info hashes[] = {
	{ IKG_HASH_MD5, "MD5", 16 },
	{ IKG_HASH_SHA1, "SHA1", 20 },
	{ IKG_HASH_SHA256, "SHA2-256", 32 },
	{ IKG_HASH_SHA384, "SHA2-384", 48 },
	{ IKG_HASH_SHA512, "SHA2-512", 64 },
};

#define N_HASHES IKG_ARRAY_LEN(hashes)

static EVP_MD *mds[N_HASHES];
static EVP_MAC_CTX *hmac_templates[N_HASHES];
static CRYPTO_ONCE hash_once = CRYPTO_ONCE_STATIC_INIT;

static const struct hash_info *hash_info(enum ikg_hash h)
{
	for (size_t i = 0; i < N_HASHES; i++)
		if (hashes[i].id == h)
			return &hashes[i];
	return NULL;
}

static EVP_MAC_CTX *hmac_template(EVP_MAC *mac, const char *digest)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};

	if (ctx && EVP_MAC_CTX_set_params(ctx, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static void fetch_hashes(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	for (size_t i = 0; i < N_HASHES; i++) {
		mds[i] = EVP_MD_fetch(NULL, hashes[i].name, NULL);
		if (mac)
			hmac_templates[i] = hmac_template(mac, hashes[i].name);
	}
	EVP_MAC_free(mac);  /* the contexts hold their own reference */
}

/* Index of h with its fetched objects ready, or -1. */
static int hash_index(enum ikg_hash h)
{
	const struct hash_info *hi = hash_info(h);

	if (!hi || !CRYPTO_THREAD_run_once(&hash_once, fetch_hashes))
		return -1;
	return (int)(hi - hashes);
}

size_t ikg_hash_len(enum ikg_hash h)
{
	const struct hash_info *hi = hash_info(h);
	return hi ? hi->len : 0;
}

static int parts_valid(const struct ikg_bytes *parts, size_t n)
{
	if (n && !parts)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (parts[i].len && !parts[i].p)
			return 0;
	return 1;
}

int ikg_digest(enum ikg_hash h, const struct ikg_bytes *parts, size_t n, uint8_t *out)
{
	int i = hash_index(h);
	if (i < 0 || !mds[i] || !out || !parts_valid(parts, n))
		return -1;

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int outl = 0;
	int ok = ctx && EVP_DigestInit_ex2(ctx, mds[i], NULL) == 1;
	for (size_t j = 0; ok && j < n; j++)
		if (parts[j].len)
			ok = EVP_DigestUpdate(ctx, parts[j].p, parts[j].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &outl) == 1 && outl == hashes[i].len;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int ikg_hmac(enum ikg_hash h, const uint8_t *key, size_t key_len, const struct ikg_bytes *parts,
	     size_t n, uint8_t *out)
{
	static const uint8_t empty_key[1];
	int i = hash_index(h);
	if (i < 0 || !hmac_templates[i] || !out || (key_len && !key) || !parts_valid(parts, n))
		return -1;

	/* A NULL key means "keep the previous key" to EVP_MAC_init: pass a real (empty) one. */
	if (key_len == 0)
		key = empty_key;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(hmac_templates[i]);
	size_t outl = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, key_len, NULL) == 1;
	for (size_t j = 0; ok && j < n; j++)
		if (parts[j].len)
			ok = EVP_MAC_update(ctx, parts[j].p, parts[j].len) == 1;
	ok = ok && EVP_MAC_final(ctx, out, &outl, IKG_MAX_HASH) == 1 && outl == hashes[i].len;
	EVP_MAC_CTX_free(ctx);  /* cleanses the keyed state */
	return ok ? 0 : -1;
}
