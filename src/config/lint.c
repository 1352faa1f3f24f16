/* Configuration lint: each rule looks at the loaded model and explains what will go wrong. */
#include "config/lint.h"

#include <string.h>

#include "common/addr.h"
#include "config/diags.h"

struct lint {
	const struct ikg_config *c;
	struct cfg_diags *out;
	int n;
};

static struct cfg_diag *warn(struct lint *l, int line)
{
	l->n++;
	return cfg_diag_new(l->out, CFG_WARNING, line);
}

static void lint_wan(struct lint *l)
{
	ikg_ip4 a = l->c->gateway.wan_address;
	if (!ikg_ip4_is_private(a))
		return;
	const char *block = (a >> 24) == 10		     ? "10.0.0.0/8"
			    : (a >> 20) == (172u << 4 | 1)   ? "172.16.0.0/12"
			    : (a >> 16) == (192u << 8 | 168) ? "192.168.0.0/16"
							     : "100.64.0.0/10";
	char ip[IKG_IP4_STRLEN];
	struct cfg_diag *e = warn(l, l->c->gateway.line);
	cfg_diag_msg(e, "wan-address %s is a non-routable address (%s): VPN service with a "
			"non-routable WAN address is not supported", ikg_ip4_str(a, ip), block);
	cfg_diag_fix(e, "get a routable WAN address from the ISP; behind a NAT the tunnel only "
			"works with NAT traversal (UDP 4500) and the peer must initiate");
}

static void lint_weak_ike(struct lint *l, const struct cfg_ike_profile *ike)
{
	if (ike->encryption == IKG_CIPHER_DES || ike->encryption == IKG_CIPHER_3DES) {
		struct cfg_diag *e = warn(l, ike->line);
		cfg_diag_msg(e, "ike-profiles.%s uses encryption %s, which is weak", ike->name,
			     ikg_cipher_name(ike->encryption));
		cfg_diag_fix(e, "use encryption = \"aes128\"; or \"aes256\"; (the same on both "
				"gateways)");
	}
	if (ike->hash == IKG_HASH_MD5) {
		struct cfg_diag *e = warn(l, ike->line);
		cfg_diag_msg(e, "ike-profiles.%s uses hash md5, which is weak", ike->name);
		cfg_diag_fix(e, "use hash = \"sha256\"; (the same on both gateways)");
	}
	if (ike->dh_group == 1 || ike->dh_group == 2) {
		struct cfg_diag *e = warn(l, ike->line);
		cfg_diag_msg(e, "ike-profiles.%s uses dh-group %d (%s), which is weak", ike->name,
			     ike->dh_group, ikg_dh_group_name(ike->dh_group));
		cfg_diag_fix(e, "use dh-group = 14; (modp2048) or 19; (ecp256) on both gateways");
	}
}

static void lint_weak_ipsec(struct lint *l, const struct cfg_ipsec_profile *ip)
{
	if (ip->encryption == IKG_ESP_DES || ip->encryption == IKG_ESP_3DES) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s uses encryption %s, which is weak", ip->name,
			     ikg_esp_enc_name(ip->encryption));
		cfg_diag_fix(e, "use encryption = \"aes128\"; or \"aes256\"; (or aes128gcm16) on "
				"both gateways");
	}
	if (ip->encryption == IKG_ESP_NULL) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s uses encryption null: the traffic is not "
				"encrypted", ip->name);
		cfg_diag_fix(e, "use encryption = \"aes128\"; unless clear text is intended");
	}
	if (ip->integrity == IKG_INTEG_MD5) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s uses integrity md5, which is weak", ip->name);
		cfg_diag_fix(e, "use integrity = \"sha256\"; on both gateways");
	}
	if (ip->pfs_group == 1 || ip->pfs_group == 2) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s uses pfs-group %d (%s), which is weak", ip->name,
			     ip->pfs_group, ikg_dh_group_name(ip->pfs_group));
		cfg_diag_fix(e, "use pfs-group = 14; (modp2048) or 19; (ecp256) on both gateways");
	}
	if (ip->pfs_group == 0) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s has PFS off (pfs-group 0); the Netopia default "
				"is on, and a peer with PFS on fails phase 2 with 'ph2 resend "
				"timeout'", ip->name);
		cfg_diag_fix(e, "set pfs-group = 14; unless the peer has PFS off too (the default of "
				"Cisco IOS and 3000 concentrators)");
	}
}

static void lint_ipsec(struct lint *l, const struct cfg_ipsec_profile *ip)
{
	const struct cfg_ike_profile *ike = ikg_config_ike(l->c, ip->ike_profile);
	if (!ip->ike_profile[0]) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s has no ike-profile: traffic will log 'no ph1 "
				"preferences assigned'", ip->name);
		if (l->c->n_ike)
			cfg_diag_fix(e, "assign one: ike-profile = \"%s\";", l->c->ike[0].name);
		else
			cfg_diag_fix(e, "define an IKE profile under ike-profiles and assign it with "
					"ike-profile = \"NAME\";");
	}
	if (!ip->remote_is_hostname && ip->remote_ip == 0 && ike) {
		if (ike->negotiation == IKG_NEG_INITIATE_ONLY) {
			struct cfg_diag *e = warn(l, ip->line);
			cfg_diag_msg(e, "ipsec-profiles.%s has remote-endpoint 0.0.0.0 with "
					"negotiation initiate-only (ike-profiles.%s): it can neither "
					"initiate (no peer address) nor respond", ip->name, ike->name);
			cfg_diag_fix(e, "give the peer's address as remote-endpoint, or set "
					"negotiation = \"respond-only\"; and let the peer initiate");
		} else if (ike->negotiation == IKG_NEG_BOTH) {
			struct cfg_diag *e = warn(l, ip->line);
			cfg_diag_msg(e, "ipsec-profiles.%s has remote-endpoint 0.0.0.0: it only "
					"responds, and local traffic to its remote members before "
					"the peer connects logs 'DNS Lookup Failure'", ip->name);
			cfg_diag_fix(e, "let the peer initiate and say so with negotiation = "
					"\"respond-only\"; in ike-profiles.%s, or give the peer's "
					"address as remote-endpoint", ike->name);
		}
	}
	if (ip->protocol == IKG_PROTO_AH) {
		struct cfg_diag *e = warn(l, ip->line);
		cfg_diag_msg(e, "ipsec-profiles.%s uses protocol ah, which does not work through "
				"NAT", ip->name);
		cfg_diag_fix(e, "use protocol = \"esp\"; (with integrity) unless no NAT is ever on "
				"the path");
	}
	lint_weak_ipsec(l, ip);
}

/* The first pair (i, j) of overlapping ranges of a and b; false if none. */
static bool ranges_overlap(const struct ikg_range *a, size_t na, const struct ikg_range *b,
			   size_t nb, size_t *i_out, size_t *j_out)
{
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (ikg_range_overlaps(&a[i], &b[j])) {
				*i_out = i;
				*j_out = j;
				return true;
			}
	return false;
}

static void lint_self_overlap(struct lint *l, const struct cfg_ipsec_profile *ip)
{
	size_t i, j;
	if (!ranges_overlap(ip->local_members, ip->n_local, ip->remote_members, ip->n_remote, &i,
			    &j))
		return;
	char a[48], b[48];
	struct cfg_diag *e = warn(l, ip->line);
	cfg_diag_msg(e, "ipsec-profiles.%s: local member %s overlaps remote member %s",
		     ip->name, ikg_range_str(&ip->local_members[i], a, sizeof(a)),
		     ikg_range_str(&ip->remote_members[j], b, sizeof(b)));
	cfg_diag_fix(e, "the networks behind the two gateways must be different: correct "
			"local-members or remote-members");
}

/* Two profiles whose local AND remote members overlap: the same traffic matches both, and only
 * the first profile ever carries it. */
static void lint_cross_overlap(struct lint *l, const struct cfg_ipsec_profile *p,
			       const struct cfg_ipsec_profile *q)
{
	size_t li, lj, ri, rj;
	if (!ranges_overlap(p->local_members, p->n_local, q->local_members, q->n_local, &li, &lj) ||
	    !ranges_overlap(p->remote_members, p->n_remote, q->remote_members, q->n_remote, &ri,
			    &rj))
		return;
	char a[48], b[48];
	struct cfg_diag *e = warn(l, q->line);
	cfg_diag_msg(e, "remote members of ipsec-profiles.%s (%s) overlap those of "
			"ipsec-profiles.%s (%s) for the same local members: that traffic only "
			"uses %s", q->name, ikg_range_str(&q->remote_members[rj], b, sizeof(b)),
		     p->name, ikg_range_str(&p->remote_members[ri], a, sizeof(a)), p->name);
	cfg_diag_fix(e, "make the member ranges of the two profiles disjoint");
}

/* What IKE and IPsec need through a WAN filter set: the probes checked against its rules. */
enum probe { PROBE_IKE, PROBE_NATT, PROBE_ESP, PROBE_AH, PROBE__COUNT };
static const struct {
	uint8_t proto;
	uint16_t port;
	const char *what;
} probes[PROBE__COUNT] = {
	{17, 500, "UDP 500 (IKE)"},
	{17, 4500, "UDP 4500 (NAT traversal)"},
	{IKG_PROTO_ESP, 0, "protocol 50 (ESP)"},
	{IKG_PROTO_AH, 0, "protocol 51 (AH)"},
};

/* Does r match the probe? An address we do not know (any peer, host name) only matches a rule
 * that accepts every address on that side. */
static bool rule_matches(const struct cfg_filter_rule *r, enum probe pr, ikg_ip4 src, ikg_ip4 dst)
{
	if (r->protocol != 0 && r->protocol != probes[pr].proto)
		return false;
	if (r->protocol == 17) {
		uint16_t port = probes[pr].port;
		if (port < r->src_port_lo || port > r->src_port_hi || port < r->dst_port_lo ||
		    port > r->dst_port_hi)
			return false;
	}
	bool any_src = r->src.lo == 0 && r->src.hi == 0xFFFFFFFFu;
	bool any_dst = r->dst.lo == 0 && r->dst.hi == 0xFFFFFFFFu;
	if (!any_src && (!src || !ikg_range_contains(&r->src, src)))
		return false;
	if (!any_dst && (!dst || !ikg_range_contains(&r->dst, dst)))
		return false;
	return true;
}

static void lint_filter_probe(struct lint *l, const struct cfg_filter_set *fs,
			      const struct cfg_ipsec_profile *ip, enum probe pr, uint8_t *warned)
{
	ikg_ip4 wan = l->c->gateway.wan_address;
	ikg_ip4 peer = ip->remote_is_hostname ? 0 : ip->remote_ip;
	bool in = fs->apply == CFG_APPLY_WAN_IN;
	for (size_t i = 0; i < fs->n_rules; i++) {
		const struct cfg_filter_rule *r = &fs->rules[i];
		if (!rule_matches(r, pr, in ? peer : wan, in ? wan : peer))
			continue;
		if (r->action != CFG_DENY || (warned[i] & (1u << pr)))
			return;
		warned[i] |= (uint8_t)(1u << pr);
		struct cfg_diag *e = warn(l, r->line);
		cfg_diag_msg(e, "filter-sets.%s rule #%zu denies %s %s the peer of "
				"ipsec-profiles.%s: %s", fs->name, i + 1, probes[pr].what,
			     in ? "from" : "to", ip->name,
			     pr == PROBE_IKE ? "phase 1 will log 'phase1 resend timeout'"
					     : "the tunnel cannot carry traffic");
		cfg_diag_fix(e, "permit UDP 500, UDP 4500 and protocols 50 and 51 for the peer "
				"before this rule");
		return;
	}
}

/* A WAN filter set that blocks IKE or IPsec: the technote's phase1 resend timeout. */
static void lint_filters(struct lint *l)
{
	for (size_t f = 0; f < l->c->n_filters; f++) {
		const struct cfg_filter_set *fs = &l->c->filters[f];
		uint8_t warned[IKG_MAX_RULES] = {0};
		for (size_t i = 0; i < l->c->n_ipsec; i++) {
			const struct cfg_ipsec_profile *ip = &l->c->ipsec[i];
			if (!ip->enabled)
				continue;
			const struct cfg_ike_profile *ike = ikg_config_ike(l->c, ip->ike_profile);
			lint_filter_probe(l, fs, ip, PROBE_IKE, warned);
			if (ip->protocol == IKG_PROTO_ESP && ip->encapsulation != IKG_ENCAP_NONE &&
			    (!ike || ike->nat_traversal))
				lint_filter_probe(l, fs, ip, PROBE_NATT, warned);
			if (ip->encapsulation != IKG_ENCAP_UDP)
				lint_filter_probe(l, fs, ip,
						  ip->protocol == IKG_PROTO_AH ? PROBE_AH : PROBE_ESP,
						  warned);
		}
	}
}

int ikg_config_lint(const struct ikg_config *c, struct cfg_diags *out)
{
	struct lint l = {c, out, 0};
	if (!c)
		return 0;
	lint_wan(&l);
	for (size_t i = 0; i < c->n_ike; i++)
		lint_weak_ike(&l, &c->ike[i]);
	for (size_t i = 0; i < c->n_ipsec; i++) {
		lint_ipsec(&l, &c->ipsec[i]);
		lint_self_overlap(&l, &c->ipsec[i]);
	}
	for (size_t i = 0; i < c->n_ipsec; i++) {
		if (!c->ipsec[i].enabled)
			continue;
		for (size_t j = i + 1; j < c->n_ipsec; j++)
			if (c->ipsec[j].enabled)
				lint_cross_overlap(&l, &c->ipsec[i], &c->ipsec[j]);
	}
	lint_filters(&l);
	return l.n;
}

int ikg_lint_secret_mode(const char *path, unsigned mode, int line, struct cfg_diags *out)
{
	if ((mode & 077) == 0)
		return 0;
	struct cfg_diag *e = cfg_diag_new(out, CFG_WARNING, line);
	const char *who = (mode & 007) ? "others" : "its group";
	const char *how = (mode & 044) ? "readable" : "writable";
	cfg_diag_msg(e, "secret file %.180s is %s by %s (mode %04o)", path ? path : "", how, who,
		     mode & 07777);
	cfg_diag_fix(e, "chmod 600 %.200s (the pre-shared key must stay private)",
		     path ? path : "FILE");
	return 1;
}
