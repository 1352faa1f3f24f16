/* History lines exactly as on the technote's WAN Event History screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "log/event.h"

#define IP(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))
#define T_PH2 1055864871000ull /* 2003-06-17 15:47:51 UTC */

static void phase2_complete_line(void **state)
{
	(void)state;
	struct ikg_event ev;
	char buf[256];
	ikg_event_make(&ev, T_PH2 + 999, MSG_PH2_COMPLETE, "branch", IP(10, 0, 0, 2), NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:47:51   IKE: phase 2 complete sg 10.0.0.2");
	ikg_event_make(&ev, T_PH2 - 15000, MSG_PH1_COMPLETE, "branch", IP(10, 0, 0, 2), NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:47:36   IKE: phase 1 complete sg 10.0.0.2");
	ikg_event_make(&ev, T_PH2, MSG_PH1_AUTH_FAILURE, "branch", IP(10, 0, 0, 2), NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:47:51   IKE: phase1 auth failure sg 10.0.0.2");
}

static void line_without_peer(void **state)
{
	(void)state;
	struct ikg_event ev;
	char buf[256];
	ikg_event_make(&ev, T_PH2, MSG_NO_PH1_PREFS, "branch", 0, NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:47:51   IKE: no ph1 preferences assigned");
	ikg_event_make(&ev, T_PH2, MSG_CONFIG_RELOADED, NULL, 0, NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:47:51   CFG: config reloaded");
}

static void wan_line(void **state)
{
	(void)state;
	struct ikg_event ev;
	char buf[256];
	ikg_event_make(&ev, 1055864787000ull, MSG_WAN_UP, NULL, 0, NULL);
	ikg_event_set_text(&ev, "Ethernet WAN1 activated at 10000 Kbps");
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "06/17/03 15:46:27 >>WAN: Ethernet WAN1 activated at 10000 Kbps");
}

static void calendar_edges(void **state)
{
	(void)state;
	struct ikg_event ev;
	char buf[256];
	ikg_event_make(&ev, 0, MSG_TUNNEL_DOWN, NULL, 0, NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)), "01/01/70 00:00:00   IKE: tunnel down");
	ikg_event_make(&ev, 951868799000ull, MSG_TUNNEL_DOWN, NULL, 0, NULL); /* leap day 2000 */
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)), "02/29/00 23:59:59   IKE: tunnel down");
	ikg_event_make(&ev, 951868800000ull, MSG_TUNNEL_DOWN, NULL, 0, NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)), "03/01/00 00:00:00   IKE: tunnel down");
	ikg_event_make(&ev, 4102358400000ull, MSG_TUNNEL_DOWN, NULL, IP(192, 0, 2, 255), NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)),
			    "12/31/99 00:00:00   IKE: tunnel down sg 192.0.2.255");
}

static void unknown_code_and_small_buffer(void **state)
{
	(void)state;
	struct ikg_event ev;
	char buf[12];
	ikg_event_make(&ev, T_PH2, (enum ikg_msg)99, NULL, 0, NULL);
	char big[128];
	assert_string_equal(ikg_event_line(&ev, big, sizeof(big)), "06/17/03 15:47:51   IKE: event 99");
	ikg_event_make(&ev, T_PH2, MSG_PH2_COMPLETE, NULL, IP(10, 0, 0, 2), NULL);
	assert_string_equal(ikg_event_line(&ev, buf, sizeof(buf)), "06/17/03 15");
}

static void make_fills_and_truncates(void **state)
{
	(void)state;
	struct ikg_event ev;
	char longname[100];
	memset(longname, 'p', sizeof(longname) - 1);
	longname[99] = '\0';
	char huge[1000];
	memset(huge, 'e', sizeof(huge) - 1);
	huge[999] = '\0';
	ikg_event_make(&ev, 42, MSG_NO_MATCHING_PROPOSAL, longname, IP(1, 2, 3, 4),
		       "received=%s; configured=%s; x=%s", "aes128-sha1", "3des-md5", huge);
	assert_int_equal(ev.when, 42);
	assert_int_equal(ev.code, MSG_NO_MATCHING_PROPOSAL);
	assert_int_equal(ev.peer, IP(1, 2, 3, 4));
	assert_int_equal(strlen(ev.profile), IKG_NAME_MAX - 1);
	assert_int_equal(strlen(ev.evidence), IKG_EVIDENCE_MAX - 1);
	assert_memory_equal(ev.evidence, "received=aes128-sha1; configured=3des-md5; x=eee", 48);
	assert_string_equal(ev.text, "");
	ikg_event_set_text(&ev, huge);
	assert_int_equal(strlen(ev.text), sizeof(ev.text) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phase2_complete_line),
		cmocka_unit_test(line_without_peer),
		cmocka_unit_test(wan_line),
		cmocka_unit_test(calendar_edges),
		cmocka_unit_test(unknown_code_and_small_buffer),
		cmocka_unit_test(make_fills_and_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
