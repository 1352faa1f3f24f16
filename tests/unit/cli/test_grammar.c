/* The command grammar: abbreviations resolve to exactly one command, ambiguity and unknown
 * words are explained, options and arguments are checked, the wire form is canonical. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/grammar.h"

#define MAXW 16

struct parsed {
	char buf[256];
	char *w[MAXW];
	int n;
	struct cmd_req r;
	char err[512];
	int rc;
};

static void run(struct parsed *p, const char *line, bool exact)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->buf, sizeof(p->buf), "%s", line);
	for (char *t = strtok(p->buf, " "); t && p->n < MAXW; t = strtok(NULL, " "))
		p->w[p->n++] = t;
	p->rc = cmd_resolve(p->n, p->w, exact, &p->r, p->err, sizeof(p->err));
}

/* Resolves line and checks the canonical form. */
static void expect_cmd(const char *line, enum cmd_id id, const char *canonical)
{
	struct parsed p;
	char out[256];
	run(&p, line, false);
	if (p.rc != 0)
		fail_msg("'%s' did not resolve: %s", line, p.err);
	assert_int_equal(p.r.def->id, id);
	if (canonical) {
		assert_true(cmd_format(&p.r, out, sizeof(out)) > 0);
		assert_string_equal(out, canonical);
		/* the daemon accepts the canonical form exactly */
		struct parsed q;
		run(&q, canonical, true);
		assert_int_equal(q.rc, 0);
		assert_int_equal(q.r.def->id, id);
		assert_int_equal(q.r.opts, p.r.opts);
	}
}

static void expect_error(const char *line, bool exact, const char *message)
{
	struct parsed p;
	run(&p, line, exact);
	assert_int_equal(p.rc, -1);
	assert_string_equal(p.err, message);
}

static void full_words(void **state)
{
	(void)state;
	expect_cmd("show vpn", CMD_SHOW_VPN, "show vpn");
	expect_cmd("show vpn --discards --json", CMD_SHOW_VPN, "show vpn --discards --json");
	expect_cmd("show log --detail", CMD_SHOW_LOG, "show log --detail");
	expect_cmd("show ip nat translations", CMD_SHOW_NAT, "show ip nat translations");
	expect_cmd("show ike sa", CMD_SHOW_IKE_SA, "show ike sa");
	expect_cmd("show ipsec sa --json", CMD_SHOW_IPSEC_SA, "show ipsec sa --json");
	expect_cmd("show filter", CMD_SHOW_FILTER, "show filter");
	expect_cmd("diagnose", CMD_DIAGNOSE, "diagnose");
	expect_cmd("diagnose branch", CMD_DIAGNOSE, "diagnose branch");
	expect_cmd("initiate branch", CMD_INITIATE, "initiate branch");
	expect_cmd("profile enable branch", CMD_PROFILE_ENABLE, "profile enable branch");
	expect_cmd("profile disable branch", CMD_PROFILE_DISABLE, "profile disable branch");
	expect_cmd("reload", CMD_RELOAD, "reload");
	expect_cmd("clear log", CMD_CLEAR_LOG, "clear log");
	expect_cmd("check-config /etc/ikegate.conf", CMD_CHECK_CONFIG, NULL);
	expect_cmd("menu", CMD_MENU, NULL);
	expect_cmd("lab list", CMD_LAB_LIST, NULL);
	expect_cmd("lab run technote-psk", CMD_LAB_RUN, NULL);
	expect_cmd("demo", CMD_DEMO, NULL);
}

static void abbreviations(void **state)
{
	(void)state;
	expect_cmd("show ip nat trans", CMD_SHOW_NAT, "show ip nat translations");
	expect_cmd("sh ip na t", CMD_SHOW_NAT, "show ip nat translations");
	expect_cmd("sh vpn --disc", CMD_SHOW_VPN, "show vpn --discards");
	expect_cmd("sh v --j --d", CMD_SHOW_VPN, "show vpn --discards --json");
	expect_cmd("sh lo --det", CMD_SHOW_LOG, "show log --detail");
	expect_cmd("sh ik s", CMD_SHOW_IKE_SA, "show ike sa");
	expect_cmd("sh ips sa", CMD_SHOW_IPSEC_SA, "show ipsec sa");
	/* an exact word wins over the longer candidate it prefixes */
	expect_cmd("sh ip nat tr", CMD_SHOW_NAT, "show ip nat translations");
	expect_cmd("sh f", CMD_SHOW_FILTER, "show filter");
	expect_cmd("diag branch --json", CMD_DIAGNOSE, "diagnose branch --json");
	expect_cmd("i branch", CMD_INITIATE, "initiate branch");
	expect_cmd("p e branch", CMD_PROFILE_ENABLE, "profile enable branch");
	expect_cmd("pro dis branch", CMD_PROFILE_DISABLE, "profile disable branch");
	expect_cmd("rel", CMD_RELOAD, "reload");
	expect_cmd("cl l", CMD_CLEAR_LOG, "clear log");
	expect_cmd("ch x.conf", CMD_CHECK_CONFIG, NULL);
	expect_cmd("l l", CMD_LAB_LIST, NULL);
	expect_cmd("de", CMD_DEMO, NULL);
}

static void ambiguity_is_explained(void **state)
{
	(void)state;
	expect_error("sh i sa", false, "ambiguous 'i': could be 'ip', 'ike', 'ipsec'");
	expect_error("d", false, "ambiguous 'd': could be 'diagnose', 'demo'");
	expect_error("c log", false, "ambiguous 'c': could be 'clear', 'check-config'");
}

static void unknown_and_incomplete(void **state)
{
	(void)state;
	expect_error("frobnicate", false,
		     "unknown command 'frobnicate': expected 'show', 'diagnose', 'initiate', "
		     "'profile', 'reload', 'clear', 'check-config', 'menu', 'lab', 'demo', 'help'");
	expect_error("show vnp", false,
		     "unknown word 'vnp' after 'show': expected 'vpn', 'log', 'ip', 'ike', "
		     "'ipsec', 'filter'");
	expect_error("show", false,
		     "incomplete command 'show': expected 'vpn', 'log', 'ip', 'ike', 'ipsec', "
		     "'filter'");
	expect_error("show ip nat", false,
		     "incomplete command 'show ip nat': expected 'translations'");
	expect_error("profile", false, "incomplete command 'profile': expected 'enable', 'disable'");
}

static void options_and_arguments(void **state)
{
	(void)state;
	expect_error("show vpn --detail", false,
		     "unknown option '--detail' for 'show vpn': accepted '--discards', '--json'");
	expect_error("reload --json", false, "'reload' takes no options (got '--json')");
	expect_error("initiate", false, "missing PROFILE: usage: initiate PROFILE");
	expect_error("initiate a b", false, "too many arguments ('b'): usage: initiate PROFILE");
	expect_error("show vpn extra", false,
		     "unexpected argument 'extra': usage: show vpn [--discards] [--json]");
	expect_error("show vpn --", false,
		     "unknown option '--' for 'show vpn': accepted '--discards', '--json'");
	expect_error("", false, "no command given");
}

static void daemon_needs_full_words(void **state)
{
	(void)state;
	expect_error("sh vpn", true,
		     "unknown command 'sh': expected 'show', 'diagnose', 'initiate', 'profile', "
		     "'reload', 'clear', 'check-config', 'menu', 'lab', 'demo', 'help'");
	expect_error("show vpn --disc", true,
		     "unknown option '--disc' for 'show vpn': accepted '--discards', '--json'");
	struct parsed p;
	run(&p, "show vpn --discards", true);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.r.opts, OPT_DISCARDS);
}

static void passthrough_keeps_the_rest(void **state)
{
	(void)state;
	struct parsed p;
	run(&p, "lab run technote-psk --seed 7", false);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.r.def->id, CMD_LAB_RUN);
	assert_int_equal(p.r.n_rest, 3);
	assert_string_equal(p.r.rest[0], "technote-psk");
	assert_string_equal(p.r.rest[2], "7");
}

static void wire_form_refuses_unsafe_arguments(void **state)
{
	(void)state;
	char out[64];
	struct cmd_req r = { .def = cmd_by_id(CMD_INITIATE), .arg = "a b" };
	assert_int_equal(cmd_format(&r, out, sizeof(out)), -1);
	r.arg = "x\ny";
	assert_int_equal(cmd_format(&r, out, sizeof(out)), -1);
	r.arg = "branch";
	assert_int_equal(cmd_format(&r, out, sizeof(out)), (int)strlen("initiate branch"));
	assert_int_equal(cmd_format(&r, out, 8), -1);
}

static void table_is_consistent(void **state)
{
	(void)state;
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	assert_int_equal(n, CMD__COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(cmd_by_id(t[i].id), &t[i]);
		assert_non_null(t[i].words[0]);
		assert_non_null(t[i].help);
		if (t[i].arg == ARG_REQUIRED || t[i].arg == ARG_OPTIONAL)
			assert_non_null(t[i].arg_name);
		/* no command's words are a prefix of another's (resolution relies on it) */
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			size_t k = 0;
			while (k < CMD_MAX_WORDS && t[i].words[k] && t[j].words[k] &&
			       strcmp(t[i].words[k], t[j].words[k]) == 0)
				k++;
			assert_false(k < CMD_MAX_WORDS && !t[i].words[k]);
		}
	}
	char u[128];
	assert_true(cmd_usage_line(cmd_by_id(CMD_SHOW_VPN), u, sizeof(u)) > 0);
	assert_string_equal(u, "show vpn [--discards] [--json]");
	assert_true(cmd_usage_line(cmd_by_id(CMD_DIAGNOSE), u, sizeof(u)) > 0);
	assert_string_equal(u, "diagnose [PROFILE] [--json]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_words),
		cmocka_unit_test(abbreviations),
		cmocka_unit_test(ambiguity_is_explained),
		cmocka_unit_test(unknown_and_incomplete),
		cmocka_unit_test(options_and_arguments),
		cmocka_unit_test(daemon_needs_full_words),
		cmocka_unit_test(passthrough_keeps_the_rest),
		cmocka_unit_test(wire_form_refuses_unsafe_arguments),
		cmocka_unit_test(table_is_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
