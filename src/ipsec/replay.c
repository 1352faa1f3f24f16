#include "ipsec/replay.h"

#include <stdlib.h>

#define BLOCK_BITS 64u
#define MAX_WIDTH 65536u

static uint32_t round_up_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

int replay_init(struct replay_window *w, uint32_t width)
{
	*w = (struct replay_window){0};
	if (width == 0)
		width = 128;
	if (width > MAX_WIDTH)
		return -1;
	width = (width + BLOCK_BITS - 1) / BLOCK_BITS * BLOCK_BITS;
	/* One block more than the window: the block holding `top` may be partly ahead of it. */
	uint32_t nblocks = round_up_pow2(width / BLOCK_BITS + 1);
	w->bits = calloc(nblocks, sizeof(*w->bits));
	if (!w->bits)
		return -1;
	w->width = width;
	w->mask = nblocks - 1;
	return 0;
}

void replay_free(struct replay_window *w)
{
	free(w->bits);
	*w = (struct replay_window){0};
}

static bool bit_is_set(const struct replay_window *w, uint32_t seq)
{
	return (w->bits[(seq / BLOCK_BITS) & w->mask] >> (seq % BLOCK_BITS)) & 1u;
}

bool replay_check(const struct replay_window *w, uint32_t seq)
{
	if (seq == 0)
		return false;
	if (seq > w->top)
		return true;
	if (w->top - seq >= w->width)
		return false;
	return !bit_is_set(w, seq);
}

/* Moves the window so that seq becomes the top: clears the blocks between the old top's block
 * (exclusive) and seq's block (inclusive), at most the whole ring. */
static void advance(struct replay_window *w, uint32_t seq)
{
	uint32_t old_block = w->top / BLOCK_BITS, new_block = seq / BLOCK_BITS;
	uint32_t n = new_block - old_block;
	if (n > w->mask + 1)
		n = w->mask + 1;
	for (uint32_t i = 1; i <= n; i++)
		w->bits[(old_block + i) & w->mask] = 0;
	w->top = seq;
}

bool replay_update(struct replay_window *w, uint32_t seq)
{
	if (!replay_check(w, seq))
		return false;
	if (seq > w->top)
		advance(w, seq);
	w->bits[(seq / BLOCK_BITS) & w->mask] |= UINT64_C(1) << (seq % BLOCK_BITS);
	return true;
}
