/* Journal codec: round trip, torn tail, flipped bytes, valid length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "log/journal.h"

#define IP(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))

struct seen {
	struct ikg_event ev[8];
	size_t n;
};

static void collect(void *ctx, const struct ikg_event *ev)
{
	struct seen *s = ctx;
	if (s->n < 8)
		s->ev[s->n] = *ev;
	s->n++;
}

static uint8_t journal[3 * JOURNAL_RECORD_MAX];
static size_t rec_len[3];

static size_t build(void)
{
	struct ikg_event ev;
	size_t off = 0;
	ikg_event_make(&ev, 1055864787000ull, MSG_WAN_UP, NULL, 0, NULL);
	ikg_event_set_text(&ev, "Ethernet WAN1 activated at 10000 Kbps");
	rec_len[0] = journal_encode(&ev, journal + off, sizeof(journal) - off);
	off += rec_len[0];
	ikg_event_make(&ev, 1055864856000ull, MSG_PH1_COMPLETE, "branch", IP(10, 0, 0, 2),
		       "mode=main; cipher=%s", "aes128");
	rec_len[1] = journal_encode(&ev, journal + off, sizeof(journal) - off);
	off += rec_len[1];
	ikg_event_make(&ev, 1055864871000ull, MSG_PH2_COMPLETE, "branch", IP(10, 0, 0, 2),
		       "spi_in=0x%08x", 0xc0ffee01u);
	rec_len[2] = journal_encode(&ev, journal + off, sizeof(journal) - off);
	off += rec_len[2];
	return off;
}

static void crc_check_value(void **state)
{
	(void)state;
	assert_int_equal(journal_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
	assert_int_equal(journal_crc32(NULL, 0), 0);
}

static void round_trip(void **state)
{
	(void)state;
	size_t len = build();
	assert_int_equal(rec_len[0], JOURNAL_HEADER_LEN + 14 + 1 + 1 + 37 + 2 + JOURNAL_TRAILER_LEN);
	assert_memory_equal(journal, "IKGJ\x01\x00", 6);
	struct seen s = {0};
	size_t valid = 1;
	assert_int_equal(journal_decode_all(journal, len, collect, &s, &valid), 3);
	assert_int_equal(valid, len);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ev[0].code, MSG_WAN_UP);
	assert_string_equal(s.ev[0].text, "Ethernet WAN1 activated at 10000 Kbps");
	assert_int_equal(s.ev[0].when, 1055864787000ull);
	assert_int_equal(s.ev[0].peer, 0);
	assert_string_equal(s.ev[0].profile, "");
	assert_int_equal(s.ev[1].code, MSG_PH1_COMPLETE);
	assert_string_equal(s.ev[1].profile, "branch");
	assert_int_equal(s.ev[1].peer, IP(10, 0, 0, 2));
	assert_string_equal(s.ev[1].evidence, "mode=main; cipher=aes128");
	assert_int_equal(s.ev[2].when, 1055864871000ull);
	assert_string_equal(s.ev[2].evidence, "spi_in=0xc0ffee01");
	char line[128];
	assert_string_equal(ikg_event_line(&s.ev[2], line, sizeof(line)),
			    "06/17/03 15:47:51   IKE: phase 2 complete sg 10.0.0.2");
}

static void largest_record_fits(void **state)
{
	(void)state;
	struct ikg_event ev;
	memset(&ev, 'x', sizeof(ev));
	ev.profile[sizeof(ev.profile) - 1] = '\0';
	ev.text[sizeof(ev.text) - 1] = '\0';
	ev.evidence[sizeof(ev.evidence) - 1] = '\0';
	uint8_t buf[JOURNAL_RECORD_MAX];
	size_t n = journal_encode(&ev, buf, sizeof(buf));
	assert_int_equal(n, JOURNAL_RECORD_MAX);
	assert_int_equal(journal_encode(&ev, buf, n - 1), 0);
	struct seen s = {0};
	assert_int_equal(journal_decode_all(buf, n, collect, &s, NULL), 1);
	assert_int_equal(strlen(s.ev[0].evidence), IKG_EVIDENCE_MAX - 1);
}

static void torn_last_record_skipped(void **state)
{
	(void)state;
	size_t len = build();
	size_t first_two = rec_len[0] + rec_len[1];
	/* every possible tear inside the third record */
	for (size_t cut = first_two + 1; cut < len; cut++) {
		struct seen s = {0};
		size_t valid = 0;
		assert_int_equal(journal_decode_all(journal, cut, collect, &s, &valid), 2);
		assert_int_equal(valid, first_two);
		assert_int_equal(s.n, 2);
	}
	size_t valid = 99;
	assert_int_equal(journal_decode_all(journal, 0, NULL, NULL, &valid), 0);
	assert_int_equal(valid, 0);
}

static void flipped_byte_detected(void **state)
{
	(void)state;
	size_t len = build();
	/* a flip anywhere in the second record stops decoding after the first */
	for (size_t i = rec_len[0]; i < rec_len[0] + rec_len[1]; i++) {
		for (int bit = 0; bit < 8; bit++) {
			journal[i] ^= (uint8_t)(1u << bit);
			struct seen s = {0};
			size_t valid = 0;
			assert_int_equal(journal_decode_all(journal, len, collect, &s, &valid), 1);
			assert_int_equal(valid, rec_len[0]);
			journal[i] ^= (uint8_t)(1u << bit);
		}
	}
	size_t valid = 0;
	assert_int_equal(journal_decode_all(journal, len, NULL, NULL, &valid), 3);
	assert_int_equal(valid, len);
}

static void garbage_after_valid(void **state)
{
	(void)state;
	size_t len = build();
	memset(journal + len, 0, 20);
	size_t valid = 0;
	assert_int_equal(journal_decode_all(journal, len + 20, NULL, NULL, &valid), 3);
	assert_int_equal(valid, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_check_value),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(largest_record_fits),
		cmocka_unit_test(torn_last_record_skipped),
		cmocka_unit_test(flipped_byte_detected),
		cmocka_unit_test(garbage_after_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
