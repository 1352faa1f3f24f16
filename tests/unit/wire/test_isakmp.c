/* ISAKMP codec: round trips of every payload, and every length/type/count check rejecting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/isakmp.h"

/* notify types (common/err.h has them too; kept local so this test needs only wire/) */
enum { N_NO_PROPOSAL_CHOSEN = 14, N_INITIAL_CONTACT = 24578, N_DPD_R_U_THERE = 36136 };

#define B(...) ((const uint8_t[]){__VA_ARGS__})
#define BYTES(...) ((struct ikg_bytes){B(__VA_ARGS__), sizeof(B(__VA_ARGS__))})

static const struct isakmp_hdr hdr_mm = {
	.icookie = {1, 2, 3, 4, 5, 6, 7, 8},
	.version = 0x10,
	.exchange = EXCH_IDPROT,
};

/* ---------------------------------------------------------------- header */

static void put_hdr_bytes(uint8_t *m, uint8_t np, uint8_t ver, uint32_t len)
{
	memset(m, 0, ISAKMP_HDR_LEN);
	for (int i = 0; i < 8; i++)
		m[i] = (uint8_t)(0xa0 + i);
	m[16] = np;
	m[17] = ver;
	m[18] = EXCH_INFO;
	m[19] = ISAKMP_FLAG_ENC;
	m[20] = 0xde; m[21] = 0xad; m[22] = 0xbe; m[23] = 0xef;
	m[24] = (uint8_t)(len >> 24); m[25] = (uint8_t)(len >> 16);
	m[26] = (uint8_t)(len >> 8); m[27] = (uint8_t)len;
}

static void test_hdr_ok(void **state)
{
	uint8_t m[ISAKMP_HDR_LEN + 4];
	struct isakmp_hdr h;

	put_hdr_bytes(m, PL_HASH, 0x10, sizeof(m));
	memset(m + 28, 0, 4);
	assert_int_equal(isakmp_parse_hdr(m, sizeof(m), &h), 0);
	assert_int_equal(h.icookie[0], 0xa0);
	assert_int_equal(h.icookie[7], 0xa7);
	assert_int_equal(h.rcookie[0], 0);
	assert_int_equal(h.next_payload, PL_HASH);
	assert_int_equal(h.version, 0x10);
	assert_int_equal(h.exchange, EXCH_INFO);
	assert_int_equal(h.flags, ISAKMP_FLAG_ENC);
	assert_int_equal(h.msgid, 0xdeadbeef);
	assert_int_equal(h.length, 32);
	/* minor version is not checked */
	put_hdr_bytes(m, PL_HASH, 0x11, sizeof(m));
	assert_int_equal(isakmp_parse_hdr(m, sizeof(m), &h), 0);
}

static void test_hdr_reject(void **state)
{
	uint8_t m[ISAKMP_MAX_MSG + 1];
	struct isakmp_hdr h;

	memset(m, 0, sizeof(m));
	put_hdr_bytes(m, 0, 0x10, 27);
	assert_int_equal(isakmp_parse_hdr(m, 27, &h), -1);           /* too short */
	put_hdr_bytes(m, 0, 0x10, 20);
	assert_int_equal(isakmp_parse_hdr(m, 28, &h), -1);           /* length < 28 */
	put_hdr_bytes(m, 0, 0x10, 40);
	assert_int_equal(isakmp_parse_hdr(m, 36, &h), -1);           /* length > datagram */
	put_hdr_bytes(m, 0, 0x10, 32);
	assert_int_equal(isakmp_parse_hdr(m, 36, &h), -1);           /* length < datagram */
	put_hdr_bytes(m, 0, 0x20, 36);
	assert_int_equal(isakmp_parse_hdr(m, 36, &h), -1);           /* IKEv2 */
	put_hdr_bytes(m, 0, 0x00, 36);
	assert_int_equal(isakmp_parse_hdr(m, 36, &h), -1);           /* major 0 */
	put_hdr_bytes(m, 0, 0x10, ISAKMP_MAX_MSG + 1);
	assert_int_equal(isakmp_parse_hdr(m, ISAKMP_MAX_MSG + 1, &h), -1); /* too big */
	put_hdr_bytes(m, 0, 0x10, ISAKMP_MAX_MSG);
	assert_int_equal(isakmp_parse_hdr(m, ISAKMP_MAX_MSG, &h), 0);
	put_hdr_bytes(m, 0, 0x10, 28);
	assert_int_equal(isakmp_parse_hdr(m, 28, &h), 0);
	assert_int_equal(isakmp_parse_hdr(NULL, 0, &h), -1);
}

/* ---------------------------------------------------------------- chain */

static void test_chain_ok(void **state)
{
	const uint8_t *m = B(PL_NONCE, 0x55, 0, 8, 1, 2, 3, 4,      /* VID, reserved ignored */
			     PL_NONE, 0, 0, 6, 9, 9);                 /* NONCE */
	struct isakmp_chain c;

	assert_int_equal(isakmp_parse_chain(PL_VID, m, 14, false, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.pl[0].type, PL_VID);
	assert_int_equal(c.pl[0].body.len, 4);
	assert_ptr_equal(c.pl[0].body.p, m + 4);
	assert_ptr_equal(c.pl[0].whole.p, m);
	assert_int_equal(c.pl[0].whole.len, 8);
	assert_int_equal(c.pl[1].type, PL_NONCE);
	assert_int_equal(c.pl[1].body.len, 2);
	assert_int_equal(c.pl[1].body.p[0], 9);
	assert_ptr_equal(isakmp_find(&c, PL_NONCE), &c.pl[1]);
	assert_null(isakmp_find(&c, PL_KE));
	assert_int_equal(isakmp_count(&c, PL_VID), 1);
	assert_int_equal(isakmp_count(&c, PL_SA), 0);
	/* an empty payload (length 4) is fine */
	assert_int_equal(isakmp_parse_chain(PL_HASH, B(0, 0, 0, 4), 4, false, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].body.len, 0);
	/* no payloads at all */
	assert_int_equal(isakmp_parse_chain(PL_NONE, NULL, 0, false, &c), 0);
	assert_int_equal(c.n, 0);
}

static void test_chain_padding(void **state)
{
	const uint8_t *m = B(PL_NONE, 0, 0, 6, 7, 7, 0, 0, 0, 0);
	struct isakmp_chain c;

	assert_int_equal(isakmp_parse_chain(PL_HASH, m, 10, false, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_HASH, m, 10, true, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].body.len, 2);
	assert_int_equal(isakmp_parse_chain(PL_NONE, m, 10, false, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_NONE, m, 10, true, &c), 0);
}

static void test_chain_reject(void **state)
{
	struct isakmp_chain c;

	/* length < 4 */
	assert_int_equal(isakmp_parse_chain(PL_VID, B(0, 0, 0, 3, 0), 5, true, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_VID, B(0, 0, 0, 0), 4, true, &c), -1);
	/* length beyond end */
	assert_int_equal(isakmp_parse_chain(PL_VID, B(0, 0, 0, 9, 1, 2, 3, 4), 8, true, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_VID, B(0, 0, 0xff, 0xff, 1), 5, true, &c), -1);
	/* generic header truncated */
	assert_int_equal(isakmp_parse_chain(PL_VID, B(0, 0, 0), 3, true, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_VID, NULL, 0, true, &c), -1);
	/* next payload announced but nothing follows */
	assert_int_equal(isakmp_parse_chain(PL_VID, B(PL_VID, 0, 0, 4), 4, true, &c), -1);
	/* lengths not adding up: second payload longer than what is left */
	assert_int_equal(isakmp_parse_chain(PL_VID, B(PL_VID, 0, 0, 4, 0, 0, 0, 5, 1), 9 - 1,
					    true, &c), -1);
}

static void test_chain_max_payloads(void **state)
{
	uint8_t m[4 * (ISAKMP_MAX_PAYLOADS + 1)];
	struct isakmp_chain c;

	for (size_t i = 0; i < ISAKMP_MAX_PAYLOADS + 1; i++) {
		m[4 * i] = PL_VID;
		m[4 * i + 1] = 0;
		m[4 * i + 2] = 0;
		m[4 * i + 3] = 4;
	}
	/* exactly 32 payloads */
	m[4 * (ISAKMP_MAX_PAYLOADS - 1)] = PL_NONE;
	assert_int_equal(isakmp_parse_chain(PL_VID, m, 4 * ISAKMP_MAX_PAYLOADS, false, &c), 0);
	assert_int_equal(c.n, ISAKMP_MAX_PAYLOADS);
	/* 33 payloads */
	m[4 * (ISAKMP_MAX_PAYLOADS - 1)] = PL_VID;
	m[4 * ISAKMP_MAX_PAYLOADS] = PL_NONE;
	assert_int_equal(isakmp_parse_chain(PL_VID, m, sizeof(m), false, &c), -1);
	assert_int_equal(isakmp_parse_chain(PL_VID, m, sizeof(m), true, &c), -1);
}

/* ---------------------------------------------------------------- SA */

/* Main-mode SA body: DOI 1, SIT 1, proposal 1 (ISAKMP) with two transforms. */
static const uint8_t sa_body[] = {
	0, 0, 0, 1, 0, 0, 0, 1,
	/* proposal: np 0, len 8 + 2 transforms (24 + 12) = 44 */
	0, 0, 0, 44, 1, PROTO_ISAKMP, 0, 2,
	/* transform 1: np 3, len 24: #1 KEY_IKE, 3 TV attrs + TLV 4-byte life */
	3, 0, 0, 24, 1, 1, 0, 0,
	0x80, 1, 0, 7,           /* enc AES */
	0x80, 14, 0, 128,        /* key length 128 */
	0, 12, 0, 4, 0, 0, 0x70, 0x80,  /* life duration 28800 (TLV) */
	/* transform 2: np 0, len 12 */
	0, 0, 0, 12, 2, 1, 0, 0,
	0x80, 1, 0, 5,           /* enc 3DES */
};

static void test_sa_parse(void **state)
{
	struct isakmp_sa sa;
	uint32_t v;

	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){sa_body, sizeof(sa_body)}, &sa), 0);
	assert_int_equal(sa.doi, 1);
	assert_int_equal(sa.situation, 1);
	assert_int_equal(sa.n_proposals, 1);
	assert_int_equal(sa.proposals[0].number, 1);
	assert_int_equal(sa.proposals[0].protocol, PROTO_ISAKMP);
	assert_int_equal(sa.proposals[0].spi.len, 0);
	assert_int_equal(sa.proposals[0].n_transforms, 2);
	const struct isakmp_transform *t = &sa.proposals[0].transforms[0];
	assert_int_equal(t->number, 1);
	assert_int_equal(t->id, 1);
	assert_int_equal(t->n_attrs, 3);
	assert_true(t->attrs[0].tv);
	assert_int_equal(t->attrs[0].type, 1);
	assert_int_equal(t->attrs[0].value, 7);
	assert_int_equal(t->attrs[1].type, 14);
	assert_int_equal(t->attrs[1].value, 128);
	assert_false(t->attrs[2].tv);
	assert_int_equal(t->attrs[2].type, 12);
	assert_int_equal(t->attrs[2].lv.len, 4);
	assert_int_equal(isakmp_attr_int(&t->attrs[2], &v), 0);
	assert_int_equal(v, 28800);
	assert_int_equal(isakmp_attr_int(&t->attrs[0], &v), 0);
	assert_int_equal(v, 7);
	t = &sa.proposals[0].transforms[1];
	assert_int_equal(t->number, 2);
	assert_int_equal(t->n_attrs, 1);
	assert_int_equal(t->attrs[0].value, 5);
}

/* Parses a modified copy of sa_body: byte at `at` set to `val`. */
static int sa_with(size_t at, uint8_t val, size_t len)
{
	uint8_t m[sizeof(sa_body) + 8];
	struct isakmp_sa sa;

	memcpy(m, sa_body, sizeof(sa_body));
	memset(m + sizeof(sa_body), 0, 8);
	m[at] = val;
	return isakmp_parse_sa((struct ikg_bytes){m, len}, &sa);
}

static void test_sa_reject(void **state)
{
	const size_t n = sizeof(sa_body);
	struct isakmp_sa sa;

	assert_int_equal(sa_with(0, 0, n), 0);
	/* too short: no proposal, DOI only */
	assert_int_equal(isakmp_parse_sa(BYTES(0, 0, 0, 1, 0, 0, 0, 1), &sa), -1);
	assert_int_equal(isakmp_parse_sa(BYTES(0, 0, 0, 1, 0, 0, 0), &sa), -1);
	/* truncated */
	for (size_t len = 0; len < n; len++)
		assert_int_equal(sa_with(0, 0, len), -1);
	/* trailing bytes after the last proposal */
	assert_int_equal(sa_with(0, 0, n + 4), -1);
	/* proposal: next payload not 0/2 */
	assert_int_equal(sa_with(8, PL_T, n), -1);
	/* proposal says "more" but nothing follows */
	assert_int_equal(sa_with(8, PL_P, n), -1);
	/* proposal length < 4, beyond the SA, shorter than its transforms */
	assert_int_equal(sa_with(11, 3, n), -1);
	assert_int_equal(sa_with(11, 45, n), -1);
	assert_int_equal(sa_with(11, 40, n), -1);
	/* transform count mismatch: says 3 / 1 / 0 */
	assert_int_equal(sa_with(15, 3, n), -1);
	assert_int_equal(sa_with(15, 1, n), -1);
	assert_int_equal(sa_with(15, 0, n), -1);
	/* transform payload type wrong: next payload 2 (proposal) or 5 inside a proposal */
	assert_int_equal(sa_with(16, PL_P, n), -1);
	assert_int_equal(sa_with(16, PL_ID, n), -1);
	/* last transform with next payload 3 */
	assert_int_equal(sa_with(40, PL_T, n), -1);
	/* transform length < 8 (fixed part) / < 4 */
	assert_int_equal(sa_with(19, 7, n), -1);
	assert_int_equal(sa_with(19, 2, n), -1);
	/* attribute TLV overrun: life duration says 5 bytes */
	assert_int_equal(sa_with(35, 5, n), -1);
	/* attribute TLV says 3 bytes: leaves half an attribute */
	assert_int_equal(sa_with(35, 3, n), -1);
	/* SPI size wrong for ISAKMP (4) */
	assert_int_equal(sa_with(14, 4, n), -1);
}

/* SA body with one ESP proposal of `nt` transforms each having `na` TV attributes. */
static size_t esp_sa(uint8_t *m, size_t nprop, size_t nt, size_t na, uint8_t spi_size)
{
	struct wr w = wr_init(m, 16384);

	wr_u32(&w, 1);
	wr_u32(&w, 1);
	for (size_t p = 0; p < nprop; p++) {
		size_t pat = w.len;
		wr_u8(&w, p + 1 == nprop ? 0 : PL_P);
		wr_u8(&w, 0);
		wr_u16(&w, 0);
		wr_u8(&w, (uint8_t)(p + 1));
		wr_u8(&w, PROTO_IPSEC_ESP);
		wr_u8(&w, spi_size);
		wr_u8(&w, (uint8_t)nt);
		wr_zero(&w, spi_size);
		for (size_t t = 0; t < nt; t++) {
			size_t tat = w.len;
			wr_u8(&w, t + 1 == nt ? 0 : PL_T);
			wr_u8(&w, 0);
			wr_u16(&w, 0);
			wr_u8(&w, (uint8_t)(t + 1));
			wr_u8(&w, 12);
			wr_u16(&w, 0);
			for (size_t a = 0; a < na; a++)
				isakmp_put_attr_tv(&w, 5, 1);
			wr_patch_u16(&w, tat + 2, (uint16_t)(w.len - tat));
		}
		wr_patch_u16(&w, pat + 2, (uint16_t)(w.len - pat));
	}
	assert_false(w.overflow);
	return w.len;
}

static void test_sa_limits(void **state)
{
	static uint8_t m[16384];
	struct isakmp_sa sa;
	size_t len;

	len = esp_sa(m, ISAKMP_MAX_PROPOSALS, ISAKMP_MAX_TRANSFORMS, ISAKMP_MAX_ATTRS, 4);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), 0);
	assert_int_equal(sa.n_proposals, ISAKMP_MAX_PROPOSALS);
	assert_int_equal(sa.proposals[7].number, 8);
	assert_int_equal(sa.proposals[7].spi.len, 4);
	assert_int_equal(sa.proposals[7].n_transforms, ISAKMP_MAX_TRANSFORMS);
	assert_int_equal(sa.proposals[7].transforms[15].n_attrs, ISAKMP_MAX_ATTRS);
	assert_int_equal(sa.proposals[7].transforms[15].id, 12);

	len = esp_sa(m, ISAKMP_MAX_PROPOSALS + 1, 1, 1, 4);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
	len = esp_sa(m, 1, ISAKMP_MAX_TRANSFORMS + 1, 1, 4);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
	len = esp_sa(m, 1, 1, ISAKMP_MAX_ATTRS + 1, 4);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
	/* ESP needs a 4-byte SPI */
	len = esp_sa(m, 1, 1, 1, 3);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
	len = esp_sa(m, 1, 1, 1, 0);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
	/* a proposal with no transforms */
	len = esp_sa(m, 1, 0, 0, 4);
	assert_int_equal(isakmp_parse_sa((struct ikg_bytes){m, len}, &sa), -1);
}

static void test_attr_int(void **state)
{
	struct isakmp_attr a = {.type = 12, .tv = false};
	uint32_t v = 99;

	a.lv = BYTES(1);
	assert_int_equal(isakmp_attr_int(&a, &v), 0);
	assert_int_equal(v, 1);
	a.lv = BYTES(0x12, 0x34, 0x56, 0x78);
	assert_int_equal(isakmp_attr_int(&a, &v), 0);
	assert_int_equal(v, 0x12345678);
	a.lv = BYTES(1, 2, 3, 4, 5);
	assert_int_equal(isakmp_attr_int(&a, &v), -1);
	a.lv = (struct ikg_bytes){NULL, 0};
	assert_int_equal(isakmp_attr_int(&a, &v), -1);
	a.tv = true;
	a.value = 0xffff;
	assert_int_equal(isakmp_attr_int(&a, &v), 0);
	assert_int_equal(v, 0xffff);
}

/* ---------------------------------------------------------------- ID, N, D, sizes */

static void test_id(void **state)
{
	struct isakmp_id id;

	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR, 17, 1, 0xf4, 10, 0, 0, 1), &id), 0);
	assert_int_equal(id.type, ID_IPV4_ADDR);
	assert_int_equal(id.protocol, 17);
	assert_int_equal(id.port, 500);
	assert_int_equal(id.data.len, 4);
	assert_int_equal(id.data.p[3], 1);
	assert_int_equal(id.body.len, 8);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR_SUBNET, 0, 0, 0, 10, 0, 0, 0,
					       255, 255, 255, 0), &id), 0);
	assert_int_equal(id.data.len, 8);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR_RANGE, 0, 0, 0, 10, 0, 0, 1,
					       10, 0, 0, 9), &id), 0);
	assert_int_equal(isakmp_parse_id(BYTES(ID_FQDN, 0, 0, 0, 'a', '.', 'b'), &id), 0);
	assert_int_equal(id.data.len, 3);
	assert_int_equal(isakmp_parse_id(BYTES(ID_KEY_ID, 0, 0, 0, 'k'), &id), 0);
	/* rejects */
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR, 0, 0), &id), -1);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0), &id), -1);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1, 1), &id), -1);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV4_ADDR_SUBNET, 0, 0, 0, 10, 0, 0, 0),
					 &id), -1);
	assert_int_equal(isakmp_parse_id(BYTES(ID_IPV6_ADDR, 0, 0, 0, 1, 2, 3, 4), &id), -1);
	assert_int_equal(isakmp_parse_id(BYTES(ID_FQDN, 0, 0, 0), &id), -1);
}

static void test_notify(void **state)
{
	struct isakmp_notify n;

	assert_int_equal(isakmp_parse_notify(BYTES(0, 0, 0, 1, PROTO_ISAKMP, 16, 0x8d, 0x28,
						   1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
						   15, 16, 0, 0, 0, 7), &n), 0);
	assert_int_equal(n.doi, 1);
	assert_int_equal(n.protocol, PROTO_ISAKMP);
	assert_int_equal(n.type, N_DPD_R_U_THERE);
	assert_int_equal(n.spi.len, 16);
	assert_int_equal(n.spi.p[15], 16);
	assert_int_equal(n.data.len, 4);
	assert_int_equal(n.data.p[3], 7);
	assert_int_equal(isakmp_parse_notify(BYTES(0, 0, 0, 1, 3, 0, 0, 14), &n), 0);
	assert_int_equal(n.type, N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(n.spi.len, 0);
	assert_int_equal(n.data.len, 0);
	/* rejects */
	assert_int_equal(isakmp_parse_notify(BYTES(0, 0, 0, 1, 3, 0, 0), &n), -1);
	assert_int_equal(isakmp_parse_notify(BYTES(0, 0, 0, 1, 3, 4, 0, 14, 1, 2, 3), &n), -1);
	assert_int_equal(isakmp_parse_notify(BYTES(0, 0, 0, 1, 3, 17, 0, 14, 1, 2, 3, 4, 5, 6, 7,
						   8, 9, 10, 11, 12, 13, 14, 15, 16, 17), &n), -1);
}

static void test_delete(void **state)
{
	struct isakmp_delete d;

	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, PROTO_IPSEC_ESP, 4, 0, 2,
						   1, 2, 3, 4, 5, 6, 7, 8), &d), 0);
	assert_int_equal(d.doi, 1);
	assert_int_equal(d.protocol, PROTO_IPSEC_ESP);
	assert_int_equal(d.spi_size, 4);
	assert_int_equal(d.n_spis, 2);
	assert_int_equal(d.spis.len, 8);
	assert_int_equal(d.spis.p[4], 5);
	/* rejects: short, count mismatch both ways, zero SPIs, zero size */
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 4, 0), &d), -1);
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4), &d), -1);
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 4, 0, 1, 1, 2, 3, 4, 5), &d), -1);
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 4, 0, 0), &d), -1);
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 0, 0, 1), &d), -1);
	assert_int_equal(isakmp_parse_delete(BYTES(0, 0, 0, 1, 3, 4, 0xff, 0xff, 1, 2, 3, 4),
					     &d), -1);
}

static void test_sizes(void **state)
{
	uint8_t m[1100] = {0};

	assert_int_equal(isakmp_check_ke((struct ikg_bytes){m, 0}), -1);
	assert_int_equal(isakmp_check_ke((struct ikg_bytes){m, 1}), 0);
	assert_int_equal(isakmp_check_ke((struct ikg_bytes){m, 1024}), 0);
	assert_int_equal(isakmp_check_ke((struct ikg_bytes){m, 1025}), -1);
	assert_int_equal(isakmp_check_nonce((struct ikg_bytes){m, 7}), -1);
	assert_int_equal(isakmp_check_nonce((struct ikg_bytes){m, 8}), 0);
	assert_int_equal(isakmp_check_nonce((struct ikg_bytes){m, 256}), 0);
	assert_int_equal(isakmp_check_nonce((struct ikg_bytes){m, 257}), -1);
	assert_int_equal(isakmp_check_hash((struct ikg_bytes){m, 15}), -1);
	assert_int_equal(isakmp_check_hash((struct ikg_bytes){m, 16}), 0);
	assert_int_equal(isakmp_check_hash((struct ikg_bytes){m, 64}), 0);
	assert_int_equal(isakmp_check_hash((struct ikg_bytes){m, 65}), -1);
}

/* ---------------------------------------------------------------- builders */

static void fill_sa(struct isakmp_sa *sa)
{
	static const uint8_t life[4] = {0, 0, 0x70, 0x80};
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};

	memset(sa, 0, sizeof(*sa));
	sa->doi = 1;
	sa->situation = 1;
	sa->n_proposals = 2;
	sa->proposals[0] = (struct isakmp_proposal){.number = 1, .protocol = PROTO_IPSEC_ESP,
		.spi = {spi, 4}, .n_transforms = 2};
	sa->proposals[0].transforms[0] = (struct isakmp_transform){.number = 1, .id = 12,
		.n_attrs = 3, .attrs = {{.type = 6, .tv = true, .value = 256},
					{.type = 5, .tv = true, .value = 2},
					{.type = 2, .tv = false, .lv = {life, 4}}}};
	sa->proposals[0].transforms[1] = (struct isakmp_transform){.number = 2, .id = 3,
		.n_attrs = 0};
	sa->proposals[1] = (struct isakmp_proposal){.number = 1, .protocol = PROTO_IPSEC_AH,
		.spi = {spi, 4}, .n_transforms = 1};
	sa->proposals[1].transforms[0] = (struct isakmp_transform){.number = 1, .id = 3,
		.n_attrs = 1, .attrs = {{.type = 5, .tv = true, .value = 2}}};
}

static void assert_sa_equal(const struct isakmp_sa *a, const struct isakmp_sa *b)
{
	assert_int_equal(a->doi, b->doi);
	assert_int_equal(a->situation, b->situation);
	assert_int_equal(a->n_proposals, b->n_proposals);
	for (size_t i = 0; i < a->n_proposals; i++) {
		const struct isakmp_proposal *pa = &a->proposals[i], *pb = &b->proposals[i];
		assert_int_equal(pa->number, pb->number);
		assert_int_equal(pa->protocol, pb->protocol);
		assert_int_equal(pa->spi.len, pb->spi.len);
		assert_memory_equal(pa->spi.p, pb->spi.p, pa->spi.len);
		assert_int_equal(pa->n_transforms, pb->n_transforms);
		for (size_t j = 0; j < pa->n_transforms; j++) {
			const struct isakmp_transform *ta = &pa->transforms[j];
			const struct isakmp_transform *tb = &pb->transforms[j];
			assert_int_equal(ta->number, tb->number);
			assert_int_equal(ta->id, tb->id);
			assert_int_equal(ta->n_attrs, tb->n_attrs);
			for (size_t k = 0; k < ta->n_attrs; k++) {
				assert_int_equal(ta->attrs[k].type, tb->attrs[k].type);
				assert_int_equal(ta->attrs[k].tv, tb->attrs[k].tv);
				assert_int_equal(ta->attrs[k].value, tb->attrs[k].value);
				assert_int_equal(ta->attrs[k].lv.len, tb->attrs[k].lv.len);
				if (ta->attrs[k].lv.len)
					assert_memory_equal(ta->attrs[k].lv.p, tb->attrs[k].lv.p,
							    ta->attrs[k].lv.len);
			}
		}
	}
}

/* Builds a message with every payload the builders know, then parses it all back. */
static void test_build_roundtrip(void **state)
{
	static const uint8_t ke[128] = {[0] = 0x11, [127] = 0x22};
	static const uint8_t nonce[16] = {[0] = 0x33};
	static const uint8_t hash[20] = {[19] = 0x44};
	static const uint8_t vid[16] = {0x4a, 0x13, 0x1c, 0x81};
	static const uint8_t addr[8] = {192, 168, 1, 0, 255, 255, 255, 0};
	static const uint8_t spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t icookie16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct isakmp_sa sa, sa2;
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct isakmp_chain c;
	uint8_t buf[1024];
	size_t len;

	fill_sa(&sa);
	isakmp_build_start(&b, buf, sizeof(buf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	isakmp_put_raw(&b, PL_KE, ke, sizeof(ke));
	isakmp_put_raw(&b, PL_NONCE, nonce, sizeof(nonce));
	isakmp_put_id(&b, ID_IPV4_ADDR_SUBNET, 17, 500, addr, sizeof(addr));
	isakmp_put_raw(&b, PL_HASH, hash, sizeof(hash));
	isakmp_put_raw(&b, PL_VID, vid, sizeof(vid));
	isakmp_put_notify(&b, 1, PROTO_ISAKMP, N_DPD_R_U_THERE, icookie16, 16,
			  B(0, 0, 0, 42), 4);
	isakmp_put_delete(&b, PROTO_IPSEC_ESP, 4, spis, 2);
	isakmp_begin(&b, PL_NATD);
	wr_bytes(&b.w, hash, 16);
	isakmp_end(&b);
	len = isakmp_build_finish(&b);
	assert_int_not_equal(len, 0);
	assert_int_equal(len, 28 + (4 + 8 + (8 + 4 + 24 + 8) + (8 + 4 + 12)) +
			 (4 + 128) + (4 + 16) + (4 + 12) + (4 + 20) + (4 + 16) + (4 + 8 + 16 + 4) +
			 (4 + 8 + 8) + (4 + 16));

	assert_int_equal(isakmp_parse_hdr(buf, len, &h), 0);
	assert_int_equal(h.next_payload, PL_SA);
	assert_int_equal(h.exchange, EXCH_IDPROT);
	assert_int_equal(h.version, 0x10);
	assert_int_equal(h.length, len);
	assert_memory_equal(h.icookie, hdr_mm.icookie, 8);
	assert_int_equal(isakmp_parse_chain(h.next_payload, buf + 28, len - 28, false, &c), 0);
	assert_int_equal(c.n, 9);
	static const uint8_t order[9] = {PL_SA, PL_KE, PL_NONCE, PL_ID, PL_HASH, PL_VID, PL_N,
					 PL_D, PL_NATD};
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(c.pl[i].type, order[i]);

	assert_int_equal(isakmp_parse_sa(c.pl[0].body, &sa2), 0);
	assert_sa_equal(&sa, &sa2);
	assert_int_equal(c.pl[1].body.len, 128);
	assert_memory_equal(c.pl[1].body.p, ke, 128);
	assert_int_equal(isakmp_check_ke(c.pl[1].body), 0);
	assert_int_equal(isakmp_check_nonce(c.pl[2].body), 0);
	assert_memory_equal(c.pl[2].body.p, nonce, 16);

	struct isakmp_id id;
	assert_int_equal(isakmp_parse_id(c.pl[3].body, &id), 0);
	assert_int_equal(id.type, ID_IPV4_ADDR_SUBNET);
	assert_int_equal(id.protocol, 17);
	assert_int_equal(id.port, 500);
	assert_memory_equal(id.data.p, addr, 8);
	assert_ptr_equal(id.body.p, c.pl[3].body.p);

	assert_int_equal(isakmp_check_hash(c.pl[4].body), 0);
	assert_memory_equal(c.pl[4].body.p, hash, 20);
	assert_memory_equal(c.pl[5].body.p, vid, 16);

	struct isakmp_notify n;
	assert_int_equal(isakmp_parse_notify(c.pl[6].body, &n), 0);
	assert_int_equal(n.doi, 1);
	assert_int_equal(n.protocol, PROTO_ISAKMP);
	assert_int_equal(n.type, N_DPD_R_U_THERE);
	assert_memory_equal(n.spi.p, icookie16, 16);
	assert_int_equal(n.data.len, 4);
	assert_int_equal(n.data.p[3], 42);

	struct isakmp_delete d;
	assert_int_equal(isakmp_parse_delete(c.pl[7].body, &d), 0);
	assert_int_equal(d.doi, 1);
	assert_int_equal(d.protocol, PROTO_IPSEC_ESP);
	assert_int_equal(d.n_spis, 2);
	assert_memory_equal(d.spis.p, spis, 8);
	assert_int_equal(isakmp_check_hash(c.pl[8].body), 0);
}

/* The builder's bytes for a small message, compared with a hand-written vector. */
static void test_build_exact_bytes(void **state)
{
	struct isakmp_builder b;
	uint8_t buf[128];
	struct isakmp_hdr h = hdr_mm;
	static const uint8_t want[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
		PL_HASH, 0x10, EXCH_INFO, 1, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 28 + 6 + 12,
		PL_N, 0, 0, 6, 0xaa, 0xbb,
		0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0x60, 0x02,
	};

	h.exchange = EXCH_INFO;
	h.flags = ISAKMP_FLAG_ENC;
	h.msgid = 0x12345678;
	h.next_payload = 77;      /* ignored: the builder links the chain itself */
	h.length = 999;           /* ignored: patched by finish */
	isakmp_build_start(&b, buf, sizeof(buf), &h);
	isakmp_put_raw(&b, PL_HASH, B(0xaa, 0xbb), 2);
	isakmp_put_notify(&b, 1, PROTO_ISAKMP, N_INITIAL_CONTACT, NULL, 0, NULL, 0);
	assert_int_equal(isakmp_build_finish(&b), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_build_attrs(void **state)
{
	uint8_t buf[14];
	struct wr w = wr_init(buf, sizeof(buf));

	isakmp_put_attr_tv(&w, 1, 7);
	isakmp_put_attr_tlv(&w, 12, B(0, 1, 0x51, 0x80), 4);
	assert_false(w.overflow);
	assert_int_equal(w.len, 12);
	assert_memory_equal(buf, B(0x80, 1, 0, 7, 0, 12, 0, 4, 0, 1, 0x51, 0x80), 12);
	isakmp_put_attr_tv(&w, 2, 2);
	assert_true(w.overflow);
}

static void test_build_overflow(void **state)
{
	static uint8_t big[70000];
	static uint8_t bigbuf[70100];
	struct isakmp_builder b;
	uint8_t buf[64];
	struct isakmp_sa sa;

	/* header does not fit */
	isakmp_build_start(&b, buf, 27, &hdr_mm);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* payloads do not fit */
	fill_sa(&sa);
	isakmp_build_start(&b, buf, sizeof(buf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	isakmp_put_raw(&b, PL_VID, buf, 16);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* exactly fits */
	isakmp_build_start(&b, buf, 28 + 20, &hdr_mm);
	isakmp_put_raw(&b, PL_VID, buf + 32, 16);
	assert_int_equal(isakmp_build_finish(&b), 48);
	/* one too many */
	isakmp_build_start(&b, buf, 28 + 19, &hdr_mm);
	isakmp_put_raw(&b, PL_VID, buf + 32, 16);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* an SA struct beyond the limits is an error, not silently cut */
	fill_sa(&sa);
	sa.n_proposals = ISAKMP_MAX_PROPOSALS + 1;
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	assert_int_equal(isakmp_build_finish(&b), 0);
	fill_sa(&sa);
	sa.proposals[1].n_transforms = ISAKMP_MAX_TRANSFORMS + 1;
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	assert_int_equal(isakmp_build_finish(&b), 0);
	fill_sa(&sa);
	sa.proposals[0].transforms[1].n_attrs = ISAKMP_MAX_ATTRS + 1;
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	assert_int_equal(isakmp_build_finish(&b), 0);
	fill_sa(&sa);
	sa.proposals[0].spi.len = 17;
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_sa(&b, &sa);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* notify SPI longer than 16 */
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_notify(&b, 1, 1, 14, big, 17, NULL, 0);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* payload longer than 65535 */
	isakmp_build_start(&b, bigbuf, sizeof(bigbuf), &hdr_mm);
	isakmp_put_raw(&b, PL_VID, big, sizeof(big));
	assert_int_equal(isakmp_build_finish(&b), 0);
}

static void test_names(void **state)
{
	assert_string_equal(isakmp_payload_name(PL_SA), "SA");
	assert_string_equal(isakmp_payload_name(PL_N), "NOTIFY");
	assert_string_equal(isakmp_payload_name(PL_NATD), "NAT-D");
	assert_string_equal(isakmp_payload_name(99), "UNKNOWN");
	assert_string_equal(isakmp_exchange_name(EXCH_IDPROT), "main");
	assert_string_equal(isakmp_exchange_name(EXCH_AGGRESSIVE), "aggressive");
	assert_string_equal(isakmp_exchange_name(EXCH_QUICK), "quick");
	assert_string_equal(isakmp_exchange_name(EXCH_INFO), "informational");
	assert_string_equal(isakmp_exchange_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_ok),
		cmocka_unit_test(test_hdr_reject),
		cmocka_unit_test(test_chain_ok),
		cmocka_unit_test(test_chain_padding),
		cmocka_unit_test(test_chain_reject),
		cmocka_unit_test(test_chain_max_payloads),
		cmocka_unit_test(test_sa_parse),
		cmocka_unit_test(test_sa_reject),
		cmocka_unit_test(test_sa_limits),
		cmocka_unit_test(test_attr_int),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_exact_bytes),
		cmocka_unit_test(test_build_attrs),
		cmocka_unit_test(test_build_overflow),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
