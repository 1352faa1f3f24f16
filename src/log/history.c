/* The WAN Event History ring: a fixed array, oldest first, the oldest dropped when full. */
#include "log/history.h"

#include <stdlib.h>
#include <string.h>

struct history {
	struct ikg_event *ring;
	size_t cap;
	size_t head;  /* index of the oldest */
	size_t count;
	uint64_t seq;
};

struct history *history_new(size_t capacity)
{
	if (capacity == 0)
		capacity = 1;
	struct history *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ring = calloc(capacity, sizeof(*h->ring));
	if (!h->ring) {
		free(h);
		return NULL;
	}
	h->cap = capacity;
	return h;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	free(h->ring);
	free(h);
}

void history_add(struct history *h, const struct ikg_event *ev)
{
	if (!h || !ev)
		return;
	if (h->count < h->cap) {
		h->ring[(h->head + h->count) % h->cap] = *ev;
		h->count++;
	} else {
		h->ring[h->head] = *ev;
		h->head = (h->head + 1) % h->cap;
	}
	h->seq++;
}

size_t history_count(const struct history *h) { return h ? h->count : 0; }

const struct ikg_event *history_get(const struct history *h, size_t i)
{
	if (!h || i >= h->count)
		return NULL;
	return &h->ring[(h->head + i) % h->cap];
}

void history_clear(struct history *h)
{
	if (!h)
		return;
	memset(h->ring, 0, h->cap * sizeof(*h->ring));
	h->head = 0;
	h->count = 0;
}

uint64_t history_seq(const struct history *h) { return h ? h->seq : 0; }
