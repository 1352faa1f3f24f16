/* The session table: lifetimes by protocol, refresh, ageing, eviction, lookups, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nat/flow.h"
#include "nat/table.h"

#define IP(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (ikg_ip4)(d))
#define SEC(s) ((ikg_ms)(s) * 1000)
#define T0 ((ikg_ms)1055872051000ULL) /* 06/17/03 15:47:31 */

static const ikg_ip4 gw1 = IP(10, 0, 0, 1), gw2 = IP(10, 0, 0, 2);

static struct nat_entry *own(struct nat_table *t, ikg_ms now, enum nat_dir dir, uint8_t proto,
			     ikg_ip4 self, uint16_t port, ikg_ip4 peer, uint16_t peer_port)
{
	return nat_table_touch(t, now, dir, proto, self, port, self, port, peer, peer_port);
}

static void test_new_rejects_bad_sizes(void **state)
{
	(void)state;
	assert_null(nat_table_new(NULL, 0));
	assert_null(nat_table_new(NULL, ((size_t)1 << 24) + 1));
	struct nat_table *t = nat_table_new(NULL, 1);
	assert_non_null(t);
	assert_int_equal(nat_table_capacity(t), 1);
	assert_int_equal(nat_table_count(t), 0);
	assert_null(nat_table_first(t));
	assert_true(nat_table_next_expiry(t) == IKG_MS_NEVER);
	nat_table_free(t);
	nat_table_free(NULL);
}

static void test_lifetimes_by_protocol(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 16);
	assert_non_null(t);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 17, gw1, 500, gw2, 500)->lifetime_s, 600);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 17, gw1, 4500, gw2, 4500)->lifetime_s, 600);
	/* IKE from a NATed LAN host: only the remote port says IKE */
	assert_int_equal(nat_table_touch(t, T0, NAT_DIR_OUT, 17, IP(192, 168, 1, 2), 500, gw1,
					 61000, gw2, 500)->lifetime_s, 600);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 17, gw2, 55663, IP(204, 152, 184, 72), 123)
				 ->lifetime_s, 300);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 50, gw1, 0, gw2, 0)->lifetime_s, 180);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 51, gw1, 0, gw2, 0)->lifetime_s, 180);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 6, gw1, 40000, gw2, 22)->lifetime_s, 86400);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 1, gw1, 7, gw2, 7)->lifetime_s, 60);
	assert_int_equal(own(t, T0, NAT_DIR_OUT, 47, gw1, 0, gw2, 0)->lifetime_s, 300);
	assert_int_equal(nat_table_count(t), 9);

	/* a reload: zero means default, the rest apply to existing entries too */
	struct cfg_nat l = {.esp_life = 30, .ike_life = 0, .udp_life = 20, .tcp_life = 10,
			    .icmp_life = 5};
	nat_table_set_lifetimes(t, &l);
	assert_int_equal(nat_table_lookup_out(t, 50, gw1, 0, gw2, 0)->lifetime_s, 30);
	assert_int_equal(nat_table_lookup_out(t, 17, gw1, 500, gw2, 500)->lifetime_s, 600);
	assert_int_equal(nat_table_lookup_out(t, 6, gw1, 40000, gw2, 22)->lifetime_s, 10);
	assert_int_equal(nat_table_lookup_out(t, 1, gw1, 7, gw2, 0)->lifetime_s, 5);
	assert_true(nat_table_next_expiry(t) == T0 + SEC(5));
	nat_table_free(t);

	struct cfg_nat d;
	nat_lifetimes_default(&d);
	assert_int_equal(d.esp_life, 180);
	assert_int_equal(d.ike_life, 600);
	assert_int_equal(d.udp_life, 300);
	assert_int_equal(d.tcp_life, 86400);
	assert_int_equal(d.icmp_life, 60);
}

static void test_touch_refreshes_without_changing_identity(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	struct nat_entry *in = own(t, T0, NAT_DIR_IN, 17, gw2, 500, gw1, 500);
	assert_int_equal(in->dir, NAT_DIR_IN);
	assert_true(in->created == T0 && in->last_used == T0);
	/* our answer goes out on the same flow: same entry, still "in" */
	struct nat_entry *again = own(t, T0 + SEC(1), NAT_DIR_OUT, 17, gw2, 500, gw1, 500);
	assert_ptr_equal(in, again);
	assert_int_equal(again->dir, NAT_DIR_IN);
	assert_true(again->created == T0);
	assert_true(again->last_used == T0 + SEC(1));
	assert_int_equal(nat_table_count(t), 1);
	assert_int_equal(nat_table_stats(t)->created, 1);
	/* a different remote port is a different flow */
	assert_ptr_not_equal(own(t, T0, NAT_DIR_IN, 17, gw2, 500, gw1, 501), in);
	assert_int_equal(nat_table_count(t), 2);
	/* ESP ignores whatever ports a caller passes */
	struct nat_entry *esp = own(t, T0, NAT_DIR_OUT, 50, gw2, 1234, gw1, 99);
	assert_int_equal(esp->lan_port, 0);
	assert_int_equal(esp->wan_port, 0);
	assert_int_equal(esp->rem_port, 0);
	assert_ptr_equal(nat_table_lookup_out(t, 50, gw2, 7, gw1, 8), esp);
	assert_ptr_equal(nat_table_lookup_in(t, 50, gw2, 0, gw1, 0), esp);
	nat_table_free(t);
}

static void test_expiry_is_idle_time(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	struct nat_entry *ike = own(t, T0, NAT_DIR_OUT, 17, gw1, 500, gw2, 500);
	own(t, T0 + SEC(20), NAT_DIR_OUT, 50, gw1, 0, gw2, 0);
	assert_true(nat_table_next_expiry(t) == T0 + SEC(200));
	/* refreshed by traffic at T0+100: now expires at T0+700 */
	nat_table_refresh(t, ike, T0 + SEC(100));
	assert_int_equal(nat_table_expire(t, T0 + SEC(200) - 1), 0);
	assert_int_equal(nat_table_expire(t, T0 + SEC(200)), 1);
	assert_null(nat_table_lookup_out(t, 50, gw1, 0, gw2, 0));
	assert_true(nat_table_next_expiry(t) == T0 + SEC(700));
	assert_int_equal(nat_table_expire(t, T0 + SEC(700) - 1), 0);
	assert_int_equal(nat_table_expire(t, T0 + SEC(700)), 1);
	assert_int_equal(nat_table_count(t), 0);
	assert_true(nat_table_next_expiry(t) == IKG_MS_NEVER);
	assert_int_equal(nat_table_stats(t)->expired, 2);
	nat_table_free(t);
}

static void test_full_table_evicts_longest_idle(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 3);
	own(t, T0, NAT_DIR_OUT, 17, gw1, 500, IP(10, 0, 0, 11), 500);
	own(t, T0 + SEC(1), NAT_DIR_OUT, 50, gw1, 0, IP(10, 0, 0, 12), 0);
	own(t, T0 + SEC(2), NAT_DIR_OUT, 6, gw1, 1000, IP(10, 0, 0, 13), 80);
	/* the IKE entry is refreshed: the ESP one is now idle longest */
	own(t, T0 + SEC(3), NAT_DIR_OUT, 17, gw1, 500, IP(10, 0, 0, 11), 500);
	struct nat_entry *n = own(t, T0 + SEC(4), NAT_DIR_IN, 17, gw1, 500, IP(10, 0, 0, 14), 500);
	assert_non_null(n);
	assert_int_equal(nat_table_count(t), 3);
	assert_int_equal(nat_table_stats(t)->evicted, 1);
	assert_null(nat_table_lookup_out(t, 50, gw1, 0, IP(10, 0, 0, 12), 0));
	assert_non_null(nat_table_lookup_out(t, 17, gw1, 500, IP(10, 0, 0, 11), 500));
	assert_non_null(nat_table_lookup_out(t, 6, gw1, 1000, IP(10, 0, 0, 13), 80));
	/* next: the TCP entry (last used T0+2) goes */
	own(t, T0 + SEC(5), NAT_DIR_IN, 17, gw1, 500, IP(10, 0, 0, 15), 500);
	assert_null(nat_table_lookup_out(t, 6, gw1, 1000, IP(10, 0, 0, 13), 80));
	assert_int_equal(nat_table_stats(t)->evicted, 2);
	nat_table_free(t);
}

static void test_iteration_in_creation_order(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 4);
	struct nat_entry *a = own(t, T0, NAT_DIR_OUT, 17, gw1, 500, IP(1, 1, 1, 1), 500);
	own(t, T0, NAT_DIR_OUT, 17, gw1, 500, IP(2, 2, 2, 2), 500);
	own(t, T0, NAT_DIR_OUT, 17, gw1, 500, IP(3, 3, 3, 3), 500);
	/* refreshing does not reorder; removing and re-creating puts it last */
	nat_table_refresh(t, a, T0 + SEC(9));
	const struct nat_entry *e = nat_table_first(t);
	assert_int_equal(e->rem_ip, IP(1, 1, 1, 1));
	e = nat_table_next(t, e);
	assert_int_equal(e->rem_ip, IP(2, 2, 2, 2));
	nat_table_remove(t, a);
	assert_int_equal(nat_table_stats(t)->removed, 1);
	own(t, T0 + SEC(10), NAT_DIR_OUT, 17, gw1, 500, IP(1, 1, 1, 1), 500);
	ikg_ip4 want[] = {IP(2, 2, 2, 2), IP(3, 3, 3, 3), IP(1, 1, 1, 1)};
	size_t i = 0;
	for (e = nat_table_first(t); e; e = nat_table_next(t, e))
		assert_int_equal(e->rem_ip, want[i++]);
	assert_int_equal(i, 3);
	nat_table_clear(t);
	assert_int_equal(nat_table_count(t), 0);
	assert_null(nat_table_first(t));
	assert_int_equal(nat_table_stats(t)->removed, 4);
	/* the pool is whole again */
	for (int k = 0; k < 4; k++)
		own(t, T0, NAT_DIR_OUT, 17, gw1, (uint16_t)(1000 + k), gw2, 53);
	assert_int_equal(nat_table_count(t), 4);
	assert_int_equal(nat_table_stats(t)->evicted, 0);
	nat_table_free(t);
}

static void test_lookups_by_side(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	ikg_ip4 lan = IP(192, 168, 1, 10), wan = IP(203, 0, 113, 1), rem = IP(198, 51, 100, 7);
	struct nat_entry *e = nat_table_create(t, T0, NAT_DIR_OUT, 17, lan, 40000, wan, 61000,
					       rem, 500);
	assert_ptr_equal(nat_table_lookup_out(t, 17, lan, 40000, rem, 500), e);
	assert_ptr_equal(nat_table_lookup_in(t, 17, wan, 61000, rem, 500), e);
	assert_null(nat_table_lookup_in(t, 17, wan, 40000, rem, 500));
	assert_null(nat_table_lookup_in(t, 6, wan, 61000, rem, 500));
	assert_null(nat_table_lookup_in(t, 17, wan, 61000, rem, 4500));
	assert_true(nat_table_wan_port_used(t, 17, wan, 61000));
	assert_false(nat_table_wan_port_used(t, 6, wan, 61000));
	assert_false(nat_table_wan_port_used(t, 17, wan, 61001));

	/* two LAN hosts sending ESP to one peer: inbound goes to the latest sender */
	struct nat_entry *h1 = nat_table_create(t, T0, NAT_DIR_OUT, 50, lan, 0, wan, 0, rem, 0);
	struct nat_entry *h2 = nat_table_create(t, T0 + SEC(1), NAT_DIR_OUT, 50, lan + 1, 0, wan,
						0, rem, 0);
	assert_ptr_equal(nat_table_lookup_in(t, 50, wan, 0, rem, 0), h2);
	nat_table_refresh(t, h1, T0 + SEC(2));
	assert_ptr_equal(nat_table_lookup_in(t, 50, wan, 0, rem, 0), h1);

	/* ICMP: no remote port in the key */
	struct nat_entry *ping = nat_table_create(t, T0, NAT_DIR_OUT, 1, lan, 0x1234, wan, 1024,
						  rem, 0x1234);
	assert_int_equal(ping->rem_port, 0);
	assert_ptr_equal(nat_table_lookup_in(t, 1, wan, 1024, rem, 1024), ping);
	assert_ptr_equal(nat_table_lookup_out(t, 1, lan, 0x1234, rem, 0x1234), ping);
	assert_int_equal(nat_table_set_seed(t, 7), -1);
	nat_table_free(t);
}

static void test_seeded_table_still_finds(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 64);
	assert_int_equal(nat_table_set_seed(t, 0xdeadbeef), 0);
	for (uint16_t p = 1; p <= 64; p++)
		own(t, T0, NAT_DIR_OUT, 17, gw1, p, gw2, 53);
	for (uint16_t p = 1; p <= 64; p++)
		assert_non_null(nat_table_lookup_out(t, 17, gw1, p, gw2, 53));
	assert_int_equal(nat_table_count(t), 64);
	nat_table_free(t);
}

static void test_touch_flow_for_own_packets(void **state)
{
	(void)state;
	struct nat_table *t = nat_table_new(NULL, 8);
	struct nat_flow f = {.proto = 17, .src = gw1, .dst = gw2, .sport = 500, .dport = 500};
	/* received on 10.0.0.2 from 10.0.0.1 */
	struct nat_entry *e = nat_table_touch_flow(t, T0, NAT_DIR_IN, &f);
	assert_int_equal(e->lan_ip, gw2);
	assert_int_equal(e->wan_ip, gw2);
	assert_int_equal(e->rem_ip, gw1);
	assert_int_equal(e->dir, NAT_DIR_IN);
	/* our reply: src/dst swapped, same entry */
	struct nat_flow r = {.proto = 17, .src = gw2, .dst = gw1, .sport = 500, .dport = 500};
	assert_ptr_equal(nat_table_touch_flow(t, T0 + 5, NAT_DIR_OUT, &r), e);
	assert_int_equal(nat_table_count(t), 1);
	nat_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_rejects_bad_sizes),
		cmocka_unit_test(test_lifetimes_by_protocol),
		cmocka_unit_test(test_touch_refreshes_without_changing_identity),
		cmocka_unit_test(test_expiry_is_idle_time),
		cmocka_unit_test(test_full_table_evicts_longest_idle),
		cmocka_unit_test(test_iteration_in_creation_order),
		cmocka_unit_test(test_lookups_by_side),
		cmocka_unit_test(test_seeded_table_still_finds),
		cmocka_unit_test(test_touch_flow_for_own_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
