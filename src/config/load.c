/* The configuration loader: libconfig text -> struct ikg_config, every problem collected with
 * its line and a fix. Only text comes in: the caller reads files (and secret files). */
#include <libconfig.h>
#include <string.h>

#include "common/addr.h"
#include "config/config.h"
#include "config/diags.h"
#include "config/load_util.h"

static const struct key_spec root_keys[] = {
	{"gateway", "gateway = { wan-address = \"192.0.2.1\"; };"},
	{"ike-profiles", "ike-profiles = { office = { secret = \"...\"; }; };"},
	{"ipsec-profiles", "ipsec-profiles = { branch = { remote-endpoint = \"192.0.2.2\"; }; };"},
	{"filter-sets", "filter-sets = { wan-in = { apply = \"wan-in\"; rules = ( ); }; };"},
	{"nat", "nat = { esp-life = 180; ike-life = 600; };"},
};

static const struct key_spec gateway_keys[] = {
	{"wan-address", "wan-address = \"192.0.2.1\";"},
	{"control", "control = \"/run/ikegate/ikegate.sock\";"},
	{"state-dir", "state-dir = \"/var/lib/ikegate\";"},
	{"tun", "tun = \"ikg0\";"},
	{"wan-name", "wan-name = \"Ethernet WAN1\";"},
};

static const struct key_spec nat_keys[] = {
	{"esp-life", "esp-life = 180;"}, {"ike-life", "ike-life = 600;"},
	{"udp-life", "udp-life = 300;"}, {"tcp-life", "tcp-life = 86400;"},
	{"icmp-life", "icmp-life = 60;"},
};

static void set_defaults(struct ikg_config *c)
{
	copy_str(c->gateway.control, sizeof(c->gateway.control), "/run/ikegate/ikegate.sock");
	copy_str(c->gateway.state_dir, sizeof(c->gateway.state_dir), "/var/lib/ikegate");
	copy_str(c->gateway.tun, sizeof(c->gateway.tun), "ikg0");
	copy_str(c->gateway.wan_name, sizeof(c->gateway.wan_name), "Ethernet WAN1");
	c->nat.esp_life = 180;
	c->nat.ike_life = 600;
	c->nat.udp_life = 300;
	c->nat.tcp_life = 86400;
	c->nat.icmp_life = 60;
}

static void require_nonempty(struct pctx *p, const struct grp *g, const char *key, const char *v,
			     int line)
{
	if (v[0])
		return;
	struct cfg_diag *e = pctx_error(p, line);
	cfg_diag_msg(e, "'%s' in %s is empty", key, g->where);
	for (size_t i = 0; i < g->n_keys; i++)
		if (strcmp(g->keys[i].name, key) == 0)
			cfg_diag_fix(e, "give a value, e.g. %s, or remove the key for the default",
				     g->keys[i].example);
}

static void load_wan_address(struct pctx *p, const struct grp *g)
{
	const char *s;
	int line = 0;
	int r = grp_string(p, g, "wan-address", &s, &line);
	if (r == 0) {
		struct cfg_diag *e = pctx_error(p, cfg_line(g->s));
		cfg_diag_msg(e, "gateway has no wan-address");
		cfg_diag_fix(e, "add wan-address = \"A.B.C.D\"; (the WAN address IKE and ESP leave "
				"from), e.g. wan-address = \"192.0.2.1\";");
		return;
	}
	if (r < 0)
		return;
	ikg_ip4 a;
	if (ikg_ip4_parse(s, &a) != 0 || a == 0 || a >= 0xE0000000u) {
		struct cfg_diag *e = pctx_error(p, line);
		cfg_diag_msg(e, "wan-address \"%.40s\" is not a usable IPv4 address", s);
		cfg_diag_fix(e, "write the gateway's own WAN address as four decimal numbers, e.g. "
				"wan-address = \"192.0.2.1\"; (not 0.0.0.0, multicast or broadcast)");
		return;
	}
	p->c->gateway.wan_address = a;
}

static void load_tun(struct pctx *p, const struct grp *g)
{
	int line = 0;
	char *tun = p->c->gateway.tun;
	if (grp_string_into(p, g, "tun", tun, sizeof(p->c->gateway.tun), &line) <= 0)
		return;
	bool ok = tun[0] != '\0';
	for (const char *q = tun; ok && *q; q++)
		ok = *q > ' ' && *q != '/' && *q != ':' && *q < 127;
	if (ok)
		return;
	struct cfg_diag *e = pctx_error(p, line);
	cfg_diag_msg(e, "tun \"%s\" is not a valid interface name", tun);
	cfg_diag_fix(e, "use 1-15 characters without spaces, '/' or ':', e.g. tun = \"ikg0\";");
}

void load_gateway(struct pctx *p, const config_setting_t *root)
{
	struct grp top;
	grp_init(&top, root, root_keys, IKG_ARRAY_LEN(root_keys), "the top level");
	const config_setting_t *s;
	int r = grp_child(p, &top, "gateway", false, &s);
	if (r == 0) {
		struct cfg_diag *e = pctx_error(p, 0);
		cfg_diag_msg(e, "missing 'gateway' group");
		cfg_diag_fix(e, "add gateway = { wan-address = \"192.0.2.1\"; }; with this gateway's "
				"WAN address");
	}
	if (r <= 0)
		return;
	struct grp g;
	grp_init(&g, s, gateway_keys, IKG_ARRAY_LEN(gateway_keys), "gateway");
	struct cfg_gateway *gw = &p->c->gateway;
	gw->line = cfg_line(s);
	grp_check_keys(p, &g);
	load_wan_address(p, &g);
	int line = 0;
	if (grp_string_into(p, &g, "control", gw->control, sizeof(gw->control), &line) > 0)
		require_nonempty(p, &g, "control", gw->control, line);
	if (grp_string_into(p, &g, "state-dir", gw->state_dir, sizeof(gw->state_dir), &line) > 0)
		require_nonempty(p, &g, "state-dir", gw->state_dir, line);
	load_tun(p, &g);
	if (grp_string_into(p, &g, "wan-name", gw->wan_name, sizeof(gw->wan_name), &line) > 0)
		require_nonempty(p, &g, "wan-name", gw->wan_name, line);
}

void load_nat(struct pctx *p, const config_setting_t *root)
{
	struct grp top;
	grp_init(&top, root, root_keys, IKG_ARRAY_LEN(root_keys), "the top level");
	const config_setting_t *s;
	if (grp_child(p, &top, "nat", false, &s) <= 0)
		return;
	struct grp g;
	grp_init(&g, s, nat_keys, IKG_ARRAY_LEN(nat_keys), "nat");
	grp_check_keys(p, &g);
	struct cfg_nat *n = &p->c->nat;
	const long long max = 7LL * 86400 * 52; /* a year is plenty */
	grp_uint(p, &g, "esp-life", 1, max, &n->esp_life, NULL);
	grp_uint(p, &g, "ike-life", 1, max, &n->ike_life, NULL);
	grp_uint(p, &g, "udp-life", 1, max, &n->udp_life, NULL);
	grp_uint(p, &g, "tcp-life", 1, max, &n->tcp_life, NULL);
	grp_uint(p, &g, "icmp-life", 1, max, &n->icmp_life, NULL);
}

/* The inline secrets also live in libconfig's copy of the text: wipe them before it is freed. */
static void wipe_secret_strings(config_t *cf)
{
	config_setting_t *ikes = config_lookup(cf, "ike-profiles");
	if (!ikes || config_setting_type(ikes) != CONFIG_TYPE_GROUP)
		return;
	for (int i = 0; i < config_setting_length(ikes); i++) {
		config_setting_t *prof = config_setting_get_elem(ikes, (unsigned)i);
		if (config_setting_type(prof) != CONFIG_TYPE_GROUP)
			continue;
		config_setting_t *sec = config_setting_get_member(prof, "secret");
		if (sec && config_setting_type(sec) == CONFIG_TYPE_STRING) {
			char *s = (char *)config_setting_get_string(sec);
			if (s)
				ikg_wipe(s, strlen(s));
		}
	}
}

int ikg_config_parse(const char *text, const char *source, struct ikg_config *out,
		     struct cfg_diags *diags)
{
	struct cfg_diags local = {0};
	struct pctx p = {.d = diags ? diags : &local, .errors = 0, .c = out};
	memset(out, 0, sizeof(*out));
	copy_str(out->source, sizeof(out->source), source ? source : "config");
	set_defaults(out);

	if (!text) {
		struct cfg_diag *e = pctx_error(&p, 0);
		cfg_diag_msg(e, "no configuration text");
		cfg_diag_fix(e, "pass the contents of the configuration file");
	} else if (!cfg_prescan(&p, text)) {
		config_t cf;
		config_init(&cf);
		/* include dir stays unset (libconfig 1.5 crashes on set_include_dir(NULL)); @include
		 * itself was refused above. */
		if (config_read_string(&cf, text) != CONFIG_TRUE) {
			struct cfg_diag *e = pctx_error(&p, config_error_line(&cf));
			const char *why = config_error_text(&cf);
			cfg_diag_msg(e, "%s", why ? why : "syntax error");
			cfg_diag_fix(e, "check the punctuation on this line and the one before: "
					"key = value; with strings in double quotes, groups in "
					"{ }, lists in ( ), arrays in [ ]");
		} else {
			const config_setting_t *root = config_root_setting(&cf);
			struct grp top;
			grp_init(&top, root, root_keys, IKG_ARRAY_LEN(root_keys), "the top level");
			grp_check_keys(&p, &top);
			load_gateway(&p, root);
			load_ike_profiles(&p, root);
			load_ipsec_profiles(&p, root);
			load_filter_sets(&p, root);
			load_nat(&p, root);
		}
		wipe_secret_strings(&cf);
		config_destroy(&cf);
	}
	cfg_diags_free(&local);
	if (p.errors) {
		ikg_config_free(out);
		return -1;
	}
	return 0;
}
