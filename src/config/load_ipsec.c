/* ipsec-profiles { NAME { ... } }: the tunnels (remote endpoint, member ranges, phase 2). */
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "config/diags.h"
#include "config/load_util.h"

static const struct key_spec ipsec_keys[] = {
	{"remote-endpoint", "remote-endpoint = \"192.0.2.2\";"},
	{"local-members", "local-members = [ \"10.1.1.0/24\" ];"},
	{"remote-members", "remote-members = [ \"10.2.2.0/24\" ];"},
	{"ike-profile", "ike-profile = \"office\";"},
	{"protocol", "protocol = \"esp\";"},
	{"encryption", "encryption = \"aes128\";"},
	{"integrity", "integrity = \"sha256\";"},
	{"pfs-group", "pfs-group = 14;"},
	{"lifetime", "lifetime = 3600;"},
	{"enabled", "enabled = true;"},
	{"encapsulation", "encapsulation = \"auto\";"},
	{"replay-window", "replay-window = 128;"},
};

static const char *const protocols[] = {"esp", "ah"};
static const char *const esp_encs[] = {"des",         "3des",        "aes128", "aes192", "aes256",
				       "aes128gcm16", "aes256gcm16", "null"};
static const char *const integs[] = {"md5", "sha1", "sha256", "sha512"};
static const char *const encaps[] = {"auto", "udp", "none"};

#define REPLAY_WINDOW_MAX 1024

static void ipsec_defaults(struct cfg_ipsec_profile *ip)
{
	ip->protocol = IKG_PROTO_ESP;
	ip->encryption = IKG_ESP_AES128;
	ip->integrity = IKG_INTEG_SHA1;
	ip->pfs_group = 2;
	ip->lifetime = 3600;
	ip->enabled = true;
	ip->encapsulation = IKG_ENCAP_AUTO;
	ip->replay_window = 128;
}

static bool all_digits_and_dots(const char *s)
{
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return false;
	return true;
}

/* RFC 1123 host names: labels of 1-63 letters, digits and '-', not starting or ending in '-'. */
static bool valid_hostname(const char *s)
{
	size_t total = strlen(s), label = 0;
	if (total == 0 || total > 253)
		return false;
	char prev = '.';
	for (const char *q = s; *q; q++) {
		char ch = *q;
		if (ch == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '-') {
			if (label == 0 && ch == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		prev = ch;
	}
	return prev != '-' && prev != '.';
}

static void load_endpoint(struct pctx *p, const struct grp *g, struct cfg_ipsec_profile *ip)
{
	int line = 0;
	int r = grp_string_into(p, g, "remote-endpoint", ip->remote_endpoint,
				sizeof(ip->remote_endpoint), &line);
	if (r == 0) {
		struct cfg_diag *e = pctx_error(p, ip->line);
		cfg_diag_msg(e, "%s has no remote-endpoint", g->where);
		cfg_diag_fix(e, "add remote-endpoint = \"192.0.2.2\"; (the peer's address or host "
				"name, or \"0.0.0.0\" to accept any peer as responder only)");
		return;
	}
	if (r < 0)
		return;
	const char *s = ip->remote_endpoint;
	ikg_ip4 a;
	if (ikg_ip4_parse(s, &a) == 0) {
		if (a >= 0xE0000000u) {
			struct cfg_diag *e = pctx_error(p, line);
			cfg_diag_msg(e, "remote-endpoint \"%s\" in %s is a multicast or broadcast "
					"address", s, g->where);
			cfg_diag_fix(e, "write the peer gateway's own WAN address");
			return;
		}
		ip->remote_ip = a;
		return;
	}
	if (!all_digits_and_dots(s) && valid_hostname(s)) {
		ip->remote_is_hostname = true;
		return;
	}
	struct cfg_diag *e = pctx_error(p, line);
	cfg_diag_msg(e, "remote-endpoint \"%.64s\" in %s is neither an IPv4 address nor a host "
			"name", s, g->where);
	cfg_diag_fix(e, "write the peer's address (\"192.0.2.2\"), its DNS name "
			"(\"vpn.example.com\") or \"0.0.0.0\" to accept any peer (responder only)");
}

static void load_members(struct pctx *p, const struct grp *g, const char *key,
			 struct ikg_range *v, size_t *n, const char *what)
{
	if (grp_members(p, g, key, v, IKG_MAX_MEMBERS, n, NULL) != 0)
		return;
	struct cfg_diag *e = pctx_error(p, cfg_line(g->s));
	cfg_diag_msg(e, "%s has no %s", g->where, key);
	cfg_diag_fix(e, "add %s = [ \"%s\" ]; (%s)", key,
		     strcmp(key, "local-members") == 0 ? "10.1.1.0/24" : "10.2.2.0/24", what);
}

static void load_pfs(struct pctx *p, const struct grp *g, struct cfg_ipsec_profile *ip)
{
	long long v;
	int line = 0;
	if (grp_int(p, g, "pfs-group", &v, &line) <= 0)
		return;
	if (v != 0 && (v < 1 || v > 1000 || !ikg_dh_group_supported((int)v))) {
		struct cfg_diag *e = pctx_error(p, line);
		cfg_diag_msg(e, "pfs-group %lld in %s is not supported", v, g->where);
		cfg_diag_fix(e, "use 0 (PFS off) or one of 1 2 5 14 15 16 19 20, e.g. pfs-group = 14;");
		return;
	}
	ip->pfs_group = (int)v;
}

/* protocol, encryption, integrity and encapsulation, checked against each other. */
static void load_transform(struct pctx *p, const struct grp *g, struct cfg_ipsec_profile *ip)
{
	int idx, enc_line = 0, encap_line = 0;
	bool ah = false, enc_set = false;
	if (grp_choice(p, g, "protocol", protocols, IKG_ARRAY_LEN(protocols), &idx, NULL) > 0 &&
	    idx == 1) {
		ah = true;
		ip->protocol = IKG_PROTO_AH;
		ip->encryption = IKG_ESP_NONE;
	}
	int r = grp_choice(p, g, "encryption", esp_encs, IKG_ARRAY_LEN(esp_encs), &idx, &enc_line);
	if (r != 0)
		enc_set = true;
	if (r > 0 && !ah)
		ip->encryption = ikg_esp_enc_from_name(esp_encs[idx]);
	if (ah && enc_set) {
		struct cfg_diag *e = pctx_error(p, enc_line);
		cfg_diag_msg(e, "protocol \"ah\" cannot encrypt, but %s sets encryption", g->where);
		cfg_diag_fix(e, "remove encryption (AH only authenticates) or use protocol = \"esp\";");
	}
	if (grp_choice(p, g, "integrity", integs, IKG_ARRAY_LEN(integs), &idx, NULL) > 0)
		ip->integrity = ikg_integ_from_name(integs[idx]);
	if (ip->encryption == IKG_ESP_AES128GCM16 || ip->encryption == IKG_ESP_AES256GCM16)
		ip->integrity = IKG_INTEG_NONE; /* GCM authenticates by itself */
	if (grp_choice(p, g, "encapsulation", encaps, IKG_ARRAY_LEN(encaps), &idx, &encap_line) > 0)
		ip->encapsulation = (enum ikg_encap)idx;
	if (ah && ip->encapsulation == IKG_ENCAP_UDP) {
		struct cfg_diag *e = pctx_error(p, encap_line);
		cfg_diag_msg(e, "protocol \"ah\" cannot be UDP-encapsulated (%s)", g->where);
		cfg_diag_fix(e, "use protocol = \"esp\"; to cross a NAT, or encapsulation = \"none\";");
	}
}

/* The ike-profile must name a profile of ike-profiles (loaded before this section). */
static void load_ike_ref(struct pctx *p, const struct grp *g, struct cfg_ipsec_profile *ip)
{
	int line = 0;
	if (grp_string_into(p, g, "ike-profile", ip->ike_profile, sizeof(ip->ike_profile), &line) <= 0)
		return;
	const struct ikg_config *c = p->c;
	if (!ip->ike_profile[0] || ikg_config_ike(c, ip->ike_profile))
		return;
	const char *names[64];
	size_t n = c->n_ike < 64 ? c->n_ike : 64;
	for (size_t i = 0; i < n; i++)
		names[i] = c->ike[i].name;
	struct cfg_diag *e = pctx_error(p, line);
	const char *near = cfg_suggest(ip->ike_profile, names, n);
	if (near)
		cfg_diag_msg(e, "%s names ike-profile '%s', which does not exist; did you mean "
				"'%s'?", g->where, ip->ike_profile, near);
	else
		cfg_diag_msg(e, "%s names ike-profile '%s', which does not exist", g->where,
			     ip->ike_profile);
	char valid[200];
	if (n)
		cfg_diag_fix(e, "use one of the IKE profiles (%s) or define ike-profiles.%s",
			     cfg_join(names, n, valid, sizeof(valid)), ip->ike_profile);
	else
		cfg_diag_fix(e, "define ike-profiles = { %s = { secret = \"...\"; }; };",
			     ip->ike_profile);
}

static void load_ipsec(struct pctx *p, const config_setting_t *s, struct cfg_ipsec_profile *ip)
{
	ipsec_defaults(ip);
	copy_str(ip->name, sizeof(ip->name), config_setting_name(s));
	ip->line = cfg_line(s);
	struct grp g;
	grp_init(&g, s, ipsec_keys, IKG_ARRAY_LEN(ipsec_keys), "ipsec-profiles.%s", ip->name);
	grp_check_keys(p, &g);
	load_endpoint(p, &g, ip);
	load_members(p, &g, "local-members", ip->local_members, &ip->n_local,
		     "the networks behind this gateway");
	load_members(p, &g, "remote-members", ip->remote_members, &ip->n_remote,
		     "the networks behind the peer");
	load_ike_ref(p, &g, ip);
	load_transform(p, &g, ip);
	load_pfs(p, &g, ip);
	grp_uint(p, &g, "lifetime", 1, 0x7FFFFFFF, &ip->lifetime, NULL);
	grp_bool(p, &g, "enabled", &ip->enabled, NULL);
	grp_uint(p, &g, "replay-window", 0, REPLAY_WINDOW_MAX, &ip->replay_window, NULL);
}

static void load_ipsec_one(struct pctx *p, const config_setting_t *s, void *elem)
{
	load_ipsec(p, s, elem);
}

void load_ipsec_profiles(struct pctx *p, const config_setting_t *root)
{
	static const struct named_groups ng = {
		.section = "ipsec-profiles",
		.example = "ipsec-profiles = { branch = { remote-endpoint = \"192.0.2.2\"; }; };",
		.member_example = "remote-endpoint = \"192.0.2.2\";",
		.what = "profile",
		.elem_size = sizeof(struct cfg_ipsec_profile),
		.load_one = load_ipsec_one,
	};
	load_named_groups(p, root, &ng, (void **)&p->c->ipsec, &p->c->n_ipsec);
}
