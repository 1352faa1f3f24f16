#include "ipsec/esp.h"

#include <openssl/crypto.h>
#include <string.h>

#include "ipsec/sa_internal.h"
#include "wire/buf.h"
#include "wire/esp.h"
#include "wire/ipv4.h"

#define NEXT_HDR_IPV4 4
#define ESP_TRAILER_LEN 2     /* pad length, next header */
#define GCM_NONCE_LEN 12
#define GCM_AAD_LEN 8         /* SPI | seq (no ESN) */

/* ---- helpers shared by both directions ---- */

static size_t esp_pad_len(const struct ipsec_sa *sa, size_t inner_len)
{
	size_t b = sa->block_len;
	return (b - (inner_len + ESP_TRAILER_LEN) % b) % b;
}

static void gcm_nonce(const struct ipsec_sa *sa, const uint8_t *explicit_iv, uint8_t *nonce)
{
	memcpy(nonce, sa->salt, IPSEC_GCM_SALT_LEN);
	memcpy(nonce + IPSEC_GCM_SALT_LEN, explicit_iv, 8);
}

/* ---- outbound ---- */

static int encrypt_cbc(struct ipsec_sa *sa, uint8_t *iv, uint8_t *buf, size_t len)
{
	int n = 0, f = 0;
	if (sa_next_cbc_iv(sa, iv) != 0 ||
	    EVP_CipherInit_ex(sa->cipher, NULL, NULL, NULL, iv, -1) != 1 ||
	    EVP_CipherUpdate(sa->cipher, buf, &n, buf, (int)len) != 1 ||
	    EVP_CipherFinal_ex(sa->cipher, buf + n, &f) != 1 || (size_t)(n + f) != len)
		return -1;
	return 0;
}

/* AES-GCM (RFC 4106): explicit IV = 64-bit sequence counter (unique per SA), AAD = SPI|seq. */
static int encrypt_gcm(struct ipsec_sa *sa, const uint8_t *esp_hdr, uint8_t *iv, uint8_t *buf,
		       size_t len, uint8_t *tag)
{
	uint8_t nonce[GCM_NONCE_LEN];
	int n = 0, f = 0, a = 0;
	memset(iv, 0, 4);
	memcpy(iv + 4, esp_hdr + 4, 4);
	gcm_nonce(sa, iv, nonce);
	if (EVP_CipherInit_ex(sa->cipher, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CipherUpdate(sa->cipher, NULL, &a, esp_hdr, GCM_AAD_LEN) != 1 ||
	    EVP_CipherUpdate(sa->cipher, buf, &n, buf, (int)len) != 1 ||
	    EVP_CipherFinal_ex(sa->cipher, buf + n, &f) != 1 || (size_t)(n + f) != len ||
	    EVP_CIPHER_CTX_ctrl(sa->cipher, EVP_CTRL_GCM_GET_TAG, (int)sa->icv_len, tag) != 1)
		return -1;
	return 0;
}

static bool outbound_esp(const struct ipsec_sa *sa)
{
	return !sa->inbound && sa->p.protocol == IKG_PROTO_ESP;
}

int ipsec_esp_encap(struct ipsec_sa *sa, struct ikg_pkt *pkt)
{
	struct ipv4_view inner;
	if (!outbound_esp(sa) || ipv4_parse(pkt_start(pkt), pkt->len, false, &inner) != 0)
		return -1;
	size_t inner_len = inner.total_len;  /* bytes beyond it (link padding) are not sent */
	size_t pad = esp_pad_len(sa, inner_len);
	size_t head = ESP_HDR_LEN + sa->iv_len + IPV4_HDR_LEN + (sa->p.udp_encap ? UDP_HDR_LEN : 0);
	size_t tail = pad + ESP_TRAILER_LEN + sa->icv_len;
	uint32_t seq;
	if (pkt_headroom(pkt) < head || pkt_tailroom(pkt) < tail ||
	    inner_len + head + tail > UINT16_MAX || !sa_next_seq(sa, &seq))
		return -1;
	uint16_t off = pkt->off, len = pkt->len;

	pkt->len = (uint16_t)inner_len;
	uint8_t *trailer = pkt_put(pkt, pad + ESP_TRAILER_LEN);
	for (size_t i = 0; i < pad; i++)
		trailer[i] = (uint8_t)(i + 1);
	trailer[pad] = (uint8_t)pad;
	trailer[pad + 1] = NEXT_HDR_IPV4;
	size_t pt_len = pkt->len;

	uint8_t *esp = pkt_push(pkt, ESP_HDR_LEN + sa->iv_len);
	put_be32(esp, sa->p.spi);
	put_be32(esp + 4, seq);
	uint8_t *iv = esp + ESP_HDR_LEN, *pt = iv + sa->iv_len;
	uint8_t *icv = pkt_put(pkt, sa->icv_len);

	int rc = 0;
	if (sa->mode == SA_MODE_GCM) {
		rc = encrypt_gcm(sa, esp, iv, pt, pt_len, icv);
	} else {
		if (sa->mode == SA_MODE_CBC)
			rc = encrypt_cbc(sa, iv, pt, pt_len);
		struct ikg_bytes covered = {esp, (size_t)(icv - esp)};
		if (rc == 0)
			rc = sa_icv(sa, &covered, 1, icv);
	}
	if (rc != 0) {
		pkt->off = off;               /* the inner bytes may be encrypted: caller drops */
		pkt->len = len;
		return -1;
	}
	sa_push_outer(sa, pkt, inner.tos, (uint16_t)seq);
	sa_account(sa, inner_len);
	return 0;
}

/* ---- inbound ---- */

/* Verifies the ICV of a CBC/NULL packet: HMAC over SPI .. end of ciphertext. */
static bool icv_ok(struct ipsec_sa *sa, const uint8_t *esp, size_t covered_len,
		   const uint8_t *icv)
{
	uint8_t want[IPSEC_MAX_ICV];
	struct ikg_bytes covered = {esp, covered_len};
	if (sa_icv(sa, &covered, 1, want) != 0)
		return false;
	return CRYPTO_memcmp(want, icv, sa->icv_len) == 0;
}

static int decrypt_cbc(struct ipsec_sa *sa, const uint8_t *iv, uint8_t *buf, size_t len)
{
	int n = 0, f = 0;
	if (EVP_CipherInit_ex(sa->cipher, NULL, NULL, NULL, iv, -1) != 1 ||
	    EVP_CipherUpdate(sa->cipher, buf, &n, buf, (int)len) != 1 ||
	    EVP_CipherFinal_ex(sa->cipher, buf + n, &f) != 1 || (size_t)(n + f) != len)
		return -1;
	return 0;
}

/* Decrypts and verifies the tag in one pass; false when the tag does not verify. */
static bool decrypt_gcm(struct ipsec_sa *sa, const uint8_t *esp, const uint8_t *iv,
			uint8_t *buf, size_t len, uint8_t *icv)
{
	uint8_t nonce[GCM_NONCE_LEN];
	int n = 0, f = 0, a = 0;
	gcm_nonce(sa, iv, nonce);
	return EVP_CipherInit_ex(sa->cipher, NULL, NULL, NULL, nonce, -1) == 1 &&
	       EVP_CIPHER_CTX_ctrl(sa->cipher, EVP_CTRL_GCM_SET_TAG, (int)sa->icv_len, icv) == 1 &&
	       EVP_CipherUpdate(sa->cipher, NULL, &a, esp, GCM_AAD_LEN) == 1 &&
	       EVP_CipherUpdate(sa->cipher, buf, &n, buf, (int)len) == 1 &&
	       EVP_CipherFinal_ex(sa->cipher, buf + n, &f) == 1 && (size_t)(n + f) == len;
}

/* The decrypted trailer: pad bytes 1,2,3,..., pad length, next header 4. Returns the payload
 * length, or -1. */
static long parse_trailer(const uint8_t *pt, size_t len)
{
	struct rd r = rd_init(pt, len);
	const uint8_t *tail;
	if (len < ESP_TRAILER_LEN || rd_skip(&r, len - ESP_TRAILER_LEN) != 0 ||
	    rd_bytes(&r, ESP_TRAILER_LEN, &tail) != 0)
		return -1;
	uint8_t pad_len = tail[0], next_hdr = tail[1];
	if (next_hdr != NEXT_HDR_IPV4 || (size_t)pad_len + ESP_TRAILER_LEN > len)
		return -1;
	/* The pad bytes lie within pt[0, len - 2): checked just above. */
	size_t payload = len - ESP_TRAILER_LEN - pad_len;
	uint8_t bad = 0;
	for (size_t i = 0; i < pad_len; i++)
		bad |= (uint8_t)(pt[payload + i] ^ (uint8_t)(i + 1));
	return bad ? -1 : (long)payload;
}

int ipsec_esp_decap(struct ipsec_sa *sa, struct ikg_pkt *pkt, enum rx_discard *why)
{
	struct esp_view v;
	struct ipsec_sa_stats *st = &sa->stats;
	if (!sa->inbound || sa->p.protocol != IKG_PROTO_ESP)
		return sa_discard(NULL, RXD_SA_MISMATCH, why);
	uint8_t *esp = pkt_start(pkt);
	if (esp_parse(esp, pkt->len, &v) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	/* Room for IV, the 2-byte trailer and the ICV; CBC ciphertext in whole blocks. */
	if (v.body_len < sa->iv_len + sa->icv_len + ESP_TRAILER_LEN)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	size_t ct_len = v.body_len - sa->iv_len - sa->icv_len;
	if ((sa->mode == SA_MODE_CBC && ct_len % sa->block_len) || sa_hard_limit_reached(sa))
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	if (!replay_check(&sa->replay, v.seq))
		return sa_discard(&st->replay_drops, RXD_ESP_AH_ERROR, why);

	const uint8_t *iv = v.body;
	uint8_t *ct = esp + ESP_HDR_LEN + sa->iv_len;
	uint8_t *icv = ct + ct_len;
	if (sa->mode == SA_MODE_GCM) {
		if (!decrypt_gcm(sa, esp, iv, ct, ct_len, icv))
			return sa_discard(&st->auth_failures, RXD_ESP_AH_ERROR, why);
	} else if (!icv_ok(sa, esp, (size_t)(icv - esp), icv)) {
		return sa_discard(&st->auth_failures, RXD_ESP_AH_ERROR, why);
	}
	if (!replay_update(&sa->replay, v.seq))
		return sa_discard(&st->replay_drops, RXD_ESP_AH_ERROR, why);
	if (sa->mode == SA_MODE_CBC && decrypt_cbc(sa, iv, ct, ct_len) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);

	long payload = parse_trailer(ct, ct_len);
	if (payload < 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	pkt_pull(pkt, ESP_HDR_LEN + sa->iv_len);
	pkt->len = (uint16_t)payload;
	if (sa_trim_to_inner(pkt) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	sa_account(sa, pkt->len);
	return 0;
}
