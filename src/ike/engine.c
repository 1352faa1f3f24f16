/* The engine object and its public API (ike.h): creation, configuration changes, operator
 * commands (initiate, teardown) and the views (`show ike sa`, `show ipsec sa`). */
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ike/exchange.h"

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

static bool same_secret(const struct ikg_secret *a, const struct ikg_secret *b)
{
	return a->len == b->len && (a->len == 0 || ike_equal(a->p, b->p, a->len));
}

static bool same_ike(const struct cfg_ike_profile *a, const struct cfg_ike_profile *b)
{
	return a->mode == b->mode && a->encryption == b->encryption && a->hash == b->hash &&
	       a->dh_group == b->dh_group && a->lifetime == b->lifetime &&
	       same_secret(&a->secret, &b->secret) && a->negotiation == b->negotiation &&
	       strcmp(a->local_id, b->local_id) == 0 && strcmp(a->remote_id, b->remote_id) == 0 &&
	       a->dpd_interval == b->dpd_interval && a->nat_traversal == b->nat_traversal;
}

static bool same_ipsec(const struct cfg_ipsec_profile *a, const struct cfg_ipsec_profile *b)
{
	return strcmp(a->remote_endpoint, b->remote_endpoint) == 0 && a->remote_ip == b->remote_ip &&
	       a->n_local == b->n_local && a->n_remote == b->n_remote &&
	       memcmp(a->local_members, b->local_members, a->n_local * sizeof a->local_members[0]) == 0 &&
	       memcmp(a->remote_members, b->remote_members,
		      a->n_remote * sizeof a->remote_members[0]) == 0 &&
	       strcmp(a->ike_profile, b->ike_profile) == 0 && a->protocol == b->protocol &&
	       a->encryption == b->encryption && a->integrity == b->integrity &&
	       a->pfs_group == b->pfs_group && a->lifetime == b->lifetime && a->enabled == b->enabled &&
	       a->encapsulation == b->encapsulation;
}

static const struct cfg_ike_profile *ike_of(const struct ikg_config *c, size_t ipsec)
{
	for (size_t i = 0; i < c->n_ike; i++)
		if (strcmp(c->ike[i].name, c->ipsec[ipsec].ike_profile) == 0)
			return &c->ike[i];
	return NULL;
}

/* New index of old profile `i`, or SIZE_MAX when it is gone or changed. */
static size_t remap(const struct ikg_config *old, const struct ikg_config *cfg, size_t i)
{
	if (i >= old->n_ipsec)
		return SIZE_MAX;
	for (size_t j = 0; j < cfg->n_ipsec; j++) {
		if (strcmp(old->ipsec[i].name, cfg->ipsec[j].name) != 0)
			continue;
		const struct cfg_ike_profile *a = ike_of(old, i), *b = ike_of(cfg, j);
		if (!same_ipsec(&old->ipsec[i], &cfg->ipsec[j]) || !a || !b || !same_ike(a, b))
			return SIZE_MAX;
		return j;
	}
	return SIZE_MAX;
}

static size_t ike_index(const struct ikg_config *c, size_t ipsec)
{
	const struct cfg_ike_profile *ip = ike_of(c, ipsec);

	return ip ? (size_t)(ip - c->ike) : SIZE_MAX;
}

void ike_set_config(struct ike_engine *e, const struct ikg_config *cfg, ikg_ms now)
{
	const struct ikg_config *old = e->cfg;
	struct ike_prof *prof = calloc(cfg->n_ipsec ? cfg->n_ipsec : 1, sizeof *prof);

	if (!prof)
		return;                            /* keep running on the old configuration */
	for (size_t i = 0; i < old->n_ipsec && i < e->n_prof; i++) {
		size_t j = remap(old, cfg, i);
		if (j != SIZE_MAX)
			prof[j] = e->prof[i];
	}
	/* Tear down what no longer exists or changed, while the old configuration is current. */
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && remap(old, cfg, c->profile) == SIZE_MAX) {
			info_send_delete_child(e, sa_established_with(e, c->peer, SIZE_MAX), now,
					       c->protocol, c->spi_in);
			if (e->ops.child_down)
				e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
			child_remove(e, c);
		}
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		if (!sa->dead && remap(old, cfg, sa->profile) == SIZE_MAX) {
			info_send_delete_isakmp(e, sa, now);
			p1_ph1_state(e, sa, IKE_PH_DOWN);
			sa_kill(e, sa, now);
		}
	/* Switch, and renumber what survives. */
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		size_t j = remap(old, cfg, sa->profile);
		sa->profile = j;
		sa->ike_profile = j == SIZE_MAX ? SIZE_MAX : ike_index(cfg, j);
		for (struct ike_qm *q = sa->qms; q; q = q->next) {
			q->profile = remap(old, cfg, q->profile);
			if (q->profile == SIZE_MAX && q->state != QM_DONE) {
				q->state = QM_DEAD;
				q->deadline = now;
			}
		}
	}
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		c->profile = c->dead ? c->profile : remap(old, cfg, c->profile);
	free(e->prof);
	e->prof = prof;
	e->n_prof = cfg->n_ipsec;
	e->cfg = cfg;
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
				q->deadline = now;
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
