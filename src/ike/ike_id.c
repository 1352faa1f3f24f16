/* Identities: phase-1 IDs from the configuration (local-id / remote-id) and quick-mode client
 * IDs from member ranges (RFC 2407 4.6.2). */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "ike/exchange.h"

/* "a.b.c.d" -> ID_IPV4_ADDR; "@host" -> ID_FQDN "host"; "user@host" -> ID_USER_FQDN;
 * anything else -> ID_FQDN. */
size_t id_encode(const char *conf, ikg_ip4 addr, uint8_t *type, uint8_t *data, size_t cap)
{
	ikg_ip4 a;

	if (!conf || !conf[0] || ikg_ip4_parse(conf, &a) == 0) {
		if (conf && conf[0])
			addr = a;
		if (cap < 4)
			return 0;
		*type = ID_IPV4_ADDR;
		data[0] = (uint8_t)(addr >> 24);
		data[1] = (uint8_t)(addr >> 16);
		data[2] = (uint8_t)(addr >> 8);
		data[3] = (uint8_t)addr;
		return 4;
	}
	const char *s = conf;
	if (s[0] == '@') {
		s++;
		*type = ID_FQDN;
	} else {
		*type = strchr(s, '@') ? ID_USER_FQDN : ID_FQDN;
	}
	size_t n = strlen(s);
	if (n == 0 || n > cap)
		return 0;
	memcpy(data, s, n);
	return n;
}

bool id_matches(const char *conf, ikg_ip4 default_addr, const struct isakmp_id *id)
{
	uint8_t type, data[IKG_ID_MAX];

	if (!conf || !conf[0])
		return true;                      /* no remote-id: the PSK (chosen by address) decides */
	size_t n = id_encode(conf, default_addr, &type, data, sizeof data);
	if (n == 0 || id->type != type || id->data.len != n)
		return false;
	if (type == ID_FQDN || type == ID_USER_FQDN) {
		for (size_t i = 0; i < n; i++) {
			uint8_t a = data[i], b = id->data.p[i];
			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b + 32);
			if (a != b)
				return false;
		}
		return true;
	}
	return memcmp(data, id->data.p, n) == 0;
}

static ikg_ip4 get32(const uint8_t *p)
{
	return (ikg_ip4)p[0] << 24 | (ikg_ip4)p[1] << 16 | (ikg_ip4)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void id_text(const struct isakmp_id *id, char *buf, size_t len)
{
	char a[IKG_IP4_STRLEN], b[IKG_IP4_STRLEN];
	struct ikg_range r;

	switch (id->type) {
	case ID_IPV4_ADDR:
		snprintf(buf, len, "%s", ikg_ip4_str(get32(id->data.p), a));
		return;
	case ID_IPV4_ADDR_SUBNET:
	case ID_IPV4_ADDR_RANGE:
		if (id_to_range(id, &r) == 0) {
			char t[48];
			snprintf(buf, len, "%s", ikg_range_str(&r, t, sizeof t));
		} else {
			snprintf(buf, len, "%s/%s(invalid)", ikg_ip4_str(get32(id->data.p), a),
				 ikg_ip4_str(get32(id->data.p + 4), b));
		}
		return;
	case ID_FQDN:
	case ID_USER_FQDN: {
		size_t n = 0;
		char tmp[72];
		for (size_t i = 0; i < id->data.len && n + 1 < sizeof tmp; i++) {
			uint8_t c = id->data.p[i];
			tmp[n++] = (c >= 0x20 && c < 0x7f && c != ';') ? (char)c : '?';
		}
		tmp[n] = 0;
		snprintf(buf, len, "%s%s", id->type == ID_FQDN ? "@" : "", tmp);
		return;
	}
	default:
		snprintf(buf, len, "id-type-%u(%zu bytes)", id->type, id->data.len);
		return;
	}
}

size_t id_from_range(struct ikg_range r, uint8_t *body, size_t cap)
{
	if (cap < 12)
		return 0;
	body[1] = 0;                              /* any protocol */
	body[2] = body[3] = 0;                    /* any port */
	if (r.lo == r.hi) {
		body[0] = ID_IPV4_ADDR;
		put32(body + 4, r.lo);
		return 8;
	}
	int plen = ikg_range_prefix_len(&r);
	if (plen >= 0) {
		body[0] = ID_IPV4_ADDR_SUBNET;
		put32(body + 4, r.lo);
		put32(body + 8, plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen));
		return 12;
	}
	body[0] = ID_IPV4_ADDR_RANGE;
	put32(body + 4, r.lo);
	put32(body + 8, r.hi);
	return 12;
}

int id_to_range(const struct isakmp_id *id, struct ikg_range *r)
{
	switch (id->type) {
	case ID_IPV4_ADDR:
		if (id->data.len != 4)
			return -1;
		r->lo = r->hi = get32(id->data.p);
		return 0;
	case ID_IPV4_ADDR_SUBNET: {
		if (id->data.len != 8)
			return -1;
		uint32_t a = get32(id->data.p), mask = get32(id->data.p + 4);
		if ((~mask & (~mask + 1)) != 0)         /* the mask must be contiguous ones */
			return -1;
		r->lo = a & mask;
		r->hi = r->lo | ~mask;
		return 0;
	}
	case ID_IPV4_ADDR_RANGE:
		if (id->data.len != 8)
			return -1;
		r->lo = get32(id->data.p);
		r->hi = get32(id->data.p + 4);
		return r->lo <= r->hi ? 0 : -1;
	default:
		return -1;
	}
}
