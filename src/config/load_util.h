/* Internal to src/config: typed access to libconfig settings with diagnostics. Every getter
 * reports its own problem (line, message, fix) and the caller only decides what to store. */
#ifndef IKG_CONFIG_LOAD_UTIL_H
#define IKG_CONFIG_LOAD_UTIL_H

#include <libconfig.h>

#include "config/config.h"

struct pctx {
	struct cfg_diags *d;
	size_t errors;            /* errors reported during this parse */
	struct ikg_config *c;
};

/* A key a group accepts, with the example shown when its type is wrong. */
struct key_spec {
	const char *name;
	const char *example;      /* e.g. "dh-group = 14;" */
};

/* One group being read: the setting, its path for messages and the keys it accepts. */
struct grp {
	const config_setting_t *s;
	char where[96];           /* "ike-profiles.office" */
	const struct key_spec *keys;
	size_t n_keys;
};

int cfg_line(const config_setting_t *s);
void grp_init(struct grp *g, const config_setting_t *s, const struct key_spec *keys, size_t n,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An error at line: message and fix formatted by the caller. */
struct cfg_diag *pctx_error(struct pctx *p, int line);

/* Reports every key of g that is not in its key list (with a "did you mean"). */
void grp_check_keys(struct pctx *p, const struct grp *g);
/* Each getter returns 1 when the key is present with the right type (value stored), 0 when it
 * is absent, -1 after reporting a problem. *line (may be NULL) receives the key's line. */
int grp_string(struct pctx *p, const struct grp *g, const char *key, const char **out, int *line);
int grp_string_into(struct pctx *p, const struct grp *g, const char *key, char *dst, size_t cap,
		    int *line);
int grp_int(struct pctx *p, const struct grp *g, const char *key, long long *out, int *line);
/* An integer in [lo, hi]; below/above reported with the hint (e.g. "lifetime = 28800;"). */
int grp_uint(struct pctx *p, const struct grp *g, const char *key, long long lo, long long hi,
	     uint32_t *out, int *line);
int grp_bool(struct pctx *p, const struct grp *g, const char *key, bool *out, int *line);
/* A string that must be one of choices; *out is its index. */
int grp_choice(struct pctx *p, const struct grp *g, const char *key, const char *const *choices,
	       size_t n, int *out, int *line);
/* A sub-group (or list when want_list) of g; reported when the type is wrong. */
int grp_child(struct pctx *p, const struct grp *g, const char *key, bool want_list,
	      const config_setting_t **out);
/* Member ranges: a string or an array/list of strings. */
int grp_members(struct pctx *p, const struct grp *g, const char *key, struct ikg_range *v,
		size_t max, size_t *n, int *line);
/* Profile names: 1-31 characters [A-Za-z0-9_-]. false after reporting. */
bool check_name(struct pctx *p, const config_setting_t *s, const char *section);

/* A top-level section of named groups, e.g. `ike-profiles = { office = { ... }; };`: allocates
 * one element per member (elem_size bytes each, into *array, counted in *count), checks that
 * each is a group with a valid name, and calls load_one on it. `example` shows the section,
 * `member_example` one member's body, `what` names a member in the fix ("profile"). */
struct named_groups {
	const char *section, *example, *member_example, *what;
	size_t elem_size;
	void (*load_one)(struct pctx *p, const config_setting_t *s, void *elem);
};
void load_named_groups(struct pctx *p, const config_setting_t *root,
		       const struct named_groups *ng, void **array, size_t *count);
/* Copies a string that is known to fit. */
void copy_str(char *dst, size_t cap, const char *src);

/* Checks of the raw text before libconfig sees it (prescan.c); true when a problem was
 * reported and the text must not be parsed. */
bool cfg_prescan(struct pctx *p, const char *text);

/* The sections (load_*.c). */
void load_gateway(struct pctx *p, const config_setting_t *root);
void load_ike_profiles(struct pctx *p, const config_setting_t *root);
void load_ipsec_profiles(struct pctx *p, const config_setting_t *root);
void load_filter_sets(struct pctx *p, const config_setting_t *root);
void load_nat(struct pctx *p, const config_setting_t *root);

#endif
