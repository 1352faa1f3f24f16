/* The gateway: lifecycle, configuration, timers and status. The packet paths are in
 * wan_input.c and lan_input.c, the IKE glue in ike_glue.c. */
#include "gw/gw_internal.h"
#include "gw/glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int profiles_alloc(struct gw_profile **out, size_t n)
{
	*out = calloc(n ? n : 1, sizeof(**out));
	return *out ? 0 : -1;
}

static void profiles_free(struct gw_profile *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		ipsec_sa_free(p[i].out);
	free(p);
}

/* The pool of trigger queues: one per profile up to GW_QUEUE_POOL_MAX, at least
 * GW_QUEUE_POOL_MIN (profiles added by a reload share it). */
static int queue_pool_new(struct gw *g, size_t n_profiles)
{
	size_t n = n_profiles < GW_QUEUE_POOL_MIN ? GW_QUEUE_POOL_MIN
		 : n_profiles > GW_QUEUE_POOL_MAX ? GW_QUEUE_POOL_MAX : n_profiles;
	g->qpool = calloc(n, sizeof(*g->qpool));
	if (!g->qpool)
		return -1;
	for (size_t i = 0; i < n; i++)
		g->qpool[i].next_free = i + 1 < n ? &g->qpool[i + 1] : NULL;
	g->qfree = g->qpool;
	return 0;
}

static void profiles_init_from(struct gw *g)
{
	for (size_t i = 0; i < g->cfg.n_ipsec; i++) {
		g->prof[i].enabled = g->cfg.ipsec[i].enabled;
		g->prof[i].peer = g->cfg.ipsec[i].remote_ip;
		ipsec_spd_set_enabled(&g->spd, i, g->prof[i].enabled);
	}
}

static void free_all_inbound(struct gw *g)
{
	if (!g->sad)
		return;
	size_t it = 0;
	struct ipsec_sa *sa;
	while ((sa = ipsec_sad_next(g->sad, &it)) != NULL) {
		ipsec_sad_remove(g->sad, ipsec_sa_spi(sa), ipsec_sa_protocol(sa));
		ipsec_sa_free(sa);
		it = 0;
	}
}

void gw_free(struct gw *g)
{
	if (!g)
		return;
	ike_free(g->ike);
	free_all_inbound(g);
	ipsec_sad_free(g->sad);
	ipsec_spd_free(&g->spd);
	profiles_free(g->prof, g->cfg.n_ipsec);
	nat_table_free(g->nat);
	free(g->filters);
	history_free(g->hist);
	ikg_config_free(&g->cfg);
	ikg_wipe(&g->scratch, sizeof(g->scratch));
	free(g->qpool);
	free(g);
}

struct gw *gw_new(const struct ikg_config *cfg, const struct gw_io *io, ikg_ms now)
{
	struct gw *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->io = *io;
	g->now = now;
	if (ikg_config_copy(&g->cfg, cfg) || profiles_alloc(&g->prof, g->cfg.n_ipsec))
		goto fail;
	g->filters = calloc(g->cfg.n_filters ? g->cfg.n_filters : 1, sizeof(*g->filters));
	g->hist = history_new(io->history_capacity ? io->history_capacity : GW_HISTORY_MAX);
	g->nat = nat_table_new(&g->cfg.nat, io->nat_capacity ? io->nat_capacity : GW_NAT_MAX);
	g->sad = ipsec_sad_new(64);
	if (!g->filters || !g->hist || !g->nat || !g->sad || queue_pool_new(g, g->cfg.n_ipsec))
		goto fail;
	if (ipsec_spd_build(&g->spd, g->cfg.ipsec, g->cfg.n_ipsec))
		goto fail;
	profiles_init_from(g);
	g->ike = gw_ike_new(g);
	if (!g->ike)
		goto fail;
	return g;
fail:
	gw_free(g);
	return NULL;
}

/* Profiles whose negotiated settings are unchanged keep their tunnel across a reload. */
static bool profile_same(const struct cfg_ipsec_profile *a, const struct cfg_ipsec_profile *b,
			 const struct ikg_config *ca, const struct ikg_config *cb)
{
	struct cfg_ipsec_profile x = *a, y = *b;
	x.line = y.line = 0;
	x.enabled = y.enabled = true;
	if (memcmp(&x, &y, sizeof(x)) != 0)
		return false;
	const struct cfg_ike_profile *ia = ikg_config_ike(ca, a->ike_profile);
	const struct cfg_ike_profile *ib = ikg_config_ike(cb, b->ike_profile);
	if (!ia || !ib)
		return ia == ib;
	return ia->mode == ib->mode && ia->encryption == ib->encryption && ia->hash == ib->hash &&
	       ia->dh_group == ib->dh_group && ia->lifetime == ib->lifetime &&
	       ia->secret.len == ib->secret.len &&
	       (ia->secret.len == 0 || memcmp(ia->secret.p, ib->secret.p, ia->secret.len) == 0) &&
	       strcmp(ia->local_id, ib->local_id) == 0 && strcmp(ia->remote_id, ib->remote_id) == 0;
}

static ssize_t find_profile(const struct ikg_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_ipsec; i++)
		if (strcmp(c->ipsec[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

int gw_reconfigure(struct gw *g, const struct ikg_config *cfg, ikg_ms now)
{
	g->now = now;
	struct ikg_config nc;
	struct gw_profile *np = NULL;
	struct ipsec_spd nspd = {0};
	struct filter_state *nf = calloc(cfg->n_filters ? cfg->n_filters : 1, sizeof(*nf));
	if (!nf || ikg_config_copy(&nc, cfg)) {
		free(nf);
		return -1;
	}
	if (profiles_alloc(&np, nc.n_ipsec) || ipsec_spd_build(&nspd, nc.ipsec, nc.n_ipsec)) {
		profiles_free(np, nc.n_ipsec);
		ikg_config_free(&nc);
		free(nf);
		return -1;
	}
	/* Tear down what changed or went away, while the old indices are still valid. */
	for (size_t i = 0; i < g->cfg.n_ipsec; i++) {
		ssize_t j = find_profile(&nc, g->cfg.ipsec[i].name);
		if (j < 0 || !profile_same(&g->cfg.ipsec[i], &nc.ipsec[j], &g->cfg, &nc))
			gw_profile_down(g, i);
	}
	/* Carry the runtime state of the kept profiles over to their new index. */
	for (size_t j = 0; j < nc.n_ipsec; j++) {
		ssize_t i = find_profile(&g->cfg, nc.ipsec[j].name);
		if (i >= 0 && profile_same(&g->cfg.ipsec[i], &nc.ipsec[j], &g->cfg, &nc)) {
			np[j] = g->prof[i];   /* its queue (pool) and packets move with it */
			g->prof[i].out = NULL;
			g->prof[i].queue = NULL;
		}
		np[j].enabled = nc.ipsec[j].enabled;
		if (!np[j].peer)
			np[j].peer = nc.ipsec[j].remote_ip;
		ipsec_spd_set_enabled(&nspd, j, np[j].enabled);
	}
	/* Inbound SAs carry the profile index: retag them. */
	size_t it = 0;
	struct ipsec_sa *sa;
	while ((sa = ipsec_sad_next(g->sad, &it)) != NULL) {
		size_t i = ipsec_sa_profile(sa);
		ssize_t j = i < g->cfg.n_ipsec ? find_profile(&nc, g->cfg.ipsec[i].name) : -1;
		ipsec_sa_set_profile(sa, j < 0 ? (size_t)-1 : (size_t)j);
	}
	for (size_t j = 0; j < nc.n_ipsec; j++)
		if (np[j].out)
			ipsec_sa_set_profile(np[j].out, j);
	struct ikg_config old = g->cfg;
	struct gw_profile *oldp = g->prof;
	g->cfg = nc;
	g->prof = np;
	ipsec_spd_free(&g->spd);
	g->spd = nspd;
	free(g->filters);
	g->filters = nf;
	nat_table_set_lifetimes(g->nat, &g->cfg.nat);
	ike_set_config(g->ike, &g->cfg, now);
	profiles_free(oldp, old.n_ipsec);
	ikg_config_free(&old);
	return 0;
}

void gw_timer(struct gw *g, ikg_ms now)
{
	g->now = now;
	ike_timer(g->ike, now);
	nat_table_expire(g->nat, now);
}

static ikg_ms min_ms(ikg_ms a, ikg_ms b) { return a < b ? a : b; }

ikg_ms gw_next_timer(const struct gw *g)
{
	return min_ms(ike_next_timer(g->ike), nat_table_next_expiry(g->nat));
}

static ssize_t profile_index(const struct gw *g, const char *name)
{
	return find_profile(&g->cfg, name);
}

int gw_initiate(struct gw *g, ikg_ms now, const char *profile, const char **why)
{
	g->now = now;
	ssize_t i = profile_index(g, profile);
	if (i < 0) {
		*why = "no such profile";
		return -1;
	}
	if (!g->prof[i].enabled) {
		*why = "profile is disabled";
		return -1;
	}
	return gw_trigger(g, (size_t)i, true, why);
}

int gw_profile_enable(struct gw *g, ikg_ms now, const char *profile, bool on, const char **why)
{
	g->now = now;
	ssize_t i = profile_index(g, profile);
	if (i < 0) {
		*why = "no such profile";
		return -1;
	}
	struct gw_profile *p = &g->prof[i];
	if (!on && p->enabled) {
		gw_profile_down(g, (size_t)i);
		struct ikg_event ev;
		ikg_event_make(&ev, now, MSG_TUNNEL_DOWN, profile, p->peer, "reason=profile disabled");
		gw_emit(g, &ev);
	}
	p->enabled = on;
	p->triggered = false;
	ipsec_spd_set_enabled(&g->spd, (size_t)i, on);
	return 0;
}

void gw_clear_log(struct gw *g) { history_clear(g->hist); }

void gw_log_interface(struct gw *g, ikg_ms now, const char *text)
{
	struct ikg_event ev;
	ikg_event_make(&ev, now, MSG_WAN_UP, "", 0, "%s", "");
	snprintf(ev.text, sizeof(ev.text), "%s", text);
	gw_emit(g, &ev);
}

void gw_history_restore(struct gw *g, const struct ikg_event *ev)
{
	history_add(g->hist, ev);
}

void gw_emit(struct gw *g, const struct ikg_event *ev)
{
	history_add(g->hist, ev);
	if (g->io.event)
		g->io.event(g->io.ctx, ev);
}

size_t gw_profile_count(const struct gw *g) { return g->cfg.n_ipsec; }

int gw_profile_status(const struct gw *g, size_t i, struct gw_profile_status *out)
{
	if (i >= g->cfg.n_ipsec)
		return -1;
	const struct gw_profile *p = &g->prof[i];
	out->name = g->cfg.ipsec[i].name;
	out->remote_endpoint = g->cfg.ipsec[i].remote_endpoint;
	out->peer = p->peer;
	out->ph1 = p->ph1;
	out->ph2 = p->ph2;
	out->enabled = p->enabled;
	out->nat_t = p->nat_t;
	out->counters = p->c;
	return 0;
}

const struct ikg_config *gw_config(const struct gw *g) { return &g->cfg; }
const struct history *gw_history(const struct gw *g) { return g->hist; }
const struct nat_table *gw_nat_table(const struct gw *g) { return g->nat; }
const struct ike_engine *gw_ike(const struct gw *g) { return g->ike; }
const struct gw_stats *gw_stats(const struct gw *g) { return &g->stats; }
