/* Journal record codec (see journal.h for the layout). */
#include "log/journal.h"

#include <string.h>

/* CRC-32 four bits at a time: a 16-entry table of the reflected polynomial 0xEDB88320. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
	0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t journal_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0F];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0F];
	}
	return crc ^ 0xFFFFFFFFu;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)(v >> 16));
	put_u16(p + 2, (uint16_t)v);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)(v >> 32));
	put_u32(p + 4, (uint32_t)v);
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get_u32(const uint8_t *p) { return (uint32_t)get_u16(p) << 16 | get_u16(p + 2); }
static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) << 32 | get_u32(p + 4); }

size_t journal_encode(const struct ikg_event *ev, uint8_t *buf, size_t cap)
{
	size_t profile_len = strnlen(ev->profile, sizeof(ev->profile) - 1);
	size_t text_len = strnlen(ev->text, sizeof(ev->text) - 1);
	size_t evidence_len = strnlen(ev->evidence, sizeof(ev->evidence) - 1);
	size_t payload = 8 + 2 + 4 + 1 + profile_len + 1 + text_len + 2 + evidence_len;
	size_t total = JOURNAL_HEADER_LEN + payload + JOURNAL_TRAILER_LEN;
	if (!buf || cap < total)
		return 0;

	uint8_t *p = buf;
	memcpy(p, JOURNAL_MAGIC, 4);
	p[4] = JOURNAL_VERSION;
	p[5] = 0;
	put_u16(p + 6, (uint16_t)payload);
	p += JOURNAL_HEADER_LEN;
	put_u64(p, ev->when);
	put_u16(p + 8, (uint16_t)ev->code);
	put_u32(p + 10, ev->peer);
	p += 14;
	*p++ = (uint8_t)profile_len;
	memcpy(p, ev->profile, profile_len);
	p += profile_len;
	*p++ = (uint8_t)text_len;
	memcpy(p, ev->text, text_len);
	p += text_len;
	put_u16(p, (uint16_t)evidence_len);
	p += 2;
	memcpy(p, ev->evidence, evidence_len);
	p += evidence_len;
	put_u32(p, journal_crc32(buf, (size_t)(p - buf)));
	return total;
}

/* A bounded cursor over one record's payload. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	if (n > c->left)
		return NULL;
	const uint8_t *r = c->p;
	c->p += n;
	c->left -= n;
	return r;
}

/* A length-prefixed string into dst[cap]; false when it does not fit or holds a NUL. */
static bool take_str(struct cursor *c, size_t len, char *dst, size_t cap)
{
	if (len >= cap)
		return false;
	const uint8_t *s = take(c, len);
	if (!s || memchr(s, 0, len))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

static bool decode_payload(const uint8_t *p, size_t len, struct ikg_event *ev)
{
	struct cursor c = {p, len};
	const uint8_t *fixed = take(&c, 14);
	if (!fixed)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->when = get_u64(fixed);
	ev->code = (enum ikg_msg)get_u16(fixed + 8);
	ev->peer = get_u32(fixed + 10);
	const uint8_t *n = take(&c, 1);
	if (!n || !take_str(&c, *n, ev->profile, sizeof(ev->profile)))
		return false;
	if (!(n = take(&c, 1)) || !take_str(&c, *n, ev->text, sizeof(ev->text)))
		return false;
	if (!(n = take(&c, 2)) || !take_str(&c, get_u16(n), ev->evidence, sizeof(ev->evidence)))
		return false;
	return c.left == 0;
}

/* Length of the valid record at p, or 0 when it is torn or corrupt. */
static size_t decode_one(const uint8_t *p, size_t left, struct ikg_event *ev)
{
	if (left < JOURNAL_HEADER_LEN + JOURNAL_TRAILER_LEN)
		return 0;
	if (memcmp(p, JOURNAL_MAGIC, 4) != 0 || p[4] != JOURNAL_VERSION || p[5] != 0)
		return 0;
	size_t payload = get_u16(p + 6);
	size_t total = JOURNAL_HEADER_LEN + payload + JOURNAL_TRAILER_LEN;
	if (total > left)
		return 0;
	size_t body = JOURNAL_HEADER_LEN + payload;
	if (journal_crc32(p, body) != get_u32(p + body))
		return 0;
	if (!decode_payload(p + JOURNAL_HEADER_LEN, payload, ev))
		return 0;
	return total;
}

size_t journal_decode_all(const uint8_t *buf, size_t len,
			  void (*cb)(void *ctx, const struct ikg_event *ev), void *ctx,
			  size_t *valid_len)
{
	size_t off = 0, count = 0;
	struct ikg_event ev;
	while (buf && off < len) {
		size_t n = decode_one(buf + off, len - off, &ev);
		if (n == 0)
			break;
		if (cb)
			cb(ctx, &ev);
		off += n;
		count++;
	}
	if (valid_len)
		*valid_len = off;
	return count;
}
