/* diag_facts_from_gw: the snapshot of a running gateway (read-only walk of struct gw). */
#include "diag/facts.h"

#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "gw/gw_internal.h"
#include "nat/filter.h"
#include "nat/table.h"

#define IKE_SA_LIST_MAX 64
#define PROTO_UDP 17

static enum diag_phase phase_of(enum gw_phase_state s)
{
	switch (s) {
	case GW_UP: return DIAG_UP;
	case GW_NEGOTIATING: return DIAG_NEGOTIATING;
	default: return DIAG_DOWN;
	}
}

/* The profile's peer address as far as it is known. */
static ikg_ip4 peer_of(const struct diag_profile_facts *p)
{
	return p->peer ? p->peer : p->remote_ip;
}

static bool is_ike_port(uint16_t port)
{
	return port == 500 || port == 4500;
}

static void nat_facts(const struct nat_table *t, struct diag_profile_facts *p)
{
	ikg_ip4 peer = peer_of(p);
	if (!t || !peer)
		return;
	for (const struct nat_entry *e = nat_table_first(t); e; e = nat_table_next(t, e)) {
		if (e->rem_ip != peer)
			continue;
		bool in = e->dir == NAT_DIR_IN;
		if (e->proto == PROTO_UDP && (is_ike_port(e->lan_port) || is_ike_port(e->rem_port))) {
			if (in)
				p->nat_ike_in = true;
			else
				p->nat_ike_out = true;
		} else if (e->proto == IKG_PROTO_ESP || e->proto == IKG_PROTO_AH) {
			if (in)
				p->nat_esp_in = true;
			else
				p->nat_esp_out = true;
		}
	}
}

static void rule_text(const struct cfg_filter_rule *r, char *buf, size_t len)
{
	char proto[16], src[40] = "", dst[40] = "", sp[24] = "", dp[24] = "";
	switch (r->protocol) {
	case 0: snprintf(proto, sizeof proto, "any"); break;
	case 1: snprintf(proto, sizeof proto, "icmp"); break;
	case 6: snprintf(proto, sizeof proto, "tcp"); break;
	case 17: snprintf(proto, sizeof proto, "udp"); break;
	case 50: snprintf(proto, sizeof proto, "esp"); break;
	case 51: snprintf(proto, sizeof proto, "ah"); break;
	default: snprintf(proto, sizeof proto, "%u", r->protocol); break;
	}
	char rb[40];
	if (!(r->src.lo == 0 && r->src.hi == UINT32_MAX))
		snprintf(src, sizeof src, " src %s", ikg_range_str(&r->src, rb, sizeof rb));
	if (!(r->dst.lo == 0 && r->dst.hi == UINT32_MAX))
		snprintf(dst, sizeof dst, " dst %s", ikg_range_str(&r->dst, rb, sizeof rb));
	if (!(r->src_port_lo == 0 && r->src_port_hi == 65535))
		snprintf(sp, sizeof sp, r->src_port_lo == r->src_port_hi ? " src-port %u" : " src-port %u-%u",
			 r->src_port_lo, r->src_port_hi);
	if (!(r->dst_port_lo == 0 && r->dst_port_hi == 65535))
		snprintf(dp, sizeof dp, r->dst_port_lo == r->dst_port_hi ? " dst-port %u" : " dst-port %u-%u",
			 r->dst_port_lo, r->dst_port_hi);
	snprintf(buf, len, "%s protocol %s%s%s%s%s", filter_action_name(r->action), proto, src, sp,
		 dst, dp);
}

struct probe {
	unsigned kind;   /* DIAG_BLOCKS_* */
	uint8_t proto;
	uint16_t port;
};

static const struct probe probes[] = {
	{DIAG_BLOCKS_IKE, PROTO_UDP, 500},
	{DIAG_BLOCKS_NATT, PROTO_UDP, 4500},
	{DIAG_BLOCKS_ESP, IKG_PROTO_ESP, 0},
	{DIAG_BLOCKS_AH, IKG_PROTO_AH, 0},
};

/* Which filter-set rules decide "deny" for the profile's IKE/ESP/AH packets, both ways. */
static void filter_facts(const struct gw *g, struct diag_profile_facts *p)
{
	ikg_ip4 peer = peer_of(p), wan = g->cfg.gateway.wan_address;
	for (size_t k = 0; k < g->cfg.n_filters; k++) {
		const struct cfg_filter_set *set = &g->cfg.filters[k];
		bool out = set->apply == CFG_APPLY_WAN_OUT;
		for (size_t j = 0; j < IKG_ARRAY_LEN(probes); j++) {
			const struct probe *pr = &probes[j];
			int idx;
			enum cfg_action a = out ? filter_check(set, NULL, pr->proto, wan, pr->port, peer,
							       pr->port, &idx)
						: filter_check(set, NULL, pr->proto, peer, pr->port, wan,
							       pr->port, &idx);
			if (a != CFG_DENY || idx < 0)
				continue;
			struct diag_blocker b;
			memset(&b, 0, sizeof b);
			b.source = DIAG_SRC_FILTER_SET;
			b.outbound = out;
			b.blocks = pr->kind;
			b.hits_known = g->filters != NULL;
			b.hits = g->filters ? g->filters[k].hits[idx] : 0;
			const struct cfg_filter_rule *r = &set->rules[idx];
			if (r->line > 0)
				snprintf(b.where, sizeof b.where, "filter set %s (%s) rule %d, line %d",
					 set->name, filter_apply_name(set->apply), idx + 1, r->line);
			else
				snprintf(b.where, sizeof b.where, "filter set %s (%s) rule %d", set->name,
					 filter_apply_name(set->apply), idx + 1);
			rule_text(r, b.rule, sizeof b.rule);
			diag_profile_add_blocker(p, &b);
		}
	}
}

/* An event belongs to a profile by name, or (without a profile) by its peer address. */
static struct diag_profile_facts *event_owner(struct diag_facts *f, const struct ikg_event *ev)
{
	if (ev->profile[0]) {
		for (size_t i = 0; i < f->n_prof; i++)
			if (strcmp(f->prof[i].name, ev->profile) == 0)
				return &f->prof[i];
		return NULL;
	}
	if (!ev->peer || ev->code == MSG_NO_MATCHING_PH1_PROFILE)
		return NULL;
	for (size_t i = 0; i < f->n_prof; i++)
		if (peer_of(&f->prof[i]) == ev->peer)
			return &f->prof[i];
	return NULL;
}

static void history_facts(const struct history *h, struct diag_facts *f)
{
	size_t n = h ? history_count(h) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct ikg_event *ev = history_get(h, i);
		if (!ev || ev->code <= MSG_NONE || ev->code >= MSG__MAX)
			continue;
		struct diag_profile_facts *p = event_owner(f, ev);
		diag_event_note(p ? &p->ev[ev->code] : &f->gw_ev[ev->code], ev);
	}
}

static void ike_facts(const struct gw *g, struct diag_facts *f)
{
	struct ike_sa_info sas[IKE_SA_LIST_MAX];
	size_t n = g->ike ? ike_sa_list(g->ike, sas, IKE_SA_LIST_MAX) : 0;
	if (n > IKE_SA_LIST_MAX)
		n = IKE_SA_LIST_MAX;
	for (size_t i = 0; i < n; i++) {
		if (sas[i].profile >= f->n_prof || !sas[i].peer_vendor[0])
			continue;
		struct diag_profile_facts *p = &f->prof[sas[i].profile];
		if (!p->peer_vendor[0] || sas[i].established)
			snprintf(p->peer_vendor, sizeof p->peer_vendor, "%s", sas[i].peer_vendor);
	}
	struct ike_child_info ch[IKE_SA_LIST_MAX];
	n = g->ike ? ike_child_list(g->ike, ch, IKE_SA_LIST_MAX) : 0;
	if (n > IKE_SA_LIST_MAX)
		n = IKE_SA_LIST_MAX;
	for (size_t i = 0; i < n; i++)
		if (ch[i].profile < f->n_prof)
			f->prof[ch[i].profile].negotiated_pfs_group = ch[i].pfs_group;
}

static void endpoints_text(const struct ikg_config *cfg, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < cfg->n_ipsec && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s=%s", i ? ", " : "", cfg->ipsec[i].name,
				 cfg->ipsec[i].remote_endpoint);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (cfg->n_ipsec == 0)
		snprintf(buf, len, "none");
}

int diag_facts_from_gw(const struct gw *g, ikg_ms now, struct diag_facts *out)
{
	diag_facts_init(out);
	out->now = now;
	const struct ikg_config *cfg = &g->cfg;
	out->wan_address = cfg->gateway.wan_address;
	out->wan_filtered = g->stats.wan_filtered;
	for (size_t i = 0; i < cfg->n_ike && out->n_ike_names < DIAG_MAX_IKE_NAMES; i++)
		snprintf(out->ike_names[out->n_ike_names++], IKG_NAME_MAX, "%s", cfg->ike[i].name);
	endpoints_text(cfg, out->endpoints, sizeof out->endpoints);
	for (size_t i = 0; i < cfg->n_ipsec; i++) {
		struct diag_profile_facts *p = diag_facts_add_profile(out, cfg->ipsec[i].name);
		if (!p) {
			diag_facts_free(out);
			return -1;
		}
		diag_profile_from_config(p, cfg, &cfg->ipsec[i]);
		if (!g->prof)
			continue;
		const struct gw_profile *gp = &g->prof[i];
		p->ph1 = phase_of(gp->ph1);
		p->ph2 = phase_of(gp->ph2);
		p->enabled = gp->enabled;
		p->peer = gp->peer;
		p->nat_t = gp->nat_t;
		p->counters = gp->c;
	}
	for (size_t i = 0; i < out->n_prof; i++) {
		nat_facts(g->nat, &out->prof[i]);
		filter_facts(g, &out->prof[i]);
	}
	history_facts(g->hist, out);
	ike_facts(g, out);
	return 0;
}
