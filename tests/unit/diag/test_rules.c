/* One test per troubleshooter rule, from hand-built facts: the first finding's id, and its
 * evidence/fix naming the fact that led to it. */
#include "diag_test.h"

#define PH1_TIMEOUT_MSG1 "peer=192.0.2.2; mode=main; no reply to main mode message 1; retransmissions=4"
#define PH1_TIMEOUT_MSG5 "peer=192.0.2.2; mode=main; no reply to main mode message 5; retransmissions=4"

static void up(struct diag_profile_facts *p)
{
	p->ph1 = DIAG_UP;
	p->ph2 = DIAG_UP;
	p->peer = p->remote_ip;
}

/* ---- no ph1 preferences assigned ---- */
static void test_no_ph1_prefs(void **state)
{
	struct fx *x = *state;
	x->p->ike_profile[0] = 0;
	fx_event(x, x->p, MSG_NO_PH1_PREFS, 5000, "192.0.2.2", "profile=branch; ike-profile=none assigned");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-ph1-preferences");
	assert_string_equal(d->profile, "branch");
	assert_contains(d->evidence, "ike-profile=none");
	assert_contains(d->fix, "ike-profile = \"office\"");
}

static void test_ike_profile_missing(void **state)
{
	struct fx *x = *state;
	x->p->ike_profile_missing = true;
	snprintf(x->p->ike_profile, sizeof x->p->ike_profile, "ofice");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-ph1-preferences");
	assert_contains(d->evidence, "ike-profile=\"ofice\"");
}

/* ---- DNS Lookup Failure ---- */
static void test_dns_rte_all_zeros(void **state)
{
	struct fx *x = *state;
	snprintf(x->p->remote_endpoint, sizeof x->p->remote_endpoint, "0.0.0.0");
	x->p->remote_ip = 0;
	fx_event(x, x->p, MSG_DNS_LOOKUP_FAILURE, 5000, NULL,
		 "remote-endpoint=0.0.0.0; an all-zeros endpoint can only respond");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "dns-rte-all-zeros");
	assert_contains(d->evidence, "remote-endpoint=0.0.0.0");
	assert_contains(d->fix, "negotiation = \"initiate-only\" in ike-profiles.office");
}

static void test_dns_hostname(void **state)
{
	struct fx *x = *state;
	snprintf(x->p->remote_endpoint, sizeof x->p->remote_endpoint, "vpn.example.net");
	x->p->remote_ip = 0;
	x->p->remote_is_hostname = true;
	fx_event(x, x->p, MSG_DNS_LOOKUP_FAILURE, 5000, NULL,
		 "remote-endpoint=vpn.example.net; the hostname did not resolve");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "dns-hostname-unresolved");
	assert_contains(d->title, "vpn.example.net");
	assert_contains(d->fix, "IP address");
}

/* ---- no matching phase1 profile ---- */
static void test_no_matching_phase1_profile(void **state)
{
	struct fx *x = *state;
	fx_event(x, NULL, MSG_NO_MATCHING_PH1_PROFILE, 5000, "203.0.113.9",
		 "peer=203.0.113.9; configured remote endpoints: branch=192.0.2.2");
	const struct diag_finding *d = fx_run(x, "branch");
	assert_string_equal(d->id, "no-matching-phase1-profile");
	assert_null(d->profile);
	assert_contains(d->evidence, "the peer's address: 203.0.113.9");
	assert_contains(d->evidence, "branch=192.0.2.2");
	assert_contains(d->fix, "remote-endpoint = \"203.0.113.9\"");
}

static void test_no_matching_phase1_profile_initiate_only(void **state)
{
	struct fx *x = *state;
	fx_event(x, NULL, MSG_NO_MATCHING_PH1_PROFILE, 5000, "192.0.2.2",
		 "peer=192.0.2.2; matching profile negotiates initiate-only: request dropped, no reply");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-phase1-profile");
	assert_contains(d->fix, "negotiation = \"both\"");
}

/* ---- no matching proposal ---- */
static void test_no_matching_proposal_phase1(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "received: aes256-sha256-modp2048, aes128-sha1-modp1024; configured: 3des-sha1-modp1024");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-proposal");
	assert_contains(d->title, "phase 1");
	assert_contains(d->evidence, "the peer's: aes256-sha256-modp2048, aes128-sha1-modp1024");
	assert_contains(d->evidence, "ours: 3des-sha1-modp1024");
	assert_contains(d->fix, "one change in ike-profiles.office: set encryption = \"aes128\"");
	assert_contains(d->fix, "ours: 3des, the peer's: aes128");
}

static void test_no_matching_proposal_phase2_pfs(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "received: esp-aes128-sha1-nopfs; configured: esp-aes128-sha1-modp1024");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-proposal");
	assert_contains(d->title, "phase 2");
	assert_contains(d->evidence, "esp-aes128-sha1-nopfs");
	assert_contains(d->evidence, "esp-aes128-sha1-modp1024");
	assert_contains(d->fix, "one change in ipsec-profiles.branch: set pfs-group = 0");
}

static void test_no_matching_proposal_two_changes(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "received: aes256-sha256-modp1024; configured: 3des-sha1-modp1024");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-proposal");
	assert_contains(d->fix, "set encryption = \"aes256\"");
	assert_contains(d->fix, "set hash = \"sha256\"");
	assert_null(strstr(d->fix, "one change"));
}

/* ---- phase1 auth failure ---- */
static void test_ph1_auth_failure(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_AUTH_FAILURE, 5000, "192.0.2.2",
		 "check=decryption of main mode message 5; result=the message does not decrypt to "
		 "valid payloads; id-received=none (unreadable); hint=the pre-shared keys differ");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "phase1-auth-failure");
	assert_contains(d->fix, "case sensitive");
	assert_contains(d->fix, "ike-profiles.office");
	assert_contains(d->evidence, "remote-id expected: 192.0.2.2");
}

static void test_ph1_identity_mismatch_first(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_AUTH_FAILURE, 5000, "192.0.2.2",
		 "check=identity; id-received=fqdn:branch.example.net; id-expected=192.0.2.2; "
		 "hint=set remote-id to the peer's local identity");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "phase1-identity-mismatch");
	assert_contains(d->evidence, "ID received: fqdn:branch.example.net");
	assert_contains(d->evidence, "192.0.2.2");
	assert_contains(d->fix, "remote-id = \"fqdn:branch.example.net\"");
	assert_string_equal(x->l.v[1].id, "phase1-auth-failure");
}

/* ---- phase1 resend timeout ---- */
static void test_ph1_timeout_message5_is_psk(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_NEGOTIATING;
	x->p->nat_ike_in = true;
	x->p->nat_ike_out = true;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG5);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-psk-mismatch");
	assert_contains(d->title, "message 5");
	assert_contains(d->evidence, "no reply to main mode message 5");
	assert_contains(d->fix, "pre-shared key");
}

static void test_ph1_timeout_no_response_four_checks(void **state)
{
	struct fx *x = *state;
	x->p->nat_ike_out = true;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG1);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-no-response");
	assert_contains(d->evidence, "out UDP 500 to the peer present");
	assert_contains(d->evidence, "no in UDP 500 translation from 192.0.2.2");
	assert_contains(d->fix, "on the peer, `show ip nat translations` must show in UDP 500 from 192.0.2.1");
	const char *c1 = strstr(d->fix, "1. verify connectivity"), *c2 = strstr(d->fix, "2. both profiles enabled");
	const char *c3 = strstr(d->fix, "3. no firewall device"), *c4 = strstr(d->fix, "4. the ISP");
	assert_non_null(c1);
	assert_non_null(c2);
	assert_non_null(c3);
	assert_non_null(c4);
	assert_true(c1 < c2 && c2 < c3 && c3 < c4);
	assert_contains(d->fix, "the peer's must be 192.0.2.1");
}

static void test_ph1_timeout_peer_silent(void **state)
{
	struct fx *x = *state;
	x->p->nat_ike_in = true;
	x->p->nat_ike_out = true;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG1);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-peer-silent");
	assert_contains(d->evidence, "NAT table: in UDP 500 from the peer present");
	assert_contains(d->fix, "none found");
}

static void test_ph1_timeout_notify_no_proposal(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2",
		 PH1_TIMEOUT_MSG1 "; peer sent unauthenticated notify (ignored)=NO_PROPOSAL_CHOSEN");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-peer-rejects-proposal");
	assert_contains(d->fix, "3des-sha1-modp1024");
}

static void test_ph1_timeout_message3(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2",
		 "peer=192.0.2.2; mode=main; no reply to main mode message 3; retransmissions=4");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-key-exchange");
	assert_contains(d->fix, "3des-sha1-modp1024");
}

/* A filter set of this gateway drops the peer's UDP 500: the technote's "looks like success in
 * the NAT table, but phase 1 never completes". The named rule outranks the silent-peer guess. */
static void test_rank_filter_rule_before_silent_peer(void **state)
{
	struct fx *x = *state;
	x->p->nat_ike_in = true;
	x->p->nat_ike_out = true;
	struct diag_blocker b = {
		.source = DIAG_SRC_FILTER_SET, .where = "filter set wan-in (wan-in) rule 1, line 12",
		.rule = "deny protocol udp dst-port 500", .blocks = DIAG_BLOCKS_IKE,
		.hits_known = true, .hits = 14,
	};
	diag_profile_add_blocker(x->p, &b);
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG1);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "filter-set-blocks-ike");
	assert_contains(d->evidence, "filter set wan-in (wan-in) rule 1, line 12");
	assert_contains(d->evidence, "deny protocol udp dst-port 500");
	assert_contains(d->evidence, "14 hits");
	assert_contains(d->evidence, "NAT runs before the filter set");
	assert_contains(d->fix, "rule 1, line 12");
	assert_string_equal(x->l.v[1].id, "ph1-timeout-peer-silent");
}

/* A filter rule without hits while nothing arrives: the path checks come first. */
static void test_rank_path_before_unhit_filter_rule(void **state)
{
	struct fx *x = *state;
	x->p->nat_ike_out = true;
	struct diag_blocker b = {
		.source = DIAG_SRC_FILTER_SET, .where = "filter set wan-in (wan-in) rule 2, line 14",
		.rule = "deny protocol udp dst-port 4500", .blocks = DIAG_BLOCKS_NATT,
		.hits_known = true, .hits = 0,
	};
	diag_profile_add_blocker(x->p, &b);
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG1);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-no-response");
	assert_non_null(fx_find(x, "filter-set-blocks-ike"));
}

static void test_filter_drop_event_without_timeout(void **state)
{
	struct fx *x = *state;
	struct diag_blocker b = {
		.source = DIAG_SRC_FILTER_SET, .where = "filter set wan-in (wan-in) rule 1, line 9",
		.rule = "deny protocol udp dst-port 500", .blocks = DIAG_BLOCKS_IKE,
		.hits_known = true, .hits = 3,
	};
	diag_profile_add_blocker(x->p, &b);
	fx_event(x, x->p, MSG_FILTER_DROP, 5000, "192.0.2.2",
		 "direction=wan-in; protocol=17; from=192.0.2.2:500; to-port=500");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "filter-set-blocks-ike");
	assert_contains(d->evidence, "3 hits");
}

static void test_host_firewall_blocks_ike(void **state)
{
	struct fx *x = *state;
	const char *rs = "table inet fw {\n"
			 "\tchain input {\n"
			 "\t\ttype filter hook input priority filter; policy accept;\n"
			 "\t\tudp dport 500 counter packets 7 bytes 2100 drop\n"
			 "\t}\n"
			 "}\n";
	assert_int_equal(diag_facts_add_host_ruleset(&x->f, rs), 1);
	x->p->nat_ike_out = true;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG1);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "host-firewall-blocks-ike");
	assert_contains(d->evidence, "nft table inet fw chain input, line 4");
	assert_contains(d->evidence, "udp dport 500 counter packets 7 bytes 2100 drop");
	assert_contains(d->evidence, "7 hits");
}

/* ---- ph2 resend timeout ---- */
static void ph2_timeout(struct fx *x, const char *vendor)
{
	x->p->ph1 = DIAG_UP;
	x->p->ph2 = DIAG_NEGOTIATING;
	snprintf(x->p->peer_vendor, sizeof x->p->peer_vendor, "%s", vendor);
	fx_event(x, x->p, MSG_PH1_COMPLETE, 4000, "192.0.2.2", "");
	fx_event(x, x->p, MSG_PH2_RESEND_TIMEOUT, 5000, "192.0.2.2",
		 "peer=192.0.2.2; no reply to quick mode message 1; retransmissions=4");
}

static void test_ph2_timeout_cisco_pfs_first(void **state)
{
	struct fx *x = *state;
	ph2_timeout(x, "Cisco");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph2-timeout-pfs-mismatch");
	assert_int_equal(d->rank_score, 90);
	assert_contains(d->evidence, "pfs-group=2 (modp1024)");
	assert_contains(d->evidence, "peer vendor: Cisco");
	assert_contains(d->fix, "pfs-group = 0 in ipsec-profiles.branch");
	assert_string_equal(x->l.v[1].id, "ph2-timeout-parameters");
	assert_contains(x->l.v[1].fix, "peer's local members must be 10.2.2.0/24");
}

static void test_ph2_timeout_strongswan_pfs_first(void **state)
{
	struct fx *x = *state;
	ph2_timeout(x, "strongSwan");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph2-timeout-pfs-mismatch");
	assert_contains(d->evidence, "strongSwan");
}

static void test_ph2_timeout_pfs_off(void **state)
{
	struct fx *x = *state;
	x->p->pfs_group = 0;
	ph2_timeout(x, "");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph2-timeout-pfs-mismatch");
	assert_contains(d->evidence, "pfs-group=0");
	assert_contains(d->fix, "pfs-group = 2");
}

/* Vendor ranking: a Cisco peer makes PFS a stronger suspect than an unknown one. */
static void test_ph2_vendor_changes_score(void **state)
{
	struct fx *x = *state;
	ph2_timeout(x, "");
	int unknown = fx_run(x, NULL)->rank_score;
	snprintf(x->p->peer_vendor, sizeof x->p->peer_vendor, "Cisco");
	int cisco = fx_run(x, NULL)->rank_score;
	assert_true(cisco > unknown);
}

/* Phase 1 never completed: a ph2 timeout is not the question. */
static void test_ph2_timeout_needs_phase1(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_NEGOTIATING;
	fx_event(x, x->p, MSG_PH2_RESEND_TIMEOUT, 5000, "192.0.2.2", "no reply to quick mode message 1");
	fx_run(x, NULL);
	assert_null(fx_find(x, "ph2-timeout-pfs-mismatch"));
}

/* ---- phase 2 identities ---- */
static void test_phase2_id_mismatch(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_INVALID_ID, 5000, "192.0.2.2",
		 "received=10.9.9.0/24 <-> 10.1.1.0/24; configured=10.2.2.0/24 <-> 10.1.1.0/24");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "phase2-id-mismatch");
	assert_contains(d->evidence, "10.9.9.0/24");
	assert_contains(d->fix, "our remote members (10.2.2.0/24)");
}

/* ---- phase2 hash failed ---- */
static void test_phase2_hash_failed(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_PH2_HASH_FAILED, 5000, "192.0.2.2",
		 "message=quick mode message 2; check=HASH(2); result=mismatch");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "phase2-hash-failed");
	assert_contains(d->evidence, "HASH(2)");
	assert_contains(d->fix, "`ikegate profile disable branch` then `ikegate profile enable branch`");
}

/* ---- responder only ---- */
static void test_responder_only(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_RESPONDER_ONLY, 5000, NULL, "ike-profile=office; negotiation=respond-only");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "responder-only");
	assert_contains(d->evidence, "negotiation=respond-only");
	assert_contains(d->fix, "negotiation = \"both\" in ike-profiles.office");
}

/* ---- Tx without Rx ---- */
static void test_tx_no_rx_three_causes(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.tx_packets = 5;
	x->p->nat_esp_out = true;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "tx-no-rx");
	assert_contains(d->evidence, "Tx packets=5, Rx packets=0");
	const char *c1 = strstr(d->fix, "1. the far host is not gatewayed back");
	const char *c2 = strstr(d->fix, "2. a filter set on either side");
	const char *c3 = strstr(d->fix, "3. the far host ignores ICMP echo");
	assert_non_null(c1);
	assert_non_null(c2);
	assert_non_null(c3);
	assert_true(c1 < c2 && c2 < c3);
}

static void test_tx_no_rx_esp_filter_first(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.tx_packets = 5;
	struct diag_blocker b = {
		.source = DIAG_SRC_FILTER_SET, .where = "filter set wan-in (wan-in) rule 3, line 20",
		.rule = "deny protocol esp", .blocks = DIAG_BLOCKS_ESP, .hits_known = true, .hits = 5,
	};
	diag_profile_add_blocker(x->p, &b);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "filter-set-blocks-esp");
	assert_contains(d->evidence, "rule 3, line 20");
	assert_contains(x->l.v[1].fix, "rule 3, line 20");
}

/* ---- Rx discards ---- */
static void test_rx_discard_unknown_spi(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.rx_packets = 10;
	vpn_count_discard(&x->p->counters, RXD_UNKNOWN_SPI);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-unknown-spi");
	assert_contains(d->evidence, "unknown-spi=1");
	assert_contains(d->fix, "INITIAL-CONTACT");
}

static void test_rx_discard_esp_ah_error(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.rx_packets = 10;
	vpn_count_discard(&x->p->counters, RXD_ESP_AH_ERROR);
	vpn_count_discard(&x->p->counters, RXD_ESP_AH_ERROR);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-esp-ah-error");
	assert_contains(d->evidence, "esp-ah-error=2");
	assert_contains(d->evidence, "tampering");
}

static void test_rx_discard_bad_source_names_both(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.rx_packets = 10;
	vpn_count_discard(&x->p->counters, RXD_BAD_SOURCE);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-bad-source");
	assert_contains(d->evidence, "local members 10.1.1.0/24, remote members 10.2.2.0/24");
	assert_contains(d->evidence, "its local = 10.2.2.0/24");
	assert_contains(d->fix, "10.2.2.0/24");
}

static void test_rx_discard_bad_destination(void **state)
{
	struct fx *x = *state;
	up(x->p);
	vpn_count_discard(&x->p->counters, RXD_BAD_DESTINATION);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-bad-destination");
	assert_contains(d->fix, "10.1.1.0/24");
}

static void test_rx_discard_sa_mismatch(void **state)
{
	struct fx *x = *state;
	up(x->p);
	vpn_count_discard(&x->p->counters, RXD_SA_MISMATCH);
	assert_string_equal(fx_run(x, NULL)->id, "rx-discard-sa-mismatch");
}

static void test_rx_discard_unknown_protocol(void **state)
{
	struct fx *x = *state;
	up(x->p);
	vpn_count_discard(&x->p->counters, RXD_UNKNOWN_PROTOCOL);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-unknown-protocol");
	assert_contains(d->fix, "IP compression");
}

/* Tx without Rx, and every received packet discarded for its source: the discard reason is the
 * cause, the technote's three generic causes come after. */
static void test_rank_bad_source_before_tx_no_rx(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.tx_packets = 5;
	for (int i = 0; i < 5; i++)
		vpn_count_discard(&x->p->counters, RXD_BAD_SOURCE);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "rx-discard-bad-source");
	assert_non_null(fx_find(x, "tx-no-rx"));
	assert_true(fx_find(x, "tx-no-rx") > d);
}

/* ---- AH through NAT ---- */
static void test_ah_through_nat_first(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->protocol = IKG_PROTO_AH;
	x->p->nat_t = true;
	x->p->counters.tx_packets = 4;
	for (int i = 0; i < 4; i++)
		vpn_count_discard(&x->p->counters, RXD_ESP_AH_ERROR);
	fx_event(x, x->p, MSG_NAT_DETECTED, 3000, "192.0.2.2", "nat=local; port=4500");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ah-through-nat");
	assert_contains(d->evidence, "protocol=ah");
	assert_contains(d->evidence, "esp-ah-error=4");
	assert_contains(d->fix, "protocol = \"esp\"");
	assert_string_equal(x->l.v[1].id, "rx-discard-esp-ah-error");
}

/* ---- disabled ---- */
static void test_profile_disabled(void **state)
{
	struct fx *x = *state;
	x->p->enabled = false;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "profile-disabled");
	assert_contains(d->fix, "ikegate profile enable branch");
}

/* ---- non-routable WAN: a warning, ranked low ---- */
static void test_wan_not_routable_ranked_low(void **state)
{
	struct fx *x = *state;
	x->f.wan_address = ip("10.0.0.1");
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG5);
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph1-timeout-psk-mismatch");
	const struct diag_finding *w = &x->l.v[x->l.n - 1];
	assert_string_equal(w->id, "wan-address-not-routable");
	assert_null(w->profile);
	assert_contains(w->evidence, "wan-address=10.0.0.1");
}

static void test_wan_not_routable_healthy(void **state)
{
	struct fx *x = *state;
	x->f.wan_address = ip("192.168.1.1");
	up(x->p);
	x->p->counters.tx_packets = x->p->counters.rx_packets = 5;
	fx_run(x, NULL);
	assert_int_equal(x->l.n, 2);
	assert_string_equal(x->l.v[0].id, "wan-address-not-routable");
	assert_string_equal(x->l.v[1].id, "tunnel-up");
}

/* ---- healthy ---- */
static void test_healthy_tunnel(void **state)
{
	struct fx *x = *state;
	up(x->p);
	x->p->counters.tx_packets = 5;
	x->p->counters.rx_packets = 5;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_int_equal(x->l.n, 1);
	assert_string_equal(d->id, "tunnel-up");
	assert_string_equal(d->title, "tunnel up, traffic flowing");
	assert_contains(d->evidence, "Tx packets=5, Rx packets=5");
}

/* Old failures superseded by a later success do not show. */
static void test_stale_failures_ignored(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 1000, "192.0.2.2", PH1_TIMEOUT_MSG5);
	fx_event(x, x->p, MSG_PH2_RESEND_TIMEOUT, 1500, "192.0.2.2", "no reply");
	fx_event(x, x->p, MSG_PH1_COMPLETE, 2000, "192.0.2.2", "");
	fx_event(x, x->p, MSG_PH2_COMPLETE, 2500, "192.0.2.2", "");
	up(x->p);
	x->p->counters.tx_packets = x->p->counters.rx_packets = 3;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_int_equal(x->l.n, 1);
	assert_string_equal(d->id, "tunnel-up");
}

static void test_not_started(void **state)
{
	struct fx *x = *state;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_int_equal(x->l.n, 1);
	assert_string_equal(d->id, "tunnel-not-started");
	assert_contains(d->fix, "ikegate initiate branch");
}

static void test_unknown_profile(void **state)
{
	struct fx *x = *state;
	const struct diag_finding *d = fx_run(x, "nosuch");
	assert_string_equal(d->id, "unknown-profile");
	assert_contains(d->evidence, "branch");
}

static void test_no_profiles(void **state)
{
	struct fx *x = *state;
	x->f.n_prof = 0;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_int_equal(x->l.n, 1);
	assert_string_equal(d->id, "no-profiles");
}

/* diagnose PROFILE: only that profile's findings (and gateway-wide ones). */
static void test_profile_selection(void **state)
{
	struct fx *x = *state;
	struct diag_profile_facts *h = diag_facts_add_profile(&x->f, "home");
	assert_non_null(h);
	fx_profile_defaults(h, "198.51.100.7");
	x->p = &x->f.prof[0];
	fx_event(x, x->p, MSG_PH1_RESEND_TIMEOUT, 5000, "192.0.2.2", PH1_TIMEOUT_MSG5);
	up(h);
	h->counters.tx_packets = h->counters.rx_packets = 1;
	fx_run(x, "home");
	assert_int_equal(x->l.n, 1);
	assert_string_equal(x->l.v[0].id, "tunnel-up");
	assert_string_equal(x->l.v[0].profile, "home");
	fx_run(x, NULL);
	assert_int_equal(x->l.n, 2);
	assert_string_equal(x->l.v[0].id, "ph1-timeout-psk-mismatch");
	assert_string_equal(x->l.v[0].profile, "branch");
}

/* ---- rendering ---- */
static void test_render_text_and_json(void **state)
{
	struct fx *x = *state;
	x->f.wan_address = ip("10.0.0.1");
	up(x->p);
	x->p->counters.tx_packets = x->p->counters.rx_packets = 2;
	fx_run(x, NULL);
	struct strbuf b;
	sb_init(&b);
	diag_render_text(&x->l, &b);
	const char *t = sb_str(&b);
	assert_prefix(t, "1. gateway: the WAN address 10.0.0.1 is not routable "
			 "[wan-address-not-routable]\n   evidence: gateway.wan-address=10.0.0.1");
	assert_contains(t, "\n2. branch: tunnel up, traffic flowing [tunnel-up]\n"
			   "   evidence: phase 1 and phase 2 complete; Tx packets=2, Rx packets=2, "
			   "Rx discards=0\n   fix: nothing to fix\n");
	sb_reset(&b);
	diag_render_json(&x->l, &b);
	t = sb_str(&b);
	assert_prefix(t, "{\"findings\":[{\"rank\":1,\"id\":\"wan-address-not-routable\","
			 "\"profile\":null,\"title\":");
	assert_contains(t, "{\"rank\":2,\"id\":\"tunnel-up\",\"profile\":\"branch\","
			   "\"title\":\"tunnel up, traffic flowing\",\"evidence\":\"phase 1 and phase 2 "
			   "complete; Tx packets=2, Rx packets=2, Rx discards=0\",\"fix\":\"nothing to "
			   "fix\",\"score\":1}]}\n");
	sb_free(&b);
}

static void test_render_json_escapes(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "received: aes128-sha1-modp1024; configured: 3des-sha1-modp1024");
	fx_run(x, NULL);
	struct strbuf b;
	sb_init(&b);
	diag_render_json(&x->l, &b);
	assert_contains(sb_str(&b), "set encryption = \\\"aes128\\\"");
	sb_free(&b);
}

/* A readable ID with a failing hash is still a key problem (the identity was checked first). */
static void test_ph1_auth_failure_readable_id(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_PH1_AUTH_FAILURE, 5000, "192.0.2.2",
		 "check=HASH_R; result=mismatch; id-received=10.9.9.9; hint=the pre-shared keys differ");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "phase1-auth-failure");
	assert_contains(d->evidence, "ID received: 10.9.9.9, remote-id expected: 192.0.2.2");
	assert_null(fx_find(x, "phase1-identity-mismatch"));
}

static void test_no_matching_proposal_mode(void **state)
{
	struct fx *x = *state;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "received: aggressive mode request; configured: main mode (ike profile office)");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-proposal");
	assert_contains(d->evidence, "the peer's: aggressive mode request | ours: main mode");
	assert_contains(d->fix, "one change in ike-profiles.office: set mode = \"aggressive\"");
}

/* The engine's report when the peer refused our quick mode with an authenticated notify. */
static void test_no_matching_proposal_phase2_refused(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_NO_MATCHING_PROPOSAL, 5000, "192.0.2.2",
		 "phase=2; peer=192.0.2.2; peer rejected our phase-2 proposal (PFS group modp1024); "
		 "proposed: esp-aes128-sha1-modp1024; peer-vendor=Cisco; hint=compare PFS first");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "no-matching-proposal");
	assert_contains(d->title, "phase 2");
	assert_contains(d->evidence, "ours: esp-aes128-sha1-modp1024");
	assert_contains(d->fix, "try pfs-group = 0 in ipsec-profiles.branch first");
}

/* No vendor ID stored: the vendor named in the timeout's evidence counts. */
static void test_ph2_vendor_from_evidence(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_PH2_RESEND_TIMEOUT, 5000, "192.0.2.2",
		 "peer=192.0.2.2; state=sent quick mode message 1, no reply; retransmissions=4; "
		 "proposed=esp-aes128-sha1-modp1024; hint=phase 1 is complete; check phase 2 "
		 "parameters; PFS mismatch first (peer vendor: Cisco)");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "ph2-timeout-pfs-mismatch");
	assert_int_equal(d->rank_score, 90);
	assert_contains(d->evidence, "peer vendor: Cisco");
}

static void test_peer_notify(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = DIAG_UP;
	fx_event(x, x->p, MSG_PEER_NOTIFY, 5000, "192.0.2.2",
		 "peer=192.0.2.2; received=RESPONDER-LIFETIME; authenticated=yes; exchange=quick mode");
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "peer-notify");
	assert_contains(d->title, "RESPONDER-LIFETIME");
}

static void test_negotiating_shows_nat(void **state)
{
	struct fx *x = *state;
	x->p->ph1 = x->p->ph2 = DIAG_NEGOTIATING;
	x->p->nat_ike_out = true;
	const struct diag_finding *d = fx_run(x, NULL);
	assert_string_equal(d->id, "tunnel-negotiating");
	assert_contains(d->evidence, "out UDP 500 to the peer present, no in UDP 500 translation");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_ph1_prefs),
		T(test_ike_profile_missing),
		T(test_dns_rte_all_zeros),
		T(test_dns_hostname),
		T(test_no_matching_phase1_profile),
		T(test_no_matching_phase1_profile_initiate_only),
		T(test_no_matching_proposal_phase1),
		T(test_no_matching_proposal_phase2_pfs),
		T(test_no_matching_proposal_two_changes),
		T(test_ph1_auth_failure),
		T(test_ph1_identity_mismatch_first),
		T(test_ph1_auth_failure_readable_id),
		T(test_no_matching_proposal_mode),
		T(test_no_matching_proposal_phase2_refused),
		T(test_ph2_vendor_from_evidence),
		T(test_peer_notify),
		T(test_negotiating_shows_nat),
		T(test_ph1_timeout_message5_is_psk),
		T(test_ph1_timeout_no_response_four_checks),
		T(test_ph1_timeout_peer_silent),
		T(test_ph1_timeout_notify_no_proposal),
		T(test_ph1_timeout_message3),
		T(test_rank_filter_rule_before_silent_peer),
		T(test_rank_path_before_unhit_filter_rule),
		T(test_filter_drop_event_without_timeout),
		T(test_host_firewall_blocks_ike),
		T(test_ph2_timeout_cisco_pfs_first),
		T(test_ph2_timeout_strongswan_pfs_first),
		T(test_ph2_timeout_pfs_off),
		T(test_ph2_vendor_changes_score),
		T(test_ph2_timeout_needs_phase1),
		T(test_phase2_id_mismatch),
		T(test_phase2_hash_failed),
		T(test_responder_only),
		T(test_tx_no_rx_three_causes),
		T(test_tx_no_rx_esp_filter_first),
		T(test_rx_discard_unknown_spi),
		T(test_rx_discard_esp_ah_error),
		T(test_rx_discard_bad_source_names_both),
		T(test_rx_discard_bad_destination),
		T(test_rx_discard_sa_mismatch),
		T(test_rx_discard_unknown_protocol),
		T(test_rank_bad_source_before_tx_no_rx),
		T(test_ah_through_nat_first),
		T(test_profile_disabled),
		T(test_wan_not_routable_ranked_low),
		T(test_wan_not_routable_healthy),
		T(test_healthy_tunnel),
		T(test_stale_failures_ignored),
		T(test_not_started),
		T(test_unknown_profile),
		T(test_no_profiles),
		T(test_profile_selection),
		T(test_render_text_and_json),
		T(test_render_json_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
