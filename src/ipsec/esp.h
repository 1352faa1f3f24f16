/* ESP (RFC 4303) tunnel mode, optionally in UDP (RFC 3948), over the SA's OpenSSL contexts.
 * No allocation: the packet grows into its own headroom and tailroom. */
#ifndef IKG_IPSEC_ESP_H
#define IKG_IPSEC_ESP_H

#include "common/pkt.h"
#include "ipsec/counters.h"
#include "ipsec/sa.h"

/* Outbound. pkt holds an inner IPv4 packet; on success (0) it holds the outer IPv4 packet:
 * IPv4 (protocol 50, or 17 + UDP src/dst ports of the SA with checksum 0 when udp_encap) | SPI |
 * seq | IV | ciphertext of (inner | padding 1,2,3.. | pad length | next header 4) | ICV. The outer
 * TOS is copied from the inner header, TTL 64, DF clear, id = low 16 bits of seq.
 * -1 and pkt unchanged when: not an outbound ESP SA, the inner packet is not IPv4, no
 * head/tail room, the sequence number space or a hard limit is exhausted (rekey:
 * ipsec_sa_hard_expired() then says so). -1 with pkt's bytes unspecified (drop it) when
 * OpenSSL fails. */
int ipsec_esp_encap(struct ipsec_sa *sa, struct ikg_pkt *pkt);

/* Inbound. pkt holds the ESP packet starting at the SPI (the IPv4 payload for protocol 50, or
 * the UDP payload for ESP-in-UDP, after the caller removed the outer headers and trimmed to the
 * outer IPv4 total length). Order: length checks, replay pre-check, ICV (constant time),
 * replay window update, decryption, padding (1,2,3,...) and next header (4) checks, inner IPv4
 * header check. On success (0) pkt holds the inner IPv4 packet (trimmed to its total length).
 * On failure (-1) *why is exactly one reason: RXD_ESP_AH_ERROR (too short, bad ICV, replay,
 * bad padding, next header not IPv4, inner packet not IPv4, hard limit reached),
 * RXD_SA_MISMATCH (the SA is not an inbound ESP SA). The SPI is not compared with the SA's
 * (the caller found the SA by it): it is authenticated like the rest, so a packet whose SPI
 * differs from the SA's fails the ICV.
 * pkt's bytes are then unspecified: drop it. */
int ipsec_esp_decap(struct ipsec_sa *sa, struct ikg_pkt *pkt, enum rx_discard *why);

#endif
