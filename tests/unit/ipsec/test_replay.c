/* The anti-replay window on its own: edges, big jumps, widths, and a differential test
 * against a naive model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ipsec/replay.h"

static void test_basics(void **state)
{
	struct replay_window w;
	assert_int_equal(replay_init(&w, 0), 0);
	assert_int_equal(w.width, 128);
	assert_false(replay_check(&w, 0));
	assert_false(replay_update(&w, 0));
	assert_true(replay_check(&w, 1));
	assert_true(replay_check(&w, 1));        /* check alone changes nothing */
	assert_true(replay_update(&w, 1));
	assert_false(replay_check(&w, 1));
	assert_false(replay_update(&w, 1));
	assert_true(replay_update(&w, 3));
	assert_true(replay_update(&w, 2));
	assert_false(replay_update(&w, 2));
	assert_int_equal(w.top, 3);
	replay_free(&w);
	(void)state;
}

static void test_edges(void **state)
{
	struct replay_window w;
	assert_int_equal(replay_init(&w, 128), 0);
	assert_true(replay_update(&w, 1000));
	assert_true(replay_check(&w, 1000 - 127));
	assert_false(replay_check(&w, 1000 - 128));
	assert_true(replay_update(&w, 1000 - 127));
	assert_false(replay_update(&w, 1000 - 127));
	/* Slide by one: the old edge drops out. */
	assert_true(replay_update(&w, 1001));
	assert_false(replay_check(&w, 1001 - 128));
	assert_true(replay_check(&w, 1001 - 127));
	/* A jump far ahead forgets everything behind the new window... */
	assert_true(replay_update(&w, 1000000));
	assert_false(replay_check(&w, 1001));
	/* ...and nothing inside it is marked. */
	for (uint32_t s = 1000000 - 127; s < 1000000; s++)
		assert_true(replay_check(&w, s));
	/* Top of the 32-bit space. */
	assert_true(replay_update(&w, UINT32_MAX));
	assert_false(replay_check(&w, UINT32_MAX));
	assert_true(replay_check(&w, UINT32_MAX - 127));
	assert_false(replay_check(&w, UINT32_MAX - 128));
	replay_free(&w);
	(void)state;
}

static void test_widths(void **state)
{
	struct replay_window w;
	assert_int_equal(replay_init(&w, 100), 0);
	assert_int_equal(w.width, 128);
	replay_free(&w);
	assert_int_equal(replay_init(&w, 4096), 0);
	assert_int_equal(w.width, 4096);
	assert_true(replay_update(&w, 5000));
	assert_true(replay_check(&w, 5000 - 4095));
	assert_false(replay_check(&w, 5000 - 4096));
	replay_free(&w);
	assert_int_equal(replay_init(&w, 65536), 0);
	replay_free(&w);
	assert_int_equal(replay_init(&w, 65537), -1);
	(void)state;
}

/* Naive model: a set of accepted numbers and the top. */
static bool model_ok(const uint8_t *seen, uint32_t top, uint32_t width, uint32_t seq)
{
	if (seq == 0)
		return false;
	if (seq > top)
		return true;
	return top - seq < width && !(seen[seq / 8] >> (seq % 8) & 1);
}

static void differential(uint32_t width, uint32_t span, unsigned seed)
{
	struct replay_window w;
	assert_int_equal(replay_init(&w, width), 0);
	uint8_t *seen = calloc(span / 8 + 1, 1);
	assert_non_null(seen);
	uint32_t top = 0;
	srand(seed);
	for (int i = 0; i < 200000; i++) {
		/* Mostly near the top, sometimes far behind, sometimes a jump ahead. */
		int r = rand() % 100;
		uint32_t seq;
		if (r < 70)
			seq = top + 1 - (uint32_t)(rand() % (int)(width + 64)) + 8;
		else if (r < 95)
			seq = top + (uint32_t)(rand() % 3);
		else
			seq = top + (uint32_t)(rand() % (int)(3 * width));
		if ((int32_t)seq < 0 || seq > span)
			seq = top;
		bool want = model_ok(seen, top, width, seq);
		assert_int_equal(replay_check(&w, seq), want);
		assert_int_equal(replay_update(&w, seq), want);
		if (want) {
			seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
			if (seq > top)
				top = seq;
		}
		assert_int_equal(w.top, top);
	}
	free(seen);
	replay_free(&w);
}

static void test_differential(void **state)
{
	differential(64, 3000000, 1);
	differential(128, 3000000, 2);
	differential(1024, 30000000, 3);
	differential(4096, 100000000, 4);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
