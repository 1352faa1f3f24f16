/* The loader on valid configurations: the contract example of design.md §8 with every value,
 * every key set, the defaults, and the copy / free / secret / lookup functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "helpers.h"

static void assert_range(const struct ikg_range *r, const char *text)
{
	char buf[48];
	assert_string_equal(ikg_range_str(r, buf, sizeof(buf)), text);
}

static void contract_example(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	int r = parse_data("contract.conf", &c, &d);
	if (r != 0)
		dump_diags(&d);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(c.source, "contract.conf");

	assert_int_equal(c.gateway.wan_address, IP(192, 0, 2, 1));
	assert_string_equal(c.gateway.control, "/run/ikegate/ikegate.sock");
	assert_string_equal(c.gateway.state_dir, "/var/lib/ikegate");
	assert_string_equal(c.gateway.tun, "ikg0");
	assert_string_equal(c.gateway.wan_name, "Ethernet WAN1");
	assert_int_equal(c.gateway.line, 1);

	assert_int_equal(c.n_ike, 1);
	const struct cfg_ike_profile *ike = &c.ike[0];
	assert_ptr_equal(ikg_config_ike(&c, "office"), ike);
	assert_string_equal(ike->name, "office");
	assert_int_equal(ike->line, 9);
	assert_int_equal(ike->mode, IKG_MODE_MAIN);
	assert_int_equal(ike->encryption, IKG_CIPHER_AES128);
	assert_int_equal(ike->hash, IKG_HASH_SHA256);
	assert_int_equal(ike->dh_group, 14);
	assert_int_equal(ike->lifetime, 28800);
	assert_int_equal(ike->secret.len, 14);
	assert_memory_equal(ike->secret.p, "case Sensitive", 14);
	assert_string_equal(ike->secret_file, "");
	assert_int_equal(ike->negotiation, IKG_NEG_BOTH);
	assert_string_equal(ike->local_id, "");
	assert_string_equal(ike->remote_id, "");
	assert_int_equal(ike->dpd_interval, 30);
	assert_true(ike->nat_traversal);

	assert_int_equal(c.n_ipsec, 1);
	const struct cfg_ipsec_profile *ip = &c.ipsec[0];
	assert_ptr_equal(ikg_config_ipsec(&c, "branch"), ip);
	assert_string_equal(ip->name, "branch");
	assert_int_equal(ip->line, 23);
	assert_string_equal(ip->remote_endpoint, "192.0.2.2");
	assert_int_equal(ip->remote_ip, IP(192, 0, 2, 2));
	assert_false(ip->remote_is_hostname);
	assert_int_equal(ip->n_local, 1);
	assert_range(&ip->local_members[0], "10.1.1.0/24");
	assert_int_equal(ip->n_remote, 1);
	assert_range(&ip->remote_members[0], "10.2.2.0/24");
	assert_string_equal(ip->ike_profile, "office");
	assert_int_equal(ip->protocol, IKG_PROTO_ESP);
	assert_int_equal(ip->encryption, IKG_ESP_AES128GCM16);
	assert_int_equal(ip->integrity, IKG_INTEG_NONE); /* ignored for GCM */
	assert_int_equal(ip->pfs_group, 14);
	assert_int_equal(ip->lifetime, 3600);
	assert_true(ip->enabled);
	assert_int_equal(ip->encapsulation, IKG_ENCAP_AUTO);
	assert_int_equal(ip->replay_window, 128);

	assert_int_equal(c.n_filters, 1);
	const struct cfg_filter_set *fs = &c.filters[0];
	assert_ptr_equal(ikg_config_filter_set(&c, "wan-in"), fs);
	assert_int_equal(fs->line, 38);
	assert_int_equal(fs->apply, CFG_APPLY_WAN_IN);
	assert_int_equal(fs->n_rules, 2);
	assert_int_equal(fs->rules[0].action, CFG_DENY);
	assert_int_equal(fs->rules[0].protocol, 17);
	assert_int_equal(fs->rules[0].dst_port_lo, 500);
	assert_int_equal(fs->rules[0].dst_port_hi, 500);
	assert_int_equal(fs->rules[0].src_port_lo, 0);
	assert_int_equal(fs->rules[0].src_port_hi, 65535);
	assert_int_equal(fs->rules[0].src.lo, 0);
	assert_int_equal(fs->rules[0].src.hi, 0xFFFFFFFFu);
	assert_int_equal(fs->rules[0].dst.lo, 0);
	assert_int_equal(fs->rules[0].dst.hi, 0xFFFFFFFFu);
	assert_int_equal(fs->rules[0].line, 40);
	assert_int_equal(fs->rules[1].action, CFG_PERMIT);
	assert_int_equal(fs->rules[1].protocol, 0);
	assert_int_equal(fs->rules[1].dst_port_lo, 0);
	assert_int_equal(fs->rules[1].dst_port_hi, 65535);
	assert_int_equal(fs->rules[1].line, 41);

	assert_int_equal(c.nat.esp_life, 180);
	assert_int_equal(c.nat.ike_life, 600);
	assert_int_equal(c.nat.udp_life, 300);
	assert_int_equal(c.nat.tcp_life, 86400);
	assert_int_equal(c.nat.icmp_life, 60);

	assert_null(ikg_config_ike(&c, "branch"));
	assert_null(ikg_config_ipsec(&c, "office"));
	assert_null(ikg_config_filter_set(&c, "nope"));
	ikg_config_free(&c);
	assert_null(c.ike);
	assert_int_equal(c.n_ike, 0);
	cfg_diags_free(&d);
}

static void every_key(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	int r = parse_data("full.conf", &c, &d);
	if (r != 0)
		dump_diags(&d);
	assert_int_equal(r, 0);
	assert_int_equal(c.gateway.wan_address, IP(198, 51, 100, 7));
	assert_string_equal(c.gateway.control, "/tmp/ikg.sock");
	assert_string_equal(c.gateway.state_dir, "/tmp/ikg-state");
	assert_string_equal(c.gateway.tun, "vpn7");
	assert_string_equal(c.gateway.wan_name, "Ethernet WAN2");

	assert_int_equal(c.n_ike, 2);
	const struct cfg_ike_profile *hq = ikg_config_ike(&c, "hq");
	assert_non_null(hq);
	assert_int_equal(hq->mode, IKG_MODE_AGGRESSIVE);
	assert_int_equal(hq->encryption, IKG_CIPHER_AES256);
	assert_int_equal(hq->hash, IKG_HASH_SHA512);
	assert_int_equal(hq->dh_group, 19);
	assert_int_equal(hq->lifetime, 3600);
	assert_string_equal(hq->secret_file, "/etc/ikegate/hq.psk");
	assert_null(hq->secret.p); /* the caller loads it */
	assert_int_equal(hq->negotiation, IKG_NEG_RESPOND_ONLY);
	assert_string_equal(hq->local_id, "gw7.example.net");
	assert_string_equal(hq->remote_id, "hq.example.net");
	assert_int_equal(hq->dpd_interval, 0);
	assert_false(hq->nat_traversal);
	const struct cfg_ike_profile *lab = ikg_config_ike(&c, "lab_2");
	assert_non_null(lab);
	/* defaults: the Netopia's */
	assert_int_equal(lab->mode, IKG_MODE_MAIN);
	assert_int_equal(lab->encryption, IKG_CIPHER_3DES);
	assert_int_equal(lab->hash, IKG_HASH_SHA1);
	assert_int_equal(lab->dh_group, 2);
	assert_int_equal(lab->lifetime, 28800);
	assert_int_equal(lab->negotiation, IKG_NEG_BOTH);
	assert_int_equal(lab->dpd_interval, 30);
	assert_true(lab->nat_traversal);
	assert_memory_equal(lab->secret.p, "Lab Secret", 10);

	assert_int_equal(c.n_ipsec, 2);
	const struct cfg_ipsec_profile *rw = ikg_config_ipsec(&c, "roadwarriors");
	assert_non_null(rw);
	assert_int_equal(rw->remote_ip, 0);
	assert_false(rw->remote_is_hostname);
	assert_int_equal(rw->n_local, 1);
	assert_range(&rw->local_members[0], "10.7.0.0/16");
	assert_int_equal(rw->n_remote, 2);
	assert_int_equal(rw->remote_members[0].lo, IP(172, 20, 1, 10));
	assert_int_equal(rw->remote_members[0].hi, IP(172, 20, 1, 20));
	assert_int_equal(rw->remote_members[1].lo, IP(172, 20, 2, 5));
	assert_int_equal(rw->remote_members[1].hi, IP(172, 20, 2, 5));
	assert_int_equal(rw->protocol, IKG_PROTO_AH);
	assert_int_equal(rw->encryption, IKG_ESP_NONE);
	assert_int_equal(rw->integrity, IKG_INTEG_SHA512);
	assert_int_equal(rw->pfs_group, 0);
	assert_int_equal(rw->lifetime, 1200);
	assert_false(rw->enabled);
	assert_int_equal(rw->encapsulation, IKG_ENCAP_NONE);
	assert_int_equal(rw->replay_window, 0);
	const struct cfg_ipsec_profile *hn = ikg_config_ipsec(&c, "hq-net");
	assert_non_null(hn);
	assert_string_equal(hn->remote_endpoint, "vpn.example.com");
	assert_true(hn->remote_is_hostname);
	assert_int_equal(hn->remote_ip, 0);
	assert_int_equal(hn->n_local, 2);
	assert_range(&hn->local_members[1], "10.7.2.0/24");
	assert_range(&hn->remote_members[0], "10.0.0.0/8");
	assert_int_equal(hn->protocol, IKG_PROTO_ESP);
	assert_int_equal(hn->encryption, IKG_ESP_AES256);
	assert_int_equal(hn->integrity, IKG_INTEG_SHA256);
	assert_int_equal(hn->pfs_group, 20);
	assert_int_equal(hn->lifetime, 3600);
	assert_true(hn->enabled);
	assert_int_equal(hn->encapsulation, IKG_ENCAP_UDP);
	assert_int_equal(hn->replay_window, 1024);

	assert_int_equal(c.n_filters, 1);
	const struct cfg_filter_set *fs = &c.filters[0];
	assert_string_equal(fs->name, "out");
	assert_int_equal(fs->apply, CFG_APPLY_WAN_OUT);
	assert_int_equal(fs->n_rules, 3);
	assert_int_equal(fs->rules[0].protocol, 6);
	assert_range(&fs->rules[0].src, "10.7.0.0/16");
	assert_int_equal(fs->rules[0].dst.lo, 0);
	assert_int_equal(fs->rules[0].dst.hi, 0xFFFFFFFFu);
	assert_int_equal(fs->rules[0].src_port_lo, 1024);
	assert_int_equal(fs->rules[0].src_port_hi, 65535);
	assert_int_equal(fs->rules[0].dst_port_lo, 443);
	assert_int_equal(fs->rules[0].dst_port_hi, 443);
	assert_int_equal(fs->rules[1].action, CFG_DENY);
	assert_int_equal(fs->rules[1].protocol, 47);
	assert_int_equal(fs->rules[1].dst.lo, IP(203, 0, 113, 1));
	assert_int_equal(fs->rules[1].dst.hi, IP(203, 0, 113, 9));
	assert_int_equal(fs->rules[2].protocol, 0);
	assert_int_equal(fs->rules[2].src_port_lo, 0);
	assert_int_equal(fs->rules[2].src_port_hi, 65535);

	assert_int_equal(c.nat.esp_life, 181);
	assert_int_equal(c.nat.ike_life, 601);
	assert_int_equal(c.nat.udp_life, 302);
	assert_int_equal(c.nat.tcp_life, 86403);
	assert_int_equal(c.nat.icmp_life, 64);
	ikg_config_free(&c);
	cfg_diags_free(&d);
}

static void defaults(void **state)
{
	(void)state;
	struct ikg_config c;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("minimal.conf", &c, &d), 0);
	assert_string_equal(c.gateway.control, "/run/ikegate/ikegate.sock");
	assert_string_equal(c.gateway.state_dir, "/var/lib/ikegate");
	assert_string_equal(c.gateway.tun, "ikg0");
	assert_string_equal(c.gateway.wan_name, "Ethernet WAN1");
	const struct cfg_ipsec_profile *t = ikg_config_ipsec(&c, "t1");
	assert_non_null(t);
	assert_int_equal(t->protocol, IKG_PROTO_ESP);
	assert_int_equal(t->encryption, IKG_ESP_AES128);
	assert_int_equal(t->integrity, IKG_INTEG_SHA1);
	assert_int_equal(t->pfs_group, 2); /* PFS on, as the Netopia */
	assert_int_equal(t->lifetime, 3600);
	assert_true(t->enabled);
	assert_int_equal(t->encapsulation, IKG_ENCAP_AUTO);
	assert_int_equal(t->replay_window, 128);
	assert_int_equal(t->n_local, 1);
	assert_int_equal(t->local_members[0].lo, IP(10, 9, 0, 0));
	assert_int_equal(t->local_members[0].hi, IP(10, 9, 0, 255));
	assert_int_equal(c.n_filters, 0);
	assert_null(c.filters);
	assert_int_equal(c.nat.esp_life, 180);
	assert_int_equal(c.nat.ike_life, 600);
	ikg_config_free(&c);
	/* a NULL diags list is allowed */
	char *text = read_data("minimal.conf");
	assert_int_equal(ikg_config_parse(text, "m", &c, NULL), 0);
	ikg_config_free(&c);
	assert_int_equal(ikg_config_parse("gateway = {};", "m", &c, NULL), -1);
	free(text);
	cfg_diags_free(&d);
}

static void copy_and_secrets(void **state)
{
	(void)state;
	struct ikg_config c, copy;
	struct cfg_diags d = {0};
	assert_int_equal(parse_data("full.conf", &c, &d), 0);
	assert_int_equal(ikg_config_set_secret(&c, "hq", "From A File", 11), 0);
	assert_int_equal(ikg_config_set_secret(&c, "nope", "x", 1), -1);
	const struct cfg_ike_profile *hq = ikg_config_ike(&c, "hq");
	assert_int_equal(hq->secret.len, 11);
	assert_memory_equal(hq->secret.p, "From A File", 11);

	assert_int_equal(ikg_config_copy(&copy, &c), 0);
	assert_int_equal(copy.n_ike, 2);
	assert_int_equal(copy.n_ipsec, 2);
	assert_int_equal(copy.n_filters, 1);
	assert_ptr_not_equal(copy.ike, c.ike);
	assert_ptr_not_equal(copy.ike[0].secret.p, c.ike[0].secret.p);
	assert_memory_equal(ikg_config_ike(&copy, "hq")->secret.p, "From A File", 11);
	assert_memory_equal(ikg_config_ike(&copy, "lab_2")->secret.p, "Lab Secret", 10);
	assert_string_equal(ikg_config_ipsec(&copy, "hq-net")->remote_endpoint, "vpn.example.com");
	assert_int_equal(copy.filters[0].rules[1].protocol, 47);
	/* the copy outlives the original */
	ikg_config_free(&c);
	assert_memory_equal(ikg_config_ike(&copy, "lab_2")->secret.p, "Lab Secret", 10);
	ikg_config_free(&copy);
	ikg_config_free(&copy); /* idempotent */
	ikg_config_free(NULL);
	cfg_diags_free(&d);
}

static void hostnames_and_names(void **state)
{
	(void)state;
	struct ikg_config c;
	const char *text = "gateway = { wan-address = \"192.0.2.1\"; };\n"
			   "ike-profiles = { A_b-9 = { secret = \"k\"; }; };\n"
			   "ipsec-profiles = { x = { remote-endpoint = \"a-1.b.example\";\n"
			   "  local-members = \"10.0.0.1\"; remote-members = \"10.0.1.0-10.0.1.255\";\n"
			   "  ike-profile = \"A_b-9\"; }; };\n";
	assert_int_equal(ikg_config_parse(text, "t", &c, NULL), 0);
	assert_true(c.ipsec[0].remote_is_hostname);
	assert_int_equal(c.ipsec[0].local_members[0].lo, IP(10, 0, 0, 1));
	assert_int_equal(c.ipsec[0].local_members[0].hi, IP(10, 0, 0, 1));
	assert_range(&c.ipsec[0].remote_members[0], "10.0.1.0/24");
	ikg_config_free(&c);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contract_example),
		cmocka_unit_test(every_key),
		cmocka_unit_test(defaults),
		cmocka_unit_test(copy_and_secrets),
		cmocka_unit_test(hostnames_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
