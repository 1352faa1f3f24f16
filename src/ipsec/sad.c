#include "ipsec/sad.h"

#include <stdlib.h>

#include "common/algs.h"

struct sad_slot {
	uint32_t spi;
	uint8_t protocol;
	struct ipsec_sa *sa;           /* NULL: empty slot */
};

struct ipsec_sad {
	struct sad_slot *slots;
	size_t cap;                    /* power of two */
	size_t count;
};

#define SAD_MIN_CAP 16

static size_t slot_of(const struct ipsec_sad *sad, uint32_t spi, uint8_t protocol)
{
	uint64_t k = ((uint64_t)spi << 8 | protocol) * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(k >> 32) & (sad->cap - 1);
}

static size_t cap_for(size_t n)
{
	size_t cap = SAD_MIN_CAP;
	while (cap < 2 * n)
		cap <<= 1;
	return cap;
}

struct ipsec_sad *ipsec_sad_new(size_t expected)
{
	struct ipsec_sad *sad = calloc(1, sizeof(*sad));
	if (!sad)
		return NULL;
	sad->cap = cap_for(expected);
	sad->slots = calloc(sad->cap, sizeof(*sad->slots));
	if (!sad->slots) {
		free(sad);
		return NULL;
	}
	return sad;
}

void ipsec_sad_free(struct ipsec_sad *sad)
{
	if (!sad)
		return;
	free(sad->slots);
	free(sad);
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t probe(const struct ipsec_sad *sad, uint32_t spi, uint8_t protocol)
{
	size_t i = slot_of(sad, spi, protocol);
	while (sad->slots[i].sa &&
	       (sad->slots[i].spi != spi || sad->slots[i].protocol != protocol))
		i = (i + 1) & (sad->cap - 1);
	return i;
}

static int grow(struct ipsec_sad *sad)
{
	size_t old_cap = sad->cap;
	struct sad_slot *old = sad->slots;
	struct sad_slot *n = calloc(old_cap * 2, sizeof(*n));
	if (!n)
		return -1;
	sad->slots = n;
	sad->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].sa)
			sad->slots[probe(sad, old[i].spi, old[i].protocol)] = old[i];
	free(old);
	return 0;
}

int ipsec_sad_add(struct ipsec_sad *sad, struct ipsec_sa *sa)
{
	uint32_t spi = ipsec_sa_spi(sa);
	uint8_t protocol = ipsec_sa_protocol(sa);
	if (ipsec_sad_lookup(sad, spi, protocol))
		return -1;
	if (2 * (sad->count + 1) > sad->cap && grow(sad) != 0)
		return -1;
	sad->slots[probe(sad, spi, protocol)] = (struct sad_slot){spi, protocol, sa};
	sad->count++;
	return 0;
}

/* Backward-shift deletion: moves later members of the probe run into the hole so that no
 * tombstones are needed and lookups stay short. */
static void remove_at(struct ipsec_sad *sad, size_t hole)
{
	size_t mask = sad->cap - 1, i = hole;
	for (;;) {
		i = (i + 1) & mask;
		if (!sad->slots[i].sa)
			break;
		size_t home = slot_of(sad, sad->slots[i].spi, sad->slots[i].protocol);
		/* The entry at i may move to the hole when its home is not in (hole, i]. */
		bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
		if (!stays) {
			sad->slots[hole] = sad->slots[i];
			hole = i;
		}
	}
	sad->slots[hole] = (struct sad_slot){0};
}

struct ipsec_sa *ipsec_sad_remove(struct ipsec_sad *sad, uint32_t spi, uint8_t protocol)
{
	size_t i = probe(sad, spi, protocol);
	struct ipsec_sa *sa = sad->slots[i].sa;
	if (!sa)
		return NULL;
	remove_at(sad, i);
	sad->count--;
	return sa;
}

struct ipsec_sa *ipsec_sad_lookup(const struct ipsec_sad *sad, uint32_t spi, uint8_t protocol)
{
	return sad->slots[probe(sad, spi, protocol)].sa;
}

struct ipsec_sa *ipsec_sad_lookup_rx(const struct ipsec_sad *sad, uint32_t spi,
				     uint8_t protocol, enum rx_discard *why)
{
	if (protocol != IKG_PROTO_ESP && protocol != IKG_PROTO_AH) {
		*why = RXD_UNKNOWN_PROTOCOL;
		return NULL;
	}
	struct ipsec_sa *sa = ipsec_sad_lookup(sad, spi, protocol);
	if (sa)
		return sa;
	uint8_t other = protocol == IKG_PROTO_ESP ? IKG_PROTO_AH : IKG_PROTO_ESP;
	*why = ipsec_sad_lookup(sad, spi, other) ? RXD_SA_MISMATCH : RXD_UNKNOWN_SPI;
	return NULL;
}

size_t ipsec_sad_count(const struct ipsec_sad *sad)
{
	return sad->count;
}

struct ipsec_sa *ipsec_sad_next(const struct ipsec_sad *sad, size_t *iter)
{
	while (*iter < sad->cap) {
		struct ipsec_sa *sa = sad->slots[(*iter)++].sa;
		if (sa)
			return sa;
	}
	return NULL;
}
