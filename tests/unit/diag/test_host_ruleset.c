/* diag_facts_add_host_ruleset: `nft list ruleset` text -> rules that drop IKE/NAT-T/ESP/AH. */
#include "diag_test.h"

static struct diag_facts F;

static int reset(void **state)
{
	diag_facts_init(&F);
	return 0;
}

static void test_udp_500_drop_with_counter(void **state)
{
	const char *rs = "table inet fw {\n"                                            /* 1 */
			 "\tchain input {\n"                                               /* 2 */
			 "\t\ttype filter hook input priority filter; policy accept;\n"   /* 3 */
			 "\t\tct state invalid drop\n"                                     /* 4 */
			 "\t\tudp dport 53 drop\n"                                         /* 5 */
			 "\t\ttcp dport 500 drop\n"                                        /* 6 */
			 "\t\tudp dport 500 counter packets 12 bytes 3400 drop\n"         /* 7 */
			 "\t}\n"
			 "}\n";
	assert_int_equal(diag_facts_add_host_ruleset(&F, rs), 1);
	const struct diag_blocker *b = &F.host_blockers[0];
	assert_int_equal(b->source, DIAG_SRC_HOST_FIREWALL);
	assert_string_equal(b->where, "nft table inet fw chain input, line 7");
	assert_string_equal(b->rule, "udp dport 500 counter packets 12 bytes 3400 drop");
	assert_int_equal(b->blocks, DIAG_BLOCKS_IKE);
	assert_true(b->hits_known);
	assert_int_equal(b->hits, 12);
	assert_false(b->outbound);
}

static void test_sets_names_ranges_and_protocols(void **state)
{
	const char *rs = "table ip filter {\n"
			 "\tset blocked {\n"
			 "\t\ttype ipv4_addr\n"
			 "\t\telements = { 192.0.2.9 }\n"
			 "\t}\n"
			 "\tchain in {\n"
			 "\t\ttype filter hook input priority 0; policy accept;\n"
			 "\t\tudp dport { isakmp, ipsec-nat-t } reject\n"             /* 8 */
			 "\t\tip protocol { esp, ah } drop\n"                          /* 9 */
			 "\t\tudp sport 400-600 drop comment \"old rule\"\n"           /* 10 */
			 "\t\tmeta l4proto 50 drop\n"                                  /* 11 */
			 "\t\tip saddr != 10.0.0.0/8 udp dport 500 drop\n"             /* 12: negation, skipped */
			 "\t}\n"
			 "\tchain out {\n"
			 "\t\ttype filter hook output priority 0; policy accept;\n"
			 "\t\tudp dport 4500 drop\n"                                   /* 16 */
			 "\t}\n"
			 "\tchain fwd {\n"
			 "\t\ttype filter hook forward priority 0; policy accept;\n"
			 "\t\tudp dport 500 drop\n"                                    /* forward: skipped */
			 "\t}\n"
			 "}\n";
	assert_int_equal(diag_facts_add_host_ruleset(&F, rs), 5);
	assert_string_equal(F.host_blockers[0].where, "nft table ip filter chain in, line 8");
	assert_int_equal(F.host_blockers[0].blocks, DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT);
	assert_false(F.host_blockers[0].hits_known);
	assert_int_equal(F.host_blockers[1].blocks, DIAG_BLOCKS_ESP | DIAG_BLOCKS_AH);
	assert_int_equal(F.host_blockers[2].blocks, DIAG_BLOCKS_IKE);
	assert_string_equal(F.host_blockers[2].rule, "udp sport 400-600 drop comment \"old rule\"");
	assert_int_equal(F.host_blockers[3].blocks, DIAG_BLOCKS_ESP);
	assert_string_equal(F.host_blockers[4].where, "nft table ip filter chain out, line 16");
	assert_int_equal(F.host_blockers[4].blocks, DIAG_BLOCKS_NATT);
	assert_true(F.host_blockers[4].outbound);
}

static void test_policy_drop_without_accept(void **state)
{
	const char *rs = "table inet fw {\n"
			 "\tchain input {\n"
			 "\t\ttype filter hook input priority filter; policy drop;\n"
			 "\t\tct state established,related accept\n"
			 "\t\ttcp dport 22 accept\n"
			 "\t}\n"
			 "}\n";
	assert_int_equal(diag_facts_add_host_ruleset(&F, rs), 1);
	const struct diag_blocker *b = &F.host_blockers[0];
	assert_string_equal(b->where, "nft table inet fw chain input, line 2");
	assert_string_equal(b->rule, "policy drop (no rule accepts udp dport 500)");
	assert_int_equal(b->blocks, DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT | DIAG_BLOCKS_ESP);
}

static void test_policy_drop_with_accept(void **state)
{
	const char *rs = "table inet fw {\n"
			 "\tchain input {\n"
			 "\t\ttype filter hook input priority filter; policy drop;\n"
			 "\t\tudp dport { 500, 4500 } accept\n"
			 "\t\tip protocol esp accept\n"
			 "\t}\n"
			 "}\n";
	assert_int_equal(diag_facts_add_host_ruleset(&F, rs), 0);
}

static void test_empty_and_garbage(void **state)
{
	assert_int_equal(diag_facts_add_host_ruleset(&F, ""), 0);
	assert_int_equal(diag_facts_add_host_ruleset(&F, NULL), 0);
	assert_int_equal(diag_facts_add_host_ruleset(&F, "}}}\n{{{ drop udp dport 500\n"), 0);
	assert_int_equal(diag_facts_add_host_ruleset(NULL, "table x {\n"), 0);
	assert_int_equal(F.n_host_blockers, 0);
}

static void test_capacity_bounded(void **state)
{
	char rs[8192];
	size_t o = (size_t)snprintf(rs, sizeof rs, "table inet t {\n\tchain c {\n");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(rs + o, sizeof rs - o, "\t\tudp dport 500 drop\n");
	snprintf(rs + o, sizeof rs - o, "\t}\n}\n");
	assert_int_equal(diag_facts_add_host_ruleset(&F, rs), DIAG_MAX_HOST_BLOCKERS);
	assert_int_equal(F.n_host_blockers, DIAG_MAX_HOST_BLOCKERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_udp_500_drop_with_counter, reset),
		cmocka_unit_test_setup(test_sets_names_ranges_and_protocols, reset),
		cmocka_unit_test_setup(test_policy_drop_without_accept, reset),
		cmocka_unit_test_setup(test_policy_drop_with_accept, reset),
		cmocka_unit_test_setup(test_empty_and_garbage, reset),
		cmocka_unit_test_setup(test_capacity_bounded, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
