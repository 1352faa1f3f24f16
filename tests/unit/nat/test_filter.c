/* Filter sets: first match, hit counters, ranges, the default; NAT before the firewall (the
 * technote's blocked UDP 500 that still shows its translation); `show filter`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nat/filter.h"
#include "nat/flow.h"
#include "nat/table.h"
#include "view/filter_view.h"
#include "view/nat_view.h"
#include "wire/ipv4.h"

#define IP(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (ikg_ip4)(d))
#define SEC(s) ((ikg_ms)(s) * 1000)
#define T0 ((ikg_ms)1055872051000ULL)

static const ikg_ip4 r9100 = IP(10, 0, 0, 1), r3386 = IP(10, 0, 0, 2);

static struct cfg_filter_rule rule(enum cfg_action a, uint8_t proto)
{
	struct cfg_filter_rule r;
	filter_rule_init(&r, a);
	r.protocol = proto;
	return r;
}

static void add(struct cfg_filter_set *s, struct cfg_filter_rule r)
{
	s->rules[s->n_rules++] = r;
}

static void test_rule_init_is_catch_all(void **state)
{
	(void)state;
	struct cfg_filter_rule r = rule(CFG_DENY, 0);
	assert_int_equal(r.action, CFG_DENY);
	assert_true(filter_rule_matches(&r, 17, 0, 0, UINT32_MAX, 65535));
	assert_true(filter_rule_matches(&r, 50, r9100, 0, r3386, 0));
	assert_true(filter_rule_matches(&r, 1, r9100, 7, r3386, 7));
	assert_string_equal(filter_action_name(CFG_DENY), "deny");
	assert_string_equal(filter_action_name(CFG_PERMIT), "permit");
	assert_string_equal(filter_apply_name(CFG_APPLY_WAN_IN), "wan-in");
	assert_string_equal(filter_apply_name(CFG_APPLY_WAN_OUT), "wan-out");
}

static void test_first_match_wins_and_counts(void **state)
{
	(void)state;
	struct cfg_filter_set s = {.name = "wan-in", .apply = CFG_APPLY_WAN_IN};
	struct cfg_filter_rule deny500 = rule(CFG_DENY, 17);
	deny500.dst_port_lo = deny500.dst_port_hi = 500;
	add(&s, deny500);
	add(&s, rule(CFG_PERMIT, 17));
	add(&s, rule(CFG_DENY, 17)); /* shadowed: never hit */
	struct filter_state st;
	filter_state_reset(&st);
	int idx = 99;

	assert_int_equal(filter_check(&s, &st, 17, r9100, 500, r3386, 500, &idx), CFG_DENY);
	assert_int_equal(idx, 0);
	assert_int_equal(filter_check(&s, &st, 17, r9100, 500, r3386, 500, &idx), CFG_DENY);
	assert_int_equal(filter_check(&s, &st, 17, r9100, 500, r3386, 4500, &idx), CFG_PERMIT);
	assert_int_equal(idx, 1);
	/* no rule for ESP: the default permits */
	assert_int_equal(filter_check(&s, &st, 50, r9100, 0, r3386, 0, &idx), CFG_PERMIT);
	assert_int_equal(idx, -1);
	assert_int_equal(filter_check(&s, &st, 50, r9100, 0, r3386, 0, NULL), CFG_PERMIT);
	assert_int_equal(st.hits[0], 2);
	assert_int_equal(st.hits[1], 1);
	assert_int_equal(st.hits[2], 0);
	assert_int_equal(st.default_hits, 2);

	/* no counters, no set */
	assert_int_equal(filter_check(&s, NULL, 17, r9100, 500, r3386, 500, &idx), CFG_DENY);
	assert_int_equal(st.hits[0], 2);
	assert_int_equal(filter_check(NULL, &st, 17, r9100, 500, r3386, 500, &idx), CFG_PERMIT);
	assert_int_equal(idx, -1);
	assert_int_equal(st.default_hits, 2);
}

static void test_catch_all_deny_at_end(void **state)
{
	(void)state;
	struct cfg_filter_set s = {.name = "strict", .apply = CFG_APPLY_WAN_IN};
	struct cfg_filter_rule ike = rule(CFG_PERMIT, 17);
	ike.dst_port_lo = ike.dst_port_hi = 500;
	add(&s, ike);
	add(&s, rule(CFG_PERMIT, 50));
	add(&s, rule(CFG_DENY, 0));
	struct filter_state st;
	filter_state_reset(&st);
	int idx;
	assert_int_equal(filter_check(&s, &st, 17, r9100, 500, r3386, 500, &idx), CFG_PERMIT);
	assert_int_equal(filter_check(&s, &st, 50, r9100, 0, r3386, 0, &idx), CFG_PERMIT);
	assert_int_equal(idx, 1);
	/* the technote's "protocol 51": not opened here */
	assert_int_equal(filter_check(&s, &st, 51, r9100, 0, r3386, 0, &idx), CFG_DENY);
	assert_int_equal(idx, 2);
	assert_int_equal(filter_check(&s, &st, 17, r9100, 4500, r3386, 4500, &idx), CFG_DENY);
	assert_int_equal(st.default_hits, 0);
	assert_int_equal(st.hits[2], 2);
}

static void test_ranges(void **state)
{
	(void)state;
	struct cfg_filter_set s = {.name = "r"};
	struct cfg_filter_rule r = rule(CFG_DENY, 6);
	r.src = (struct ikg_range){IP(10, 0, 0, 0), IP(10, 0, 0, 255)};
	r.dst = (struct ikg_range){IP(192, 168, 1, 5), IP(192, 168, 1, 9)};
	r.src_port_lo = 1024;
	r.src_port_hi = 2047;
	r.dst_port_lo = 20;
	r.dst_port_hi = 21;
	add(&s, r);
	int idx;
	struct {
		uint8_t proto;
		ikg_ip4 src;
		uint16_t sport;
		ikg_ip4 dst;
		uint16_t dport;
		enum cfg_action want;
	} cases[] = {
		{6, IP(10, 0, 0, 0), 1024, IP(192, 168, 1, 5), 20, CFG_DENY},
		{6, IP(10, 0, 0, 255), 2047, IP(192, 168, 1, 9), 21, CFG_DENY},
		{6, IP(9, 255, 255, 255), 1024, IP(192, 168, 1, 5), 20, CFG_PERMIT},
		{6, IP(10, 0, 1, 0), 1024, IP(192, 168, 1, 5), 20, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 1023, IP(192, 168, 1, 5), 20, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 2048, IP(192, 168, 1, 5), 20, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 1500, IP(192, 168, 1, 4), 20, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 1500, IP(192, 168, 1, 10), 20, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 1500, IP(192, 168, 1, 6), 19, CFG_PERMIT},
		{6, IP(10, 0, 0, 1), 1500, IP(192, 168, 1, 6), 22, CFG_PERMIT},
		{17, IP(10, 0, 0, 1), 1500, IP(192, 168, 1, 6), 20, CFG_PERMIT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(filter_check(&s, NULL, cases[i].proto, cases[i].src, cases[i].sport,
					      cases[i].dst, cases[i].dport, &idx),
				 cases[i].want);

	/* a port rule never matches packets without ports; an ICMP echo id is no port */
	struct cfg_filter_set p = {.name = "p"};
	struct cfg_filter_rule any500 = rule(CFG_DENY, 0);
	any500.dst_port_lo = 0;
	any500.dst_port_hi = 500;
	add(&p, any500);
	assert_int_equal(filter_check(&p, NULL, 17, r9100, 9, r3386, 0, &idx), CFG_DENY);
	assert_int_equal(filter_check(&p, NULL, 6, r9100, 9, r3386, 500, &idx), CFG_DENY);
	assert_int_equal(filter_check(&p, NULL, 50, r9100, 0, r3386, 0, &idx), CFG_PERMIT);
	assert_int_equal(filter_check(&p, NULL, 1, r9100, 7, r3386, 7, &idx), CFG_PERMIT);
}

static size_t udp_packet(uint8_t *b, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport)
{
	size_t len = IPV4_HDR_LEN + UDP_HDR_LEN + 16;
	memset(b, 0xab, len);
	ipv4_write_hdr(b, 17, src, dst, (uint16_t)len, 1);
	udp_write_hdr(b + IPV4_HDR_LEN, src, sport, dst, dport, 16, true);
	return len;
}

/* The technote: a filter set on the 3386's WAN blocks UDP 500. NAT comes before the
 * firewall, so the incoming translation is shown although phase 1 never completes. */
static void test_blocked_ike_still_shows_translation(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 16);
	struct cfg_filter_set s = {.name = "wan-in", .apply = CFG_APPLY_WAN_IN};
	struct cfg_filter_rule deny = rule(CFG_DENY, 17);
	deny.dst_port_lo = deny.dst_port_hi = 500;
	add(&s, deny);
	add(&s, rule(CFG_PERMIT, 0));
	struct filter_state st;
	filter_state_reset(&st);
	uint8_t pkt[128];
	struct nat_flow f;
	int idx;

	/* the 3386's own NTP, out through the WAN (wan-in does not apply) */
	size_t len = udp_packet(pkt, r3386, 55663, IP(204, 152, 184, 72), 123);
	assert_int_equal(nat_flow_parse(pkt, len, &f), 0);
	nat_table_touch_flow(t, T0, NAT_DIR_OUT, &f);

	/* the R9100's main-mode message 1 and its retransmissions */
	for (int i = 0; i < 3; i++) {
		len = udp_packet(pkt, r9100, 500, r3386, 500);
		assert_int_equal(nat_flow_parse(pkt, len, &f), 0);
		assert_int_equal(f.proto, 17);
		assert_int_equal(f.src, r9100);
		assert_int_equal(f.sport, 500);
		assert_int_equal(f.dport, 500);
		nat_table_touch_flow(t, T0 + SEC(10 * i), NAT_DIR_IN, &f);
		assert_int_equal(filter_check_flow(&s, &st, &f, &idx), CFG_DENY);
		assert_int_equal(idx, 0);
	}
	assert_int_equal(st.hits[0], 3);
	assert_int_equal(nat_table_count(t), 2);
	struct strbuf b;
	sb_init(&b);
	nat_view_render(t, T0 + SEC(120), &b);
	assert_string_equal(
		sb_str(&b),
		"LAN IP Address-- Port-- WAN IP Address-- Port-- Rem IP Address-- Port-- Dir-- Prot h:mm\n"
		" 10.0.0.2      55663    10.0.0.2      55663 204.152.184.72  123  out  UDP 0:02\n"
		" 10.0.0.2       500     10.0.0.2       500   10.0.0.1       500  in   UDP 0:02\n"
		"\n"
		"Total entries in NAT cache: 2\n");
	sb_free(&b);
	nat_table_free(t);
}

static void test_flow_parse(void **state)
{
	(void)state;
	uint8_t pkt[128];
	struct nat_flow f;
	size_t len = udp_packet(pkt, r9100, 4500, r3386, 4500);
	assert_int_equal(nat_flow_parse(pkt, len, &f), 0);
	assert_int_equal(f.sport, 4500);
	assert_int_equal(nat_flow_parse(pkt, 27, &f), -1); /* shorter than its total length */
	pkt[0] = 0x65;
	assert_int_equal(nat_flow_parse(pkt, len, &f), -1);

	/* ESP: no ports */
	memset(pkt, 0, sizeof(pkt));
	ipv4_write_hdr(pkt, 50, r9100, r3386, 60, 1);
	assert_int_equal(nat_flow_parse(pkt, 60, &f), 0);
	assert_int_equal(f.proto, 50);
	assert_int_equal(f.sport, 0);
	assert_int_equal(f.dport, 0);
	/* a non-first fragment of UDP: no transport header, ports 0 */
	ipv4_write_hdr(pkt, 17, r9100, r3386, 60, 1);
	pkt[7] = 10; /* fragment offset 80 bytes */
	assert_int_equal(nat_flow_parse(pkt, 60, &f), 0);
	assert_int_equal(f.sport, 0);
	/* a truncated UDP header */
	ipv4_write_hdr(pkt, 17, r9100, r3386, 24, 1);
	assert_int_equal(nat_flow_parse(pkt, 24, &f), -1);
	/* ICMP that is not an echo: ports 0 */
	ipv4_write_hdr(pkt, 1, r9100, r3386, 28, 1);
	pkt[20] = 3;
	assert_int_equal(nat_flow_parse(pkt, 28, &f), 0);
	assert_int_equal(f.sport, 0);
}

static void test_filter_view(void **state)
{
	(void)state;
	struct cfg_filter_set sets[2] = {{.name = "wan-in", .apply = CFG_APPLY_WAN_IN},
					 {.name = "out", .apply = CFG_APPLY_WAN_OUT}};
	struct cfg_filter_rule r = rule(CFG_DENY, 17);
	r.dst_port_lo = r.dst_port_hi = 500;
	add(&sets[0], r);
	r = rule(CFG_PERMIT, 50);
	r.src = (struct ikg_range){IP(10, 0, 0, 0), IP(10, 0, 0, 255)};
	r.dst = (struct ikg_range){IP(10, 0, 0, 2), IP(10, 0, 0, 2)};
	add(&sets[0], r);
	r = rule(CFG_PERMIT, 6);
	r.src = (struct ikg_range){IP(10, 0, 0, 1), IP(10, 0, 0, 9)};
	r.src_port_lo = 1024;
	r.src_port_hi = 65535;
	add(&sets[0], r);
	add(&sets[1], rule(CFG_PERMIT, 0));
	struct filter_state st[2];
	filter_state_reset(&st[0]);
	filter_state_reset(&st[1]);
	int idx;
	for (int i = 0; i < 12; i++)
		filter_check(&sets[0], &st[0], 17, r9100, 500, r3386, 500, &idx);
	filter_check(&sets[0], &st[0], 50, r9100, 0, r3386, 0, &idx);
	filter_check(&sets[0], &st[0], 1, r9100, 0, r3386, 0, &idx);

	struct strbuf b;
	sb_init(&b);
	filter_view_render(sets, st, 2, &b);
	assert_string_equal(
		sb_str(&b),
		"Filter set: wan-in (apply wan-in)\n"
		"  #  Action  Prot  Source              Src Ports    Destination         Dst Ports     Hits\n"
		"  1  deny    UDP   any                 any          any                 500             12\n"
		"  2  permit  ESP   10.0.0.0/24         any          10.0.0.2            any              1\n"
		"  3  permit  TCP   10.0.0.1-10.0.0.9   1024-65535   any                 any              0\n"
		"     no match: permit                                                                    1\n"
		"\n"
		"Filter set: out (apply wan-out)\n"
		"  #  Action  Prot  Source              Src Ports    Destination         Dst Ports     Hits\n"
		"  1  permit  any   any                 any          any                 any              0\n"
		"     no match: permit                                                                    0\n");
	sb_reset(&b);
	filter_view_render(sets, NULL, 0, &b);
	assert_string_equal(sb_str(&b), "No filter sets configured.\n");

	sb_reset(&b);
	filter_view_json(sets, st, 2, &b);
	assert_string_equal(
		sb_str(&b),
		"{\"filter_sets\":["
		"{\"name\":\"wan-in\",\"apply\":\"wan-in\",\"rules\":["
		"{\"index\":1,\"action\":\"deny\",\"protocol\":\"udp\",\"src\":\"any\","
		"\"src_ports\":[0,65535],\"dst\":\"any\",\"dst_ports\":[500,500],\"hits\":12},"
		"{\"index\":2,\"action\":\"permit\",\"protocol\":\"esp\",\"src\":\"10.0.0.0/24\","
		"\"src_ports\":[0,65535],\"dst\":\"10.0.0.2\",\"dst_ports\":[0,65535],\"hits\":1},"
		"{\"index\":3,\"action\":\"permit\",\"protocol\":\"tcp\",\"src\":\"10.0.0.1-10.0.0.9\","
		"\"src_ports\":[1024,65535],\"dst\":\"any\",\"dst_ports\":[0,65535],\"hits\":0}],"
		"\"default_action\":\"permit\",\"default_hits\":1},"
		"{\"name\":\"out\",\"apply\":\"wan-out\",\"rules\":["
		"{\"index\":1,\"action\":\"permit\",\"protocol\":\"any\",\"src\":\"any\","
		"\"src_ports\":[0,65535],\"dst\":\"any\",\"dst_ports\":[0,65535],\"hits\":0}],"
		"\"default_action\":\"permit\",\"default_hits\":0}]}\n");
	sb_reset(&b);
	filter_view_json(sets, NULL, 0, &b);
	assert_string_equal(sb_str(&b), "{\"filter_sets\":[]}\n");
	sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_init_is_catch_all),
		cmocka_unit_test(test_first_match_wins_and_counts),
		cmocka_unit_test(test_catch_all_deny_at_end),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_blocked_ike_still_shows_translation),
		cmocka_unit_test(test_flow_parse),
		cmocka_unit_test(test_filter_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
