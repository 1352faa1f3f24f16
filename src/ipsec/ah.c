#include "ipsec/ah.h"

#include <openssl/crypto.h>
#include <string.h>

#include "ipsec/sa_internal.h"
#include "wire/esp.h"
#include "wire/ipv4.h"

#define NEXT_HDR_IPV4 4
#define IPV4_MAX_HDR 60

/* Offsets in an IPv4 header of the fields RFC 4302 3.3.3.1.1.1 calls mutable. */
#define IP_TOS_AT 1
#define IP_FRAG_AT 6
#define IP_TTL_AT 8
#define IP_CSUM_AT 10

/* Copies an IPv4 header with TOS, flags/fragment offset, TTL and checksum zeroed. */
static void zero_mutable(uint8_t *dst, const uint8_t *hdr, size_t len)
{
	memcpy(dst, hdr, len);
	dst[IP_TOS_AT] = 0;
	dst[IP_FRAG_AT] = dst[IP_FRAG_AT + 1] = 0;
	dst[IP_TTL_AT] = 0;
	dst[IP_CSUM_AT] = dst[IP_CSUM_AT + 1] = 0;
}

static size_t ah_hdr_len(const struct ipsec_sa *sa)
{
	return AH_FIXED_LEN + sa->icv_len;     /* 12/16/32-byte ICVs keep 4-byte alignment */
}

int ipsec_ah_encap(struct ipsec_sa *sa, struct ikg_pkt *pkt)
{
	struct ipv4_view inner;
	if (sa->inbound || sa->p.protocol != IKG_PROTO_AH ||
	    ipv4_parse(pkt_start(pkt), pkt->len, false, &inner) != 0)
		return -1;
	size_t hlen = ah_hdr_len(sa), inner_len = inner.total_len;
	uint32_t seq;
	if (pkt_headroom(pkt) < IPV4_HDR_LEN + hlen || inner_len + IPV4_HDR_LEN + hlen > UINT16_MAX ||
	    !sa_next_seq(sa, &seq))
		return -1;
	uint16_t off = pkt->off, len = pkt->len;

	pkt->len = (uint16_t)inner_len;      /* bytes beyond the inner total length are not sent */
	uint8_t *ah = pkt_push(pkt, hlen);
	ah[0] = NEXT_HDR_IPV4;
	ah[1] = (uint8_t)(hlen / 4 - 2);
	ah[2] = ah[3] = 0;
	put_be32(ah + 4, sa->p.spi);
	put_be32(ah + 8, seq);
	memset(ah + AH_FIXED_LEN, 0, sa->icv_len);
	uint8_t *ip = sa_push_outer(sa, pkt, inner.tos, (uint16_t)seq);

	uint8_t hdr[IPV4_HDR_LEN], icv[IPSEC_MAX_ICV];
	zero_mutable(hdr, ip, IPV4_HDR_LEN);
	struct ikg_bytes parts[2] = {{hdr, IPV4_HDR_LEN}, {ah, pkt->len - IPV4_HDR_LEN}};
	if (sa_icv(sa, parts, 2, icv) != 0) {
		pkt->off = off;
		pkt->len = len;
		return -1;
	}
	memcpy(ah + AH_FIXED_LEN, icv, sa->icv_len);
	sa_account(sa, inner_len);
	return 0;
}

static bool ah_icv_ok(struct ipsec_sa *sa, const struct ipv4_view *o, const uint8_t *ip,
		      const struct ah_view *a)
{
	static const uint8_t zeros[IPSEC_MAX_ICV];
	uint8_t hdr[IPV4_MAX_HDR], want[IPSEC_MAX_ICV];
	zero_mutable(hdr, ip, o->ihl_bytes);
	struct ikg_bytes parts[4] = {
		{hdr, o->ihl_bytes},
		{o->payload, AH_FIXED_LEN},
		{zeros, a->icv_len},
		{a->payload, a->payload_len},
	};
	if (sa_icv(sa, parts, 4, want) != 0)
		return false;
	return CRYPTO_memcmp(want, a->icv, sa->icv_len) == 0;
}

int ipsec_ah_decap(struct ipsec_sa *sa, struct ikg_pkt *pkt, enum rx_discard *why)
{
	struct ipv4_view o;
	struct ah_view a;
	struct ipsec_sa_stats *st = &sa->stats;
	uint8_t *ip = pkt_start(pkt);
	if (!sa->inbound || sa->p.protocol != IKG_PROTO_AH)
		return sa_discard(NULL, RXD_SA_MISMATCH, why);
	if (ipv4_parse(ip, pkt->len, false, &o) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	if (o.protocol != IKG_PROTO_AH)
		return sa_discard(NULL, RXD_SA_MISMATCH, why);
	if (ah_parse(o.payload, o.payload_len, &a) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	if (a.icv_len != sa->icv_len || ipv4_is_fragment(&o) || sa_hard_limit_reached(sa))
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	if (!replay_check(&sa->replay, a.seq))
		return sa_discard(&st->replay_drops, RXD_ESP_AH_ERROR, why);
	if (!ah_icv_ok(sa, &o, ip, &a))
		return sa_discard(&st->auth_failures, RXD_ESP_AH_ERROR, why);
	if (!replay_update(&sa->replay, a.seq))
		return sa_discard(&st->replay_drops, RXD_ESP_AH_ERROR, why);
	if (a.next_header != NEXT_HDR_IPV4)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	pkt_pull(pkt, o.ihl_bytes + a.hdr_len);
	pkt->len = (uint16_t)a.payload_len;
	if (sa_trim_to_inner(pkt) != 0)
		return sa_discard(&st->other_errors, RXD_ESP_AH_ERROR, why);
	sa_account(sa, pkt->len);
	return 0;
}
