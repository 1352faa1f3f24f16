/* filter-sets { NAME { apply, rules = ( { action, protocol, src, dst, src-port, dst-port } ) } } */
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "config/diags.h"
#include "config/load_util.h"

static const struct key_spec set_keys[] = {
	{"apply", "apply = \"wan-in\";"},
	{"rules", "rules = ( { action = \"permit\"; } );"},
};

static const struct key_spec rule_keys[] = {
	{"action", "action = \"permit\";"},
	{"protocol", "protocol = \"udp\";"},
	{"src", "src = \"192.0.2.0/24\";"},
	{"dst", "dst = \"192.0.2.1\";"},
	{"src-port", "src-port = 500;"},
	{"dst-port", "dst-port = \"1024-65535\";"},
};

static const char *const applies[] = {"wan-in", "wan-out"};
static const char *const actions[] = {"permit", "deny"};

struct proto_name {
	const char *name;
	uint8_t number;
};
static const struct proto_name proto_names[] = {
	{"any", 0}, {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"esp", 50}, {"ah", 51},
};

static const config_setting_t *member(const struct grp *g, const char *key)
{
	return config_setting_get_member((config_setting_t *)g->s, key);
}

static void load_protocol(struct pctx *p, const struct grp *g, struct cfg_filter_rule *r)
{
	const config_setting_t *m = member(g, "protocol");
	if (!m)
		return;
	int t = config_setting_type(m);
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(m);
		if (v >= 0 && v <= 255) {
			r->protocol = (uint8_t)v;
			return;
		}
		struct cfg_diag *e = pctx_error(p, cfg_line(m));
		cfg_diag_msg(e, "protocol %lld in %s is not an IP protocol number (0-255)", v,
			     g->where);
		cfg_diag_fix(e, "write a number 0-255 or one of any, icmp, tcp, udp, esp, ah");
		return;
	}
	if (t == CONFIG_TYPE_STRING) {
		const char *s = config_setting_get_string(m);
		for (size_t i = 0; i < IKG_ARRAY_LEN(proto_names); i++) {
			if (strcmp(s, proto_names[i].name) == 0) {
				r->protocol = proto_names[i].number;
				return;
			}
		}
		struct cfg_diag *e = pctx_error(p, cfg_line(m));
		cfg_diag_msg(e, "unknown protocol \"%.32s\" in %s", s, g->where);
		cfg_diag_fix(e, "use one of any, icmp, tcp, udp, esp, ah, or a protocol number "
				"(protocol = 50;)");
		return;
	}
	struct cfg_diag *e = pctx_error(p, cfg_line(m));
	cfg_diag_msg(e, "'protocol' must be a string or a number, e.g. protocol = \"udp\";");
	cfg_diag_fix(e, "in %s, write protocol = \"udp\"; or protocol = 50;", g->where);
}

static void load_address(struct pctx *p, const struct grp *g, const char *key,
			 struct ikg_range *out)
{
	const char *s;
	int line = 0;
	out->lo = 0;
	out->hi = 0xFFFFFFFFu;
	if (grp_string(p, g, key, &s, &line) <= 0 || strcmp(s, "any") == 0)
		return;
	if (ikg_range_parse(s, out) == 0)
		return;
	out->lo = 0;
	out->hi = 0xFFFFFFFFu;
	struct cfg_diag *e = pctx_error(p, line);
	cfg_diag_msg(e, "%s \"%.40s\" in %s is not an address, CIDR block or range", key, s,
		     g->where);
	cfg_diag_fix(e, "write \"any\", an address (192.0.2.1), a CIDR block with host bits zero "
			"(192.0.2.0/24) or a range (192.0.2.10-192.0.2.20)");
}

static bool parse_port(const char *s, long *out, const char **end)
{
	char *e;
	if (*s < '0' || *s > '9')
		return false;
	long v = strtol(s, &e, 10);
	if (v < 0 || v > 65535)
		return false;
	*out = v;
	*end = e;
	return true;
}

/* A port: a number, "lo-hi" or "any". Returns true when set (not "any"). */
static bool load_port(struct pctx *p, const struct grp *g, const char *key, uint16_t *lo,
		      uint16_t *hi, int *line)
{
	*lo = 0;
	*hi = 65535;
	const config_setting_t *m = member(g, key);
	if (!m)
		return false;
	*line = cfg_line(m);
	int t = config_setting_type(m);
	long a = -1, b = -1;
	bool ok = false;
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(m);
		ok = v >= 0 && v <= 65535;
		a = b = (long)v;
	} else if (t == CONFIG_TYPE_STRING) {
		const char *s = config_setting_get_string(m), *end;
		if (strcmp(s, "any") == 0)
			return false;
		if (parse_port(s, &a, &end)) {
			if (*end == '\0') {
				ok = true;
				b = a;
			} else if (*end == '-' && parse_port(end + 1, &b, &end) && *end == '\0') {
				ok = a <= b;
			}
		}
	} else {
		struct cfg_diag *e = pctx_error(p, *line);
		cfg_diag_msg(e, "'%s' must be a number or a string \"lo-hi\", e.g. %s = 500;", key,
			     key);
		cfg_diag_fix(e, "in %s, write %s = 500; or %s = \"1024-65535\";", g->where, key, key);
		return false;
	}
	if (!ok) {
		struct cfg_diag *e = pctx_error(p, *line);
		cfg_diag_msg(e, "%s in %s is not a port or port range", key, g->where);
		cfg_diag_fix(e, "write a port 0-65535 (%s = 500;) or a range low-high (%s = "
				"\"1024-65535\";)", key, key);
		return false;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

static void load_rule(struct pctx *p, const config_setting_t *s, const char *set, int no,
		      struct cfg_filter_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->line = cfg_line(s);
	struct grp g;
	grp_init(&g, s, rule_keys, IKG_ARRAY_LEN(rule_keys), "filter-sets.%s rule #%d", set, no);
	grp_check_keys(p, &g);
	int idx;
	int ra = grp_choice(p, &g, "action", actions, IKG_ARRAY_LEN(actions), &idx, NULL);
	if (ra > 0)
		r->action = (enum cfg_action)idx;
	if (ra == 0) {
		struct cfg_diag *e = pctx_error(p, r->line);
		cfg_diag_msg(e, "%s has no action", g.where);
		cfg_diag_fix(e, "add action = \"permit\"; or action = \"deny\";");
	}
	load_protocol(p, &g, r);
	load_address(p, &g, "src", &r->src);
	load_address(p, &g, "dst", &r->dst);
	int line = 0;
	static const char *const port_keys[] = {"src-port", "dst-port"};
	uint16_t *los[] = {&r->src_port_lo, &r->dst_port_lo};
	uint16_t *his[] = {&r->src_port_hi, &r->dst_port_hi};
	for (int k = 0; k < 2; k++) {
		if (!load_port(p, &g, port_keys[k], los[k], his[k], &line))
			continue;
		if (r->protocol == 6 || r->protocol == 17)
			continue;
		struct cfg_diag *e = pctx_error(p, line);
		cfg_diag_msg(e, "%s in %s needs protocol tcp or udp", port_keys[k], g.where);
		cfg_diag_fix(e, "add protocol = \"udp\"; (or \"tcp\") to the rule, or remove %s",
			     port_keys[k]);
	}
}

static void load_rules(struct pctx *p, const struct grp *g, struct cfg_filter_set *fs)
{
	const config_setting_t *rules;
	if (grp_child(p, g, "rules", true, &rules) <= 0)
		return;
	int n = config_setting_length(rules);
	if (n > IKG_MAX_RULES) {
		struct cfg_diag *e = pctx_error(p, cfg_line(rules));
		cfg_diag_msg(e, "%s has %d rules; at most %d are supported", g->where, n, IKG_MAX_RULES);
		cfg_diag_fix(e, "merge rules with ranges, or remove some");
		n = IKG_MAX_RULES;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *s =
			config_setting_get_elem((config_setting_t *)rules, (unsigned)i);
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			struct cfg_diag *e = pctx_error(p, cfg_line(s) ? cfg_line(s) : cfg_line(rules));
			cfg_diag_msg(e, "rule #%d of %s must be a group, e.g. { action = \"deny\"; "
					"protocol = \"udp\"; dst-port = 500; }", i + 1, g->where);
			cfg_diag_fix(e, "enclose each rule's settings in braces { ... }");
			continue;
		}
		load_rule(p, s, fs->name, i + 1, &fs->rules[fs->n_rules++]);
	}
}

static void load_filter_set(struct pctx *p, const config_setting_t *s, void *elem)
{
	struct cfg_filter_set *fs = elem;
	copy_str(fs->name, sizeof(fs->name), config_setting_name(s));
	fs->line = cfg_line(s);
	struct grp g;
	grp_init(&g, s, set_keys, IKG_ARRAY_LEN(set_keys), "filter-sets.%s", fs->name);
	grp_check_keys(p, &g);
	int idx;
	if (grp_choice(p, &g, "apply", applies, IKG_ARRAY_LEN(applies), &idx, NULL) > 0)
		fs->apply = (enum cfg_apply)idx;
	load_rules(p, &g, fs);
}

void load_filter_sets(struct pctx *p, const config_setting_t *root)
{
	static const struct named_groups ng = {
		.section = "filter-sets",
		.example = "filter-sets = { wan-in = { apply = \"wan-in\"; rules = ( ); }; };",
		.member_example = "apply = \"wan-in\"; rules = ( );",
		.what = "filter set",
		.elem_size = sizeof(struct cfg_filter_set),
		.load_one = load_filter_set,
	};
	load_named_groups(p, root, &ng, (void **)&p->c->filters, &p->c->n_filters);
}
