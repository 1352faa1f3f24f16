/* Anti-replay sliding window (RFC 4303 §3.4.3, bitmap laid out as in RFC 6479: a ring of
 * 64-bit blocks, so advancing the window clears whole blocks instead of shifting bits).
 * 32-bit sequence numbers (no ESN). Check and update are separate: check before the ICV is
 * verified (cheap rejection), update only after it verified. */
#ifndef IKG_IPSEC_REPLAY_H
#define IKG_IPSEC_REPLAY_H

#include "common/types.h"

struct replay_window {
	uint32_t top;          /* highest sequence number accepted so far, 0 = none yet */
	uint32_t width;        /* packets: a multiple of 64 */
	uint32_t mask;         /* nblocks - 1 (nblocks a power of two, >= width/64 + 1) */
	uint64_t *bits;        /* nblocks blocks; bit (seq & 63) of block (seq >> 6) & mask */
};

/* width: packets, rounded up to a multiple of 64 (0 = 128). 0 or -1 (allocation, too wide). */
int replay_init(struct replay_window *w, uint32_t width);
void replay_free(struct replay_window *w);
/* true when seq may be accepted: not 0, not older than the window, not seen before. */
bool replay_check(const struct replay_window *w, uint32_t seq);
/* Marks seq as received (advancing the window when it is new). Returns false (and changes
 * nothing) when replay_check would have refused seq. */
bool replay_update(struct replay_window *w, uint32_t seq);

#endif
