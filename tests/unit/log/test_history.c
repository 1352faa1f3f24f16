/* The history ring: oldest first, wraps, counts every add. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/history.h"

static void add_n(struct history *h, ikg_ms from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ikg_event ev;
		ikg_event_make(&ev, from + i, MSG_PH1_COMPLETE, "p", 0, "n=%zu", i);
		history_add(h, &ev);
	}
}

static void fills_in_order(void **state)
{
	(void)state;
	struct history *h = history_new(4);
	assert_non_null(h);
	assert_int_equal(history_count(h), 0);
	assert_null(history_get(h, 0));
	add_n(h, 100, 3);
	assert_int_equal(history_count(h), 3);
	assert_int_equal(history_get(h, 0)->when, 100);
	assert_int_equal(history_get(h, 2)->when, 102);
	assert_null(history_get(h, 3));
	assert_int_equal(history_seq(h), 3);
	history_free(h);
}

static void wraps_dropping_oldest(void **state)
{
	(void)state;
	struct history *h = history_new(4);
	add_n(h, 100, 10); /* 100..109, keeps 106..109 */
	assert_int_equal(history_count(h), 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(history_get(h, i)->when, 106 + i);
	assert_string_equal(history_get(h, 3)->evidence, "n=9");
	assert_null(history_get(h, 4));
	assert_int_equal(history_seq(h), 10);
	history_clear(h);
	assert_int_equal(history_count(h), 0);
	assert_null(history_get(h, 0));
	assert_int_equal(history_seq(h), 10); /* monotonic across clear */
	add_n(h, 200, 5);
	assert_int_equal(history_count(h), 4);
	assert_int_equal(history_get(h, 0)->when, 201);
	assert_int_equal(history_seq(h), 15);
	history_free(h);
}

static void capacity_one_and_null(void **state)
{
	(void)state;
	struct history *h = history_new(1);
	add_n(h, 7, 3);
	assert_int_equal(history_count(h), 1);
	assert_int_equal(history_get(h, 0)->when, 9);
	history_free(h);
	history_free(NULL);
	assert_int_equal(history_count(NULL), 0);
	assert_null(history_get(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fills_in_order),
		cmocka_unit_test(wraps_dropping_oldest),
		cmocka_unit_test(capacity_one_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
