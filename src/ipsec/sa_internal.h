/* The SA structure and the per-packet crypto helpers shared by esp.c and ah.c. Not for other
 * areas: they use ipsec/sa.h. */
#ifndef IKG_IPSEC_SA_INTERNAL_H
#define IKG_IPSEC_SA_INTERNAL_H

#include <openssl/evp.h>

#include "common/pkt.h"
#include "ipsec/counters.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "wire/ipv4.h"

enum sa_cipher_mode { SA_MODE_NONE = 0, SA_MODE_CBC, SA_MODE_GCM };

struct ipsec_sa {
	struct ipsec_sa_params p;      /* keys wiped after setup */
	bool inbound;
	enum sa_cipher_mode mode;
	size_t block_len;              /* padding alignment: cipher block or 4 */
	size_t iv_len;                 /* bytes of IV on the wire: block (CBC), 8 (GCM), 0 */
	size_t icv_len;
	uint8_t salt[IPSEC_GCM_SALT_LEN];
	EVP_CIPHER_CTX *cipher;        /* keyed once for this SA's direction */
	EVP_CIPHER_CTX *ivgen;         /* outbound CBC: AES-128-ECB under a random key */
	uint64_t iv_counter;
	EVP_MD_CTX *md_inner;          /* HMAC: digest state after (K ^ ipad) */
	EVP_MD_CTX *md_outer;          /* HMAC: digest state after (K ^ opad) */
	EVP_MD_CTX *md_work;
	/* Outbound: the outer IPv4 (+ UDP) header with length, id, TOS and checksum zero, built
	 * once at setup; hdr_sum is the folded one's-complement sum of its IPv4 header. */
	uint8_t hdr[IPV4_HDR_LEN + UDP_HDR_LEN];
	size_t hdr_len;
	uint32_t hdr_sum;
	uint32_t seq;                  /* outbound: last sent */
	struct replay_window replay;   /* inbound */
	struct ipsec_sa_stats stats;
};

/* HMAC over parts (from the precomputed key states), truncated to sa->icv_len into out. */
int sa_icv(struct ipsec_sa *sa, const struct ikg_bytes *parts, size_t n, uint8_t *out);
/* The next unpredictable CBC IV (sa->iv_len bytes). */
int sa_next_cbc_iv(struct ipsec_sa *sa, uint8_t *iv);
static inline bool sa_limit_reached(uint64_t value, uint64_t limit)
{
	return limit != 0 && value >= limit;
}
static inline bool sa_hard_limit_reached(const struct ipsec_sa *sa)
{
	return sa_limit_reached(sa->stats.bytes, sa->p.hard_bytes) ||
	       sa_limit_reached(sa->stats.packets, sa->p.hard_packets);
}
/* Outbound: the next sequence number, or false when the 32-bit space is exhausted (no ESN:
 * the counter must not cycle, RFC 4303 3.3.3) or a hard limit is reached (rekey). */
static inline bool sa_next_seq(struct ipsec_sa *sa, uint32_t *seq)
{
	if (sa->seq == UINT32_MAX || sa_hard_limit_reached(sa))
		return false;
	*seq = ++sa->seq;
	return true;
}
/* Accounting after a packet went through (len: inner packet bytes). */
static inline void sa_account(struct ipsec_sa *sa, size_t len)
{
	sa->stats.packets++;
	sa->stats.bytes += len;
}
/* Outbound: (re)builds the outer header template from the SA's addresses and ports. */
void sa_build_outer(struct ipsec_sa *sa);
/* Prepends the outer IPv4 (+ UDP for ESP-in-UDP) header from the template, with the given
 * TOS and id, total length = the packet after the push. The caller checked the headroom. */
uint8_t *sa_push_outer(struct ipsec_sa *sa, struct ikg_pkt *pkt, uint8_t tos, uint16_t id);
/* The decapsulated payload must be an IPv4 packet (version, header and total length); bytes
 * after its total length (ESP TFC padding, RFC 4303 2.7) are cut. 0 or -1. */
int sa_trim_to_inner(struct ikg_pkt *pkt);
/* Inbound failure: bumps the SA's counter (NULL: none), reports the reason, returns -1. */
static inline int sa_discard(uint64_t *counter, enum rx_discard r, enum rx_discard *why)
{
	if (counter)
		(*counter)++;
	*why = r;
	return -1;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
