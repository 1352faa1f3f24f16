/* Bounded reader / writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/buf.h"

static void test_rd_ints(void **state)
{
	static const uint8_t m[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
	struct rd r = rd_init(m, sizeof(m));
	uint8_t a;
	uint16_t b;
	uint32_t c;

	assert_int_equal(rd_u8(&r, &a), 0);
	assert_int_equal(a, 0x01);
	assert_int_equal(rd_u16(&r, &b), 0);
	assert_int_equal(b, 0x0203);
	assert_int_equal(rd_u32(&r, &c), 0);
	assert_int_equal(c, 0x04050607);
	assert_int_equal(r.len, 0);
	assert_int_equal(rd_u8(&r, &a), -1);
	assert_int_equal(a, 0x01);        /* untouched on failure */
}

static void test_rd_short(void **state)
{
	static const uint8_t m[] = {0xff, 0xfe, 0xfd};
	struct rd r = rd_init(m, sizeof(m));
	uint32_t c = 7;
	uint16_t b;
	const uint8_t *p = NULL;

	assert_int_equal(rd_u32(&r, &c), -1);
	assert_int_equal(c, 7);
	assert_int_equal(r.len, 3);       /* nothing consumed on failure */
	assert_ptr_equal(r.p, m);
	assert_int_equal(rd_bytes(&r, 4, &p), -1);
	assert_null(p);
	assert_int_equal(rd_skip(&r, 4), -1);
	assert_int_equal(rd_skip(&r, 1), 0);
	assert_int_equal(rd_u16(&r, &b), 0);
	assert_int_equal(b, 0xfefd);
	assert_int_equal(rd_u16(&r, &b), -1);
	assert_int_equal(rd_bytes(&r, 0, &p), 0);   /* zero bytes always available */
	r = rd_init(NULL, 0);
	assert_int_equal(rd_u8(&r, (uint8_t *)&b), -1);
	assert_int_equal(rd_skip(&r, SIZE_MAX), -1);
}

static void test_rd_sub(void **state)
{
	static const uint8_t m[] = {1, 2, 3, 4, 5};
	struct rd r = rd_init(m, sizeof(m)), s;
	uint8_t v;

	assert_int_equal(rd_skip(&r, 1), 0);
	assert_int_equal(rd_sub(&r, 3, &s), 0);
	assert_int_equal(s.len, 3);
	assert_ptr_equal(s.p, m + 1);
	assert_int_equal(r.len, 1);
	assert_int_equal(rd_skip(&s, 3), 0);
	assert_int_equal(rd_u8(&s, &v), -1);     /* the sub-reader ends at its own end */
	assert_int_equal(rd_u8(&r, &v), 0);
	assert_int_equal(v, 5);
	r = rd_init(m, sizeof(m));
	assert_int_equal(rd_sub(&r, 6, &s), -1);
	assert_int_equal(r.len, 5);
}

static void test_wr(void **state)
{
	uint8_t buf[12];
	struct wr w = wr_init(buf, sizeof(buf));

	wr_u8(&w, 0xaa);
	wr_u16(&w, 0x0102);
	wr_u32(&w, 0x03040506);
	wr_bytes(&w, "xy", 2);
	wr_zero(&w, 1);
	assert_false(w.overflow);
	assert_int_equal(w.len, 10);
	assert_memory_equal(buf, "\xaa\x01\x02\x03\x04\x05\x06xy\0", 10);
	wr_patch_u16(&w, 1, 0xbeef);
	wr_patch_u32(&w, 3, 0xcafef00d);
	assert_memory_equal(buf, "\xaa\xbe\xef\xca\xfe\xf0\x0dxy\0", 10);
	uint8_t *at = wr_reserve(&w, 2);
	assert_ptr_equal(at, buf + 10);
	assert_int_equal(w.len, 12);
	assert_false(w.overflow);
	wr_u8(&w, 1);
	assert_true(w.overflow);
	assert_int_equal(w.len, 12);
}

static void test_wr_overflow_sticky(void **state)
{
	uint8_t buf[4] = {9, 9, 9, 9};
	struct wr w = wr_init(buf, sizeof(buf));

	wr_u16(&w, 0x0102);
	wr_u32(&w, 0x03040506);           /* does not fit */
	assert_true(w.overflow);
	assert_int_equal(w.len, 2);
	assert_memory_equal(buf, "\x01\x02\x09\x09", 4);
	wr_u8(&w, 7);                     /* would fit, but overflow is sticky */
	assert_int_equal(w.len, 2);
	assert_int_equal(buf[2], 9);
	assert_null(wr_reserve(&w, 0));
	/* patches outside what was written fail */
	w = wr_init(buf, sizeof(buf));
	wr_u16(&w, 0);
	wr_patch_u32(&w, 0, 1);
	assert_true(w.overflow);
	w = wr_init(buf, sizeof(buf));
	wr_u16(&w, 0);
	wr_patch_u16(&w, 1, 1);
	assert_true(w.overflow);
	w = wr_init(buf, sizeof(buf));
	wr_bytes(&w, buf, SIZE_MAX);
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_ints),
		cmocka_unit_test(test_rd_short),
		cmocka_unit_test(test_rd_sub),
		cmocka_unit_test(test_wr),
		cmocka_unit_test(test_wr_overflow_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
