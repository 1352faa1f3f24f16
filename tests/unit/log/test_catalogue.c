/* The catalogue: the technote's texts letter for letter, ours present, slugs unique. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "log/catalogue.h"

static void expect_text(enum ikg_msg code, const char *text, const char *facility, bool error)
{
	const struct ikg_msg_info *mi = ikg_msg_info(code);
	assert_non_null(mi);
	assert_int_equal(mi->code, code);
	assert_string_equal(mi->text, text);
	assert_string_equal(mi->facility, facility);
	assert_int_equal(mi->error, error);
}

static void technote_texts_exact(void **state)
{
	(void)state;
	expect_text(MSG_NO_PH1_PREFS, "no ph1 preferences assigned", "IKE", true);
	expect_text(MSG_DNS_LOOKUP_FAILURE, "DNS Lookup Failure", "IKE", true);
	expect_text(MSG_NO_MATCHING_PH1_PROFILE, "no matching phase1 profile", "IKE", true);
	expect_text(MSG_NO_MATCHING_PROPOSAL, "no matching proposal", "IKE", true);
	expect_text(MSG_PH1_AUTH_FAILURE, "phase1 auth failure", "IKE", true);
	expect_text(MSG_PH1_RESEND_TIMEOUT, "phase1 resend timeout", "IKE", true);
	expect_text(MSG_PH1_COMPLETE, "phase 1 complete", "IKE", false);
	expect_text(MSG_PH2_HASH_FAILED, "phase2 hash failed", "IKE", true);
	expect_text(MSG_PH2_RESEND_TIMEOUT, "ph2 resend timeout", "IKE", true);
	expect_text(MSG_PH2_COMPLETE, "phase 2 complete", "IKE", false);
}

static void our_texts(void **state)
{
	(void)state;
	expect_text(MSG_NAT_DETECTED, "NAT detected, using UDP 4500", "IKE", false);
	expect_text(MSG_PEER_MOVED, "peer moved", "IKE", false);
	expect_text(MSG_AH_THROUGH_NAT, "AH cannot cross NAT", "IKE", true);
	expect_text(MSG_DPD_PEER_DEAD, "dead peer detected", "IKE", true);
	expect_text(MSG_SA_DELETED, "SA deleted by peer", "IKE", false);
	expect_text(MSG_PH1_REKEY, "phase 1 rekeyed", "IKE", false);
	expect_text(MSG_PH2_REKEY, "phase 2 rekeyed", "IKE", false);
	expect_text(MSG_INVALID_ID, "phase2 id mismatch", "IKE", true);
	expect_text(MSG_MALFORMED, "malformed packet dropped", "IKE", true);
	expect_text(MSG_TUNNEL_DOWN, "tunnel down", "IKE", false);
	expect_text(MSG_CONFIG_RELOADED, "config reloaded", "CFG", false);
	expect_text(MSG_CONFIG_REJECTED, "config rejected", "CFG", true);
	expect_text(MSG_PEER_NOTIFY, "peer notify", "IKE", true);
	expect_text(MSG_QUEUE_OVERFLOW, "tunnel queue full", "ESP", true);
	expect_text(MSG_NO_PH2_PROFILE, "no matching phase2 profile", "IKE", true);
	expect_text(MSG_RESPONDER_ONLY, "responder only, not initiating", "IKE", true);
	expect_text(MSG_FILTER_DROP, "filter set drop", "IKE", true);
	expect_text(MSG_WAN_UP, "activated", "WAN", false);
}

/* Every code of the enum has a row with all fields, slugs are unique and found again. */
static void every_code_complete(void **state)
{
	(void)state;
	size_t rows = 0;
	for (int c = 1; c < MSG__MAX; c++) {
		const struct ikg_msg_info *mi = ikg_msg_info((enum ikg_msg)c);
		if ((c >= 1 && c <= 10) || (c >= 20 && c <= 37))
			assert_non_null(mi);
		if (!mi)
			continue;
		rows++;
		assert_non_null(mi->slug);
		assert_non_null(mi->problem);
		assert_non_null(mi->causes);
		assert_non_null(mi->solution);
		assert_true(strlen(mi->problem) > 10);
		assert_true(strlen(mi->solution) > 5);
		assert_ptr_equal(ikg_msg_by_slug(mi->slug), mi);
		if (mi->error)
			assert_true(strlen(mi->causes) > 10);
	}
	assert_int_equal(rows, 28);
	assert_null(ikg_msg_info(MSG_NONE));
	assert_null(ikg_msg_info(MSG__MAX));
	assert_null(ikg_msg_by_slug("no-such-slug"));
	assert_null(ikg_msg_by_slug(NULL));
}

/* The explanations carry the technote's key advice. */
static void explanations_carry_the_advice(void **state)
{
	(void)state;
	const struct ikg_msg_info *mi = ikg_msg_info(MSG_PH2_RESEND_TIMEOUT);
	assert_non_null(strstr(mi->causes, "Cisco"));
	assert_non_null(strstr(mi->causes, "PFS"));
	assert_non_null(strstr(mi->solution, "pfs-group = 0"));
	mi = ikg_msg_info(MSG_PH1_AUTH_FAILURE);
	assert_non_null(strstr(mi->solution, "case sensitive"));
	mi = ikg_msg_info(MSG_PH1_RESEND_TIMEOUT);
	assert_non_null(strstr(mi->solution, "UDP 500"));
	assert_non_null(strstr(mi->solution, "50"));
	assert_non_null(strstr(mi->solution, "51"));
	assert_non_null(strstr(mi->solution, "filter set"));
	mi = ikg_msg_info(MSG_DNS_LOOKUP_FAILURE);
	assert_non_null(strstr(mi->causes, "0.0.0.0"));
	assert_non_null(strstr(mi->solution, "Initiate Only"));
	assert_non_null(strstr(mi->solution, "hostname"));
	assert_string_equal(ikg_msg_info(MSG_PH1_AUTH_FAILURE)->slug, "phase1-auth-failure");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(technote_texts_exact),
		cmocka_unit_test(our_texts),
		cmocka_unit_test(every_code_complete),
		cmocka_unit_test(explanations_carry_the_advice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
