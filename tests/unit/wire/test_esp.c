/* ESP / AH header parsing and RFC 3948 UDP-4500 demux. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/esp.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__})

static void test_esp_parse(void **state)
{
	const uint8_t *m = B(0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 7, 0xaa, 0xbb);
	struct esp_view v;

	assert_int_equal(esp_parse(m, 10, &v), 0);
	assert_int_equal(v.spi, 0xc0ffee01);
	assert_int_equal(v.seq, 7);
	assert_ptr_equal(v.body, m + 8);
	assert_int_equal(v.body_len, 2);
	assert_int_equal(esp_parse(m, 8, &v), 0);
	assert_int_equal(v.body_len, 0);
	assert_int_equal(esp_parse(m, 7, &v), -1);
	assert_int_equal(esp_parse(NULL, 0, &v), -1);
	assert_int_equal(esp_parse(B(0, 0, 0, 0, 0, 0, 0, 1, 9), 9, &v), -1);   /* SPI 0 */
}

static void test_ah_parse(void **state)
{
	/* next header 4 (IPIP), payload len 4 -> (4+2)*4 = 24 bytes: 12 fixed + 12 ICV */
	uint8_t m[24 + 3] = {4, 4, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 9};
	struct ah_view v;

	for (int i = 12; i < 24; i++)
		m[i] = (uint8_t)i;
	m[24] = 0x45;
	assert_int_equal(ah_parse(m, sizeof(m), &v), 0);
	assert_int_equal(v.next_header, 4);
	assert_int_equal(v.hdr_len, 24);
	assert_int_equal(v.spi, 0x1234);
	assert_int_equal(v.seq, 9);
	assert_ptr_equal(v.icv, m + 12);
	assert_int_equal(v.icv_len, 12);
	assert_ptr_equal(v.payload, m + 24);
	assert_int_equal(v.payload_len, 3);
	assert_int_equal(ah_parse(m, 24, &v), 0);
	assert_int_equal(v.payload_len, 0);
	/* header longer than the buffer */
	assert_int_equal(ah_parse(m, 23, &v), -1);
	/* shorter than the fixed part */
	assert_int_equal(ah_parse(m, 11, &v), -1);
	/* payload len 0 -> 8 bytes < 12 */
	m[1] = 0;
	assert_int_equal(ah_parse(m, sizeof(m), &v), -1);
	/* payload len 1 -> 12 bytes, no ICV */
	m[1] = 1;
	assert_int_equal(ah_parse(m, sizeof(m), &v), 0);
	assert_int_equal(v.icv_len, 0);
	assert_int_equal(v.payload_len, sizeof(m) - 12);
	/* payload len 255 -> 1028 bytes */
	m[1] = 255;
	assert_int_equal(ah_parse(m, sizeof(m), &v), -1);
	/* SPI 0 */
	m[1] = 4;
	m[6] = m[7] = 0;
	assert_int_equal(ah_parse(m, sizeof(m), &v), -1);
}

static void test_udp4500(void **state)
{
	size_t off = 99;

	assert_int_equal(udp4500_classify(B(0xff), 1, &off), U4500_KEEPALIVE);
	assert_int_equal(off, 0);
	assert_int_equal(udp4500_classify(B(0xfe), 1, &off), U4500_BAD);
	assert_int_equal(udp4500_classify(NULL, 0, &off), U4500_BAD);
	assert_int_equal(udp4500_classify(B(0, 0, 0), 3, &off), U4500_BAD);
	/* non-ESP marker then an ISAKMP header */
	uint8_t ike[4 + 28] = {0};
	ike[4] = 1;
	assert_int_equal(udp4500_classify(ike, sizeof(ike), &off), U4500_IKE);
	assert_int_equal(off, 4);
	/* ESP: SPI != 0 and at least 8 bytes */
	assert_int_equal(udp4500_classify(B(0, 0, 1, 0, 0, 0, 0, 1), 8, &off), U4500_ESP);
	assert_int_equal(off, 0);
	assert_int_equal(udp4500_classify(B(0, 0, 1, 0, 0, 0, 0), 7, &off), U4500_BAD);
	/* 0xff followed by more bytes is not a keepalive */
	assert_int_equal(udp4500_classify(B(0xff, 0xff), 2, &off), U4500_BAD);
	assert_int_equal(udp4500_classify(B(0xff, 0, 0, 0, 0, 0, 0, 1), 8, &off), U4500_ESP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esp_parse),
		cmocka_unit_test(test_ah_parse),
		cmocka_unit_test(test_udp4500),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
