/* Bounded reader and writer: the only way the core touches untrusted bytes. A reader never
 * reads past its end; every take checks the length first. A writer never writes past its
 * capacity; overflow is sticky and checked once at the end.
 *
 * The helpers are static inline: they sit on the packet path (every ipv4_parse, esp_parse,
 * udp_parse), where an out-of-line call per field cost more than the parse itself. */
#ifndef IKG_BUF_H
#define IKG_BUF_H

#include <string.h>

#include "common/types.h"

struct rd {
	const uint8_t *p;
	size_t len;   /* bytes left */
};

static inline struct rd rd_init(const uint8_t *p, size_t len) { return (struct rd){p, len}; }

static inline int rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->len--;
	return 0;
}

/* network byte order */
static inline int rd_u16(struct rd *r, uint16_t *v)
{
	if (r->len < 2)
		return -1;
	*v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return 0;
}

static inline int rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

/* Points *out at the next n bytes and advances; -1 if fewer than n remain. */
static inline int rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->len < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return 0;
}

/* A sub-reader of exactly n bytes (advances r past them); -1 if fewer than n remain. */
static inline int rd_sub(struct rd *r, size_t n, struct rd *out)
{
	const uint8_t *p;

	if (rd_bytes(r, n, &p) < 0)
		return -1;
	*out = rd_init(p, n);
	return 0;
}

static inline int rd_skip(struct rd *r, size_t n)
{
	const uint8_t *p;

	return rd_bytes(r, n, &p);
}

struct wr {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

static inline struct wr wr_init(uint8_t *p, size_t cap) { return (struct wr){p, cap, 0, false}; }

/* Reserves n bytes and returns where they start (NULL on overflow), e.g. for a length field
 * patched later with wr_patch_u16. */
static inline uint8_t *wr_reserve(struct wr *w, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

static inline void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *at = wr_reserve(w, 1);

	if (at)
		at[0] = v;
}

static inline void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *at = wr_reserve(w, 2);

	if (at) {
		at[0] = (uint8_t)(v >> 8);
		at[1] = (uint8_t)v;
	}
}

static inline void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *at = wr_reserve(w, 4);

	if (at) {
		at[0] = (uint8_t)(v >> 24);
		at[1] = (uint8_t)(v >> 16);
		at[2] = (uint8_t)(v >> 8);
		at[3] = (uint8_t)v;
	}
}

static inline void wr_bytes(struct wr *w, const void *p, size_t n)
{
	uint8_t *at = wr_reserve(w, n);

	if (at && n)
		memcpy(at, p, n);
}

static inline void wr_zero(struct wr *w, size_t n)
{
	uint8_t *at = wr_reserve(w, n);

	if (at && n)
		memset(at, 0, n);
}

static inline void wr_patch_u16(struct wr *w, size_t at, uint16_t v)
{
	if (w->overflow || at > w->len || w->len - at < 2) {
		w->overflow = true;
		return;
	}
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
}

static inline void wr_patch_u32(struct wr *w, size_t at, uint32_t v)
{
	if (w->overflow || at > w->len || w->len - at < 4) {
		w->overflow = true;
		return;
	}
	w->p[at] = (uint8_t)(v >> 24);
	w->p[at + 1] = (uint8_t)(v >> 16);
	w->p[at + 2] = (uint8_t)(v >> 8);
	w->p[at + 3] = (uint8_t)v;
}

#endif
