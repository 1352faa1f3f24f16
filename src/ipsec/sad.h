/* Security Association Database of inbound SAs, keyed by (SPI, protocol): an open-addressing
 * hash table (linear probing, backward-shift deletion, load <= 1/2), O(1) lookups at tens of
 * thousands of SAs. The table does not own the SAs: removing one hands it back to the caller,
 * who frees it with ipsec_sa_free. Outbound SAs are not kept here (their SPIs are chosen by
 * the peer and may collide with ours). */
#ifndef IKG_IPSEC_SAD_H
#define IKG_IPSEC_SAD_H

#include "ipsec/counters.h"
#include "ipsec/sa.h"

struct ipsec_sad;

/* expected: a sizing hint (0 is fine); the table grows when needed (on add only). */
struct ipsec_sad *ipsec_sad_new(size_t expected);
/* Frees the table, not the SAs. */
void ipsec_sad_free(struct ipsec_sad *sad);
/* Adds sa under (ipsec_sa_spi(sa), ipsec_sa_protocol(sa)). 0, or -1 when that key is taken
 * or memory runs out. */
int ipsec_sad_add(struct ipsec_sad *sad, struct ipsec_sa *sa);
/* Removes and returns the SA with that key (NULL if none). */
struct ipsec_sa *ipsec_sad_remove(struct ipsec_sad *sad, uint32_t spi, uint8_t protocol);
struct ipsec_sa *ipsec_sad_lookup(const struct ipsec_sad *sad, uint32_t spi, uint8_t protocol);
/* Lookup for a received packet: the SA, or NULL with *why = RXD_SA_MISMATCH when the SPI
 * exists under the other protocol (ESP vs AH), RXD_UNKNOWN_PROTOCOL when protocol is neither
 * ESP nor AH (e.g. IPComp), else RXD_UNKNOWN_SPI. */
struct ipsec_sa *ipsec_sad_lookup_rx(const struct ipsec_sad *sad, uint32_t spi,
				     uint8_t protocol, enum rx_discard *why);
size_t ipsec_sad_count(const struct ipsec_sad *sad);
/* Iteration for views: start with *iter = 0; returns the next SA or NULL at the end. The
 * table must not change during an iteration. */
struct ipsec_sa *ipsec_sad_next(const struct ipsec_sad *sad, size_t *iter);

#endif
