/* Per-profile VPN counters of the Quick View and the six Rx discard reasons of the technote. */
#ifndef IKG_COUNTERS_H
#define IKG_COUNTERS_H

#include <stdint.h>

enum rx_discard {
	RXD_UNKNOWN_PROTOCOL = 0, /* unknown protocol (ESP, AH, IP compression mismatch) */
	RXD_UNKNOWN_SPI,          /* no match to existing SA bundles */
	RXD_ESP_AH_ERROR,         /* bad ICV, bad padding, replay, too short */
	RXD_SA_MISMATCH,          /* protocol in packet does not match the SA */
	RXD_BAD_SOURCE,           /* inner source not in any remote member range */
	RXD_BAD_DESTINATION,      /* inner destination not in any local member range */
	RXD__COUNT
};

struct vpn_counters {
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_discards;              /* sum of discards[] */
	uint64_t discards[RXD__COUNT];
	uint64_t tx_queued, tx_queue_dropped; /* traffic-triggered queue */
};

/* "unknown-protocol", ... as in design.md §2 */
const char *rx_discard_name(enum rx_discard r);
/* The technote's wording, e.g. "Unknown SPI (no match to existing SA bundles)" */
const char *rx_discard_text(enum rx_discard r);

static inline void vpn_count_discard(struct vpn_counters *c, enum rx_discard r)
{
	c->discards[r]++;
	c->rx_discards++;
}

#endif
