/* libFuzzer target: the ISAKMP parsers. The input is tried as a whole datagram (header, then
 * the chain, then every payload body with every payload parser) and, with its first byte as
 * the first payload type, as a bare chain. Parsed SAs are rebuilt and reparsed: the builder and
 * the parser must agree. Must never crash. */
#include <stdlib.h>
#include <string.h>

#include "wire/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct isakmp_sa sa, sa2;
static struct isakmp_chain chain;
static uint8_t rebuilt[ISAKMP_HDR_LEN + 65536];   /* any SA body fits a payload */

static void same_sa(const struct isakmp_sa *a, const struct isakmp_sa *b)
{
	if (a->doi != b->doi || a->situation != b->situation || a->n_proposals != b->n_proposals)
		abort();
	for (size_t i = 0; i < a->n_proposals; i++) {
		const struct isakmp_proposal *pa = &a->proposals[i], *pb = &b->proposals[i];
		if (pa->number != pb->number || pa->protocol != pb->protocol ||
		    pa->spi.len != pb->spi.len || memcmp(pa->spi.p, pb->spi.p, pa->spi.len) != 0 ||
		    pa->n_transforms != pb->n_transforms)
			abort();
		for (size_t j = 0; j < pa->n_transforms; j++) {
			const struct isakmp_transform *ta = &pa->transforms[j], *tb = &pb->transforms[j];
			if (ta->number != tb->number || ta->id != tb->id || ta->n_attrs != tb->n_attrs)
				abort();
			for (size_t k = 0; k < ta->n_attrs; k++) {
				const struct isakmp_attr *x = &ta->attrs[k], *y = &tb->attrs[k];
				if (x->type != y->type || x->tv != y->tv || x->value != y->value ||
				    x->lv.len != y->lv.len ||
				    (x->lv.len && memcmp(x->lv.p, y->lv.p, x->lv.len) != 0))
					abort();
			}
		}
	}
}

/* Every parsed SA survives build -> parse unchanged, at the same length. */
static void sa_roundtrip(size_t body_len)
{
	static const struct isakmp_hdr h = {.version = 0x10, .exchange = EXCH_IDPROT};
	struct isakmp_builder b;
	struct isakmp_hdr h2;
	struct isakmp_chain c2;
	size_t len;

	isakmp_build_start(&b, rebuilt, sizeof(rebuilt), &h);
	isakmp_put_sa(&b, &sa);
	len = isakmp_build_finish(&b);
	if (len != ISAKMP_HDR_LEN + ISAKMP_GENERIC_LEN + body_len)
		abort();
	if (len > ISAKMP_MAX_MSG)
		return;
	if (isakmp_parse_hdr(rebuilt, len, &h2) < 0 ||
	    isakmp_parse_chain(h2.next_payload, rebuilt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
			       false, &c2) < 0 || c2.n != 1 || c2.pl[0].type != PL_SA ||
	    isakmp_parse_sa(c2.pl[0].body, &sa2) < 0)
		abort();
	same_sa(&sa, &sa2);
}

static void all_payload_parsers(const struct isakmp_payload *pl)
{
	struct isakmp_id id;
	struct isakmp_notify n;
	struct isakmp_delete d;
	uint32_t v;
	volatile size_t sink = 0;

	if (isakmp_parse_sa(pl->body, &sa) == 0) {
		for (size_t i = 0; i < sa.n_proposals; i++)
			for (size_t j = 0; j < sa.proposals[i].n_transforms; j++)
				for (size_t k = 0; k < sa.proposals[i].transforms[j].n_attrs; k++)
					if (isakmp_attr_int(&sa.proposals[i].transforms[j].attrs[k],
							    &v) == 0)
						sink += v;
		sa_roundtrip(pl->body.len);
	}
	if (isakmp_parse_id(pl->body, &id) == 0)
		sink += id.data.len ? id.data.p[id.data.len - 1] : 0;
	if (isakmp_parse_notify(pl->body, &n) == 0)
		sink += n.data.len ? n.data.p[n.data.len - 1] : n.spi.len;
	if (isakmp_parse_delete(pl->body, &d) == 0)
		sink += d.spis.p[d.spis.len - 1];
	sink += (size_t)isakmp_check_ke(pl->body) + (size_t)isakmp_check_nonce(pl->body) +
		(size_t)isakmp_check_hash(pl->body);
	sink += strlen(isakmp_payload_name(pl->type));
	(void)sink;
}

static void walk_chain(uint8_t first, const uint8_t *p, size_t len, bool padding)
{
	if (isakmp_parse_chain(first, p, len, padding, &chain) < 0)
		return;
	if (chain.n > ISAKMP_MAX_PAYLOADS)
		abort();
	for (size_t i = 0; i < chain.n; i++) {
		const struct isakmp_payload *pl = &chain.pl[i];
		/* slices must lie inside the input */
		if (pl->whole.p < p || pl->whole.p + pl->whole.len > p + len ||
		    pl->body.p != pl->whole.p + ISAKMP_GENERIC_LEN ||
		    pl->body.len + ISAKMP_GENERIC_LEN != pl->whole.len)
			abort();
		all_payload_parsers(pl);
	}
	(void)isakmp_find(&chain, PL_SA);
	(void)isakmp_count(&chain, PL_VID);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_hdr h;
	volatile size_t sink;

	if (isakmp_parse_hdr(data, size, &h) == 0) {
		if (h.length != size || size < ISAKMP_HDR_LEN)
			abort();
		sink = strlen(isakmp_exchange_name(h.exchange));
		(void)sink;
		walk_chain(h.next_payload, data + ISAKMP_HDR_LEN, size - ISAKMP_HDR_LEN,
			   (h.flags & ISAKMP_FLAG_ENC) != 0);
	} else if (size >= 1) {
		walk_chain(data[0], data + 1, size - 1, (data[0] & 1) != 0);
	}
	return 0;
}
