/* AH (RFC 4302) tunnel mode with HMAC-MD5-96, HMAC-SHA1-96, HMAC-SHA2-256-128, HMAC-SHA2-512-256.
 * The ICV covers the outer IPv4 header (TOS, flags/fragment offset, TTL and checksum zeroed;
 * options as they are), the AH header with the ICV zeroed, and the inner packet: so AH does
 * not survive a NAT (the outer addresses are covered) — expected. */
#ifndef IKG_IPSEC_AH_H
#define IKG_IPSEC_AH_H

#include "common/pkt.h"
#include "ipsec/counters.h"
#include "ipsec/sa.h"

/* Outbound. pkt holds an inner IPv4 packet; on success (0) the outer IPv4 packet: IPv4
 * (protocol 51, TOS copied from the inner, TTL 64) | AH (next header 4, ICV) | inner.
 * -1 as for ipsec_esp_encap. */
int ipsec_ah_encap(struct ipsec_sa *sa, struct ikg_pkt *pkt);

/* Inbound. pkt holds the whole outer IPv4 packet (from the IPv4 header: AH authenticates it).
 * On success (0) pkt holds the inner IPv4 packet. On failure (-1) *why: RXD_ESP_AH_ERROR
 * (malformed/too short, ICV length or value wrong, replay, next header not IPv4, inner not
 * IPv4), RXD_SA_MISMATCH (not protocol 51, or not an inbound AH SA). As for ESP, the SPI is
 * authenticated, not compared. */
int ipsec_ah_decap(struct ipsec_sa *sa, struct ikg_pkt *pkt, enum rx_discard *why);

#endif
