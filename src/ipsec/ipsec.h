/* The IPsec data plane in one include: SA, SAD, SPD, ESP/AH, plus the two calls the gateway
 * makes per packet. */
#ifndef IKG_IPSEC_H
#define IKG_IPSEC_H

#include "common/pkt.h"
#include "ipsec/ah.h"
#include "ipsec/counters.h"
#include "ipsec/esp.h"
#include "ipsec/sa.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

/* Outbound: ESP or AH encapsulation by the SA's protocol (see ipsec_esp_encap). 0 or -1. */
int ipsec_output(struct ipsec_sa *sa, struct ikg_pkt *pkt);

/* Inbound: pkt holds a whole outer IPv4 packet of protocol 50 (ESP), 51 (AH) or 17 (UDP to
 * port 4500 carrying ESP, RFC 3948; the caller hands IKE and keepalives on 4500 to IKE before).
 * Finds the SA in the SAD by (SPI, protocol) and decapsulates. On success (0) pkt holds the
 * inner IPv4 packet and *sa_out the SA (ipsec_sa_profile() tells the profile); the caller then
 * applies ipsec_spd_check_inbound_pkt. On failure (-1) *why is exactly one reason and *sa_out
 * is the SA when one was found (NULL otherwise), for per-SA accounting:
 *   RXD_UNKNOWN_PROTOCOL  not ESP/AH/ESP-in-UDP (e.g. IPComp 108), UDP not to port 4500
 *   RXD_UNKNOWN_SPI       no SA with that SPI
 *   RXD_SA_MISMATCH       the SPI belongs to an SA of the other protocol
 *   RXD_ESP_AH_ERROR      malformed/too short, outer fragment, bad ICV, replay, bad padding... */
int ipsec_input(struct ipsec_sad *sad, struct ikg_pkt *pkt, struct ipsec_sa **sa_out,
		enum rx_discard *why);

#endif
