/* diag_facts_from_gw and view_diagnose over a gateway state built by hand (configuration,
 * profile runtime, NAT table, filter hits, event history): the technote's filter-set case. */
#include "diag_test.h"

#include "gw/gw_internal.h"
#include "view/views.h"

static const char *config_text =
	"gateway = { wan-address = \"10.0.0.2\"; };\n"                                /* 1 */
	"ike-profiles = {\n"                                                          /* 2 */
	"  office = { secret = \"Case Sensitive\"; };\n"                            /* 3 */
	"};\n"                                                                        /* 4 */
	"ipsec-profiles = {\n"                                                        /* 5 */
	"  r9100 = {\n"                                                               /* 6 */
	"    remote-endpoint = \"10.0.0.1\";\n"                                       /* 7 */
	"    local-members = [ \"192.168.2.0/24\" ];\n"                               /* 8 */
	"    remote-members = [ \"192.168.1.0/24\" ];\n"                              /* 9 */
	"    ike-profile = \"office\";\n"                                             /* 10 */
	"  };\n"                                                                      /* 11 */
	"};\n"                                                                        /* 12 */
	"filter-sets = {\n"                                                           /* 13 */
	"  wan-in = {\n"                                                              /* 14 */
	"    apply = \"wan-in\";\n"                                                   /* 15 */
	"    rules = ( { action = \"deny\"; protocol = \"udp\"; dst-port = 500; },\n" /* 16 */
	"              { action = \"permit\"; } );\n"                                 /* 17 */
	"  };\n"
	"};\n";

struct gwfx {
	struct gw g;
};

static int setup(void **state)
{
	struct gwfx *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	struct cfg_diags d = {0};
	int rc = ikg_config_parse(config_text, "test.conf", &x->g.cfg, &d);
	if (rc != 0) {
		char *msg = cfg_diags_format(&d, "test.conf");
		fail_msg("config: %s", msg ? msg : "?");
	}
	cfg_diags_free(&d);
	x->g.prof = calloc(x->g.cfg.n_ipsec, sizeof(*x->g.prof));
	x->g.filters = calloc(x->g.cfg.n_filters, sizeof(*x->g.filters));
	x->g.nat = nat_table_new(NULL, 64);
	x->g.hist = history_new(64);
	assert_non_null(x->g.prof);
	assert_non_null(x->g.filters);
	assert_non_null(x->g.nat);
	assert_non_null(x->g.hist);
	for (size_t i = 0; i < x->g.cfg.n_ipsec; i++)
		x->g.prof[i].enabled = true;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct gwfx *x = *state;
	history_free(x->g.hist);
	nat_table_free(x->g.nat);
	free(x->g.filters);
	free(x->g.prof);
	ikg_config_free(&x->g.cfg);
	free(x);
	return 0;
}

static void add_event(struct gw *g, ikg_ms when, enum ikg_msg code, const char *profile,
		      const char *peer, const char *evidence)
{
	struct ikg_event ev;
	ikg_event_make(&ev, when, code, profile, ip(peer), "%s", evidence);
	history_add(g->hist, &ev);
}

/* The technote's 3386 at 10.0.0.2 with a filter set blocking UDP 500: the R9100 at 10.0.0.1
 * initiates, the translation shows, the filter drops, phase 1 never completes. */
static void filter_case(struct gw *g)
{
	ikg_ip4 me = ip("10.0.0.2"), peer = ip("10.0.0.1");
	g->now = 60000;
	nat_table_touch(g->nat, 1000, NAT_DIR_OUT, 17, me, 55663, me, 55663, ip("204.152.184.72"), 123);
	nat_table_touch(g->nat, 1000, NAT_DIR_IN, 17, me, 500, me, 500, peer, 500);
	g->filters[0].hits[0] = 9;
	add_event(g, 20000, MSG_FILTER_DROP, "r9100", "10.0.0.1",
		  "direction=wan-in; protocol=17; from=10.0.0.1:500; to-port=500");
	add_event(g, 25000, MSG_NO_MATCHING_PH1_PROFILE, "", "203.0.113.5",
		  "peer=203.0.113.5; configured remote endpoints: r9100=10.0.0.1");
}

static void test_facts_snapshot(void **state)
{
	struct gwfx *x = *state;
	filter_case(&x->g);
	struct diag_facts *f = malloc(sizeof(*f));
	assert_non_null(f);
	assert_int_equal(diag_facts_from_gw(&x->g, 60000, f), 0);
	assert_int_equal(f->wan_address, ip("10.0.0.2"));
	assert_int_equal(f->n_prof, 1);
	const struct diag_profile_facts *p = &f->prof[0];
	assert_string_equal(p->name, "r9100");
	assert_string_equal(p->remote_endpoint, "10.0.0.1");
	assert_string_equal(p->ike_profile, "office");
	assert_false(p->ike_profile_missing);
	assert_string_equal(p->ph1_proposal, "3des-sha1-modp1024");
	assert_int_equal(p->pfs_group, 2);
	assert_string_equal(p->ph2_proposal, "esp-aes128-sha1-modp1024");
	assert_string_equal(p->local_members, "192.168.2.0/24");
	assert_string_equal(p->remote_members, "192.168.1.0/24");
	assert_int_equal(p->ph1, DIAG_DOWN);
	assert_int_equal(p->ph2, DIAG_DOWN);
	assert_true(p->nat_ike_in);
	assert_false(p->nat_ike_out);
	assert_false(p->nat_esp_in);
	assert_int_equal(p->ev[MSG_FILTER_DROP].count, 1);
	assert_contains(p->ev[MSG_FILTER_DROP].last_evidence, "from=10.0.0.1:500");
	assert_int_equal(f->gw_ev[MSG_NO_MATCHING_PH1_PROFILE].count, 1);
	assert_int_equal(f->gw_ev[MSG_NO_MATCHING_PH1_PROFILE].last_peer, ip("203.0.113.5"));
	assert_string_equal(f->endpoints, "r9100=10.0.0.1");
	assert_int_equal(p->n_blockers, 1);
	assert_string_equal(p->blockers[0].where, "filter set wan-in (wan-in) rule 1, line 16");
	assert_string_equal(p->blockers[0].rule, "deny protocol udp dst-port 500");
	assert_int_equal(p->blockers[0].blocks, DIAG_BLOCKS_IKE);
	assert_int_equal(p->blockers[0].hits, 9);
	assert_false(p->blockers[0].outbound);
	diag_facts_free(f);
	free(f);
}

static void test_view_diagnose_text(void **state)
{
	struct gwfx *x = *state;
	filter_case(&x->g);
	struct strbuf b;
	sb_init(&b);
	view_diagnose(&x->g, "r9100", false, &b);
	const char *t = sb_str(&b);
	assert_prefix(t, "1. r9100: a filter set drops UDP 500 from 10.0.0.1 [filter-set-blocks-ike]\n"
			 "   evidence: filter set wan-in (wan-in) rule 1, line 16: deny protocol udp "
			 "dst-port 500 - 9 hits");
	assert_contains(t, "\n2. gateway: no matching phase1 profile");
	assert_contains(t, "NAT table: in UDP 500 from 10.0.0.1 present");
	assert_contains(t, "[wan-address-not-routable]");
	sb_free(&b);
}

static void test_view_diagnose_json(void **state)
{
	struct gwfx *x = *state;
	filter_case(&x->g);
	struct strbuf b;
	sb_init(&b);
	view_diagnose(&x->g, NULL, true, &b);
	const char *t = sb_str(&b);
	assert_prefix(t, "{\"findings\":[{\"rank\":1,\"id\":\"filter-set-blocks-ike\",\"profile\":"
			 "\"r9100\",\"title\":\"a filter set drops UDP 500 from 10.0.0.1\"");
	assert_contains(t, "\"id\":\"wan-address-not-routable\",\"profile\":null");
	assert_int_equal(t[strlen(t) - 1], '\n');
	sb_free(&b);
}

/* This gateway initiates: the peer's replies share our "out" translation, the filter's hits show
 * they arrive and are dropped. */
static void test_initiator_filter_hits(void **state)
{
	struct gwfx *x = *state;
	ikg_ip4 me = ip("10.0.0.2"), peer = ip("10.0.0.1");
	x->g.prof[0].ph1 = GW_NEGOTIATING;
	x->g.prof[0].peer = peer;
	nat_table_touch(x->g.nat, 1000, NAT_DIR_OUT, 17, me, 500, me, 500, peer, 500);
	nat_table_touch(x->g.nat, 1500, NAT_DIR_IN, 17, me, 500, me, 500, peer, 500);
	x->g.filters[0].hits[0] = 4;
	add_event(&x->g, 20000, MSG_PH1_RESEND_TIMEOUT, "r9100", "10.0.0.1",
		  "peer=10.0.0.1; mode=main; no reply to main mode message 1; retransmissions=4");
	struct strbuf b;
	sb_init(&b);
	view_diagnose(&x->g, "r9100", false, &b);
	const char *t = sb_str(&b);
	assert_prefix(t, "1. r9100: a filter set drops UDP 500 from 10.0.0.1 [filter-set-blocks-ike]\n"
			 "   evidence: filter set wan-in (wan-in) rule 1, line 16: deny protocol udp "
			 "dst-port 500 - 4 hits; phase 1 never completes (phase1 resend timeout x1)");
	assert_contains(t, "\n2. r9100: phase1 resend timeout although UDP 500 arrives from 10.0.0.1");
	assert_contains(t, "evidence: filter set wan-in (wan-in) rule 1, line 16 has 4 hits");
	sb_free(&b);
}

static void test_diagnose_with_host_ruleset(void **state)
{
	struct gwfx *x = *state;
	x->g.prof[0].ph1 = GW_NEGOTIATING;
	add_event(&x->g, 20000, MSG_PH1_RESEND_TIMEOUT, "r9100", "10.0.0.1",
		  "peer=10.0.0.1; mode=main; no reply to main mode message 1; retransmissions=4");
	struct strbuf b;
	sb_init(&b);
	assert_int_equal(diag_diagnose_gw(&x->g, 60000, "r9100",
					  "table inet fw {\n\tchain output {\n\t\ttype filter hook "
					  "output priority 0; policy accept;\n\t\tudp dport 500 "
					  "drop\n\t}\n}\n", false, &b), 0);
	assert_prefix(sb_str(&b), "1. r9100: the host firewall drops UDP 500 to 10.0.0.1 "
				  "[host-firewall-blocks-ike]\n   evidence: nft table inet fw chain "
				  "output, line 4: udp dport 500 drop");
	sb_free(&b);
}

static void test_healthy_gateway(void **state)
{
	struct gwfx *x = *state;
	x->g.cfg.filters[0].n_rules = 0;             /* no filter */
	x->g.cfg.gateway.wan_address = ip("198.51.100.2");
	x->g.prof[0].ph1 = x->g.prof[0].ph2 = GW_UP;
	x->g.prof[0].peer = ip("10.0.0.1");
	x->g.prof[0].c.tx_packets = 5;
	x->g.prof[0].c.rx_packets = 5;
	struct strbuf b;
	sb_init(&b);
	view_diagnose(&x->g, NULL, false, &b);
	assert_string_equal(sb_str(&b), "1. r9100: tunnel up, traffic flowing [tunnel-up]\n"
					"   evidence: phase 1 and phase 2 complete; Tx packets=5, Rx "
					"packets=5, Rx discards=0\n   fix: nothing to fix\n");
	sb_free(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_facts_snapshot),
		T(test_view_diagnose_text),
		T(test_view_diagnose_json),
		T(test_initiator_filter_hits),
		T(test_diagnose_with_host_ruleset),
		T(test_healthy_gateway),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
