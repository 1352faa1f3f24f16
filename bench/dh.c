/* bench-dh: MODP-2048 shared-secret derivations per second, ikegate's ikg_dh_shared()
 * (range check 1 < y < p-1, constant-time Montgomery exponentiation) against OpenSSL's
 * EVP_PKEY_derive() with its default peer validation (EVP_PKEY_derive_set_peer, which runs the
 * full public-key check y^q mod p == 1). Both sides first derive the same secret from each
 * other's public value as a cross-check. Last line: "dh ratio=R" with R = ours / OpenSSL. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "crypto/dh.h"

#define PUB_LEN 256
#define MIN_SECONDS 1.0

static void bench_rand(void *ctx, void *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		memset(buf, 0x42, len);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static EVP_PKEY *openssl_keygen(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "modp_2048", 0),
		OSSL_PARAM_construct_end(),
	};
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* An EVP_PKEY holding only a peer's public value in modp_2048. */
static EVP_PKEY *openssl_peer(const uint8_t *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *y = BN_bin2bn(pub, PUB_LEN, NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *key = NULL;
	if (bld && y && ctx &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "modp_2048", 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* One derivation as an IKE daemon does it per SA: new context, default peer check, derive. */
static int openssl_derive(EVP_PKEY *own, EVP_PKEY *peer, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
	size_t len = PUB_LEN;
	int ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1 &&
		 EVP_PKEY_derive_set_peer(ctx, peer) == 1 && EVP_PKEY_derive(ctx, out, &len) == 1 &&
		 len == PUB_LEN;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

int main(void)
{
	EVP_PKEY *theirs = openssl_keygen(), *peer = NULL;
	struct ikg_dh *ours = ikg_dh_new(14, bench_rand, NULL);
	BIGNUM *their_y = NULL, *their_x = NULL;
	uint8_t their_pub[PUB_LEN], s1[PUB_LEN], s2[PUB_LEN];
	size_t s1_len = 0;
	int rc = 1;

	if (!theirs || !ours || EVP_PKEY_get_bn_param(theirs, OSSL_PKEY_PARAM_PUB_KEY, &their_y) != 1 ||
	    EVP_PKEY_get_bn_param(theirs, OSSL_PKEY_PARAM_PRIV_KEY, &their_x) != 1 ||
	    BN_bn2binpad(their_y, their_pub, PUB_LEN) != PUB_LEN ||
	    !(peer = openssl_peer(ikg_dh_public(ours)))) {
		fprintf(stderr, "bench-dh: setup failed\n");
		goto out;
	}
	if (ikg_dh_shared(ours, their_pub, PUB_LEN, s1, &s1_len) != 0 ||
	    openssl_derive(theirs, peer, s2) != 0 || s1_len != PUB_LEN ||
	    memcmp(s1, s2, PUB_LEN) != 0) {
		fprintf(stderr, "bench-dh: ikegate and OpenSSL disagree on g^xy\n");
		goto out;
	}
	printf("cross-check: ikegate and OpenSSL derive the same modp2048 g^xy\n");

	long n_ours = 0, n_ossl = 0;
	double t0 = now_s(), t_ours, t_ossl;
	do {
		for (int i = 0; i < 50; i++, n_ours++)
			if (ikg_dh_shared(ours, their_pub, PUB_LEN, s1, &s1_len) != 0)
				goto out;
	} while ((t_ours = now_s() - t0) < MIN_SECONDS);
	t0 = now_s();
	do {
		for (int i = 0; i < 10; i++, n_ossl++)
			if (openssl_derive(theirs, peer, s2) != 0)
				goto out;
	} while ((t_ossl = now_s() - t0) < MIN_SECONDS);

	double ours_rate = (double)n_ours / t_ours, ossl_rate = (double)n_ossl / t_ossl;
	printf("ikegate ikg_dh_shared modp2048 (range check, 320-bit exponent): %.0f/s (%.3f ms)\n",
	       ours_rate, 1e3 / ours_rate);
	printf("openssl EVP_PKEY_derive modp_2048 (default peer check, %d-bit exponent): %.0f/s "
	       "(%.3f ms)\n", BN_num_bits(their_x), ossl_rate, 1e3 / ossl_rate);
	printf("dh ratio=%.2f\n", ours_rate / ossl_rate);
	rc = 0;
out:
	BN_clear_free(their_x);
	BN_free(their_y);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(theirs);
	ikg_dh_free(ours);
	return rc;
}
