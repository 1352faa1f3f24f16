/* Route sets: CIDR decomposition of member ranges (routes.h). Pure: no I/O. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/routes.h"

void route_set_free(struct route_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool route_set_has(const struct route_set *s, ikg_ip4 dst, uint8_t plen)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dst == dst && s->v[i].plen == plen)
			return true;
	return false;
}

static int route_set_push(struct route_set *s, ikg_ip4 dst, uint8_t plen)
{
	if (route_set_has(s, dst, plen))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct route *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct route){ dst, plen };
	return 0;
}

int route_set_add_range(struct route_set *s, const struct ikg_range *r)
{
	uint64_t lo = r->lo, hi = r->hi;
	while (lo <= hi) {
		/* the largest aligned block starting at lo that stays within hi */
		int bits = 0;
		while (bits < 32) {
			uint64_t size = 1ull << (bits + 1);
			if ((lo & (size - 1)) != 0 || lo + size - 1 > hi)
				break;
			bits++;
		}
		if (bits == 32) {
			if (route_set_push(s, 0, 1) < 0 || route_set_push(s, 0x80000000u, 1) < 0)
				return -1;
		} else if (route_set_push(s, (ikg_ip4)lo, (uint8_t)(32 - bits)) < 0) {
			return -1;
		}
		lo += 1ull << bits;
	}
	return 0;
}

