/* The lint: each listed problem found once, at its line, with a fix; silence on a clean
 * configuration; the secret file mode check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/lint.h"
#include "helpers.h"

struct want {
	int line;
	const char *message;  /* a distinctive part */
	const char *fix;      /* a distinctive part */
};

static void expect_warnings(const struct cfg_diags *d, const struct want *w, size_t n)
{
	if (d->n != n)
		dump_diags(d);
	assert_int_equal(d->n, n);
	assert_int_equal(cfg_diags_errors(d), 0);
	for (size_t i = 0; i < n; i++) {
		const struct cfg_diag *g = find_diag(d, w[i].message);
		if (!g)
			fail_msg("no warning \"%s\"", w[i].message);
		assert_int_equal(g->severity, CFG_WARNING);
		assert_int_equal(g->line, w[i].line);
		if (!strstr(g->fix, w[i].fix))
			fail_msg("fix \"%s\" lacks \"%s\"", g->fix, w[i].fix);
	}
}

static void every_warning(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("lint-warn.conf", &c, &d), 0);
	assert_int_equal(d.n, 0);
	static const struct want w[] = {
		{2, "wan-address 192.168.1.1 is a non-routable address (192.168.0.0/16)", "routable"},
		{5, "ike-profiles.weak uses encryption des, which is weak", "aes128"},
		{5, "ike-profiles.weak uses hash md5, which is weak", "hash = \"sha256\";"},
		{5, "ike-profiles.weak uses dh-group 1 (modp768), which is weak", "dh-group = 14;"},
		{23, "ipsec-profiles.no-ike has no ike-profile: traffic will log 'no ph1 preferences "
		     "assigned'", "ike-profile = \"weak\";"},
		{29, "ipsec-profiles.any-init has remote-endpoint 0.0.0.0 with negotiation "
		     "initiate-only", "respond-only"},
		{36, "ipsec-profiles.any-both has remote-endpoint 0.0.0.0: it only responds",
		 "respond-only"},
		{43, "ipsec-profiles.ah-tunnel uses protocol ah, which does not work through NAT",
		 "protocol = \"esp\";"},
		{50, "ipsec-profiles.weak-esp uses encryption 3des, which is weak", "aes256"},
		{50, "ipsec-profiles.weak-esp uses integrity md5, which is weak",
		 "integrity = \"sha256\";"},
		{50, "ipsec-profiles.weak-esp uses pfs-group 2 (modp1024), which is weak",
		 "pfs-group = 14;"},
		{57, "ipsec-profiles.no-pfs has PFS off (pfs-group 0); the Netopia default is on, and "
		     "a peer with PFS on fails phase 2 with 'ph2 resend timeout'", "pfs-group = 14;"},
		{71, "remote members of ipsec-profiles.overlap-b (10.8.9.0/24) overlap those of "
		     "ipsec-profiles.overlap-a (10.8.0.0/16)", "disjoint"},
		{78, "ipsec-profiles.self: local member 10.1.7.0/24 overlaps remote member 10.1.0.0/16",
		 "different"},
		{91, "filter-sets.wan-in rule #2 denies protocol 50 (ESP)", "protocols 50 and 51"},
	};
	assert_int_equal(ikg_config_lint(&c, &d), (int)IKG_ARRAY_LEN(w));
	expect_warnings(&d, w, IKG_ARRAY_LEN(w));
	char *s = cfg_diags_format(&d, "lint-warn.conf");
	assert_non_null(strstr(s, "lint-warn.conf:43: warning: ipsec-profiles.ah-tunnel uses "
				  "protocol ah, which does not work through NAT\n  fix: "));
	assert_null(strstr(s, "Weak One")); /* the secret */
	free(s);
	ikg_config_free(&c);
	cfg_diags_free(&d);
}

static void clean_config_is_silent(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("lint-clean.conf", &c, &d), 0);
	int n = ikg_config_lint(&c, &d);
	if (n)
		dump_diags(&d);
	assert_int_equal(n, 0);
	assert_int_equal(d.n, 0);
	ikg_config_free(&c);
	cfg_diags_free(&d);
}

/* The contract example denies UDP 500 on the WAN: the technote's phase1 resend timeout. */
static void contract_filter_blocks_ike(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("contract.conf", &c, &d), 0);
	static const struct want w[] = {
		{40, "filter-sets.wan-in rule #1 denies UDP 500 (IKE) from the peer of "
		     "ipsec-profiles.branch: phase 1 will log 'phase1 resend timeout'",
		 "permit UDP 500"},
	};
	assert_int_equal(ikg_config_lint(&c, &d), 1);
	expect_warnings(&d, w, 1);
	ikg_config_free(&c);
	cfg_diags_free(&d);
}

/* Each private block of the technote (and RFC 6598) separately; a public one is silent. */
static void private_wan_blocks(void **state)
{
	(void)state;
	static const struct {
		const char *addr, *block;
	} cases[] = {
		{"10.0.0.1", "(10.0.0.0/8)"},	      {"172.16.0.1", "(172.16.0.0/12)"},
		{"172.31.255.254", "(172.16.0.0/12)"}, {"192.168.0.1", "(192.168.0.0/16)"},
		{"100.64.0.1", "(100.64.0.0/10)"},     {"172.32.0.1", NULL},
		{"100.128.0.1", NULL},		      {"192.0.2.1", NULL},
	};
	for (size_t i = 0; i < IKG_ARRAY_LEN(cases); i++) {
		char text[128];
		snprintf(text, sizeof(text), "gateway = {\n wan-address = \"%s\"; };\n", cases[i].addr);
		struct ikg_config c;
		struct cfg_diags d = {0};
		assert_int_equal(ikg_config_parse(text, "t", &c, &d), 0);
		int n = ikg_config_lint(&c, &d);
		if (cases[i].block) {
			assert_int_equal(n, 1);
			assert_int_equal(d.v[0].line, 1);
			assert_non_null(strstr(d.v[0].message, cases[i].block));
			assert_non_null(strstr(d.v[0].message, cases[i].addr));
		} else {
			assert_int_equal(n, 0);
		}
		ikg_config_free(&c);
		cfg_diags_free(&d);
	}
}

static void secret_file_mode(void **state)
{
	(void)state;
	struct cfg_diags d = {0};
	assert_int_equal(ikg_lint_secret_mode("/etc/ikegate/a.psk", 0600, 7, &d), 0);
	assert_int_equal(ikg_lint_secret_mode("/etc/ikegate/a.psk", 0400, 7, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(ikg_lint_secret_mode("/etc/ikegate/a.psk", 0100644, 7, &d), 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].severity, CFG_WARNING);
	assert_int_equal(d.v[0].line, 7);
	assert_string_equal(d.v[0].message,
			    "secret file /etc/ikegate/a.psk is readable by others (mode 0644)");
	assert_string_equal(d.v[0].fix,
			    "chmod 600 /etc/ikegate/a.psk (the pre-shared key must stay private)");
	assert_int_equal(ikg_lint_secret_mode("/k", 0640, 7, &d), 1);
	assert_string_equal(d.v[1].message, "secret file /k is readable by its group (mode 0640)");
	assert_int_equal(ikg_lint_secret_mode("/k", 0602, 7, &d), 1);
	assert_string_equal(d.v[2].message, "secret file /k is writable by others (mode 0602)");
	assert_int_equal(cfg_diags_errors(&d), 0);
	cfg_diags_free(&d);
}

/* Disabled profiles do not overlap anything; an unused weak default is still reported. */
static void disabled_profiles_do_not_overlap(void **state)
{
	(void)state;
	const char *text =
		"gateway = { wan-address = \"192.0.2.1\"; };\n"
		"ike-profiles = { o = { secret = \"k\"; encryption = \"aes128\"; hash = \"sha256\";\n"
		"  dh-group = 14; }; };\n"
		"ipsec-profiles = {\n"
		" a = { remote-endpoint = \"192.0.2.2\"; local-members = \"10.1.0.0/16\";\n"
		"   remote-members = \"10.2.0.0/16\"; ike-profile = \"o\"; pfs-group = 14;\n"
		"   integrity = \"sha256\"; };\n"
		" b = { remote-endpoint = \"192.0.2.3\"; local-members = \"10.1.0.0/16\";\n"
		"   remote-members = \"10.2.0.0/16\"; ike-profile = \"o\"; pfs-group = 14;\n"
		"   integrity = \"sha256\"; enabled = false; };\n"
		"};\n";
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(ikg_config_parse(text, "t", &c, &d), 0);
	assert_int_equal(ikg_config_lint(&c, &d), 0);
	c.ipsec[1].enabled = true;
	assert_int_equal(ikg_config_lint(&c, &d), 1);
	assert_int_equal(d.v[0].line, 8);
	ikg_config_free(&c);
	cfg_diags_free(&d);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_warning),
		cmocka_unit_test(clean_config_is_silent),
		cmocka_unit_test(contract_filter_blocks_ike),
		cmocka_unit_test(private_wan_blocks),
		cmocka_unit_test(secret_file_mode),
		cmocka_unit_test(disabled_profiles_do_not_overlap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
