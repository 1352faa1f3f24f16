/* Phase-1 SA objects (hash by initiator cookie), quick-mode exchanges (by message id) and the
 * list of established child SA pairs. Freeing is deferred: SAs are marked dead and swept by
 * sa_gc() after the current input or timer run, so no handler sees a freed object. */
#include "ike/ike_sa.h"

#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ike/exchange.h"

void ike_random(struct ike_engine *e, void *buf, size_t len)
{
	e->ops.random(e->ops.ctx, buf, len);
}

static size_t bucket_of(const uint8_t *icookie)
{
	uint32_t h = 2166136261u;                     /* FNV-1a */

	for (size_t i = 0; i < 8; i++)
		h = (h ^ icookie[i]) * 16777619u;
	return h % IKE_SA_BUCKETS;
}

static bool zero8(const uint8_t *p)
{
	static const uint8_t z[8];

	return memcmp(p, z, 8) == 0;
}

static void random_cookie(struct ike_engine *e, uint8_t *c)
{
	do
		ike_random(e, c, 8);
	while (zero8(c));
}

struct ike_sa *sa_new(struct ike_engine *e, ikg_ms now, bool initiator, size_t profile,
		      size_t ike_profile, ikg_ip4 local, ikg_ip4 peer, uint16_t peer_port)
{
	struct ike_sa *sa = calloc(1, sizeof *sa);

	if (!sa)
		return NULL;
	sa->nego = calloc(1, sizeof *sa->nego);
	if (!sa->nego) {
		free(sa);
		return NULL;
	}
	sa->initiator = initiator;
	sa->profile = profile;
	sa->ike_profile = ike_profile;
	sa->local = local;
	sa->peer = peer;
	sa->local_port = 500;
	sa->peer_port = peer_port;
	sa->created = now;
	sa->expires = IKG_MS_NEVER;
	sa->rekey_at = IKG_MS_NEVER;
	sa->dpd_at = IKG_MS_NEVER;
	sa->keepalive_at = IKG_MS_NEVER;
	sa->rtx.at = IKG_MS_NEVER;
	/* A negotiation that never completes is dropped after the whole retransmission schedule
	 * (plus a margin), whichever side we are. */
	uint64_t span = (uint64_t)e->t.retransmit_ms * ((2ull << e->t.retransmit_tries) + 2);
	sa->deadline = now + (span > 30000 ? span : 30000);
	sa->next = e->sas;
	e->sas = sa;
	sa->half_open = true;
	e->half_open++;
	return sa;
}

/* Responder SAs are hashed once their initiator cookie is known. */
static void sa_hash_insert(struct ike_engine *e, struct ike_sa *sa)
{
	size_t b = bucket_of(sa->icookie);

	sa->hnext = e->buckets[b];
	e->buckets[b] = sa;
}

void sa_set_cookies(struct ike_engine *e, struct ike_sa *sa, const uint8_t *icookie)
{
	if (icookie)
		memcpy(sa->icookie, icookie, 8);
	else
		random_cookie(e, sa->icookie);
	if (!sa->initiator)
		random_cookie(e, sa->rcookie);
	sa_hash_insert(e, sa);
}

struct ike_sa *sa_lookup(struct ike_engine *e, const uint8_t *icookie, const uint8_t *rcookie)
{
	for (struct ike_sa *sa = e->buckets[bucket_of(icookie)]; sa; sa = sa->hnext) {
		if (memcmp(sa->icookie, icookie, 8) != 0)
			continue;
		if (memcmp(sa->rcookie, rcookie, 8) == 0)
			return sa;
		/* message 2 to an initiator that does not know the responder cookie yet */
		if (sa->initiator && zero8(sa->rcookie) && sa->state == MM_I_WAIT_M2)
			return sa;
		if (sa->initiator && zero8(sa->rcookie) && sa->state == AM_I_WAIT_M2)
			return sa;
		/* retransmitted message 1 to a responder */
		if (!sa->initiator && zero8(rcookie))
			return sa;
	}
	return NULL;
}

struct ike_sa *sa_established_with(struct ike_engine *e, ikg_ip4 peer, size_t ike_profile)
{
	struct ike_sa *best = NULL;

	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->dead || sa->state != P1_ESTABLISHED || sa->peer != peer)
			continue;
		if (ike_profile != SIZE_MAX && sa->ike_profile != ike_profile)
			continue;
		if (!best || sa->established_at > best->established_at)
			best = sa;
	}
	return best;
}

struct ike_sa *sa_negotiating_with(struct ike_engine *e, ikg_ip4 peer, size_t ike_profile)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->dead || sa->state == P1_ESTABLISHED || sa->state == P1_DEAD ||
		    sa->peer != peer)
			continue;
		if (ike_profile != SIZE_MAX && sa->ike_profile != ike_profile)
			continue;
		return sa;
	}
	return NULL;
}

void sa_kill(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	if (sa->dead)
		return;
	sa->dead = true;
	/* Keep absorbing the peer's retransmissions of the message that killed it. */
	if (sa->state != P1_ESTABLISHED && sa->state != P1_DEAD) {
		sa->state = P1_DEAD;
		uint64_t span = (uint64_t)e->t.retransmit_ms * ((2ull << e->t.retransmit_tries) + 2);
		sa->deadline = now + span;
	} else {
		sa->state = P1_DEAD;
		sa->deadline = now;
	}
	sa_gc_at(e, sa->deadline);
	rtx_stop(&sa->rtx);
	for (struct ike_qm *q = sa->qms; q; q = q->next) {
		q->state = QM_DEAD;
		rtx_stop(&q->rtx);
	}
	if (sa->nego && sa->nego->dh) {
		ikg_dh_free(sa->nego->dh);
		sa->nego->dh = NULL;
	}
}

void sa_nego_free(struct ike_sa *sa)
{
	struct p1_nego *n = sa->nego;

	if (!n)
		return;
	if (n->dh)
		ikg_dh_free(n->dh);
	if (n->sai_b) {
		ikg_wipe(n->sai_b, n->sai_b_len);
		free(n->sai_b);
	}
	ikg_wipe(n, sizeof *n);
	free(n);
	sa->nego = NULL;
}

void qm_free(struct ike_qm *q)
{
	if (q->dh)
		ikg_dh_free(q->dh);
	rtx_clear(&q->rtx);
	ikg_wipe(q, sizeof *q);
	free(q);
}

static void sa_free(struct ike_engine *e, struct ike_sa *sa)
{
	while (sa->qms) {
		struct ike_qm *q = sa->qms;
		sa->qms = q->next;
		qm_free(q);
	}
	sa_nego_free(sa);
	rtx_clear(&sa->rtx);
	sa_half_open_done(e, sa);
	ikg_wipe(sa, sizeof *sa);
	free(sa);
}

void sa_half_open_done(struct ike_engine *e, struct ike_sa *sa)
{
	if (sa->half_open && e->half_open)
		e->half_open--;
	sa->half_open = false;
}

static void unhash(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_sa **pp = &e->buckets[bucket_of(sa->icookie)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == sa) {
			*pp = sa->hnext;
			return;
		}
}

static void qm_gc(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	struct ike_qm **pp = &sa->qms;

	while (*pp) {
		struct ike_qm *q = *pp;
		if (q->deadline <= now) {
			*pp = q->next;
			qm_free(q);
		} else {
			sa_gc_at(e, q->deadline);
			pp = &q->next;
		}
	}
}

void sa_gc(struct ike_engine *e, ikg_ms now)
{
	struct ike_sa **pp = &e->sas;

	if (now < e->gc_at)
		return;                       /* nothing due: no walk over every SA per message */
	e->gc_at = IKG_MS_NEVER;
	while (*pp) {
		struct ike_sa *sa = *pp;
		if (sa->dead && sa->deadline <= now) {
			*pp = sa->next;
			unhash(e, sa);
			sa_free(e, sa);
			continue;
		}
		if (sa->dead)
			sa_gc_at(e, sa->deadline);
		qm_gc(e, sa, now);
		pp = &sa->next;
	}
	struct ike_child_sa **cp = &e->children;
	while (*cp) {
		struct ike_child_sa *c = *cp;
		if (c->dead) {
			*cp = c->next;
			ikg_wipe(c, sizeof *c);
			free(c);
		} else {
			cp = &c->next;
		}
	}
}

void sa_free_all(struct ike_engine *e)
{
	while (e->sas) {
		struct ike_sa *sa = e->sas;
		e->sas = sa->next;
		sa_free(e, sa);
	}
	memset(e->buckets, 0, sizeof e->buckets);
	while (e->children) {
		struct ike_child_sa *c = e->children;
		e->children = c->next;
		ikg_wipe(c, sizeof *c);
		free(c);
	}
}

bool sa_msgid_seen(const struct ike_sa *sa, uint32_t msgid)
{
	for (size_t i = 0; i < IKE_MSGID_RING; i++)
		if (sa->msgids[i] == msgid)
			return true;
	return false;
}

void sa_msgid_note(struct ike_sa *sa, uint32_t msgid)
{
	sa->msgids[sa->msgid_pos] = msgid;
	sa->msgid_pos = (sa->msgid_pos + 1) % IKE_MSGID_RING;
}

struct ike_qm *qm_new(struct ike_engine *e, struct ike_sa *sa, uint32_t msgid, bool initiator)
{
	struct ike_qm *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	q->sa = sa;
	q->msgid = msgid;
	q->initiator = initiator;
	q->profile = SIZE_MAX;
	q->rtx.at = IKG_MS_NEVER;
	q->deadline = IKG_MS_NEVER;
	q->next = sa->qms;
	sa->qms = q;
	sa_msgid_note(sa, msgid);
	(void)e;
	return q;
}

struct ike_qm *qm_find(struct ike_sa *sa, uint32_t msgid)
{
	for (struct ike_qm *q = sa->qms; q; q = q->next)
		if (q->msgid == msgid)
			return q;
	return NULL;
}

struct ike_child_sa *child_add(struct ike_engine *e)
{
	struct ike_child_sa *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->expires = IKG_MS_NEVER;
	c->rekey_at = IKG_MS_NEVER;
	c->next = e->children;
	e->children = c;
	return c;
}

struct ike_child_sa *child_by_spi_in(struct ike_engine *e, uint32_t spi_in)
{
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && c->spi_in == spi_in)
			return c;
	return NULL;
}

struct ike_child_sa *child_by_spi_out(struct ike_engine *e, ikg_ip4 peer, uint32_t spi_out)
{
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && c->peer == peer && c->spi_out == spi_out)
			return c;
	return NULL;
}

void child_remove(struct ike_engine *e, struct ike_child_sa *c)
{
	c->dead = true;
	e->gc_at = 0;
}

static bool spi_in_use(struct ike_engine *e, uint32_t spi)
{
	if (child_by_spi_in(e, spi))
		return true;
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		for (struct ike_qm *q = sa->qms; q; q = q->next)
			if (q->spi_in == spi)
				return true;
	return false;
}

uint32_t sa_new_spi(struct ike_engine *e)
{
	uint32_t spi;

	do {
		uint8_t b[4];
		ike_random(e, b, 4);
		spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	} while (spi < 256 || spi_in_use(e, spi));
	return spi;
}

uint32_t sa_new_msgid(struct ike_engine *e, struct ike_sa *sa)
{
	uint32_t id;

	do {
		uint8_t b[4];
		ike_random(e, b, 4);
		id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	} while (id == 0 || (sa && (sa_msgid_seen(sa, id) || qm_find(sa, id))));
	return id;
}
