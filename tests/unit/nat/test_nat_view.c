/* `show ip nat translations`: the technote's screens rebuilt from entries the test creates.
 *
 * The technote's screens come in two styles. The ones with an h:mm column are the model of
 * our layout and are reproduced byte for byte (the UDP 500 "in" row, the ESP and UDP 500 "out"
 * rows). Its NTP row "204.152.184.72 123  out  UDP" has one blank fewer before "123" than its
 * neighbour row of the same screen allows for any fixed-width layout; we print it with the
 * same columns as every other row. The earliest screens (no h:mm, "10.0.0.1:" with a colon)
 * are an older firmware's style; we show the same entries in the h:mm layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nat/table.h"
#include "view/nat_view.h"

#define IP(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (ikg_ip4)(d))
#define SEC(s) ((ikg_ms)(s) * 1000)
#define MIN(m) SEC((m) * 60)
#define T0 ((ikg_ms)1055872051000ULL)

#define HEADER "LAN IP Address-- Port-- WAN IP Address-- Port-- Rem IP Address-- Port-- " \
	       "Dir-- Prot h:mm\n"

static const ikg_ip4 r9100 = IP(10, 0, 0, 1), r3386 = IP(10, 0, 0, 2);
static const ikg_ip4 ntp = IP(204, 152, 184, 72);

static struct nat_entry *own(struct nat_table *t, ikg_ms now, enum nat_dir dir, uint8_t proto,
			     ikg_ip4 self, uint16_t port, ikg_ip4 peer, uint16_t peer_port)
{
	return nat_table_touch(t, now, dir, proto, self, port, self, port, peer, peer_port);
}

static void expect_render(const struct nat_table *t, ikg_ms now, const char *want)
{
	struct strbuf b;
	sb_init(&b);
	nat_view_render(t, now, &b);
	assert_false(b.failed);
	assert_string_equal(sb_str(&b), want);
	sb_free(&b);
}

/* R9100 10.0.0.1 initiating: its IKE request goes out, nothing comes back. */
static void test_r9100_initiating(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 64);
	own(t, T0, NAT_DIR_OUT, 17, r9100, 500, r3386, 500);
	/* retransmissions refresh the same translation */
	own(t, T0 + SEC(10), NAT_DIR_OUT, 17, r9100, 500, r3386, 500);
	expect_render(t, T0 + SEC(30),
		      HEADER
		      " 10.0.0.1       500     10.0.0.1       500   10.0.0.2       500  out  UDP 0:00\n"
		      "\n"
		      "Total entries in NAT cache: 1\n");
	nat_table_free(t);
}

/* 3386 10.0.0.2: NTP, then the R9100's IKE request arrives (same screen with or without a
 * filter set blocking UDP 500, since NAT comes first). */
static void test_3386_incoming_ike(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 64);
	own(t, T0, NAT_DIR_OUT, 17, r3386, 55663, ntp, 123);
	own(t, T0 + 200, NAT_DIR_IN, 17, r3386, 500, r9100, 500);
	const char *ntp_row =
		" 10.0.0.2      55663    10.0.0.2      55663 204.152.184.72  123  out  UDP 0:02\n";
	const char *ike_row =
		" 10.0.0.2       500     10.0.0.2       500   10.0.0.1       500  in   UDP 0:02\n";
	char want[1024];
	snprintf(want, sizeof(want), "%s%s%s\nTotal entries in NAT cache: 2\n", HEADER, ntp_row,
		 ike_row);
	expect_render(t, T0 + MIN(2) + 200, want);
	/* the technote's UDP 500 row, exactly as printed there */
	assert_string_equal(ike_row, " 10.0.0.2       500     10.0.0.2       500   10.0.0.1"
				     "       500  in   UDP 0:02\n");
	nat_table_free(t);
}

/* R9100 two hours after the tunnel came up (the technote's screen is taken at 05:57 PM, the
 * tunnel completed phase 2 at 15:47): the old translations have long aged out; the ping
 * re-created ESP and the quick-mode rekey re-created UDP 500, both two minutes ago. */
static void test_r9100_esp_and_ike_after_tunnel(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 64);
	ikg_ms up = T0 + SEC(20); /* phase 2 complete */
	own(t, T0, NAT_DIR_OUT, 17, r9100, 500, r3386, 500);
	own(t, up, NAT_DIR_OUT, 17, r9100, 500, r3386, 500);
	own(t, up, NAT_DIR_OUT, 50, r9100, 0, r3386, 0);
	/* right after the tunnel: UDP 500 first, ESP once traffic passes */
	expect_render(t, up + MIN(2),
		      HEADER
		      " 10.0.0.1       500     10.0.0.1       500   10.0.0.2       500  out  UDP 0:02\n"
		      " 10.0.0.1               10.0.0.1             10.0.0.2            out  ESP 0:02\n"
		      "\n"
		      "Total entries in NAT cache: 2\n");
	/* two hours later, everything idle has gone */
	ikg_ms later = up + MIN(127);
	nat_table_expire(t, later);
	assert_int_equal(nat_table_count(t), 0);
	own(t, later, NAT_DIR_OUT, 50, r9100, 0, r3386, 0);       /* the ping */
	own(t, later + SEC(1), NAT_DIR_OUT, 17, r9100, 500, r3386, 500); /* rekey */
	own(t, later + SEC(2), NAT_DIR_OUT, 50, r9100, 0, r3386, 0);
	expect_render(t, later + MIN(2) + SEC(1),
		      HEADER
		      " 10.0.0.1               10.0.0.1             10.0.0.2            out  ESP 0:02\n"
		      " 10.0.0.1       500     10.0.0.1       500   10.0.0.2       500  out  UDP 0:02\n"
		      "\n"
		      "Total entries in NAT cache: 2\n");
	nat_table_free(t);
}

/* 3386 ten minutes after the tunnel: the IKE translation aged out at 600 s idle, the ESP one
 * at 180 s idle; a ping re-creates ESP. */
static void test_3386_esp_only_after_ten_minutes(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 64);
	ikg_ms ike_last = T0 + SEC(15);  /* last quick-mode message */
	ikg_ms esp_last = T0 + SEC(75);  /* last ping reply of the first test */
	own(t, T0, NAT_DIR_IN, 17, r3386, 500, r9100, 500);
	own(t, ike_last, NAT_DIR_OUT, 17, r3386, 500, r9100, 500);
	own(t, T0 + SEC(20), NAT_DIR_IN, 50, r3386, 0, r9100, 0);
	own(t, esp_last, NAT_DIR_OUT, 50, r3386, 0, r9100, 0);

	assert_true(nat_table_next_expiry(t) == esp_last + SEC(180));
	assert_int_equal(nat_table_expire(t, esp_last + SEC(180) - 1), 0);
	assert_int_equal(nat_table_expire(t, esp_last + SEC(180)), 1);
	assert_null(nat_table_lookup_out(t, 50, r3386, 0, r9100, 0));
	expect_render(t, esp_last + SEC(180),
		      HEADER
		      " 10.0.0.2       500     10.0.0.2       500   10.0.0.1       500  in   UDP 0:04\n"
		      "\n"
		      "Total entries in NAT cache: 1\n");

	assert_true(nat_table_next_expiry(t) == ike_last + SEC(600));
	assert_int_equal(nat_table_expire(t, ike_last + SEC(600) - 1), 0);
	assert_int_equal(nat_table_expire(t, ike_last + SEC(600)), 1);
	expect_render(t, ike_last + SEC(600), HEADER "\nTotal entries in NAT cache: 0\n");

	/* ten minutes after the tunnel, the ping goes out through it again */
	ikg_ms ping = T0 + MIN(10) + SEC(30);
	own(t, ping, NAT_DIR_OUT, 50, r3386, 0, r9100, 0);
	expect_render(t, ping + SEC(5),
		      HEADER
		      " 10.0.0.2               10.0.0.2             10.0.0.1            out  ESP 0:00\n"
		      "\n"
		      "Total entries in NAT cache: 1\n");
	nat_table_free(t);
}

static void test_hmm_advances(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	struct nat_entry *e = own(t, T0, NAT_DIR_IN, 17, r3386, 500, r9100, 500);
	const char *fmt = HEADER
		" 10.0.0.2       500     10.0.0.2       500   10.0.0.1       500  in   UDP %s\n"
		"\nTotal entries in NAT cache: 1\n";
	struct {
		ikg_ms at;
		const char *hmm;
	} cases[] = {
		{T0, "0:00"},
		{T0 + MIN(1) - 1, "0:00"},
		{T0 + MIN(1), "0:01"},
		{T0 + MIN(2) - 1, "0:01"},
		{T0 + MIN(2), "0:02"},
		{T0 + MIN(59) + SEC(59), "0:59"},
		{T0 + MIN(60), "1:00"},
		{T0 + MIN(65), "1:05"},
		{T0 + MIN(600) + MIN(7), "10:07"},
		{T0 - SEC(5), "0:00"}, /* a clock behind the entry never shows a negative age */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[512];
		nat_table_refresh(t, e, cases[i].at); /* age counts from creation, not use */
		snprintf(want, sizeof(want), fmt, cases[i].hmm);
		expect_render(t, cases[i].at, want);
	}
	nat_table_free(t);
}

static void test_other_protocols_and_ports(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	nat_table_touch(t, T0, NAT_DIR_OUT, 1, IP(192, 168, 1, 2), 7, IP(198, 51, 100, 1), 1024,
			IP(8, 8, 8, 8), 7);
	nat_table_touch(t, T0, NAT_DIR_OUT, 6, IP(192, 168, 1, 2), 4500, IP(198, 51, 100, 1), 1,
			IP(255, 255, 255, 255), 80);
	nat_table_touch(t, T0, NAT_DIR_IN, 51, IP(192, 168, 1, 2), 0, IP(198, 51, 100, 1), 0,
			IP(0, 0, 0, 0), 0);
	nat_table_touch(t, T0, NAT_DIR_OUT, 47, IP(192, 168, 1, 2), 0, IP(198, 51, 100, 1), 0,
			IP(1, 2, 3, 4), 0);
	expect_render(t, T0,
		      HEADER
		      "192.168.1.2      7     198.51.100.1   1024    8.8.8.8            out  ICMP 0:00\n"
		      "192.168.1.2    4500    198.51.100.1     1   255.255.255.255 80   out  TCP 0:00\n"
		      "192.168.1.2            198.51.100.1           0.0.0.0            in   AH  0:00\n"
		      "192.168.1.2            198.51.100.1           1.2.3.4            out  47  0:00\n"
		      "\n"
		      "Total entries in NAT cache: 4\n");
	nat_table_free(t);
}

static void test_json(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	struct strbuf b;
	sb_init(&b);
	nat_view_json(t, T0, &b);
	assert_string_equal(sb_str(&b), "{\"entries\":[],\"total\":0}\n");
	sb_reset(&b);

	own(t, T0, NAT_DIR_IN, 17, r3386, 500, r9100, 500);
	own(t, T0 + SEC(30), NAT_DIR_OUT, 50, r3386, 0, r9100, 0);
	nat_table_touch(t, T0, NAT_DIR_OUT, 1, IP(192, 168, 1, 2), 7, r3386, 1024, r9100, 7);
	nat_view_json(t, T0 + MIN(2), &b);
	assert_string_equal(sb_str(&b),
		"{\"entries\":["
		"{\"lan_ip\":\"10.0.0.2\",\"lan_port\":500,\"wan_ip\":\"10.0.0.2\",\"wan_port\":500,"
		"\"rem_ip\":\"10.0.0.1\",\"rem_port\":500,\"dir\":\"in\",\"proto\":\"UDP\","
		"\"age_s\":120,\"expires_in_s\":480},"
		"{\"lan_ip\":\"10.0.0.2\",\"lan_port\":null,\"wan_ip\":\"10.0.0.2\",\"wan_port\":null,"
		"\"rem_ip\":\"10.0.0.1\",\"rem_port\":null,\"dir\":\"out\",\"proto\":\"ESP\","
		"\"age_s\":90,\"expires_in_s\":90},"
		"{\"lan_ip\":\"192.168.1.2\",\"lan_port\":7,\"wan_ip\":\"10.0.0.2\",\"wan_port\":1024,"
		"\"rem_ip\":\"10.0.0.1\",\"rem_port\":null,\"dir\":\"out\",\"proto\":\"ICMP\","
		"\"age_s\":120,\"expires_in_s\":0}"
		"],\"total\":3}\n");
	sb_free(&b);
	nat_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r9100_initiating),
		cmocka_unit_test(test_3386_incoming_ike),
		cmocka_unit_test(test_r9100_esp_and_ike_after_tunnel),
		cmocka_unit_test(test_3386_esp_only_after_ten_minutes),
		cmocka_unit_test(test_hmm_advances),
		cmocka_unit_test(test_other_protocols_and_ports),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
