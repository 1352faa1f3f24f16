/* The daemon's route sets: member ranges become the exact CIDR blocks routed into the TUN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/routes.h"

#define IP(a, b, c, d) (((ikg_ip4)(a) << 24) | ((ikg_ip4)(b) << 16) | ((ikg_ip4)(c) << 8) | (d))

static void expect_route(const struct route_set *s, size_t i, ikg_ip4 dst, unsigned plen)
{
	assert_true(i < s->n);
	assert_int_equal(s->v[i].dst, dst);
	assert_int_equal(s->v[i].plen, plen);
}

static void cidr_is_one_route(void **state)
{
	(void)state;
	struct route_set s = { 0 };
	struct ikg_range r = { IP(10, 2, 2, 0), IP(10, 2, 2, 255) };
	assert_int_equal(route_set_add_range(&s, &r), 0);
	assert_int_equal(s.n, 1);
	expect_route(&s, 0, IP(10, 2, 2, 0), 24);
	/* the same range again adds nothing */
	assert_int_equal(route_set_add_range(&s, &r), 0);
	assert_int_equal(s.n, 1);
	assert_true(route_set_has(&s, IP(10, 2, 2, 0), 24));
	assert_false(route_set_has(&s, IP(10, 2, 2, 0), 25));
	route_set_free(&s);
	assert_int_equal(s.n, 0);
}

static void range_is_split_into_blocks(void **state)
{
	(void)state;
	struct route_set s = { 0 };
	/* 10.0.0.5 - 10.0.0.20 = .5/32 .6/31 .8/29 .16/30 .20/32 */
	struct ikg_range r = { IP(10, 0, 0, 5), IP(10, 0, 0, 20) };
	assert_int_equal(route_set_add_range(&s, &r), 0);
	assert_int_equal(s.n, 5);
	expect_route(&s, 0, IP(10, 0, 0, 5), 32);
	expect_route(&s, 1, IP(10, 0, 0, 6), 31);
	expect_route(&s, 2, IP(10, 0, 0, 8), 29);
	expect_route(&s, 3, IP(10, 0, 0, 16), 30);
	expect_route(&s, 4, IP(10, 0, 0, 20), 32);
	route_set_free(&s);
}

static void single_host_and_top_of_space(void **state)
{
	(void)state;
	struct route_set s = { 0 };
	struct ikg_range host = { IP(192, 0, 2, 7), IP(192, 0, 2, 7) };
	struct ikg_range top = { IP(255, 255, 255, 254), IP(255, 255, 255, 255) };
	assert_int_equal(route_set_add_range(&s, &host), 0);
	assert_int_equal(route_set_add_range(&s, &top), 0);
	assert_int_equal(s.n, 2);
	expect_route(&s, 0, IP(192, 0, 2, 7), 32);
	expect_route(&s, 1, IP(255, 255, 255, 254), 31);
	route_set_free(&s);
}

static void everything_keeps_the_default_route(void **state)
{
	(void)state;
	struct route_set s = { 0 };
	struct ikg_range all = { 0, 0xffffffffu };
	assert_int_equal(route_set_add_range(&s, &all), 0);
	assert_int_equal(s.n, 2);
	expect_route(&s, 0, 0, 1);
	expect_route(&s, 1, IP(128, 0, 0, 0), 1);
	route_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cidr_is_one_route),
		cmocka_unit_test(range_is_split_into_blocks),
		cmocka_unit_test(single_host_and_top_of_space),
		cmocka_unit_test(everything_keeps_the_default_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
