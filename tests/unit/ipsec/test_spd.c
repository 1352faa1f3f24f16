/* SPD over profiles, the inbound member check, and the discard counter names. */
#include "ipsec_test.h"

static struct cfg_ipsec_profile profile(const char *name, struct ikg_range local,
					struct ikg_range remote)
{
	struct cfg_ipsec_profile p;
	memset(&p, 0, sizeof(p));
	strncpy(p.name, name, sizeof(p.name) - 1);
	p.local_members[0] = local;
	p.n_local = 1;
	p.remote_members[0] = remote;
	p.n_remote = 1;
	p.protocol = IKG_PROTO_ESP;
	p.enabled = true;
	return p;
}

#define R(a, b) ((struct ikg_range){(a), (b)})

static void test_lookup(void **state)
{
	struct cfg_ipsec_profile ps[3];
	ps[0] = profile("branch", R(IP4(10, 1, 1, 0), IP4(10, 1, 1, 255)),
			R(IP4(10, 2, 2, 0), IP4(10, 2, 2, 255)));
	ps[1] = profile("shop", R(IP4(10, 1, 1, 0), IP4(10, 1, 1, 255)),
			R(IP4(10, 3, 0, 0), IP4(10, 3, 255, 255)));
	ps[1].remote_members[1] = R(IP4(172, 16, 0, 10), IP4(172, 16, 0, 20));
	ps[1].n_remote = 2;
	ps[2] = profile("wide", R(IP4(10, 0, 0, 0), IP4(10, 255, 255, 255)),
			R(IP4(10, 2, 2, 0), IP4(10, 2, 2, 255)));
	struct ipsec_spd spd;
	assert_int_equal(ipsec_spd_build(&spd, ps, 3), 0);
	size_t prof = 99;
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), 0);
	assert_int_equal(prof, 0);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, IP4(10, 3, 9, 9), &prof), 0);
	assert_int_equal(prof, 1);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, IP4(172, 16, 0, 20), &prof), 0);
	assert_int_equal(prof, 1);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, IP4(172, 16, 0, 21), &prof), -1);
	assert_int_equal(ipsec_spd_lookup(&spd, IP4(10, 9, 0, 1), HOST_B, &prof), 0);
	assert_int_equal(prof, 2);
	/* Reverse direction is not outbound traffic. */
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_B, HOST_A, &prof), -1);
	/* Disabled profile: the next match takes over, or none. */
	ipsec_spd_set_enabled(&spd, 0, false);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), 0);
	assert_int_equal(prof, 2);
	ipsec_spd_set_enabled(&spd, 2, false);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), -1);
	ipsec_spd_set_enabled(&spd, 0, true);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), 0);
	assert_int_equal(prof, 0);
	ipsec_spd_free(&spd);

	ps[0].enabled = false;
	assert_int_equal(ipsec_spd_build(&spd, ps, 1), 0);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), -1);
	ipsec_spd_free(&spd);
	assert_int_equal(ipsec_spd_build(&spd, ps, 0), 0);
	assert_int_equal(ipsec_spd_lookup(&spd, HOST_A, HOST_B, &prof), -1);
	ipsec_spd_free(&spd);
	(void)state;
}

static void test_inbound_check(void **state)
{
	struct cfg_ipsec_profile ps[1];
	ps[0] = profile("branch", R(IP4(10, 1, 1, 0), IP4(10, 1, 1, 255)),
			R(IP4(10, 2, 2, 0), IP4(10, 2, 2, 255)));
	struct ipsec_spd spd;
	assert_int_equal(ipsec_spd_build(&spd, ps, 1), 0);
	enum rx_discard why = RXD__COUNT;
	/* Inbound: from the remote members to the local members. */
	assert_int_equal(ipsec_spd_check_inbound(&spd, 0, HOST_B, HOST_A, &why), 0);
	assert_int_equal(why, RXD__COUNT);
	assert_int_equal(ipsec_spd_check_inbound(&spd, 0, IP4(10, 2, 3, 1), HOST_A, &why), -1);
	assert_int_equal(why, RXD_BAD_SOURCE);
	assert_int_equal(ipsec_spd_check_inbound(&spd, 0, HOST_B, IP4(10, 1, 2, 1), &why), -1);
	assert_int_equal(why, RXD_BAD_DESTINATION);
	/* Both wrong: the source is reported (one reason per packet). */
	assert_int_equal(ipsec_spd_check_inbound(&spd, 0, HOST_A, HOST_B, &why), -1);
	assert_int_equal(why, RXD_BAD_SOURCE);
	assert_int_equal(ipsec_spd_check_inbound(&spd, 5, HOST_B, HOST_A, &why), -1);
	assert_int_equal(why, RXD_BAD_SOURCE);
	assert_int_equal(ipsec_inbound_check(&ps[0], HOST_B, IP4(10, 1, 2, 1), &why), -1);
	assert_int_equal(why, RXD_BAD_DESTINATION);
	assert_int_equal(ipsec_inbound_check(&ps[0], HOST_B, HOST_A, &why), 0);

	/* On a packet: test_inner builds HOST_A -> HOST_B, i.e. wrong way round here. */
	struct ikg_pkt pkt;
	test_inner(&pkt, 8, 1, 0);
	assert_int_equal(ipsec_spd_check_inbound_pkt(&spd, 0, &pkt, &why), -1);
	assert_int_equal(why, RXD_BAD_SOURCE);
	ps[0] = profile("branch", R(HOST_B, HOST_B), R(HOST_A, HOST_A));
	ipsec_spd_free(&spd);
	assert_int_equal(ipsec_spd_build(&spd, ps, 1), 0);
	assert_int_equal(ipsec_spd_check_inbound_pkt(&spd, 0, &pkt, &why), 0);
	pkt.len = 10;
	assert_int_equal(ipsec_spd_check_inbound_pkt(&spd, 0, &pkt, &why), -1);
	assert_int_equal(why, RXD_ESP_AH_ERROR);
	ipsec_spd_free(&spd);
	(void)state;
}

static void test_counter_names(void **state)
{
	static const char *names[RXD__COUNT] = {"unknown-protocol", "unknown-spi", "esp-ah-error",
						"sa-mismatch", "bad-source", "bad-destination"};
	for (int r = 0; r < RXD__COUNT; r++) {
		assert_string_equal(rx_discard_name((enum rx_discard)r), names[r]);
		assert_non_null(rx_discard_text((enum rx_discard)r));
	}
	assert_string_equal(rx_discard_text(RXD_UNKNOWN_SPI),
			    "Unknown SPI (no match to existing SA bundles)");
	assert_string_equal(rx_discard_text(RXD_ESP_AH_ERROR), "ESP/AH error");
	assert_string_equal(rx_discard_text(RXD_BAD_SOURCE),
			    "Source address didn't match any VPN network remote members ranges");
	assert_string_equal(rx_discard_name(RXD__COUNT), "unknown");
	struct vpn_counters c = {0};
	vpn_count_discard(&c, RXD_BAD_DESTINATION);
	vpn_count_discard(&c, RXD_UNKNOWN_SPI);
	assert_int_equal(c.rx_discards, 2);
	assert_int_equal(c.discards[RXD_BAD_DESTINATION], 1);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_inbound_check),
		cmocka_unit_test(test_counter_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
