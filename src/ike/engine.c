/* The engine object and its public API (ike.h): creation, configuration changes, operator
 * commands (initiate, teardown) and the views (`show ike sa`, `show ipsec sa`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ike/exchange.h"

static void snapshot(struct ike_prof *p, const struct ikg_config *cfg, size_t i);

static const struct ike_timers default_timers = {
	.retransmit_ms = 5000,
	.retransmit_tries = 4,
	.half_open_max = 512,
};

struct ike_engine *ike_new(const struct ikg_config *cfg, const struct ike_ops *ops,
			   const struct ike_timers *timers)
{
	if (!cfg || !ops || !ops->send || !ops->random)
		return NULL;
	struct ike_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cfg = cfg;
	e->ops = *ops;
	e->t = timers ? *timers : default_timers;
	if (!e->t.retransmit_ms)
		e->t.retransmit_ms = default_timers.retransmit_ms;
	if (e->t.retransmit_tries > 16)
		e->t.retransmit_tries = 16;
	if (!e->t.half_open_max)
		e->t.half_open_max = default_timers.half_open_max;
	e->n_prof = cfg->n_ipsec;
	e->prof = calloc(e->n_prof ? e->n_prof : 1, sizeof *e->prof);
	if (!e->prof) {
		free(e);
		return NULL;
	}
	for (size_t i = 0; i < e->n_prof; i++)
		snapshot(&e->prof[i], cfg, i);
	vendor_init(e);
	return e;
}

void ike_free(struct ike_engine *e)
{
	if (!e)
		return;
	sa_free_all(e);
	free(e->prof);
	ikg_wipe(e, sizeof *e);
	free(e);
}

const uint64_t *ike_counters(const struct ike_engine *e)
{
	return e->counters;
}

/* ---- configuration changes ---- */

static void snapshot(struct ike_prof *p, const struct ikg_config *cfg, size_t i)
{
	snprintf(p->name, sizeof p->name, "%s", cfg->ipsec[i].name);
	prof_fingerprint(cfg, i, p->fp);
}

/* New index of the engine's profile i: same name and unchanged settings, else SIZE_MAX. */
static size_t remap(const struct ike_engine *e, const struct ikg_config *cfg,
		    const struct ike_prof *fresh, size_t i)
{
	if (i >= e->n_prof)
		return SIZE_MAX;
	for (size_t j = 0; j < cfg->n_ipsec; j++)
		if (strcmp(e->prof[i].name, cfg->ipsec[j].name) == 0)
			return memcmp(e->prof[i].fp, fresh[j].fp, sizeof fresh[j].fp) == 0 ? j
											   : SIZE_MAX;
	return SIZE_MAX;
}

/* Works from the engine's own snapshot of the previous profiles: the caller may already have
 * overwritten the old configuration in place (same pointer, new contents). */
void ike_set_config(struct ike_engine *e, const struct ikg_config *cfg, ikg_ms now)
{
	struct ike_prof *fresh = calloc(cfg->n_ipsec ? cfg->n_ipsec : 1, sizeof *fresh);
	size_t *map = calloc(e->n_prof ? e->n_prof : 1, sizeof *map);

	if (!fresh || !map) {
		free(fresh);
		free(map);
		return;                            /* keep running on the old snapshot */
	}
	for (size_t j = 0; j < cfg->n_ipsec; j++)
		snapshot(&fresh[j], cfg, j);
	for (size_t i = 0; i < e->n_prof; i++) {
		map[i] = remap(e, cfg, fresh, i);
		if (map[i] != SIZE_MAX) {
			fresh[map[i]].want = e->prof[i].want;
			fresh[map[i]].peer = e->prof[i].peer;
			fresh[map[i]].hold_until = e->prof[i].hold_until;
		}
	}
#define MAP(i) ((i) < e->n_prof ? map[i] : SIZE_MAX)
	/* Tear down what went away or changed (SA and child records only: the configuration is
	 * not consulted with the old indices). */
	for (struct ike_child_sa *c = e->children; c; c = c->next) {
		if (c->dead || MAP(c->profile) != SIZE_MAX)
			continue;
		info_send_delete_child(e, sa_established_with(e, c->peer, SIZE_MAX), now, c->protocol,
				       c->spi_in);
		if (e->ops.child_down)
			e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
		child_remove(e, c);
	}
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->dead || sa->profile == SIZE_MAX || MAP(sa->profile) != SIZE_MAX)
			continue;
		info_send_delete_isakmp(e, sa, now);
		sa_kill(e, sa, now);
	}
	/* Switch, and renumber what survives. */
	free(e->prof);
	e->cfg = cfg;
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		for (struct ike_qm *q = sa->qms; q; q = q->next) {
			q->profile = MAP(q->profile);
			if (q->profile == SIZE_MAX && q->state != QM_DONE) {
				q->state = QM_DEAD;
				qm_set_deadline(e, q, now);
			}
		}
		sa->profile = MAP(sa->profile);
	}
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		c->profile = MAP(c->profile);
#undef MAP
	e->prof = fresh;
	e->n_prof = cfg->n_ipsec;
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		sa->ike_profile = prof_ike_index(e, sa->profile);
	free(map);
	sa_gc(e, now);
}

/* ---- commands ---- */

enum ikg_err ike_initiate(struct ike_engine *e, ikg_ms now, size_t profile, ikg_ip4 peer)
{
	if (!e || profile >= e->cfg->n_ipsec)
		return IKG_E_STATE;
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[profile];
	const struct cfg_ike_profile *ip = prof_ike(e, profile);
	if (!ip)
		return IKG_E_NO_PH1_PREFS;
	if (!p->enabled || ip->negotiation == IKG_NEG_RESPOND_ONLY)
		return IKG_E_STATE;
	if (!peer)
		peer = prof_remote(e, profile);
	if (!peer)
		return IKG_E_DNS;                  /* 0.0.0.0 (responder only) or unresolved name */
	if (profile < e->n_prof) {
		e->prof[profile].want = true;
		e->prof[profile].peer = peer;
	}
	size_t ike_idx = prof_ike_index(e, profile);
	struct ike_sa *sa = sa_established_with(e, peer, ike_idx);
	if (sa) {
		if (profile < e->n_prof && now < e->prof[profile].hold_until)
			return IKG_OK;             /* just failed: not again for every packet */
		qm_start_profile(e, sa, profile, now);
		return IKG_OK;
	}
	if (sa_negotiating_with(e, peer, ike_idx))
		return IKG_OK;                     /* quick mode follows phase 1 */
	if (!p1_initiate(e, now, profile, peer, NULL))
		return IKG_E_NOMEM;
	return IKG_OK;
}

void ike_teardown(struct ike_engine *e, ikg_ms now, size_t profile)
{
	if (!e || profile >= e->cfg->n_ipsec)
		return;
	if (profile < e->n_prof)
		e->prof[profile].want = false;
	for (struct ike_child_sa *c = e->children; c; c = c->next) {
		if (c->dead || c->profile != profile)
			continue;
		info_send_delete_child(e, sa_established_with(e, c->peer, SIZE_MAX), now, c->protocol,
				       c->spi_in);
		if (e->ops.child_down)
			e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
		child_remove(e, c);
	}
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		for (struct ike_qm *q = sa->qms; q; q = q->next)
			if (q->profile == profile && q->state != QM_DONE) {
				q->state = QM_DEAD;
				qm_set_deadline(e, q, now);
			}
		if (sa->dead || sa->profile != profile)
			continue;
		info_send_delete_isakmp(e, sa, now);
		p1_ph1_state(e, sa, IKE_PH_DOWN);
		sa_kill(e, sa, now);
	}
	sa_gc(e, now);
}

/* ---- views ---- */

size_t ike_sa_list(const struct ike_engine *e, struct ike_sa_info *out, size_t max)
{
	size_t n = 0;

	if (!e)
		return 0;
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->dead)
			continue;
		if (n < max && out) {
			struct ike_sa_info *i = &out[n];
			memset(i, 0, sizeof *i);
			i->profile = sa->profile;
			i->peer = sa->peer;
			i->peer_port = sa->peer_port;
			i->initiator = sa->initiator;
			i->established = sa->state == P1_ESTABLISHED;
			i->nat_t = sa->floated;
			i->aggressive = sa->aggressive;
			memcpy(i->icookie, sa->icookie, 8);
			memcpy(i->rcookie, sa->rcookie, 8);
			i->cipher = sa->cipher;
			i->hash = sa->hash;
			i->dh_group = sa->group;
			i->created = sa->created;
			i->expires = sa->expires;
			memcpy(i->peer_vendor, sa->vendor, sizeof i->peer_vendor);
		}
		n++;
	}
	return n < max ? n : max;
}

size_t ike_child_list(const struct ike_engine *e, struct ike_child_info *out, size_t max)
{
	size_t n = 0;

	if (!e)
		return 0;
	for (const struct ike_child_sa *c = e->children; c; c = c->next) {
		if (c->dead)
			continue;
		if (n < max && out) {
			struct ike_child_info *i = &out[n];
			memset(i, 0, sizeof *i);
			i->profile = c->profile;
			i->peer = c->peer;
			i->protocol = c->protocol;
			i->enc = c->enc;
			i->integ = c->integ;
			i->pfs_group = c->pfs_group;
			i->spi_in = c->spi_in;
			i->spi_out = c->spi_out;
			i->created = c->created;
			i->expires = c->expires;
			i->local_ts = c->local_ts;
			i->remote_ts = c->remote_ts;
			i->udp_encap = c->udp_encap;
		}
		n++;
	}
	return n < max ? n : max;
}
