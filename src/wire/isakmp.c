/* ISAKMP / IKEv1 codec: strict parsers over untrusted bytes and builders into caller buffers.
 * Every parser reads through struct rd; slices in the output point into the input. */
#include "wire/isakmp.h"

#include <string.h>

#define ISAKMP_NP_AT 16           /* offset of "next payload" in the fixed header */
#define ISAKMP_LEN_AT 24          /* offset of the length in the fixed header */
#define ISAKMP_VERSION_MAJOR 1
#define SA_FIXED_LEN 8            /* DOI + situation */
#define PROPOSAL_FIXED_LEN 4      /* number, protocol, SPI size, #transforms */
#define TRANSFORM_FIXED_LEN 4     /* number, id, reserved2 */
#define ID_FIXED_LEN 4
#define NOTIFY_FIXED_LEN 8
#define DELETE_FIXED_LEN 8
#define ATTR_AF 0x8000
#define SPI_MAX_LEN 16

static struct ikg_bytes slice(const uint8_t *p, size_t len)
{
	return (struct ikg_bytes){p, len};
}

/* ---- header and chain ---- */

int isakmp_parse_hdr(const uint8_t *p, size_t len, struct isakmp_hdr *h)
{
	struct rd r = rd_init(p, len);
	const uint8_t *ic, *rc;

	if (len < ISAKMP_HDR_LEN || len > ISAKMP_MAX_MSG)
		return -1;
	if (rd_bytes(&r, ISAKMP_COOKIE_LEN, &ic) < 0 || rd_bytes(&r, ISAKMP_COOKIE_LEN, &rc) < 0 ||
	    rd_u8(&r, &h->next_payload) < 0 || rd_u8(&r, &h->version) < 0 ||
	    rd_u8(&r, &h->exchange) < 0 || rd_u8(&r, &h->flags) < 0 || rd_u32(&r, &h->msgid) < 0 ||
	    rd_u32(&r, &h->length) < 0)
		return -1;
	memcpy(h->icookie, ic, ISAKMP_COOKIE_LEN);
	memcpy(h->rcookie, rc, ISAKMP_COOKIE_LEN);
	if ((h->version >> 4) != ISAKMP_VERSION_MAJOR)
		return -1;
	if (h->length < ISAKMP_HDR_LEN || h->length != len)
		return -1;
	return 0;
}

/* Reads one generic payload header and the body it announces. */
static int take_generic(struct rd *r, uint8_t *np, struct rd *body, const uint8_t **whole)
{
	uint8_t reserved;
	uint16_t plen;

	*whole = r->p;
	if (rd_u8(r, np) < 0 || rd_u8(r, &reserved) < 0 || rd_u16(r, &plen) < 0)
		return -1;
	if (plen < ISAKMP_GENERIC_LEN)
		return -1;
	return rd_sub(r, plen - ISAKMP_GENERIC_LEN, body);
}

int isakmp_parse_chain(uint8_t first, const uint8_t *p, size_t len, bool allow_padding,
		       struct isakmp_chain *out)
{
	struct rd r = rd_init(p, len);
	uint8_t type = first;

	out->n = 0;
	while (type != PL_NONE) {
		struct isakmp_payload *pl;
		struct rd body;
		const uint8_t *whole;
		uint8_t np;

		if (out->n >= ISAKMP_MAX_PAYLOADS)
			return -1;
		if (take_generic(&r, &np, &body, &whole) < 0)
			return -1;
		pl = &out->pl[out->n++];
		pl->type = type;
		pl->body = slice(body.p, body.len);
		pl->whole = slice(whole, body.len + ISAKMP_GENERIC_LEN);
		type = np;
	}
	if (r.len != 0 && !allow_padding)
		return -1;
	return 0;
}

const struct isakmp_payload *isakmp_find(const struct isakmp_chain *c, uint8_t type)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->pl[i].type == type)
			return &c->pl[i];
	return NULL;
}

size_t isakmp_count(const struct isakmp_chain *c, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->pl[i].type == type)
			n++;
	return n;
}

/* ---- SA payload ---- */

static int parse_attr(struct rd *r, struct isakmp_attr *a)
{
	uint16_t t, v;

	if (rd_u16(r, &t) < 0 || rd_u16(r, &v) < 0)
		return -1;
	a->type = t & (uint16_t)~ATTR_AF;
	a->tv = (t & ATTR_AF) != 0;
	if (a->tv) {
		a->value = v;
		a->lv = slice(NULL, 0);
		return 0;
	}
	a->value = 0;
	a->lv.len = v;
	return rd_bytes(r, v, &a->lv.p);
}

static int parse_transform(struct rd *body, struct isakmp_transform *t)
{
	uint16_t reserved2;

	if (rd_u8(body, &t->number) < 0 || rd_u8(body, &t->id) < 0 ||
	    rd_u16(body, &reserved2) < 0)
		return -1;
	t->n_attrs = 0;
	while (body->len > 0) {
		if (t->n_attrs >= ISAKMP_MAX_ATTRS)
			return -1;
		if (parse_attr(body, &t->attrs[t->n_attrs++]) < 0)
			return -1;
	}
	return 0;
}

/* Allowed SPI sizes (RFC 2407 4.5, RFC 2408 3.5, RFC 3173 4.1). */
static bool spi_size_ok(uint8_t protocol, uint8_t size)
{
	switch (protocol) {
	case PROTO_ISAKMP:
		return size == 0 || size == 16;
	case PROTO_IPSEC_AH:
	case PROTO_IPSEC_ESP:
		return size == 4;
	case PROTO_IPCOMP:
		return size == 2 || size == 4;
	default:
		return size <= SPI_MAX_LEN;
	}
}

/* Transform payloads: exactly `count` of them, type 3 chained, the last with next payload 0,
 * filling the proposal's remaining bytes exactly. */
static int parse_transforms(struct rd *r, uint8_t count, struct isakmp_proposal *prop)
{
	uint8_t np = PL_T;

	prop->n_transforms = 0;
	if (count == 0 || count > ISAKMP_MAX_TRANSFORMS)
		return -1;
	while (np == PL_T) {
		struct rd body;
		const uint8_t *whole;

		if (prop->n_transforms >= count)
			return -1;
		if (take_generic(r, &np, &body, &whole) < 0)
			return -1;
		if (np != PL_T && np != PL_NONE)
			return -1;
		if (parse_transform(&body, &prop->transforms[prop->n_transforms++]) < 0)
			return -1;
	}
	if (prop->n_transforms != count || r->len != 0)
		return -1;
	return 0;
}

static int parse_proposal(struct rd *body, struct isakmp_proposal *prop)
{
	uint8_t spi_size, count;

	if (rd_u8(body, &prop->number) < 0 || rd_u8(body, &prop->protocol) < 0 ||
	    rd_u8(body, &spi_size) < 0 || rd_u8(body, &count) < 0)
		return -1;
	if (!spi_size_ok(prop->protocol, spi_size))
		return -1;
	prop->spi.len = spi_size;
	if (rd_bytes(body, spi_size, &prop->spi.p) < 0)
		return -1;
	return parse_transforms(body, count, prop);
}

int isakmp_parse_sa(struct ikg_bytes body, struct isakmp_sa *sa)
{
	struct rd r = rd_init(body.p, body.len);
	uint8_t np = PL_P;

	sa->n_proposals = 0;
	sa->doi = 0;
	sa->situation = 0;
	if (rd_u32(&r, &sa->doi) < 0 || rd_u32(&r, &sa->situation) < 0)
		return -1;
	while (np == PL_P) {
		struct rd pbody;
		const uint8_t *whole;

		if (sa->n_proposals >= ISAKMP_MAX_PROPOSALS)
			return -1;
		if (take_generic(&r, &np, &pbody, &whole) < 0)
			return -1;
		if (np != PL_P && np != PL_NONE)
			return -1;
		if (parse_proposal(&pbody, &sa->proposals[sa->n_proposals++]) < 0)
			return -1;
	}
	return r.len == 0 ? 0 : -1;
}

int isakmp_attr_int(const struct isakmp_attr *a, uint32_t *v)
{
	if (a->tv) {
		*v = a->value;
		return 0;
	}
	if (a->lv.len < 1 || a->lv.len > 4)
		return -1;
	*v = 0;
	for (size_t i = 0; i < a->lv.len; i++)
		*v = *v << 8 | a->lv.p[i];
	return 0;
}

/* ---- ID, NOTIFY, DELETE, opaque bodies ---- */

/* Data size an ID type must have; 0 = variable (at least 1 byte), SIZE_MAX = unknown type. */
static size_t id_data_len(uint8_t type)
{
	switch (type) {
	case ID_IPV4_ADDR:
		return 4;
	case ID_IPV4_ADDR_SUBNET:
	case ID_IPV4_ADDR_RANGE:
		return 8;
	case ID_IPV6_ADDR:
		return 16;
	case ID_IPV6_ADDR_SUBNET:
		return 32;
	case ID_FQDN:
	case ID_USER_FQDN:
	case ID_KEY_ID:
		return 0;
	default:
		return SIZE_MAX;
	}
}

int isakmp_parse_id(struct ikg_bytes body, struct isakmp_id *id)
{
	struct rd r = rd_init(body.p, body.len);
	size_t want;

	if (rd_u8(&r, &id->type) < 0 || rd_u8(&r, &id->protocol) < 0 || rd_u16(&r, &id->port) < 0)
		return -1;
	id->data = slice(r.p, r.len);
	id->body = body;
	want = id_data_len(id->type);
	if (want == 0)
		return r.len >= 1 ? 0 : -1;
	if (want != SIZE_MAX && r.len != want)
		return -1;
	return 0;
}

int isakmp_parse_notify(struct ikg_bytes body, struct isakmp_notify *n)
{
	struct rd r = rd_init(body.p, body.len);
	uint8_t spi_size;

	if (rd_u32(&r, &n->doi) < 0 || rd_u8(&r, &n->protocol) < 0 || rd_u8(&r, &spi_size) < 0 ||
	    rd_u16(&r, &n->type) < 0)
		return -1;
	if (spi_size > SPI_MAX_LEN)
		return -1;
	n->spi.len = spi_size;
	if (rd_bytes(&r, spi_size, &n->spi.p) < 0)
		return -1;
	n->data = slice(r.p, r.len);
	return 0;
}

int isakmp_parse_delete(struct ikg_bytes body, struct isakmp_delete *d)
{
	struct rd r = rd_init(body.p, body.len);

	if (rd_u32(&r, &d->doi) < 0 || rd_u8(&r, &d->protocol) < 0 ||
	    rd_u8(&r, &d->spi_size) < 0 || rd_u16(&r, &d->n_spis) < 0)
		return -1;
	if (d->spi_size == 0 || d->spi_size > SPI_MAX_LEN || d->n_spis == 0)
		return -1;
	if (r.len != (size_t)d->spi_size * d->n_spis)
		return -1;
	d->spis = slice(r.p, r.len);
	return 0;
}

static int check_size(struct ikg_bytes body, size_t min, size_t max)
{
	return body.len >= min && body.len <= max ? 0 : -1;
}

int isakmp_check_ke(struct ikg_bytes body) { return check_size(body, 1, 1024); }
int isakmp_check_nonce(struct ikg_bytes body) { return check_size(body, 8, 256); }
int isakmp_check_hash(struct ikg_bytes body) { return check_size(body, 16, 64); }

/* ---- builders ---- */

static void patch_u8(struct wr *w, size_t at, uint8_t v)
{
	if (w->overflow || at >= w->len) {
		w->overflow = true;
		return;
	}
	w->p[at] = v;
}

void isakmp_build_start(struct isakmp_builder *b, uint8_t *buf, size_t cap,
			const struct isakmp_hdr *h)
{
	b->w = wr_init(buf, cap);
	wr_bytes(&b->w, h->icookie, ISAKMP_COOKIE_LEN);
	wr_bytes(&b->w, h->rcookie, ISAKMP_COOKIE_LEN);
	b->last_np_at = b->w.len;
	wr_u8(&b->w, PL_NONE);            /* patched by the first isakmp_begin */
	wr_u8(&b->w, h->version);
	wr_u8(&b->w, h->exchange);
	wr_u8(&b->w, h->flags);
	wr_u32(&b->w, h->msgid);
	wr_u32(&b->w, 0);                 /* patched by isakmp_build_finish */
	b->payload_at = b->w.len;
}

void isakmp_begin(struct isakmp_builder *b, uint8_t type)
{
	patch_u8(&b->w, b->last_np_at, type);
	b->payload_at = b->w.len;
	b->last_np_at = b->w.len;
	wr_u8(&b->w, PL_NONE);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
}

/* Patches the 16-bit length of a generic payload header written at `at`. */
static void patch_payload_len(struct wr *w, size_t at)
{
	if (w->overflow || w->len - at > UINT16_MAX) {
		w->overflow = true;
		return;
	}
	wr_patch_u16(w, at + 2, (uint16_t)(w->len - at));
}

void isakmp_end(struct isakmp_builder *b)
{
	patch_payload_len(&b->w, b->payload_at);
}

void isakmp_put_raw(struct isakmp_builder *b, uint8_t type, const void *body, size_t len)
{
	isakmp_begin(b, type);
	wr_bytes(&b->w, body, len);
	isakmp_end(b);
}

size_t isakmp_build_finish(struct isakmp_builder *b)
{
	if (b->w.overflow || b->w.len > UINT32_MAX)
		return 0;
	wr_patch_u32(&b->w, ISAKMP_LEN_AT, (uint32_t)b->w.len);
	return b->w.overflow ? 0 : b->w.len;
}

void isakmp_put_attr_tv(struct wr *w, uint16_t type, uint16_t value)
{
	wr_u16(w, (uint16_t)(type | ATTR_AF));
	wr_u16(w, value);
}

void isakmp_put_attr_tlv(struct wr *w, uint16_t type, const void *p, size_t len)
{
	if (len > UINT16_MAX) {
		w->overflow = true;
		return;
	}
	wr_u16(w, (uint16_t)(type & ~ATTR_AF));
	wr_u16(w, (uint16_t)len);
	wr_bytes(w, p, len);
}

static void put_transform(struct wr *w, const struct isakmp_transform *t, bool last)
{
	size_t at = w->len;

	wr_u8(w, last ? PL_NONE : PL_T);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, t->number);
	wr_u8(w, t->id);
	wr_u16(w, 0);
	if (t->n_attrs > ISAKMP_MAX_ATTRS) {
		w->overflow = true;
		return;
	}
	for (size_t i = 0; i < t->n_attrs; i++) {
		const struct isakmp_attr *a = &t->attrs[i];

		if (a->tv)
			isakmp_put_attr_tv(w, a->type, a->value);
		else
			isakmp_put_attr_tlv(w, a->type, a->lv.p, a->lv.len);
	}
	patch_payload_len(w, at);
}

static void put_proposal(struct wr *w, const struct isakmp_proposal *p, bool last)
{
	size_t at = w->len;
	size_t n = p->n_transforms;

	if (p->spi.len > SPI_MAX_LEN || n > ISAKMP_MAX_TRANSFORMS) {
		w->overflow = true;
		return;
	}
	wr_u8(w, last ? PL_NONE : PL_P);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, p->number);
	wr_u8(w, p->protocol);
	wr_u8(w, (uint8_t)p->spi.len);
	wr_u8(w, (uint8_t)n);
	wr_bytes(w, p->spi.p, p->spi.len);
	for (size_t i = 0; i < n; i++)
		put_transform(w, &p->transforms[i], i + 1 == n);
	patch_payload_len(w, at);
}

void isakmp_put_sa(struct isakmp_builder *b, const struct isakmp_sa *sa)
{
	size_t n = sa->n_proposals;

	if (n > ISAKMP_MAX_PROPOSALS) {
		b->w.overflow = true;
		return;
	}
	isakmp_begin(b, PL_SA);
	wr_u32(&b->w, sa->doi);
	wr_u32(&b->w, sa->situation);
	for (size_t i = 0; i < n; i++)
		put_proposal(&b->w, &sa->proposals[i], i + 1 == n);
	isakmp_end(b);
}

void isakmp_put_id(struct isakmp_builder *b, uint8_t type, uint8_t proto, uint16_t port,
		   const void *data, size_t len)
{
	isakmp_begin(b, PL_ID);
	wr_u8(&b->w, type);
	wr_u8(&b->w, proto);
	wr_u16(&b->w, port);
	wr_bytes(&b->w, data, len);
	isakmp_end(b);
}

void isakmp_put_notify(struct isakmp_builder *b, uint32_t doi, uint8_t proto, uint16_t type,
		       const void *spi, size_t spi_len, const void *data, size_t data_len)
{
	if (spi_len > SPI_MAX_LEN) {
		b->w.overflow = true;
		return;
	}
	isakmp_begin(b, PL_N);
	wr_u32(&b->w, doi);
	wr_u8(&b->w, proto);
	wr_u8(&b->w, (uint8_t)spi_len);
	wr_u16(&b->w, type);
	wr_bytes(&b->w, spi, spi_len);
	wr_bytes(&b->w, data, data_len);
	isakmp_end(b);
}

void isakmp_put_delete(struct isakmp_builder *b, uint8_t proto, uint8_t spi_size,
		       const void *spis, uint16_t n_spis)
{
	isakmp_begin(b, PL_D);
	wr_u32(&b->w, 1);                 /* IPsec DOI */
	wr_u8(&b->w, proto);
	wr_u8(&b->w, spi_size);
	wr_u16(&b->w, n_spis);
	wr_bytes(&b->w, spis, (size_t)spi_size * n_spis);
	isakmp_end(b);
}

/* ---- names ---- */

const char *isakmp_payload_name(uint8_t type)
{
	switch (type) {
	case PL_NONE: return "NONE";
	case PL_SA: return "SA";
	case PL_P: return "PROPOSAL";
	case PL_T: return "TRANSFORM";
	case PL_KE: return "KE";
	case PL_ID: return "ID";
	case PL_CERT: return "CERT";
	case PL_CR: return "CR";
	case PL_HASH: return "HASH";
	case PL_SIG: return "SIG";
	case PL_NONCE: return "NONCE";
	case PL_N: return "NOTIFY";
	case PL_D: return "DELETE";
	case PL_VID: return "VID";
	case PL_NATD: return "NAT-D";
	case PL_NATOA: return "NAT-OA";
	case PL_NATD_DRAFT: return "NAT-D(draft)";
	case PL_NATOA_DRAFT: return "NAT-OA(draft)";
	default: return "UNKNOWN";
	}
}

const char *isakmp_exchange_name(uint8_t type)
{
	switch (type) {
	case EXCH_BASE: return "base";
	case EXCH_IDPROT: return "main";
	case EXCH_AUTH_ONLY: return "auth-only";
	case EXCH_AGGRESSIVE: return "aggressive";
	case EXCH_INFO: return "informational";
	case EXCH_QUICK: return "quick";
	default: return "unknown";
	}
}
