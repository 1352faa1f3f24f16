/* Diffie-Hellman for IKEv1 on libcrypto's BN_ and EC_ layers.
 *
 * MODP (RFC 2409 groups 1 2, RFC 3526 groups 5 14 15 16, generator 2): the private exponent x
 * has exp_bits bits (top bit forced, so it is never 0 or 1), taken from the caller's random
 * function; public = 2^x mod p with BN_mod_exp_mont_consttime. The peer's value is accepted when
 * it has exactly the prime's byte length and 1 < y < p-1. For these safe primes (p = 2q+1) that
 * range check is the standard one: it rejects the only small-subgroup elements (1 and p-1), and
 * skipping EVP_PKEY's y^q mod p test is what takes a derive from ~2 ms to ~0.5 ms.
 *
 * ECP (RFC 5903 groups 19 P-256, 20 P-384): the scalar is the random bytes reduced mod the order
 * (redrawn if zero); KE = x | y; the peer point must have coordinates below the field prime and
 * lie on the curve (cofactor 1, so on-curve is enough); the shared secret is the x coordinate.
 *
 * Group parameters are built once per process and shared read-only. */
#include "crypto/dh.h"

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "common/secret.h"

enum dh_kind { DH_MODP, DH_ECP };

struct group_info {
	int id;
	enum dh_kind kind;
	size_t pub_len;          /* KE payload bytes */
	int exp_bits;            /* MODP private exponent size */
	BIGNUM *(*prime)(BIGNUM *);
	int nid;                 /* ECP curve */
};

/* Exponent sizes follow RFC 3526 section 8 (twice the estimated strength, at least 256). */
static const struct group_info groups[] = {
	{ 1, DH_MODP, 96, 256, BN_get_rfc2409_prime_768, 0 },
	{ 2, DH_MODP, 128, 256, BN_get_rfc2409_prime_1024, 0 },
	{ 5, DH_MODP, 192, 256, BN_get_rfc3526_prime_1536, 0 },
	{ 14, DH_MODP, 256, 320, BN_get_rfc3526_prime_2048, 0 },
	{ 15, DH_MODP, 384, 420, BN_get_rfc3526_prime_3072, 0 },
	{ 16, DH_MODP, 512, 480, BN_get_rfc3526_prime_4096, 0 },
	{ 19, DH_ECP, 64, 0, NULL, NID_X9_62_prime256v1 },
	{ 20, DH_ECP, 96, 0, NULL, NID_secp384r1 },
};

#define N_GROUPS IKG_ARRAY_LEN(groups)
#define ECP_MAX_COORD 48
#define ECP_DRAWS 8

struct group_params {
	BIGNUM *p, *p_minus_1, *g;   /* MODP */
	BN_MONT_CTX *mont;
	EC_GROUP *curve;             /* ECP */
	BIGNUM *field_p;
	BIGNUM *order;
};

static struct group_params params[N_GROUPS];
static CRYPTO_ONCE params_once = CRYPTO_ONCE_STATIC_INIT;

struct ikg_dh {
	const struct group_info *gi;
	const struct group_params *gp;
	BIGNUM *priv;                /* x (MODP) or scalar (ECP); cleared on free */
	BN_CTX *bn;
	uint8_t pub[IKG_DH_MAX_PUB];
};

static const struct group_info *group_info(int group)
{
	for (size_t i = 0; i < N_GROUPS; i++)
		if (groups[i].id == group)
			return &groups[i];
	return NULL;
}

static int modp_params_init(struct group_params *gp, const struct group_info *gi, BN_CTX *bn)
{
	gp->p = gi->prime(NULL);
	gp->p_minus_1 = BN_new();
	gp->g = BN_new();
	gp->mont = BN_MONT_CTX_new();
	return gp->p && gp->p_minus_1 && gp->g && gp->mont && BN_copy(gp->p_minus_1, gp->p) &&
	       BN_sub_word(gp->p_minus_1, 1) && BN_set_word(gp->g, 2) &&
	       BN_MONT_CTX_set(gp->mont, gp->p, bn) &&
	       (size_t)BN_num_bytes(gp->p) == gi->pub_len;
}

static int ecp_params_init(struct group_params *gp, const struct group_info *gi, BN_CTX *bn)
{
	gp->curve = EC_GROUP_new_by_curve_name(gi->nid);
	gp->field_p = BN_new();
	gp->order = BN_new();
	return gp->curve && gp->field_p && gp->order &&
	       EC_GROUP_get_curve(gp->curve, gp->field_p, NULL, NULL, bn) &&
	       EC_GROUP_get_order(gp->curve, gp->order, bn) &&
	       (size_t)BN_num_bytes(gp->field_p) * 2 == gi->pub_len &&
	       BN_num_bytes(gp->order) <= ECP_MAX_COORD;
}

static void params_free(struct group_params *gp)
{
	BN_free(gp->p);
	BN_free(gp->p_minus_1);
	BN_free(gp->g);
	BN_MONT_CTX_free(gp->mont);
	EC_GROUP_free(gp->curve);
	BN_free(gp->field_p);
	BN_free(gp->order);
	*gp = (struct group_params){ 0 };
}

/* A group whose parameters fail to build stays zeroed and is reported unsupported. */
static void params_init(void)
{
	BN_CTX *bn = BN_CTX_new();
	if (!bn)
		return;
	for (size_t i = 0; i < N_GROUPS; i++) {
		int ok = groups[i].kind == DH_MODP ? modp_params_init(&params[i], &groups[i], bn)
						   : ecp_params_init(&params[i], &groups[i], bn);
		if (!ok)
			params_free(&params[i]);
	}
	BN_CTX_free(bn);
}

static const struct group_params *group_params(const struct group_info *gi)
{
	if (!CRYPTO_THREAD_run_once(&params_once, params_init))
		return NULL;
	const struct group_params *gp = &params[gi - groups];
	return (gp->p || gp->curve) ? gp : NULL;
}

size_t ikg_dh_pub_len(int group)
{
	const struct group_info *gi = group_info(group);
	return gi ? gi->pub_len : 0;
}

const uint8_t *ikg_dh_public(const struct ikg_dh *dh)
{
	return dh ? dh->pub : NULL;
}

/* x = exp_bits random bits with the top bit set; pub = g^x mod p. */
static int modp_keygen(struct ikg_dh *dh, ikg_rand_fn rnd, void *rnd_ctx)
{
	const struct group_info *gi = dh->gi;
	const struct group_params *gp = dh->gp;
	uint8_t raw[64];
	size_t nbytes = (size_t)(gi->exp_bits + 7) / 8;
	int ok = 0;

	rnd(rnd_ctx, raw, nbytes);
	raw[0] &= (uint8_t)(0xff >> (nbytes * 8 - (size_t)gi->exp_bits));  /* keep exp_bits bits */
	BN_CTX_start(dh->bn);
	BIGNUM *pub = BN_CTX_get(dh->bn);
	if (pub && BN_bin2bn(raw, (int)nbytes, dh->priv) && BN_set_bit(dh->priv, gi->exp_bits - 1)) {
		BN_set_flags(dh->priv, BN_FLG_CONSTTIME);
		ok = BN_mod_exp_mont_consttime(pub, gp->g, dh->priv, gp->p, dh->bn, gp->mont) &&
		     BN_bn2binpad(pub, dh->pub, (int)gi->pub_len) == (int)gi->pub_len;
	}
	BN_CTX_end(dh->bn);
	ikg_wipe(raw, sizeof raw);
	return ok ? 0 : -1;
}

static int ecp_point_out(const struct group_params *gp, const EC_POINT *pt, uint8_t *out,
			 size_t coord_len, int with_y, BN_CTX *bn)
{
	int ok = 0;

	BN_CTX_start(bn);
	BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn);
	if (y && !EC_POINT_is_at_infinity(gp->curve, pt) &&
	    EC_POINT_get_affine_coordinates(gp->curve, pt, x, y, bn))
		ok = BN_bn2binpad(x, out, (int)coord_len) == (int)coord_len &&
		     (!with_y || BN_bn2binpad(y, out + coord_len, (int)coord_len) == (int)coord_len);
	BN_CTX_end(bn);
	return ok;
}

/* scalar = random mod n, redrawn while zero; pub = scalar * G as x | y. */
static int ecp_keygen(struct ikg_dh *dh, ikg_rand_fn rnd, void *rnd_ctx)
{
	const struct group_params *gp = dh->gp;
	size_t nbytes = (size_t)BN_num_bytes(gp->order);
	uint8_t raw[ECP_MAX_COORD];
	int ok = 0;

	for (int draw = 0; draw < ECP_DRAWS && !ok; draw++) {
		rnd(rnd_ctx, raw, nbytes);
		if (!BN_bin2bn(raw, (int)nbytes, dh->priv) ||
		    !BN_nnmod(dh->priv, dh->priv, gp->order, dh->bn))
			break;
		ok = !BN_is_zero(dh->priv);
	}
	ikg_wipe(raw, sizeof raw);
	if (!ok)
		return -1;
	BN_set_flags(dh->priv, BN_FLG_CONSTTIME);

	EC_POINT *pub = EC_POINT_new(gp->curve);
	ok = pub && EC_POINT_mul(gp->curve, pub, dh->priv, NULL, NULL, dh->bn) &&
	     ecp_point_out(gp, pub, dh->pub, dh->gi->pub_len / 2, 1, dh->bn);
	EC_POINT_free(pub);
	return ok ? 0 : -1;
}

struct ikg_dh *ikg_dh_new(int group, ikg_rand_fn rnd, void *rnd_ctx)
{
	const struct group_info *gi = group_info(group);
	const struct group_params *gp = gi ? group_params(gi) : NULL;
	if (!gp || !rnd)
		return NULL;

	struct ikg_dh *dh = calloc(1, sizeof *dh);
	if (!dh)
		return NULL;
	dh->gi = gi;
	dh->gp = gp;
	dh->priv = BN_secure_new();
	dh->bn = BN_CTX_secure_new();
	if (!dh->priv || !dh->bn ||
	    (gi->kind == DH_MODP ? modp_keygen(dh, rnd, rnd_ctx) : ecp_keygen(dh, rnd, rnd_ctx))) {
		ikg_dh_free(dh);
		return NULL;
	}
	return dh;
}

void ikg_dh_free(struct ikg_dh *dh)
{
	if (!dh)
		return;
	BN_clear_free(dh->priv);
	BN_CTX_free(dh->bn);
	ikg_wipe(dh, sizeof *dh);
	free(dh);
}

/* y^x mod p after the range check 1 < y < p-1. */
static int modp_shared(struct ikg_dh *dh, const uint8_t *peer, uint8_t *out)
{
	const struct group_params *gp = dh->gp;
	int len = (int)dh->gi->pub_len;
	int ok = 0;

	BN_CTX_start(dh->bn);
	BIGNUM *y = BN_CTX_get(dh->bn), *s = BN_CTX_get(dh->bn);
	if (s && BN_bin2bn(peer, len, y) && BN_cmp(y, BN_value_one()) > 0 &&
	    BN_cmp(y, gp->p_minus_1) < 0)
		ok = BN_mod_exp_mont_consttime(s, y, dh->priv, gp->p, dh->bn, gp->mont) &&
		     BN_bn2binpad(s, out, len) == len;
	if (s)
		BN_clear(s);
	BN_CTX_end(dh->bn);
	return ok;
}

/* x(scalar * Y) after checking 0 <= coordinates < p and Y on the curve. */
static int ecp_shared(struct ikg_dh *dh, const uint8_t *peer, uint8_t *out)
{
	const struct group_params *gp = dh->gp;
	int coord = (int)dh->gi->pub_len / 2;
	EC_POINT *y_pt = EC_POINT_new(gp->curve), *s_pt = EC_POINT_new(gp->curve);
	int ok = 0;

	BN_CTX_start(dh->bn);
	BIGNUM *x = BN_CTX_get(dh->bn), *y = BN_CTX_get(dh->bn);
	if (y_pt && s_pt && y && BN_bin2bn(peer, coord, x) && BN_bin2bn(peer + coord, coord, y) &&
	    BN_cmp(x, gp->field_p) < 0 && BN_cmp(y, gp->field_p) < 0 &&
	    EC_POINT_set_affine_coordinates(gp->curve, y_pt, x, y, dh->bn) &&
	    EC_POINT_is_on_curve(gp->curve, y_pt, dh->bn) == 1 &&
	    EC_POINT_mul(gp->curve, s_pt, NULL, y_pt, dh->priv, dh->bn))
		ok = ecp_point_out(gp, s_pt, out, (size_t)coord, 0, dh->bn);
	BN_CTX_end(dh->bn);
	EC_POINT_clear_free(s_pt);
	EC_POINT_free(y_pt);
	return ok;
}

int ikg_dh_shared(struct ikg_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t *out_len)
{
	if (!dh || !peer || !out || !out_len || peer_len != dh->gi->pub_len)
		return -1;
	size_t len = dh->gi->kind == DH_MODP ? dh->gi->pub_len : dh->gi->pub_len / 2;
	int ok = dh->gi->kind == DH_MODP ? modp_shared(dh, peer, out) : ecp_shared(dh, peer, out);
	if (!ok) {
		ikg_wipe(out, len);
		return -1;
	}
	*out_len = len;
	return 0;
}
