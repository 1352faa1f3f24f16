/* The rule engine: runs the rules over the facts, ranks the findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "diag/rules_internal.h"

/* Per-profile rules, in the order ties are shown: configuration gaps, then the technote's
 * messages in its table's order, then the data path. */
static const diag_rule_fn profile_rules[] = {
	rule_no_ph1_prefs,
	rule_dns_lookup,
	rule_responder_only,
	rule_no_matching_proposal,
	rule_ph1_auth_failure,
	rule_ph1_resend_timeout,
	rule_ph2_hash_failed,
	rule_ph2_resend_timeout,
	rule_ph2_id_mismatch,
	rule_dead_peer,
	rule_peer_notify,
	rule_blockers,
	rule_ah_through_nat,
	rule_rx_discards,
	rule_tx_without_rx,
	rule_profile_disabled,
};

static const diag_rule_fn gateway_rules[] = {
	rule_no_matching_ph1_profile,
	rule_wan_not_routable,
};

void diag_findings_init(struct diag_findings *l)
{
	memset(l, 0, sizeof(*l));
}

void diag_findings_free(struct diag_findings *l)
{
	free(l->v);
	diag_findings_init(l);
}

struct diag_finding *diag_add(struct diag_findings *l, int score, const char *id,
			      const struct diag_profile_facts *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct diag_finding *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->failed = true;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	struct diag_finding *d = &l->v[l->n++];
	memset(d, 0, sizeof(*d));
	d->rank_score = score;
	d->id = id;
	d->profile = p ? p->name : NULL;
	return d;
}

void dg_set(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void dg_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const char *ip_str(ikg_ip4 a, char *buf)
{
	return ikg_ip4_str(a, buf);
}

const char *peer_text(const struct diag_profile_facts *p, char *buf)
{
	if (p->peer)
		return ikg_ip4_str(p->peer, buf);
	if (p->remote_ip)
		return ikg_ip4_str(p->remote_ip, buf);
	dg_set(buf, IKG_IP4_STRLEN, "%s", p->remote_endpoint[0] ? p->remote_endpoint : "?");
	return buf;
}

/* A failure is current unless the phase came up after it. */
static bool failure_current(const struct diag_profile_facts *p, enum ikg_msg code,
			    enum diag_phase phase, enum ikg_msg complete)
{
	const struct diag_event_facts *e = &p->ev[code], *ok = &p->ev[complete];
	if (!e->count || phase == DIAG_UP)
		return false;
	return !(ok->count && ok->last_when > e->last_when);
}

bool ph1_failure_current(const struct diag_profile_facts *p, enum ikg_msg code)
{
	return failure_current(p, code, p->ph1, MSG_PH1_COMPLETE);
}

bool ph2_failure_current(const struct diag_profile_facts *p, enum ikg_msg code)
{
	return failure_current(p, code, p->ph2, MSG_PH2_COMPLETE);
}

const struct diag_blocker *first_blocker(const struct diag_facts *f,
					 const struct diag_profile_facts *p, unsigned mask,
					 bool host)
{
	if (!host) {
		for (size_t i = 0; i < p->n_blockers; i++)
			if (p->blockers[i].blocks & mask)
				return &p->blockers[i];
		return NULL;
	}
	for (size_t i = 0; i < f->n_host_blockers; i++)
		if (f->host_blockers[i].blocks & mask)
			return &f->host_blockers[i];
	return NULL;
}

/* Highest score first; equal scores keep the order the rules produced them in. */
static void rank(struct diag_findings *l)
{
	for (size_t i = 1; i < l->n; i++) {
		struct diag_finding x = l->v[i];
		size_t j = i;
		while (j > 0 && l->v[j - 1].rank_score < x.rank_score) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = x;
	}
}

static bool has_problem(const struct diag_findings *l, size_t from, const char *profile)
{
	for (size_t i = from; i < l->n; i++)
		if (l->v[i].rank_score > SCORE_WARNING && l->v[i].profile &&
		    strcmp(l->v[i].profile, profile) == 0)
			return true;
	return false;
}

static void run_profile(const struct diag_facts *f, const struct diag_profile_facts *p,
			struct diag_findings *l)
{
	size_t from = l->n;
	for (size_t r = 0; r < IKG_ARRAY_LEN(profile_rules); r++)
		profile_rules[r](f, p, l);
	if (!has_problem(l, from, p->name))
		rule_status(f, p, l);
}

static void unknown_profile(const struct diag_facts *f, const char *name, struct diag_findings *l)
{
	struct diag_finding *d = diag_add(l, SCORE_STRONG, "unknown-profile", NULL);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "no IPsec profile named \"%s\"", name);
	dg_set(d->evidence, sizeof d->evidence, "configured profiles:");
	for (size_t i = 0; i < f->n_prof; i++)
		dg_cat(d->evidence, sizeof d->evidence, "%s %s", i ? "," : "", f->prof[i].name);
	if (!f->n_prof)
		dg_cat(d->evidence, sizeof d->evidence, " none");
	dg_set(d->fix, sizeof d->fix,
	       "run `ikegate diagnose` without a name, or with one of the configured profiles; a "
	       "profile that is not in the configuration (ipsec-profiles) is not installed");
}

int diag_run(const struct diag_facts *f, const char *profile, struct diag_findings *l)
{
	if (profile && !diag_facts_profile(f, profile)) {
		unknown_profile(f, profile, l);
	} else {
		for (size_t i = 0; i < f->n_prof; i++)
			if (!profile || strcmp(f->prof[i].name, profile) == 0)
				run_profile(f, &f->prof[i], l);
	}
	for (size_t r = 0; r < IKG_ARRAY_LEN(gateway_rules); r++)
		gateway_rules[r](f, NULL, l);
	if (l->n == 0)
		rule_status(f, NULL, l);
	rank(l);
	return l->failed ? -1 : 0;
}
