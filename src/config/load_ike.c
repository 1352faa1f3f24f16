/* ike-profiles { NAME { ... } }: phase-1 settings and the pre-shared key. */
#include <stdlib.h>
#include <string.h>

#include "config/diags.h"
#include "config/load_util.h"

static const struct key_spec ike_keys[] = {
	{"mode", "mode = \"main\";"},
	{"encryption", "encryption = \"aes128\";"},
	{"hash", "hash = \"sha256\";"},
	{"dh-group", "dh-group = 14;"},
	{"lifetime", "lifetime = 28800;"},
	{"secret", "secret = \"...\";"},
	{"secret-file", "secret-file = \"/etc/ikegate/office.psk\";"},
	{"negotiation", "negotiation = \"both\";"},
	{"local-id", "local-id = \"192.0.2.1\";"},
	{"remote-id", "remote-id = \"192.0.2.2\";"},
	{"dpd", "dpd = 30;"},
	{"nat-traversal", "nat-traversal = true;"},
};

static const char *const modes[] = {"main", "aggressive"};
static const char *const ciphers[] = {"des", "3des", "aes128", "aes192", "aes256"};
static const char *const hashes[] = {"md5", "sha1", "sha256", "sha384", "sha512"};
static const char *const negotiations[] = {"both", "initiate-only", "respond-only"};

static void ike_defaults(struct cfg_ike_profile *ike)
{
	ike->mode = IKG_MODE_MAIN;
	ike->encryption = IKG_CIPHER_3DES;
	ike->hash = IKG_HASH_SHA1;
	ike->dh_group = 2;
	ike->lifetime = 28800;
	ike->negotiation = IKG_NEG_BOTH;
	ike->dpd_interval = 30;
	ike->nat_traversal = true;
}

static void load_dh_group(struct pctx *p, const struct grp *g, struct cfg_ike_profile *ike)
{
	long long v;
	int line = 0;
	if (grp_int(p, g, "dh-group", &v, &line) <= 0)
		return;
	if (v < 1 || v > 1000 || !ikg_dh_group_supported((int)v)) {
		struct cfg_diag *e = pctx_error(p, line);
		cfg_diag_msg(e, "dh-group %lld in %s is not supported", v, g->where);
		cfg_diag_fix(e, "use one of 1 2 5 14 15 16 19 20 (14 or 19 recommended), e.g. "
				"dh-group = 14;");
		return;
	}
	ike->dh_group = (int)v;
}

/* Exactly one of secret and secret-file. The secret's value never appears in a message. */
static void load_secret(struct pctx *p, const struct grp *g, struct cfg_ike_profile *ike)
{
	const char *s = NULL;
	int sline = 0, fline = 0;
	int rs = grp_string(p, g, "secret", &s, &sline);
	int rf = grp_string_into(p, g, "secret-file", ike->secret_file, sizeof(ike->secret_file),
				 &fline);
	if (rs > 0 && rf > 0) {
		struct cfg_diag *e = pctx_error(p, sline > fline ? sline : fline);
		cfg_diag_msg(e, "%s sets both secret and secret-file", g->where);
		cfg_diag_fix(e, "keep one of them: the key inline (secret = \"...\";) or in a file "
				"(secret-file = \"/etc/ikegate/%s.psk\";)", ike->name);
		return;
	}
	if (rs == 0 && rf == 0) {
		struct cfg_diag *e = pctx_error(p, ike->line);
		cfg_diag_msg(e, "%s has no pre-shared key", g->where);
		cfg_diag_fix(e, "add secret = \"...\"; (case sensitive, the same on both gateways) "
				"or secret-file = \"/etc/ikegate/%s.psk\";", ike->name);
		return;
	}
	if (rs > 0 && s[0] == '\0') {
		struct cfg_diag *e = pctx_error(p, sline);
		cfg_diag_msg(e, "secret in %s is empty", g->where);
		cfg_diag_fix(e, "set the pre-shared key both gateways share: secret = \"...\";");
	} else if (rs > 0 && ikg_secret_set(&ike->secret, s, strlen(s)) != 0) {
		struct cfg_diag *e = pctx_error(p, sline);
		cfg_diag_msg(e, "out of memory storing the secret of %s", g->where);
		cfg_diag_fix(e, "retry with more memory available");
	}
	if (rf > 0 && ike->secret_file[0] == '\0') {
		struct cfg_diag *e = pctx_error(p, fline);
		cfg_diag_msg(e, "secret-file in %s is empty", g->where);
		cfg_diag_fix(e, "give the path of the key file, e.g. secret-file = "
				"\"/etc/ikegate/%s.psk\";", ike->name);
	}
}

static void load_ike(struct pctx *p, const config_setting_t *s, struct cfg_ike_profile *ike)
{
	ike_defaults(ike);
	copy_str(ike->name, sizeof(ike->name), config_setting_name(s));
	ike->line = cfg_line(s);
	struct grp g;
	grp_init(&g, s, ike_keys, IKG_ARRAY_LEN(ike_keys), "ike-profiles.%s", ike->name);
	grp_check_keys(p, &g);

	int idx;
	if (grp_choice(p, &g, "mode", modes, IKG_ARRAY_LEN(modes), &idx, NULL) > 0)
		ike->mode = (enum ikg_ike_mode)idx;
	if (grp_choice(p, &g, "encryption", ciphers, IKG_ARRAY_LEN(ciphers), &idx, NULL) > 0)
		ike->encryption = ikg_cipher_from_name(ciphers[idx]);
	if (grp_choice(p, &g, "hash", hashes, IKG_ARRAY_LEN(hashes), &idx, NULL) > 0)
		ike->hash = ikg_hash_from_name(hashes[idx]);
	load_dh_group(p, &g, ike);
	grp_uint(p, &g, "lifetime", 1, 0x7FFFFFFF, &ike->lifetime, NULL);
	load_secret(p, &g, ike);
	if (grp_choice(p, &g, "negotiation", negotiations, IKG_ARRAY_LEN(negotiations), &idx,
		       NULL) > 0)
		ike->negotiation = (enum ikg_negotiation)idx;
	grp_string_into(p, &g, "local-id", ike->local_id, sizeof(ike->local_id), NULL);
	grp_string_into(p, &g, "remote-id", ike->remote_id, sizeof(ike->remote_id), NULL);
	grp_uint(p, &g, "dpd", 0, 86400, &ike->dpd_interval, NULL);
	grp_bool(p, &g, "nat-traversal", &ike->nat_traversal, NULL);
}

static void load_ike_one(struct pctx *p, const config_setting_t *s, void *elem)
{
	load_ike(p, s, elem);
}

void load_ike_profiles(struct pctx *p, const config_setting_t *root)
{
	static const struct named_groups ng = {
		.section = "ike-profiles",
		.example = "ike-profiles = { office = { secret = \"...\"; }; };",
		.member_example = "secret = \"...\";",
		.what = "profile",
		.elem_size = sizeof(struct cfg_ike_profile),
		.load_one = load_ike_one,
	};
	load_named_groups(p, root, &ng, (void **)&p->c->ike, &p->c->n_ike);
}
