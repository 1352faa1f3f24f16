/* RFC 2409 key material for pre-shared-key authentication (sections 5, 5.5, 5.7, appendix B). */
#include "ike/keys.h"

#include <string.h>

#include "common/secret.h"

#define BYTES(ptr, n) ((struct ikg_bytes){ .p = (const uint8_t *)(ptr), .len = (n) })
#define COOKIE_LEN 8

static const uint8_t octet_0 = 0, octet_1 = 1, octet_2 = 2;

static int prf(const struct ike_keys *k, const uint8_t *key, const struct ikg_bytes *parts,
	       size_t n, uint8_t *out)
{
	return ikg_hmac(k->prf, key, k->hash_len, parts, n, out);
}

static void msgid_bytes(uint32_t msgid, uint8_t out[4])
{
	out[0] = (uint8_t)(msgid >> 24);
	out[1] = (uint8_t)(msgid >> 16);
	out[2] = (uint8_t)(msgid >> 8);
	out[3] = (uint8_t)msgid;
}

/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
static int derive_skeyid_dae(struct ike_keys *k, struct ikg_bytes gxy, const uint8_t *cky_i,
			     const uint8_t *cky_r)
{
	struct ikg_bytes p[5] = {
		BYTES(NULL, 0), gxy, BYTES(cky_i, COOKIE_LEN), BYTES(cky_r, COOKIE_LEN),
		BYTES(&octet_0, 1),
	};
	if (prf(k, k->skeyid, p + 1, 4, k->skeyid_d) != 0)
		return -1;
	p[0] = BYTES(k->skeyid_d, k->hash_len);
	p[4] = BYTES(&octet_1, 1);
	if (prf(k, k->skeyid, p, 5, k->skeyid_a) != 0)
		return -1;
	p[0] = BYTES(k->skeyid_a, k->hash_len);
	p[4] = BYTES(&octet_2, 1);
	return prf(k, k->skeyid, p, 5, k->skeyid_e);
}

/* Appendix B: the key is the first bytes of SKEYID_e, or of Ka = K1 | K2 | ... with
 * K1 = prf(SKEYID_e, 0) and Kn = prf(SKEYID_e, Kn-1) when SKEYID_e is too short. */
static int derive_enc_key(struct ike_keys *k)
{
	if (k->hash_len >= k->enc_key_len) {
		memcpy(k->enc_key, k->skeyid_e, k->enc_key_len);
		return 0;
	}
	uint8_t kn[IKG_MAX_HASH];
	struct ikg_bytes in = BYTES(&octet_0, 1);
	int rc = 0;
	for (size_t done = 0; done < k->enc_key_len; done += k->hash_len) {
		if ((rc = prf(k, k->skeyid_e, &in, 1, kn)) != 0)
			break;
		size_t take = k->enc_key_len - done < k->hash_len ? k->enc_key_len - done : k->hash_len;
		memcpy(k->enc_key + done, kn, take);
		in = BYTES(kn, k->hash_len);
	}
	ikg_wipe(kn, sizeof kn);
	return rc;
}

/* Phase-1 IV = hash(g^xi | g^xr), truncated to the cipher block. */
static int derive_phase1_iv(struct ike_keys *k, struct ikg_bytes gxi, struct ikg_bytes gxr)
{
	uint8_t h[IKG_MAX_HASH];
	struct ikg_bytes p[2] = { gxi, gxr };
	if (ikg_digest(k->prf, p, 2, h) != 0)
		return -1;
	memcpy(k->iv, h, k->block_len);
	return 0;
}

int ike_keys_derive(struct ike_keys *k, enum ikg_hash prf_hash, enum ikg_cipher cipher,
		    struct ikg_bytes psk, struct ikg_bytes ni, struct ikg_bytes nr,
		    struct ikg_bytes gxy, struct ikg_bytes gxi, struct ikg_bytes gxr,
		    const uint8_t *cky_i, const uint8_t *cky_r)
{
	struct ikg_bytes nonces[2] = { ni, nr };

	if (!k)
		return -1;
	memset(k, 0, sizeof *k);
	k->prf = prf_hash;
	k->cipher = cipher;
	k->hash_len = ikg_hash_len(prf_hash);
	k->enc_key_len = ikg_cipher_key_len(cipher);
	k->block_len = ikg_cipher_block_len(cipher);
	if (!k->hash_len || !k->enc_key_len || !k->block_len || k->block_len > k->hash_len ||
	    !cky_i || !cky_r)
		goto fail;

	/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
	if (ikg_hmac(prf_hash, psk.p, psk.len, nonces, 2, k->skeyid) != 0 ||
	    derive_skeyid_dae(k, gxy, cky_i, cky_r) != 0 || derive_enc_key(k) != 0 ||
	    derive_phase1_iv(k, gxi, gxr) != 0)
		goto fail;
	return 0;
fail:
	ike_keys_wipe(k);
	return -1;
}

void ike_keys_wipe(struct ike_keys *k)
{
	if (k)
		ikg_wipe(k, sizeof *k);
}

static int auth_hash(const struct ike_keys *k, struct ikg_bytes g_a, struct ikg_bytes g_b,
		     const uint8_t *cky_a, const uint8_t *cky_b, struct ikg_bytes sai_b,
		     struct ikg_bytes id_b, uint8_t *out)
{
	if (!k || !k->hash_len || !cky_a || !cky_b || !out)
		return -1;
	struct ikg_bytes p[6] = {
		g_a, g_b, BYTES(cky_a, COOKIE_LEN), BYTES(cky_b, COOKIE_LEN), sai_b, id_b,
	};
	return prf(k, k->skeyid, p, 6, out);
}

int ike_hash_i(const struct ike_keys *k, struct ikg_bytes gxi, struct ikg_bytes gxr,
	       const uint8_t *cky_i, const uint8_t *cky_r, struct ikg_bytes sai_b,
	       struct ikg_bytes idii_b, uint8_t *out)
{
	return auth_hash(k, gxi, gxr, cky_i, cky_r, sai_b, idii_b, out);
}

int ike_hash_r(const struct ike_keys *k, struct ikg_bytes gxi, struct ikg_bytes gxr,
	       const uint8_t *cky_i, const uint8_t *cky_r, struct ikg_bytes sai_b,
	       struct ikg_bytes idir_b, uint8_t *out)
{
	return auth_hash(k, gxr, gxi, cky_r, cky_i, sai_b, idir_b, out);
}

int ike_iv_for_msgid(const struct ike_keys *k, const uint8_t *p1_last_block, uint32_t msgid,
		     uint8_t *iv_out)
{
	if (!k || !k->hash_len || !k->block_len || !p1_last_block || !iv_out)
		return -1;
	uint8_t mid[4], h[IKG_MAX_HASH];
	msgid_bytes(msgid, mid);
	struct ikg_bytes p[2] = { BYTES(p1_last_block, k->block_len), BYTES(mid, 4) };
	if (ikg_digest(k->prf, p, 2, h) != 0)
		return -1;
	memcpy(iv_out, h, k->block_len);
	return 0;
}

/* prf(SKEYID_a, [prefix |] M-ID | a | b) */
static int qm_hash(const struct ike_keys *k, const uint8_t *prefix, uint32_t msgid,
		   struct ikg_bytes a, struct ikg_bytes b, uint8_t *out)
{
	if (!k || !k->hash_len || !out)
		return -1;
	uint8_t mid[4];
	msgid_bytes(msgid, mid);
	struct ikg_bytes p[4] = { BYTES(prefix, prefix ? 1 : 0), BYTES(mid, 4), a, b };
	return prf(k, k->skeyid_a, p, 4, out);
}

int ike_qm_hash1(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes rest, uint8_t *out)
{
	return qm_hash(k, NULL, msgid, rest, BYTES(NULL, 0), out);
}

int ike_qm_hash2(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes ni_b,
		 struct ikg_bytes rest, uint8_t *out)
{
	return qm_hash(k, NULL, msgid, ni_b, rest, out);
}

int ike_qm_hash3(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes ni_b,
		 struct ikg_bytes nr_b, uint8_t *out)
{
	return qm_hash(k, &octet_0, msgid, ni_b, nr_b, out);
}

int ike_keymat(const struct ike_keys *k, struct ikg_bytes gqm, uint8_t protocol,
	       const uint8_t spi[4], struct ikg_bytes ni_b, struct ikg_bytes nr_b, uint8_t *out,
	       size_t out_len)
{
	if (!k || !k->hash_len || !spi || (out_len && !out))
		return -1;
	uint8_t kn[IKG_MAX_HASH];
	struct ikg_bytes p[6] = {
		BYTES(NULL, 0), gqm, BYTES(&protocol, 1), BYTES(spi, 4), ni_b, nr_b,
	};
	int rc = 0;
	for (size_t done = 0; done < out_len; done += k->hash_len) {
		if ((rc = prf(k, k->skeyid_d, p, 6, kn)) != 0)
			break;
		size_t take = out_len - done < k->hash_len ? out_len - done : k->hash_len;
		memcpy(out + done, kn, take);
		p[0] = BYTES(kn, k->hash_len);
	}
	ikg_wipe(kn, sizeof kn);
	if (rc != 0)
		ikg_wipe(out, out_len);
	return rc;
}
