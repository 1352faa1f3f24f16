/* Issue 3: each of the six Rx discard reasons of the technote, hit by a crafted packet and
 * counted under that reason alone; and Tx/Rx counters exact. Two real gateways in one process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "wire/ipv4.h"

#define IP(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (ikg_ip4)(d))

/* A's members are wider than what B accepts: traffic from 192.168.9.0/24 or to 192.168.8.0/24
 * is encrypted by A but arrives at B outside its member ranges. */
#define CFG_A(PROTO)                                                                         \
	"gateway = { wan-address = \"10.0.0.1\"; };\n"                                       \
	"ike-profiles = { k = { encryption = \"aes128\"; hash = \"sha256\"; dh-group = 14;"  \
	" secret = \"s3cret\"; dpd = 0; }; };\n"                                             \
	"ipsec-profiles = { b = { remote-endpoint = \"10.0.0.2\";"                           \
	" local-members = [ \"192.168.1.0/24\", \"192.168.9.0/24\" ];"                       \
	" remote-members = [ \"192.168.2.0/24\", \"192.168.8.0/24\" ]; ike-profile = \"k\";" \
	PROTO " }; };\n"
#define CFG_B(PROTO)                                                                         \
	"gateway = { wan-address = \"10.0.0.2\"; };\n"                                       \
	"ike-profiles = { k = { encryption = \"aes128\"; hash = \"sha256\"; dh-group = 14;"  \
	" secret = \"s3cret\"; dpd = 0; }; };\n"                                             \
	"ipsec-profiles = { a = { remote-endpoint = \"10.0.0.1\";"                           \
	" local-members = \"192.168.2.0/24\"; remote-members = \"192.168.1.0/24\";"          \
	" ike-profile = \"k\";" PROTO " }; };\n"

#define ESP_OPTS " encryption = \"aes128gcm16\";"
#define AH_OPTS " protocol = \"ah\"; integrity = \"sha256\";"

static const ikg_ip4 host_a = IP(192, 168, 1, 10), host_b = IP(192, 168, 2, 20);

static void expect_only(const struct vpn_counters *c, enum rx_discard r, uint64_t n)
{
	for (int i = 0; i < RXD__COUNT; i++)
		assert_int_equal(c->discards[i], i == (int)r ? n : 0);
	assert_int_equal(c->rx_discards, n);
}

static struct pair *up(const char *a, const char *b)
{
	struct pair *p = test_malloc(sizeof(*p));
	assert_int_equal(pair_init(p, a, b), 0);
	pair_ping(p, &p->a, host_a, host_b);   /* the first ping brings the tunnel up */
	pair_run(p, 10000);
	assert_int_equal(p->b.lan_delivered, 1);
	assert_true(p->a.have_ipsec);
	return p;
}

static void down(struct pair *p)
{
	pair_free(p);
	test_free(p);
}

static void test_counts_exact(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	for (int i = 0; i < 4; i++)
		pair_ping(p, &p->a, host_a, host_b);
	pair_run(p, 1000);
	for (int i = 0; i < 5; i++)
		pair_ping(p, &p->b, host_b, host_a);
	pair_run(p, 1000);
	assert_int_equal(pair_counters(&p->a, 0)->tx_packets, 5);
	assert_int_equal(pair_counters(&p->b, 0)->rx_packets, 5);
	assert_int_equal(pair_counters(&p->b, 0)->tx_packets, 5);
	assert_int_equal(pair_counters(&p->a, 0)->rx_packets, 5);
	assert_int_equal(pair_counters(&p->a, 0)->rx_discards, 0);
	assert_int_equal(pair_counters(&p->b, 0)->rx_discards, 0);
	down(p);
}

static void test_unknown_protocol(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	uint8_t pkt[64] = {0};
	memset(pkt + 20, 0xab, 44);
	ipv4_write_hdr(pkt, 108, IP(10, 0, 0, 1), IP(10, 0, 0, 2), sizeof(pkt), 7); /* IPComp */
	pair_inject_wan(p, &p->b, pkt, sizeof(pkt));
	expect_only(pair_counters(&p->b, 0), RXD_UNKNOWN_PROTOCOL, 1);
	down(p);
}

static void test_unknown_spi(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	struct ikg_pkt x = p->a.last_ipsec;
	uint8_t *b = pkt_start(&x);
	assert_int_equal(b[9], 50);
	b[20] ^= 0x5a;                     /* SPI */
	pair_inject_wan(p, &p->b, b, x.len);
	expect_only(pair_counters(&p->b, 0), RXD_UNKNOWN_SPI, 1);
	down(p);
}

static void test_replay(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	struct ikg_pkt x = p->a.last_ipsec; /* already delivered once */
	pair_inject_wan(p, &p->b, pkt_start(&x), x.len);
	expect_only(pair_counters(&p->b, 0), RXD_ESP_AH_ERROR, 1);
	assert_int_equal(pair_counters(&p->b, 0)->rx_packets, 1);
	down(p);
}

static void test_flipped_icv(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	pair_ping(p, &p->a, host_a, host_b);   /* queued, not delivered yet */
	assert_int_equal(p->a.n_wan, 1);
	struct ikg_pkt good = *p->a.wan[0], bad = good;
	pkt_start(&bad)[bad.len - 1] ^= 0x01; /* last ICV byte */
	pair_inject_wan(p, &p->b, pkt_start(&bad), bad.len);
	expect_only(pair_counters(&p->b, 0), RXD_ESP_AH_ERROR, 1);
	pair_inject_wan(p, &p->b, pkt_start(&good), good.len); /* the untouched one passes */
	assert_int_equal(pair_counters(&p->b, 0)->rx_packets, 2);
	expect_only(pair_counters(&p->b, 0), RXD_ESP_AH_ERROR, 1);
	down(p);
}

static void test_sa_mismatch(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(AH_OPTS), CFG_B(AH_OPTS));
	struct ikg_pkt x = p->a.last_ipsec;
	uint8_t *b = pkt_start(&x);
	assert_int_equal(b[9], 51);
	uint8_t esp[80];
	memset(esp, 0x33, sizeof(esp));
	memcpy(esp + 20, b + 24, 4);           /* the AH SA's SPI, in an ESP packet */
	ipv4_write_hdr(esp, 50, IP(10, 0, 0, 1), IP(10, 0, 0, 2), sizeof(esp), 9);
	pair_inject_wan(p, &p->b, esp, sizeof(esp));
	expect_only(pair_counters(&p->b, 0), RXD_SA_MISMATCH, 1);
	down(p);
}

static void test_bad_source(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	pair_ping(p, &p->a, IP(192, 168, 9, 5), host_b);
	pair_run(p, 1000);
	expect_only(pair_counters(&p->b, 0), RXD_BAD_SOURCE, 1);
	assert_int_equal(p->b.lan_delivered, 1);
	down(p);
}

static void test_bad_destination(void **state)
{
	(void)state;
	struct pair *p = up(CFG_A(ESP_OPTS), CFG_B(ESP_OPTS));
	pair_ping(p, &p->a, host_a, IP(192, 168, 8, 1));
	pair_run(p, 1000);
	expect_only(pair_counters(&p->b, 0), RXD_BAD_DESTINATION, 1);
	down(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_exact),
		cmocka_unit_test(test_unknown_protocol),
		cmocka_unit_test(test_unknown_spi),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_flipped_icv),
		cmocka_unit_test(test_sa_mismatch),
		cmocka_unit_test(test_bad_source),
		cmocka_unit_test(test_bad_destination),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
