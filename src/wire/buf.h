/* Bounded reader and writer: the only way the core touches untrusted bytes. A reader never
 * reads past its end; every take checks the length first. A writer never writes past its
 * capacity; overflow is sticky and checked once at the end. */
#ifndef IKG_BUF_H
#define IKG_BUF_H

#include "common/types.h"

struct rd {
	const uint8_t *p;
	size_t len;   /* bytes left */
};

static inline struct rd rd_init(const uint8_t *p, size_t len) { return (struct rd){p, len}; }
int rd_u8(struct rd *r, uint8_t *v);
int rd_u16(struct rd *r, uint16_t *v);   /* network byte order */
int rd_u32(struct rd *r, uint32_t *v);
/* Points *out at the next n bytes and advances; -1 if fewer than n remain. */
int rd_bytes(struct rd *r, size_t n, const uint8_t **out);
/* A sub-reader of exactly n bytes (advances r past them); -1 if fewer than n remain. */
int rd_sub(struct rd *r, size_t n, struct rd *out);
int rd_skip(struct rd *r, size_t n);

struct wr {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

static inline struct wr wr_init(uint8_t *p, size_t cap) { return (struct wr){p, cap, 0, false}; }
void wr_u8(struct wr *w, uint8_t v);
void wr_u16(struct wr *w, uint16_t v);
void wr_u32(struct wr *w, uint32_t v);
void wr_bytes(struct wr *w, const void *p, size_t n);
void wr_zero(struct wr *w, size_t n);
/* Reserves n bytes and returns where they start (NULL on overflow), e.g. for a length field
 * patched later with wr_patch_u16. */
uint8_t *wr_reserve(struct wr *w, size_t n);
void wr_patch_u16(struct wr *w, size_t at, uint16_t v);
void wr_patch_u32(struct wr *w, size_t at, uint32_t v);

#endif
