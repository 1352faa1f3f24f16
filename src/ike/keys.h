/* RFC 2409 key material for pre-shared-key authentication. Pure functions over bytes. */
#ifndef IKG_KEYS_H
#define IKG_KEYS_H

#include "common/algs.h"
#include "common/types.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"

struct ike_keys {
	enum ikg_hash prf;           /* HMAC with the negotiated hash */
	enum ikg_cipher cipher;
	size_t hash_len;
	uint8_t skeyid[IKG_MAX_HASH];
	uint8_t skeyid_d[IKG_MAX_HASH];
	uint8_t skeyid_a[IKG_MAX_HASH];
	uint8_t skeyid_e[IKG_MAX_HASH];
	uint8_t enc_key[IKG_MAX_CIPHER_KEY];  /* derived from SKEYID_e, expanded when too short */
	size_t enc_key_len;
	uint8_t iv[IKG_MAX_BLOCK];            /* phase-1 IV: hash(g^xi | g^xr) truncated */
	size_t block_len;
};

/* Computes SKEYID = prf(psk, Ni_b | Nr_b), SKEYID_d/a/e, the encryption key (with the
 * K1 = prf(SKEYID_e, 0) ... expansion of RFC 2409 appendix B when SKEYID_e is short) and the
 * initial phase-1 IV. cky_i/cky_r are 8 bytes each. 0 or -1. */
int ike_keys_derive(struct ike_keys *k, enum ikg_hash prf, enum ikg_cipher cipher,
		    struct ikg_bytes psk, struct ikg_bytes ni, struct ikg_bytes nr,
		    struct ikg_bytes gxy, struct ikg_bytes gxi, struct ikg_bytes gxr,
		    const uint8_t *cky_i, const uint8_t *cky_r);
void ike_keys_wipe(struct ike_keys *k);

/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b); HASH_R swaps the
 * public values and cookies and uses IDir_b. sai_b is the SA payload body the initiator sent,
 * id_b the ID payload body (type..data) of the side being authenticated. out: hash_len bytes. */
int ike_hash_i(const struct ike_keys *k, struct ikg_bytes gxi, struct ikg_bytes gxr,
	       const uint8_t *cky_i, const uint8_t *cky_r, struct ikg_bytes sai_b,
	       struct ikg_bytes idii_b, uint8_t *out);
int ike_hash_r(const struct ike_keys *k, struct ikg_bytes gxi, struct ikg_bytes gxr,
	       const uint8_t *cky_i, const uint8_t *cky_r, struct ikg_bytes sai_b,
	       struct ikg_bytes idir_b, uint8_t *out);

/* IV of a new exchange with message id msgid (quick mode, informational):
 * hash(last phase-1 CBC block | M-ID) truncated to the block length. */
int ike_iv_for_msgid(const struct ike_keys *k, const uint8_t *p1_last_block, uint32_t msgid,
		     uint8_t *iv_out);

/* Quick mode: HASH(1) = prf(SKEYID_a, M-ID | rest), HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest),
 * HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). `rest` is the message after the HASH
 * payload. Informational HASH(1) has the same form as quick-mode HASH(1). */
int ike_qm_hash1(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes rest, uint8_t *out);
int ike_qm_hash2(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes ni_b,
		 struct ikg_bytes rest, uint8_t *out);
int ike_qm_hash3(const struct ike_keys *k, uint32_t msgid, struct ikg_bytes ni_b,
		 struct ikg_bytes nr_b, uint8_t *out);

/* KEYMAT = K1 | K2 | ... with K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), out_len bytes.
 * gqm may be empty (no PFS). protocol is the ISAKMP protocol id (3 ESP, 2 AH); spi is the SPI
 * of the SA being keyed (4 bytes, network order) — the receiver's SPI for each direction. */
int ike_keymat(const struct ike_keys *k, struct ikg_bytes gqm, uint8_t protocol,
	       const uint8_t spi[4], struct ikg_bytes ni_b, struct ikg_bytes nr_b, uint8_t *out,
	       size_t out_len);

#endif
