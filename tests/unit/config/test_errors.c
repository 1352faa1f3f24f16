/* The loader on bad configurations: every kind of problem, each with its exact line and a fix,
 * all of them collected, the secret in none of them, and the output left empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define GW "gateway = { wan-address = \"192.0.2.1\"; };\n"                 /* line 1 */
#define IKE "ike-profiles = { office = { secret = \"Hunter2 Secret\"; }; };\n" /* line 2 */

/* Parses text, expects failure with exactly one error containing msg at line, whose fix
 * contains fix. */
static void expect_one(const char *text, int line, const char *msg, const char *fix)
{
	struct ikg_config c;
	struct cfg_diags d = {0};
	int r = ikg_config_parse(text, "t.conf", &c, &d);
	if (r != -1 || d.n != 1)
		dump_diags(&d);
	assert_int_equal(r, -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(cfg_diags_errors(&d), 1);
	assert_int_equal(d.v[0].severity, CFG_ERROR);
	if (!strstr(d.v[0].message, msg))
		fail_msg("message \"%s\" lacks \"%s\"", d.v[0].message, msg);
	if (!strstr(d.v[0].fix, fix))
		fail_msg("fix \"%s\" lacks \"%s\"", d.v[0].fix, fix);
	assert_int_equal(d.v[0].line, line);
	/* the output is left empty */
	assert_null(c.ike);
	assert_null(c.ipsec);
	assert_null(c.filters);
	assert_int_equal(c.n_ike + c.n_ipsec + c.n_filters, 0);
	char *s = cfg_diags_format(&d, "t.conf");
	assert_null(strstr(s, "Hunter2"));
	free(s);
	cfg_diags_free(&d);
}

static void all_errors_collected(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("errors.conf", &c, &d), -1);
	static const struct {
		int line;
		const char *message;
	} want[] = {
		{2, "unknown key 'wan-adress' in gateway; did you mean 'wan-address'?"},
		{1, "gateway has no wan-address"},
		{3, "'tun' must be a string, e.g. tun = \"ikg0\";"},
		{8, "unknown key 'encrpytion' in ike-profiles.office; did you mean 'encryption'?"},
		{9, "'dh-group' must be a number, e.g. dh-group = 14;"},
		{10, "'lifetime' in ike-profiles.office must be greater than 0 (it is 0)"},
		{12, "ike-profiles.office sets both secret and secret-file"},
		{15, "unknown hash \"sha3\" in ike-profiles.spare; did you mean \"sha1\"?"},
		{14, "ike-profiles.spare has no pre-shared key"},
		{20, "ipsec-profiles.branch has no remote-endpoint"},
		{21, "'local-members' entry \"10.1.2.5/24\" in ipsec-profiles.branch has host bits set"},
		{20, "ipsec-profiles.branch has no remote-members"},
		{22, "ipsec-profiles.branch names ike-profile 'ofice', which does not exist; did you "
		     "mean 'office'?"},
		{24, "protocol \"ah\" cannot encrypt, but ipsec-profiles.branch sets encryption"},
		{25, "pfs-group 3 in ipsec-profiles.branch is not supported"},
	};
	if (d.n != IKG_ARRAY_LEN(want))
		dump_diags(&d);
	assert_int_equal(d.n, IKG_ARRAY_LEN(want));
	assert_int_equal(cfg_diags_errors(&d), IKG_ARRAY_LEN(want));
	for (size_t i = 0; i < d.n; i++) {
		assert_string_equal(d.v[i].message, want[i].message);
		assert_int_equal(d.v[i].line, want[i].line);
		assert_true(strlen(d.v[i].fix) > 10);
	}
	assert_string_equal(d.v[0].fix, "rename it to 'wan-address' (valid keys here: wan-address, "
					"control, state-dir, tun, wan-name)");
	assert_string_equal(d.v[4].fix, "in ike-profiles.office, write the number without quotes: "
					"dh-group = 14;");
	assert_string_equal(d.v[10].fix, "write the network address: \"10.1.2.0/24\"");
	assert_string_equal(find_diag(&d, "ofice")->fix,
			    "use one of the IKE profiles (office, spare) or define ike-profiles.ofice");
	char *s = cfg_diags_format(&d, "errors.conf");
	assert_null(strstr(s, "Top Secret"));
	assert_non_null(strstr(s, "errors.conf:9: error: 'dh-group' must be a number, e.g. "
				  "dh-group = 14;\n  fix: in ike-profiles.office, write the number "
				  "without quotes: dh-group = 14;\n"));
	free(s);
	assert_null(c.ike);
	cfg_diags_free(&d);
}

static void syntax_errors(void **state)
{
	(void)state;
	expect_one(GW "ike-profiles = {\n  office = {\n    secret = \"x\"\n    hash = ;\n  };\n};\n",
		   5, "syntax error", "punctuation");
	expect_one(GW "nat = { esp-life = 1;\n\n", 4, "syntax error", "punctuation");
	expect_one(GW IKE "a = {\n x = 1;\n x = 2;\n};\n", 5, "duplicate setting name", "");
	expect_one(GW "  @include \"/etc/passwd\"\n", 2, "@include is not supported", "copy");
	expect_one("@include \"/etc/passwd\"", 1, "@include is not supported", "copy");
	/* libconfig would run an open string on to the next quote, lines later */
	expect_one(GW "ike-profiles = { office = {\n secret = \"Hunter2 Secret;\n hash = \"sha1\"; }; };\n",
		   3, "string not closed on this line", "closing \"");
	/* ... and lose the string of this syntax error (its parser never frees it) */
	expect_one(GW "ike-profiles = { office = {\n secret \"Hunter2 Secret\"; }; };\n", 3,
		   "syntax error: a string where a setting name or '=' is expected", "'=' missing");
	expect_one(GW "n = \"a\",\n \"b\";\n", 3, "syntax error: a string where", "");
	/* but strings after ',' in lists and arrays, and concatenated, are fine */
	struct ikg_config ok;
	assert_int_equal(ikg_config_parse(GW IKE "ipsec-profiles = { b = { remote-endpoint = "
					  "\"192.0.2\" \".2\"; local-members = ( \"10.1.0.0/16\",\n"
					  " \"10.3.0.0/16\" ); remote-members = [ \"10.2.0.0/16\", "
					  "\"10.4.0.0/16\" ]; }; };\n", "t", &ok, NULL), 0);
	assert_string_equal(ok.ipsec[0].remote_endpoint, "192.0.2.2");
	assert_int_equal(ok.ipsec[0].n_local, 2);
	assert_int_equal(ok.ipsec[0].n_remote, 2);
	ikg_config_free(&ok);
	expect_one(GW IKE "nat = {\n esp-life = 5000000000; };\n", 4, "number 5000000000 is too large",
		   "below 2147483648");
	expect_one(GW IKE "nat = {\n esp-life = -99999999999999999999; };\n", 4,
		   "number 99999999999999999999 is too large", "");
	struct cfg_diags d = {0};
	struct ikg_config c;
	/* big digit runs inside strings, comments and names are not numbers */
	assert_int_equal(ikg_config_parse(GW "ike-profiles = { a-99999999999 = {\n"
					  " secret = \"99999999999\"; # 99999999999\n"
					  " /* 99999999999 */ lifetime = 2147483647; }; }; // 99999999999\n",
					  "t", &c, &d), 0);
	assert_int_equal(c.ike[0].lifetime, 2147483647u);
	assert_int_equal(d.n, 0);
	ikg_config_free(&c);
	assert_int_equal(ikg_config_parse(NULL, "t", &c, &d), -1);
	assert_int_equal(d.n, 1);
	cfg_diags_free(&d);
}

static void unknown_keys(void **state)
{
	(void)state;
	expect_one(GW IKE "ike-profile = { };\n", 3,
		   "unknown key 'ike-profile' in the top level; did you mean 'ike-profiles'?",
		   "rename it to 'ike-profiles'");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  colour = \"blue\"; }; };\n",
		   5, "unknown key 'colour' in ipsec-profiles.b", "remove it; valid keys here: "
		   "remote-endpoint, local-members");
	expect_one(GW IKE "nat = { esp_life = 10; };\n", 3,
		   "unknown key 'esp_life' in nat; did you mean 'esp-life'?", "esp-life");
}

static void wrong_types(void **state)
{
	(void)state;
	expect_one(GW "ike-profiles = { office = {\n secret = \"k\";\n lifetime = \"8h\"; }; };\n", 4,
		   "'lifetime' must be a number, e.g. lifetime = 28800;", "without quotes");
	expect_one(GW "ike-profiles = { office = {\n secret = 1234; }; };\n", 3,
		   "'secret' must be a string, e.g. secret = \"...\";", "double quotes");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  enabled = \"yes\"; }; };\n",
		   5, "'enabled' must be true or false, e.g. enabled = true;", "without quotes");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = 10; remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "'local-members' must be a string", "double quotes");
	expect_one(GW IKE "nat = 5;\n", 3, "'nat' must be a group", "braces");
	expect_one(GW "ike-profiles = { office = \"x\"; };\n", 2,
		   "'office' in ike-profiles must be a group", "braces");
	expect_one(GW IKE "filter-sets = { f = { rules = { action = \"deny\"; }; }; };\n", 3,
		   "'rules' must be a list", "parentheses");
}

static void impossible_values(void **state)
{
	(void)state;
	expect_one(GW "ike-profiles = { office = {\n secret = \"k\";\n encryption = \"aes512\"; }; };\n",
		   4, "unknown encryption \"aes512\" in ike-profiles.office",
		   "use one of: des, 3des, aes128, aes192, aes256");
	expect_one(GW "ike-profiles = { office = {\n secret = \"k\";\n dh-group = 3; }; };\n", 4,
		   "dh-group 3 in ike-profiles.office is not supported", "1 2 5 14 15 16 19 20");
	expect_one(GW "ike-profiles = { office = {\n secret = \"k\";\n mode = \"quick\"; }; };\n", 4,
		   "unknown mode \"quick\"", "main, aggressive");
	expect_one(GW "ike-profiles = { office = {\n secret = \"k\";\n negotiation = \"initiate\"; "
		      "}; };\n", 4, "unknown negotiation \"initiate\" in ike-profiles.office; did you "
		   "mean \"initiate-only\"?", "both, initiate-only, respond-only");
	expect_one(GW "ike-profiles = { office = {\n secret = \"\"; }; };\n", 3,
		   "secret in ike-profiles.office is empty", "secret =");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  lifetime = 0; }; };\n",
		   5, "'lifetime' in ipsec-profiles.b must be greater than 0", "lifetime = 3600;");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  protocol = \"ah\";\n  encryption = \"aes256\"; }; };\n",
		   6, "protocol \"ah\" cannot encrypt, but ipsec-profiles.b sets encryption",
		   "remove encryption");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  protocol = \"ah\";\n  encapsulation = \"udp\"; }; };\n",
		   6, "protocol \"ah\" cannot be UDP-encapsulated", "esp");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  encryption = \"aes128cbc\"; }; };\n",
		   5, "unknown encryption \"aes128cbc\"", "aes128gcm16");
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  replay-window = 5000; }; };\n",
		   5, "'replay-window' in ipsec-profiles.b must be between 0 and 1024", "");
	expect_one("gateway = {\n wan-address = \"192.0.2.256\"; };\n", 2,
		   "wan-address \"192.0.2.256\" is not a usable IPv4 address", "192.0.2.1");
	expect_one("gateway = {\n wan-address = \"0.0.0.0\"; };\n", 2,
		   "wan-address \"0.0.0.0\" is not a usable IPv4 address", "not 0.0.0.0");
	expect_one("gateway = { wan-address = \"192.0.2.1\";\n tun = \"a/b\"; };\n", 2,
		   "tun \"a/b\" is not a valid interface name", "ikg0");
	expect_one("gateway = { wan-address = \"192.0.2.1\";\n tun = \"a-very-long-name0\"; };\n", 2,
		   "'tun' in gateway is too long (at most 15 characters)", "shorten");
	expect_one(GW IKE "nat = {\n esp-life = 0; };\n", 4, "'esp-life' in nat must be greater than 0",
		   "esp-life = 180;");
}

static void member_ranges(void **state)
{
	(void)state;
	const char *pre = GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
				 "  remote-members = \"10.2.0.0/16\";\n"; /* lines 3, 4 */
	char text[1024];
	snprintf(text, sizeof(text), "%s  local-members = [\n \"10.1.1.0/24\",\n \"10.1.1.300\" ]; "
		 "}; };\n", pre);
	expect_one(text, 7, "'local-members' entry \"10.1.1.300\" in ipsec-profiles.b is not an "
			    "address, CIDR block or range", "10.1.1.10-10.1.1.20");
	snprintf(text, sizeof(text), "%s  local-members = \"10.1.1.20-10.1.1.10\"; }; };\n", pre);
	expect_one(text, 5, "goes from high to low", "\"10.1.1.10-10.1.1.20\"");
	snprintf(text, sizeof(text), "%s  local-members = \"10.1.1.1/24\"; }; };\n", pre);
	expect_one(text, 5, "has host bits set", "\"10.1.1.0/24\"");
	snprintf(text, sizeof(text), "%s  local-members = \"10.1.1.0/33\"; }; };\n", pre);
	expect_one(text, 5, "is not an address, CIDR block or range", "");
	snprintf(text, sizeof(text), "%s  local-members = [ ]; }; };\n", pre);
	expect_one(text, 5, "'local-members' in ipsec-profiles.b is empty", "10.1.1.0/24");
	snprintf(text, sizeof(text), "%s  local-members = [ \"10.1.1.0/24\", 5 ]; }; };\n", pre);
	expect_one(text, 5, "mismatched element type in array", ""); /* libconfig's own check */
	snprintf(text, sizeof(text), "%s  local-members = ( \"10.1.1.0/24\",\n 5 ); }; };\n", pre);
	expect_one(text, 6, "'local-members' entries must be strings", "double quotes");
	snprintf(text, sizeof(text),
		 "%s  local-members = [ \"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\", \"10.0.0.4\", "
		 "\"10.0.0.5\", \"10.0.0.6\", \"10.0.0.7\", \"10.0.0.8\", \"10.0.0.9\" ]; }; };\n", pre);
	expect_one(text, 5, "has 9 entries; at most 8 are supported", "merge");
}

static void missing_required(void **state)
{
	(void)state;
	expect_one(IKE, 0, "missing 'gateway' group", "wan-address");
	expect_one("gateway = { tun = \"x\"; };\n", 1, "gateway has no wan-address",
		   "wan-address = \"192.0.2.1\";");
	expect_one(GW IKE "ipsec-profiles = {\n b = { local-members = \"10.1.0.0/16\";\n"
			  "  remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "ipsec-profiles.b has no remote-endpoint", "0.0.0.0");
	expect_one(GW IKE "ipsec-profiles = {\n b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "ipsec-profiles.b has no local-members", "local-members = [ \"10.1.1.0/24\" ];");
	expect_one(GW IKE "ipsec-profiles = {\n b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.2.0.0/16\"; }; };\n",
		   4, "ipsec-profiles.b has no remote-members", "remote-members = [");
}

static void references_and_secrets(void **state)
{
	(void)state;
	expect_one(GW IKE "ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\";\n"
			  "  ike-profile = \"branch\"; }; };\n",
		   5, "ipsec-profiles.b names ike-profile 'branch', which does not exist",
		   "use one of the IKE profiles (office)");
	expect_one(GW "ike-profiles = {\n office = {\n  secret = \"Hunter2 Secret\";\n"
		      "  secret-file = \"/k\"; }; };\n", 5,
		   "ike-profiles.office sets both secret and secret-file", "keep one of them");
	expect_one(GW "ike-profiles = {\n office = {\n  hash = \"sha1\"; }; };\n", 3,
		   "ike-profiles.office has no pre-shared key", "secret-file = \"/etc/ikegate/office.psk\"");
	/* the secret never appears, even next to errors on its own line */
	expect_one(GW "ike-profiles = {\n office = {\n  secret = \"Hunter2 Secret\"; hash = 5; }; };\n",
		   4, "'hash' must be a string", "");
}

static void names_and_endpoints(void **state)
{
	(void)state;
	expect_one(GW "ike-profiles = {\n *star = { secret = \"k\"; }; };\n", 3,
		   "name '*star' in ike-profiles is not valid", "rename");
	expect_one(GW "ike-profiles = {\n a234567890123456789012345678901x = { secret = \"k\"; }; };\n",
		   3, "is not valid: 1-31 characters", "rename");
	expect_one(GW IKE "ipsec-profiles = { b = {\n remote-endpoint = \"192.0.2.300\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "remote-endpoint \"192.0.2.300\" in ipsec-profiles.b is neither an IPv4 address "
		      "nor a host name", "vpn.example.com");
	expect_one(GW IKE "ipsec-profiles = { b = {\n remote-endpoint = \"bad host\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "is neither an IPv4 address nor a host name", "");
	expect_one(GW IKE "ipsec-profiles = { b = {\n remote-endpoint = \"224.0.0.5\";\n"
			  "  local-members = \"10.1.0.0/16\"; remote-members = \"10.2.0.0/16\"; }; };\n",
		   4, "multicast or broadcast", "");
}

static void filter_errors(void **state)
{
	(void)state;
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\"; protocol = \"icmp\";\n"
			  "   dst-port = 7; } ); }; };\n",
		   5, "dst-port in filter-sets.f rule #1 needs protocol tcp or udp", "protocol = \"udp\"");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\"; protocol = \"udp\";\n"
			  "   src-port = \"9-8\"; } ); }; };\n",
		   5, "src-port in filter-sets.f rule #1 is not a port or port range", "1024-65535");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\";\n protocol = "
			  "\"gre\"; } ); }; };\n",
		   5, "unknown protocol \"gre\" in filter-sets.f rule #1", "protocol = 50;");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\"; },\n"
			  " { protocol = 300; action = \"deny\"; } ); }; };\n",
		   5, "protocol 300 in filter-sets.f rule #2 is not an IP protocol number", "");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\"; },\n"
			  " { protocol = \"tcp\"; } ); }; };\n",
		   5, "filter-sets.f rule #2 has no action", "action = \"deny\";");
	expect_one(GW IKE "filter-sets = { f = {\n apply = \"lan-in\"; }; };\n", 4,
		   "unknown apply \"lan-in\" in filter-sets.f", "wan-in, wan-out");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\";\n dst = "
			  "\"10.0.0.0/33\"; } ); }; };\n",
		   5, "dst \"10.0.0.0/33\" in filter-sets.f rule #1 is not an address", "any");
	expect_one(GW IKE "filter-sets = { f = { rules = (\n { action = \"permit\"; prot = 6; } ); }; };\n",
		   4, "unknown key 'prot' in filter-sets.f rule #1; did you mean 'protocol'?", "");
}

static void format_lines(void **state)
{
	(void)state;
	struct cfg_diags d = {0};
	struct ikg_config c;
	assert_int_equal(ikg_config_parse(IKE "\n", "x.conf", &c, &d), -1);
	char *s = cfg_diags_format(&d, "/etc/ikegate/x.conf");
	assert_string_equal(s, "/etc/ikegate/x.conf: error: missing 'gateway' group\n"
			       "  fix: add gateway = { wan-address = \"192.0.2.1\"; }; with this "
			       "gateway's WAN address\n");
	free(s);
	cfg_diags_free(&d);
	assert_int_equal(ikg_config_parse(GW "ike-profiles = { o = {\n secret = \"k\"; dh-group = "
					  "\"14\"; }; };\n", "x.conf", &c, &d), -1);
	s = cfg_diags_format(&d, "x.conf");
	assert_string_equal(s, "x.conf:3: error: 'dh-group' must be a number, e.g. dh-group = 14;\n"
			       "  fix: in ike-profiles.o, write the number without quotes: dh-group = "
			       "14;\n");
	free(s);
	cfg_diags_free(&d);
	s = cfg_diags_format(&d, "x");
	assert_string_equal(s, "");
	free(s);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_errors_collected), cmocka_unit_test(syntax_errors),
		cmocka_unit_test(unknown_keys),		cmocka_unit_test(wrong_types),
		cmocka_unit_test(impossible_values),	cmocka_unit_test(member_ranges),
		cmocka_unit_test(missing_required),	cmocka_unit_test(references_and_secrets),
		cmocka_unit_test(names_and_endpoints),	cmocka_unit_test(filter_errors),
		cmocka_unit_test(format_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
