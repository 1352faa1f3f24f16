/* Cross-check with an independent encoder: the fuzz seeds in fuzz/corpus/ipv4_esp/ were built
 * by scapy (fuzz/gen_ipv4_esp_corpus.py); our parsers must read them as scapy meant them,
 * checksums included. argv[1] is the corpus directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/esp.h"
#include "wire/ipv4.h"
#include "wire/isakmp.h"

#define IP4(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (d))

static const char *dir;
static uint8_t pkt[2048];
static size_t pkt_len;

static void load(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	pkt_len = fread(pkt, 1, sizeof(pkt), f);
	fclose(f);
	assert_true(pkt_len > 0);
}

/* IPv4 with a verified header checksum and, for UDP, a verified UDP checksum (when set). */
static void ip(struct ipv4_view *v, uint8_t proto)
{
	assert_int_equal(ipv4_parse(pkt, pkt_len, true, v), 0);
	assert_int_equal(v->total_len, pkt_len);
	assert_int_equal(v->protocol, proto);
}

static void udp(const struct ipv4_view *v, struct udp_view *u, uint16_t sport, uint16_t dport)
{
	uint8_t buf[12 + 2048];

	assert_int_equal(udp_parse(v->payload, v->payload_len, u), 0);
	assert_int_equal(u->sport, sport);
	assert_int_equal(u->dport, dport);
	if (v->payload[6] | v->payload[7]) {
		memcpy(buf, pkt + 12, 8);            /* src, dst */
		buf[8] = 0;
		buf[9] = IPPROTO_UDP_;
		buf[10] = (uint8_t)(u->length >> 8);
		buf[11] = (uint8_t)u->length;
		memcpy(buf + 12, v->payload, u->length);
		assert_int_equal(inet_csum(buf, 12 + (size_t)u->length), 0);
	}
}

static void test_udp500_ike(void **state)
{
	struct ipv4_view v;
	struct udp_view u;
	struct isakmp_hdr h;

	load("udp500_ike");
	ip(&v, IPPROTO_UDP_);
	assert_int_equal(v.src, IP4(192, 0, 2, 1));
	assert_int_equal(v.dst, IP4(198, 51, 100, 2));
	assert_false(ipv4_is_fragment(&v));
	udp(&v, &u, 500, 500);
	assert_int_equal(isakmp_parse_hdr(u.payload, u.payload_len, &h), 0);
	assert_int_equal(h.next_payload, PL_SA);
	assert_int_equal(h.exchange, EXCH_IDPROT);
}

static void test_udp4500(void **state)
{
	struct ipv4_view v;
	struct udp_view u;
	struct isakmp_hdr h;
	struct esp_view e;
	size_t off;

	load("udp4500_ike");
	ip(&v, IPPROTO_UDP_);
	udp(&v, &u, 4500, 4500);
	assert_int_equal(udp4500_classify(u.payload, u.payload_len, &off), U4500_IKE);
	assert_int_equal(isakmp_parse_hdr(u.payload + off, u.payload_len - off, &h), 0);

	load("udp4500_esp");
	ip(&v, IPPROTO_UDP_);
	udp(&v, &u, 4500, 4500);
	assert_int_equal(udp4500_classify(u.payload, u.payload_len, &off), U4500_ESP);
	assert_int_equal(esp_parse(u.payload + off, u.payload_len - off, &e), 0);
	assert_int_equal(e.spi, 0xc0ffee01);
	assert_int_equal(e.seq, 1);
	assert_int_equal(e.body_len, 48);

	load("udp4500_keepalive");
	ip(&v, IPPROTO_UDP_);
	udp(&v, &u, 4500, 4500);
	assert_int_equal(udp4500_classify(u.payload, u.payload_len, &off), U4500_KEEPALIVE);
}

static void test_esp_ah(void **state)
{
	struct ipv4_view v, inner;
	struct esp_view e;
	struct ah_view a;

	load("esp");
	ip(&v, 50);
	assert_int_equal(esp_parse(v.payload, v.payload_len, &e), 0);
	assert_int_equal(e.spi, 0x1234);
	assert_int_equal(e.seq, 7);
	assert_int_equal(e.body_len, 40);

	load("ah");
	ip(&v, 51);
	assert_int_equal(ah_parse(v.payload, v.payload_len, &a), 0);
	assert_int_equal(a.next_header, 4);
	assert_int_equal(a.spi, 0x4321);
	assert_int_equal(a.seq, 3);
	assert_int_equal(a.icv_len, 12);
	assert_int_equal(ipv4_parse(a.payload, a.payload_len, true, &inner), 0);
	assert_int_equal(inner.protocol, IPPROTO_ICMP_);
	assert_int_equal(inner.dst, IP4(10, 0, 0, 2));
}

static void test_l4(void **state)
{
	struct ipv4_view v;
	uint16_t s, d;

	load("tcp");
	ip(&v, IPPROTO_TCP_);
	assert_int_equal(l4_ports(v.protocol, v.payload, v.payload_len, &s, &d), 0);
	assert_int_equal(s, 12345);
	assert_int_equal(d, 80);
	assert_int_equal(inet_csum(pkt, 20), 0);

	load("icmp_echo");
	ip(&v, IPPROTO_ICMP_);
	assert_int_equal(l4_ports(v.protocol, v.payload, v.payload_len, &s, &d), 0);
	assert_int_equal(s, 0x1234);
	assert_int_equal(d, 0x1234);
	assert_int_equal(inet_csum(v.payload, v.payload_len), 0);   /* scapy's ICMP checksum */
}

static void test_options_fragment(void **state)
{
	struct ipv4_view v;
	struct udp_view u;

	load("ip_options");
	ip(&v, IPPROTO_UDP_);
	assert_int_equal(v.ihl_bytes, 24);
	udp(&v, &u, 1, 2);
	assert_int_equal(u.payload_len, 1);
	assert_int_equal(u.payload[0], 'x');

	load("fragment");
	ip(&v, IPPROTO_UDP_);
	assert_true(ipv4_is_fragment(&v));
	assert_int_equal(v.id, 9);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp500_ike),
		cmocka_unit_test(test_udp4500),
		cmocka_unit_test(test_esp_ah),
		cmocka_unit_test(test_l4),
		cmocka_unit_test(test_options_fragment),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
