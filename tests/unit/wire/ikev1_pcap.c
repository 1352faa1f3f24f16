/* Real-format check: builds IKEv1 messages with the wire/ builders, parses them back, and
 * writes them into a pcap (argv[1]) that tshark_check.sh then dissects with tshark.
 *   1. main mode message 1: SA (1 proposal, 3 transforms, TV attrs + TLV life duration),
 *      VENDOR ID x2
 *   2. main mode message 3: KE (group 14), NONCE, NAT-D x2
 *   3. an informational exchange (not encrypted): NOTIFY INITIAL-CONTACT, DELETE ESP
 *   4. a quick-mode-shaped message (not encrypted): HASH, SA (ESP proposal, SPI), NONCE,
 *      ID subnet x2
 * Exit status 0 only if every message was built and parsed back. With a second argument it
 * also writes each message as a file into that directory (the fuzz/corpus/isakmp seeds). */
#include <stdio.h>
#include <string.h>

#include "pcap.h"
#include "wire/isakmp.h"

#define IP4(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (d))

/* IKE attribute types and values (RFC 2409 app. A) */
enum { A_ENC = 1, A_HASH = 2, A_AUTH = 3, A_GROUP = 4, A_LIFE_TYPE = 11, A_LIFE_DUR = 12,
       A_KEYLEN = 14 };
/* IPsec attribute types (RFC 2407 4.5) */
enum { Q_LIFE_TYPE = 1, Q_LIFE_DUR = 2, Q_ENCAP = 4, Q_AUTH = 5, Q_KEYLEN = 6 };
#define KEY_IKE 1
#define ESP_AES 12

static const uint8_t icookie[8] = {0x6b, 0x1c, 0x2e, 0x90, 0x11, 0xa4, 0x5d, 0x03};
static const uint8_t rcookie[8] = {0x9e, 0x44, 0x01, 0xbc, 0x72, 0x18, 0xe6, 0x5a};
static const uint8_t life_28800[4] = {0x00, 0x00, 0x70, 0x80};
static const uint8_t vid_rfc3947[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};

static struct isakmp_attr tv(uint16_t type, uint16_t value)
{
	return (struct isakmp_attr){.type = type, .tv = true, .value = value};
}

static struct isakmp_attr tlv(uint16_t type, const uint8_t *p, size_t len)
{
	return (struct isakmp_attr){.type = type, .tv = false, .lv = {p, len}};
}

static void ike_transform(struct isakmp_transform *t, uint8_t n, uint16_t enc, uint16_t keylen,
			  uint16_t hash, uint16_t group)
{
	size_t k = 0;

	t->number = n;
	t->id = KEY_IKE;
	t->attrs[k++] = tv(A_ENC, enc);
	if (keylen)
		t->attrs[k++] = tv(A_KEYLEN, keylen);
	t->attrs[k++] = tv(A_HASH, hash);
	t->attrs[k++] = tv(A_AUTH, 1);                  /* pre-shared key */
	t->attrs[k++] = tv(A_GROUP, group);
	t->attrs[k++] = tv(A_LIFE_TYPE, 1);             /* seconds */
	t->attrs[k++] = tlv(A_LIFE_DUR, life_28800, 4);
	t->n_attrs = k;
}

static struct isakmp_hdr hdr(uint8_t exch, bool with_r, uint32_t msgid)
{
	struct isakmp_hdr h = {.version = 0x10, .exchange = exch, .msgid = msgid};

	memcpy(h.icookie, icookie, 8);
	if (with_r)
		memcpy(h.rcookie, rcookie, 8);
	return h;
}

static size_t build_mm1(uint8_t *buf, size_t cap)
{
	static struct isakmp_sa sa;
	struct isakmp_builder b;
	struct isakmp_hdr h = hdr(EXCH_IDPROT, false, 0);

	sa.doi = 1;
	sa.situation = 1;
	sa.n_proposals = 1;
	sa.proposals[0].number = 1;
	sa.proposals[0].protocol = PROTO_ISAKMP;
	sa.proposals[0].n_transforms = 3;
	ike_transform(&sa.proposals[0].transforms[0], 1, 7, 256, 4, 14);   /* AES-256 SHA256 */
	ike_transform(&sa.proposals[0].transforms[1], 2, 7, 128, 2, 14);   /* AES-128 SHA1 */
	ike_transform(&sa.proposals[0].transforms[2], 3, 5, 0, 2, 2);      /* 3DES SHA1 modp1024 */
	isakmp_build_start(&b, buf, cap, &h);
	isakmp_put_sa(&b, &sa);
	isakmp_put_raw(&b, PL_VID, vid_rfc3947, sizeof(vid_rfc3947));
	isakmp_put_raw(&b, PL_VID, vid_dpd, sizeof(vid_dpd));
	return isakmp_build_finish(&b);
}

static size_t build_mm3(uint8_t *buf, size_t cap)
{
	uint8_t ke[256], nonce[32], natd[20];
	struct isakmp_builder b;
	struct isakmp_hdr h = hdr(EXCH_IDPROT, true, 0);

	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(i * 13 + 5);
	for (size_t i = 0; i < sizeof(natd); i++)
		natd[i] = (uint8_t)(i * 3 + 9);
	isakmp_build_start(&b, buf, cap, &h);
	isakmp_put_raw(&b, PL_KE, ke, sizeof(ke));
	isakmp_put_raw(&b, PL_NONCE, nonce, sizeof(nonce));
	isakmp_put_raw(&b, PL_NATD, natd, sizeof(natd));
	natd[0] ^= 0xff;
	isakmp_put_raw(&b, PL_NATD, natd, sizeof(natd));
	return isakmp_build_finish(&b);
}

static size_t build_info(uint8_t *buf, size_t cap)
{
	static const uint8_t spis[8] = {0xc0, 0xff, 0xee, 0x01, 0xc0, 0xff, 0xee, 0x02};
	uint8_t cookies[16];
	struct isakmp_builder b;
	struct isakmp_hdr h = hdr(EXCH_INFO, true, 0x1d2c3b4a);

	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	isakmp_build_start(&b, buf, cap, &h);
	isakmp_put_notify(&b, 1, PROTO_ISAKMP, 24578, cookies, 16, NULL, 0);  /* INITIAL-CONTACT */
	isakmp_put_delete(&b, PROTO_IPSEC_ESP, 4, spis, 2);
	return isakmp_build_finish(&b);
}

static size_t build_quick(uint8_t *buf, size_t cap)
{
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};
	static const uint8_t life_3600[2] = {0x0e, 0x10};
	static const uint8_t sub_l[8] = {192, 168, 1, 0, 255, 255, 255, 0};
	static const uint8_t sub_r[8] = {10, 20, 0, 0, 255, 255, 0, 0};
	static struct isakmp_sa sa;
	uint8_t hash[20] = {0}, nonce[16] = {0};
	struct isakmp_builder b;
	struct isakmp_hdr h = hdr(EXCH_QUICK, true, 0x55667788);
	struct isakmp_transform *t;

	sa.doi = 1;
	sa.situation = 1;
	sa.n_proposals = 1;
	sa.proposals[0].number = 1;
	sa.proposals[0].protocol = PROTO_IPSEC_ESP;
	sa.proposals[0].spi = (struct ikg_bytes){spi, 4};
	sa.proposals[0].n_transforms = 1;
	t = &sa.proposals[0].transforms[0];
	t->number = 1;
	t->id = ESP_AES;
	t->attrs[0] = tv(Q_LIFE_TYPE, 1);
	t->attrs[1] = tlv(Q_LIFE_DUR, life_3600, 2);
	t->attrs[2] = tv(Q_ENCAP, 1);                    /* tunnel */
	t->attrs[3] = tv(Q_AUTH, 2);                     /* HMAC-SHA1 */
	t->attrs[4] = tv(Q_KEYLEN, 128);
	t->n_attrs = 5;
	isakmp_build_start(&b, buf, cap, &h);
	isakmp_put_raw(&b, PL_HASH, hash, sizeof(hash));
	isakmp_put_sa(&b, &sa);
	isakmp_put_raw(&b, PL_NONCE, nonce, sizeof(nonce));
	isakmp_put_id(&b, ID_IPV4_ADDR_SUBNET, 0, 0, sub_l, 8);
	isakmp_put_id(&b, ID_IPV4_ADDR_SUBNET, 0, 0, sub_r, 8);
	return isakmp_build_finish(&b);
}

/* Parses a built message back: header, chain, and every payload with a parser. */
static int check(const uint8_t *m, size_t len, size_t want_payloads)
{
	struct isakmp_hdr h;
	static struct isakmp_chain c;
	static struct isakmp_sa sa;

	if (len == 0 || isakmp_parse_hdr(m, len, &h) < 0)
		return -1;
	if (isakmp_parse_chain(h.next_payload, m + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, false,
			       &c) < 0 || c.n != want_payloads)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		const struct isakmp_payload *p = &c.pl[i];
		struct isakmp_id id;
		struct isakmp_notify n;
		struct isakmp_delete d;
		int rc = 0;

		switch (p->type) {
		case PL_SA: rc = isakmp_parse_sa(p->body, &sa); break;
		case PL_ID: rc = isakmp_parse_id(p->body, &id); break;
		case PL_N: rc = isakmp_parse_notify(p->body, &n); break;
		case PL_D: rc = isakmp_parse_delete(p->body, &d); break;
		case PL_KE: rc = isakmp_check_ke(p->body); break;
		case PL_NONCE: rc = isakmp_check_nonce(p->body); break;
		case PL_HASH: case PL_NATD: rc = isakmp_check_hash(p->body); break;
		default: break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int write_corpus(const char *dir, uint8_t (*buf)[2048], const size_t *len)
{
	static const char *const names[4] = {"mm1", "mm3", "info", "quick"};
	char path[4096];

	for (int i = 0; i < 4; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.bin", dir, names[i]);
		f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return -1;
		}
		bool ok = fwrite(buf[i], len[i], 1, f) == 1;
		if (fclose(f) != 0 || !ok) {
			fprintf(stderr, "%s: write failed\n", path);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[4][2048];
	size_t len[4];
	const size_t want[4] = {3, 4, 2, 5};
	const ikg_ip4 a = IP4(192, 0, 2, 1), b = IP4(198, 51, 100, 2);
	struct pcapw w;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s OUT.pcap [CORPUS_DIR]\n", argv[0]);
		return 2;
	}
	len[0] = build_mm1(buf[0], sizeof(buf[0]));
	len[1] = build_mm3(buf[1], sizeof(buf[1]));
	len[2] = build_info(buf[2], sizeof(buf[2]));
	len[3] = build_quick(buf[3], sizeof(buf[3]));
	for (int i = 0; i < 4; i++) {
		if (check(buf[i], len[i], want[i]) < 0) {
			fprintf(stderr, "message %d does not parse back\n", i + 1);
			return 1;
		}
	}
	if (argc == 3 && write_corpus(argv[2], buf, len) < 0)
		return 1;
	if (pcapw_open(&w, argv[1]) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		int out = i % 2 == 0;
		if (pcapw_write_udp(&w, 1700000000000000ull + (uint64_t)i * 1000, out ? a : b, 500,
				    out ? b : a, 500, buf[i], len[i]) < 0) {
			fprintf(stderr, "pcap write failed\n");
			pcapw_close(&w);
			return 1;
		}
	}
	if (pcapw_close(&w) < 0) {
		fprintf(stderr, "pcap close failed\n");
		return 1;
	}
	printf("wrote %s: MM1 %zu, MM3 %zu, INFO %zu, QUICK %zu bytes\n", argv[1], len[0], len[1],
	       len[2], len[3]);
	return 0;
}
