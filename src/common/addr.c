#include "common/addr.h"

#include <stdio.h>
#include <string.h>

int ikg_ip4_parse(const char *s, ikg_ip4 *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned o = 0, digits = 0;
		while (*s >= '0' && *s <= '9') {
			o = o * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || o > 255)
				return -1;
		}
		v = (v << 8) | o;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

const char *ikg_ip4_str(ikg_ip4 a, char *buf)
{
	snprintf(buf, IKG_IP4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static uint32_t prefix_mask(unsigned len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

int ikg_range_parse(const char *s, struct ikg_range *out)
{
	char tmp[64];
	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	char *sep = strpbrk(tmp, "/-");
	if (!sep) {
		ikg_ip4 a;
		if (ikg_ip4_parse(tmp, &a))
			return -1;
		out->lo = out->hi = a;
		return 0;
	}
	char kind = *sep;
	*sep = '\0';
	ikg_ip4 a;
	if (ikg_ip4_parse(tmp, &a))
		return -1;
	if (kind == '-') {
		ikg_ip4 b;
		if (ikg_ip4_parse(sep + 1, &b) || b < a)
			return -1;
		out->lo = a;
		out->hi = b;
		return 0;
	}
	const char *p = sep + 1;
	unsigned len = 0, digits = 0;
	while (*p >= '0' && *p <= '9') {
		len = len * 10 + (unsigned)(*p++ - '0');
		if (++digits > 2)
			return -1;
	}
	if (digits == 0 || *p != '\0' || len > 32)
		return -1;
	uint32_t m = prefix_mask(len);
	if (a & ~m)
		return -1;
	out->lo = a;
	out->hi = a | ~m;
	return 0;
}

int ikg_range_prefix_len(const struct ikg_range *r)
{
	for (unsigned len = 0; len <= 32; len++) {
		uint32_t m = prefix_mask(len);
		if ((r->lo & ~m) == 0 && r->hi == (r->lo | ~m))
			return (int)len;
	}
	return -1;
}

const char *ikg_range_str(const struct ikg_range *r, char *buf, size_t len)
{
	char a[IKG_IP4_STRLEN], b[IKG_IP4_STRLEN];
	int pl = ikg_range_prefix_len(r);
	if (pl == 32)
		snprintf(buf, len, "%s", ikg_ip4_str(r->lo, a));
	else if (pl >= 0)
		snprintf(buf, len, "%s/%d", ikg_ip4_str(r->lo, a), pl);
	else
		snprintf(buf, len, "%s-%s", ikg_ip4_str(r->lo, a), ikg_ip4_str(r->hi, b));
	return buf;
}

bool ikg_ranges_contain(const struct ikg_range *r, size_t n, ikg_ip4 a)
{
	for (size_t i = 0; i < n; i++)
		if (ikg_range_contains(&r[i], a))
			return true;
	return false;
}

bool ikg_range_overlaps(const struct ikg_range *a, const struct ikg_range *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

bool ikg_ip4_is_private(ikg_ip4 a)
{
	return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
	       (a >> 22) == (100u << 2 | 1);
}
