/* Typed access to libconfig settings, each problem reported with its line and a fix. */
#include "config/load_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "config/diags.h"

int cfg_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

void grp_init(struct grp *g, const config_setting_t *s, const struct key_spec *keys, size_t n,
	      const char *fmt, ...)
{
	g->s = s;
	g->keys = keys;
	g->n_keys = n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->where, sizeof(g->where), fmt, ap);
	va_end(ap);
}

struct cfg_diag *pctx_error(struct pctx *p, int line)
{
	p->errors++;
	return cfg_diag_new(p->d, CFG_ERROR, line);
}

void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static const char *example_of(const struct grp *g, const char *key)
{
	for (size_t i = 0; i < g->n_keys; i++)
		if (strcmp(g->keys[i].name, key) == 0)
			return g->keys[i].example;
	return "";
}

void grp_check_keys(struct pctx *p, const struct grp *g)
{
	const char *names[32];
	size_t n = g->n_keys < 32 ? g->n_keys : 32;
	for (size_t i = 0; i < n; i++)
		names[i] = g->keys[i].name;
	char valid[400];
	cfg_join(names, n, valid, sizeof(valid));

	config_setting_t *s = (config_setting_t *)g->s;
	int count = config_setting_length(s);
	for (int i = 0; i < count; i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		if (!name)
			continue;
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = strcmp(names[k], name) == 0;
		if (known)
			continue;
		const char *near = cfg_suggest(name, names, n);
		struct cfg_diag *e = pctx_error(p, cfg_line(m));
		if (near) {
			cfg_diag_msg(e, "unknown key '%s' in %s; did you mean '%s'?", name, g->where, near);
			cfg_diag_fix(e, "rename it to '%s' (valid keys here: %s)", near, valid);
		} else {
			cfg_diag_msg(e, "unknown key '%s' in %s", name, g->where);
			cfg_diag_fix(e, "remove it; valid keys here: %s", valid);
		}
	}
}

static const config_setting_t *member(const struct grp *g, const char *key)
{
	return config_setting_get_member((config_setting_t *)g->s, key);
}

enum want { W_STRING, W_NUMBER, W_BOOL, W_GROUP, W_LIST };

static void type_error(struct pctx *p, const struct grp *g, const config_setting_t *m,
		       const char *key, enum want w)
{
	static const char *const what[] = {"a string", "a number", "true or false", "a group",
					   "a list"};
	static const char *const how[] = {
		"put the value in double quotes",
		"write the number without quotes",
		"write true or false without quotes",
		"enclose its settings in braces { ... }",
		"enclose its entries in parentheses ( ... )",
	};
	const char *ex = example_of(g, key);
	struct cfg_diag *e = pctx_error(p, cfg_line(m));
	cfg_diag_msg(e, "'%s' must be %s, e.g. %s", key, what[w], ex);
	cfg_diag_fix(e, "in %s, %s: %s", g->where, how[w], ex);
}

int grp_string(struct pctx *p, const struct grp *g, const char *key, const char **out, int *line)
{
	const config_setting_t *m = member(g, key);
	if (!m)
		return 0;
	if (line)
		*line = cfg_line(m);
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		type_error(p, g, m, key, W_STRING);
		return -1;
	}
	*out = config_setting_get_string(m);
	return 1;
}

int grp_string_into(struct pctx *p, const struct grp *g, const char *key, char *dst, size_t cap,
		    int *line)
{
	const char *s;
	int l = 0;
	int r = grp_string(p, g, key, &s, &l);
	if (line)
		*line = l;
	if (r <= 0)
		return r;
	if (strlen(s) >= cap) {
		struct cfg_diag *e = pctx_error(p, l);
		cfg_diag_msg(e, "'%s' in %s is too long (at most %zu characters)", key, g->where,
			     cap - 1);
		cfg_diag_fix(e, "shorten the value of '%s'", key);
		return -1;
	}
	copy_str(dst, cap, s);
	return 1;
}

int grp_int(struct pctx *p, const struct grp *g, const char *key, long long *out, int *line)
{
	const config_setting_t *m = member(g, key);
	if (!m)
		return 0;
	if (line)
		*line = cfg_line(m);
	int t = config_setting_type(m);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		type_error(p, g, m, key, W_NUMBER);
		return -1;
	}
	*out = config_setting_get_int64(m);
	return 1;
}

int grp_uint(struct pctx *p, const struct grp *g, const char *key, long long lo, long long hi,
	     uint32_t *out, int *line)
{
	long long v;
	int l = 0;
	int r = grp_int(p, g, key, &v, &l);
	if (line)
		*line = l;
	if (r <= 0)
		return r;
	if (v < lo || v > hi) {
		struct cfg_diag *e = pctx_error(p, l);
		if (lo == 1 && v < lo)
			cfg_diag_msg(e, "'%s' in %s must be greater than 0 (it is %lld)", key,
				     g->where, v);
		else
			cfg_diag_msg(e, "'%s' in %s must be between %lld and %lld (it is %lld)", key,
				     g->where, lo, hi, v);
		cfg_diag_fix(e, "use a value in range, e.g. %s", example_of(g, key));
		return -1;
	}
	*out = (uint32_t)v;
	return 1;
}

int grp_bool(struct pctx *p, const struct grp *g, const char *key, bool *out, int *line)
{
	const config_setting_t *m = member(g, key);
	if (!m)
		return 0;
	if (line)
		*line = cfg_line(m);
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		type_error(p, g, m, key, W_BOOL);
		return -1;
	}
	*out = config_setting_get_bool(m) != 0;
	return 1;
}

int grp_choice(struct pctx *p, const struct grp *g, const char *key, const char *const *choices,
	       size_t n, int *out, int *line)
{
	const char *s;
	int l = 0;
	int r = grp_string(p, g, key, &s, &l);
	if (line)
		*line = l;
	if (r <= 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = (int)i;
			return 1;
		}
	}
	char valid[256];
	cfg_join(choices, n, valid, sizeof(valid));
	const char *near = cfg_suggest(s, choices, n);
	struct cfg_diag *e = pctx_error(p, l);
	if (near)
		cfg_diag_msg(e, "unknown %s \"%.64s\" in %s; did you mean \"%s\"?", key, s, g->where,
			     near);
	else
		cfg_diag_msg(e, "unknown %s \"%.64s\" in %s", key, s, g->where);
	cfg_diag_fix(e, "use one of: %s", valid);
	return -1;
}

int grp_child(struct pctx *p, const struct grp *g, const char *key, bool want_list,
	      const config_setting_t **out)
{
	const config_setting_t *m = member(g, key);
	if (!m)
		return 0;
	int t = config_setting_type(m);
	if (want_list ? t != CONFIG_TYPE_LIST : t != CONFIG_TYPE_GROUP) {
		type_error(p, g, m, key, want_list ? W_LIST : W_GROUP);
		return -1;
	}
	*out = m;
	return 1;
}

/* A precise reason why s is not a member range. */
static void range_error(struct pctx *p, int line, const struct grp *g, const char *key,
			const char *s)
{
	struct cfg_diag *e = pctx_error(p, line);
	char addr[64];
	const char *slash = strchr(s, '/');
	const char *dash = strchr(s, '-');
	ikg_ip4 a, b;
	if (slash && (size_t)(slash - s) < sizeof(addr)) {
		memcpy(addr, s, (size_t)(slash - s));
		addr[slash - s] = '\0';
		char *end;
		unsigned long len = strtoul(slash + 1, &end, 10);
		if (ikg_ip4_parse(addr, &a) == 0 && *end == '\0' && end != slash + 1 && len <= 32) {
			ikg_ip4 mask = len ? (ikg_ip4)(0xFFFFFFFFu << (32 - len)) : 0;
			char net[IKG_IP4_STRLEN];
			cfg_diag_msg(e, "'%s' entry \"%.40s\" in %s has host bits set", key, s,
				     g->where);
			cfg_diag_fix(e, "write the network address: \"%s/%lu\"",
				     ikg_ip4_str(a & mask, net), len);
			return;
		}
	} else if (dash && (size_t)(dash - s) < sizeof(addr)) {
		memcpy(addr, s, (size_t)(dash - s));
		addr[dash - s] = '\0';
		if (ikg_ip4_parse(addr, &a) == 0 && ikg_ip4_parse(dash + 1, &b) == 0 && b < a) {
			cfg_diag_msg(e, "'%s' entry \"%.40s\" in %s goes from high to low", key, s,
				     g->where);
			cfg_diag_fix(e, "write the lower address first: \"%s-%s\"", dash + 1, addr);
			return;
		}
	}
	cfg_diag_msg(e, "'%s' entry \"%.40s\" in %s is not an address, CIDR block or range", key, s,
		     g->where);
	cfg_diag_fix(e, "write an address (10.1.1.5), a CIDR block with the host bits zero "
			"(10.1.1.0/24) or a range low-high (10.1.1.10-10.1.1.20)");
}

int grp_members(struct pctx *p, const struct grp *g, const char *key, struct ikg_range *v,
		size_t max, size_t *n, int *line)
{
	const config_setting_t *m = member(g, key);
	*n = 0;
	if (!m)
		return 0;
	if (line)
		*line = cfg_line(m);
	int t = config_setting_type(m);
	const config_setting_t *items[IKG_MAX_MEMBERS + 1];
	size_t count = 0;
	if (t == CONFIG_TYPE_STRING) {
		items[count++] = m;
	} else if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
		int len = config_setting_length(m);
		if (len == 0) {
			struct cfg_diag *e = pctx_error(p, cfg_line(m));
			cfg_diag_msg(e, "'%s' in %s is empty", key, g->where);
			cfg_diag_fix(e, "give at least one range, e.g. %s", example_of(g, key));
			return -1;
		}
		if ((size_t)len > max) {
			struct cfg_diag *e = pctx_error(p, cfg_line(m));
			cfg_diag_msg(e, "'%s' in %s has %d entries; at most %zu are supported", key,
				     g->where, len, max);
			cfg_diag_fix(e, "merge adjacent ranges or split the profile in two");
			return -1;
		}
		for (int i = 0; i < len; i++)
			items[count++] = config_setting_get_elem((config_setting_t *)m, (unsigned)i);
	} else {
		type_error(p, g, m, key, W_STRING);
		return -1;
	}
	int bad = 0;
	for (size_t i = 0; i < count; i++) {
		const config_setting_t *it = items[i];
		int l = cfg_line(it) ? cfg_line(it) : cfg_line(m);
		if (config_setting_type(it) != CONFIG_TYPE_STRING) {
			struct cfg_diag *e = pctx_error(p, l);
			cfg_diag_msg(e, "'%s' entries must be strings, e.g. %s", key,
				     example_of(g, key));
			cfg_diag_fix(e, "in %s, put each range in double quotes", g->where);
			bad = 1;
			continue;
		}
		const char *s = config_setting_get_string(it);
		if (ikg_range_parse(s, &v[*n]) != 0) {
			range_error(p, l, g, key, s);
			bad = 1;
			continue;
		}
		(*n)++;
	}
	return bad ? -1 : 1;
}

bool check_name(struct pctx *p, const config_setting_t *s, const char *section)
{
	const char *name = config_setting_name(s);
	size_t len = name ? strlen(name) : 0;
	bool ok = len > 0 && len < IKG_NAME_MAX;
	for (size_t i = 0; ok && i < len; i++) {
		char ch = name[i];
		ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		     ch == '-' || ch == '_';
	}
	if (ok)
		return true;
	struct cfg_diag *e = pctx_error(p, cfg_line(s));
	cfg_diag_msg(e, "name '%.64s' in %s is not valid: 1-%d characters of letters, digits, "
			"'-' and '_'", name ? name : "", section, IKG_NAME_MAX - 1);
	cfg_diag_fix(e, "rename it, e.g. office or branch-2");
	return false;
}

void load_named_groups(struct pctx *p, const config_setting_t *root,
		       const struct named_groups *ng, void **array, size_t *count)
{
	const struct key_spec top_keys[] = {{ng->section, ng->example}};
	struct grp top;
	grp_init(&top, root, top_keys, 1, "the top level");
	const config_setting_t *sec;
	if (grp_child(p, &top, ng->section, false, &sec) <= 0)
		return;
	int n = config_setting_length(sec);
	if (n <= 0)
		return;
	uint8_t *v = calloc((size_t)n, ng->elem_size);
	if (!v) {
		struct cfg_diag *e = pctx_error(p, cfg_line(sec));
		cfg_diag_msg(e, "out of memory reading %s", ng->section);
		cfg_diag_fix(e, "retry with more memory available");
		return;
	}
	*array = v;
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem((config_setting_t *)sec, (unsigned)i);
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			struct cfg_diag *e = pctx_error(p, cfg_line(s));
			cfg_diag_msg(e, "'%s' in %s must be a group, e.g. %s = { %s };",
				     config_setting_name(s), ng->section, config_setting_name(s),
				     ng->member_example);
			cfg_diag_fix(e, "enclose the %s's settings in braces { ... }", ng->what);
			continue;
		}
		check_name(p, s, ng->section);
		ng->load_one(p, s, v + (*count)++ * ng->elem_size);
	}
}
