/* IPv4 addresses and member ranges: parse, format, match. */
#ifndef IKG_ADDR_H
#define IKG_ADDR_H

#include "common/types.h"

#define IKG_IP4_STRLEN 16

/* "a.b.c.d" -> 0 and *out, or -1. Strict: four decimal octets, no leading junk. */
int ikg_ip4_parse(const char *s, ikg_ip4 *out);
/* Formats into buf (at least IKG_IP4_STRLEN) and returns buf. */
const char *ikg_ip4_str(ikg_ip4 a, char *buf);
/* "a.b.c.d", "a.b.c.d/n" or "a.b.c.d-e.f.g.h" -> range; -1 on error (also for lo > hi or
 * host bits set in a CIDR). */
int ikg_range_parse(const char *s, struct ikg_range *out);
/* Formats "a.b.c.d/n" when the range is a CIDR block, else "lo-hi". buf >= 40 bytes. */
const char *ikg_range_str(const struct ikg_range *r, char *buf, size_t len);
/* Prefix length when the range is exactly a CIDR block, else -1. */
int ikg_range_prefix_len(const struct ikg_range *r);
static inline bool ikg_range_contains(const struct ikg_range *r, ikg_ip4 a)
{
	return a >= r->lo && a <= r->hi;
}
bool ikg_ranges_contain(const struct ikg_range *r, size_t n, ikg_ip4 a);
bool ikg_range_overlaps(const struct ikg_range *a, const struct ikg_range *b);
/* RFC 1918 and RFC 6598 (100.64/10): the technote's non-routable WAN addresses. */
bool ikg_ip4_is_private(ikg_ip4 a);

#endif
