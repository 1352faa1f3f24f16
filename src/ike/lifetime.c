/* Lifetimes: phase-1 and phase-2 expiry, rekeying before expiry (the initiator at 90% of the
 * lifetime minus up to 5% jitter, so both sides do not rekey at once), and deleting the old SA
 * once its replacement is installed. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "ike/exchange.h"

static ikg_ms rekey_time(struct ike_engine *e, ikg_ms start, ikg_ms life_ms)
{
	uint8_t r[4];
	uint64_t span = life_ms / 20, jitter = 0;

	ike_random(e, r, sizeof r);
	if (span)
		jitter = ((uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]) %
			 span;
	return start + life_ms * 9 / 10 - jitter;
}

void life_p1_set(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	ikg_ms life_ms = (ikg_ms)sa->lifetime_s * 1000;

	if (!life_ms) {
		sa->expires = sa->rekey_at = IKG_MS_NEVER;
		return;
	}
	sa->expires = now + life_ms;
	/* the initiator rekeys; so does a responder that cut the peer's lifetime (the peer would
	 * rekey only after our SA expired) unless it may not initiate */
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	bool may = ip && ip->negotiation != IKG_NEG_RESPOND_ONLY;
	sa->rekey_at = sa->initiator || (sa->shortened && may) ? rekey_time(e, now, life_ms)
							       : IKG_MS_NEVER;
}

/* A replaced ISAKMP SA lives on this long before its delete is sent: a peer moves its IPsec SAs
 * to the new ISAKMP SA in a step of its own (strongSwan waits 10 s), and a delete that arrives
 * first makes it drop them. */
#define P1_REPLACED_GRACE_MS 15000

void life_p1_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	if (sa->expires <= now) {
		info_send_delete_isakmp(e, sa, now);
		sa_kill(e, sa, now);
		if (!sa->superseded)   /* the replacement is up: phase 1 stays up */
			p1_ph1_state(e, sa, IKE_PH_DOWN);
		return;
	}
	if (sa->rekey_at <= now) {
		sa->rekey_at = IKG_MS_NEVER;
		sa->rekey_started = true;
		if (sa->profile < e->cfg->n_ipsec && prof_ike(e, sa->profile))
			p1_initiate(e, now, sa->profile, sa->peer, sa);
	}
}

void life_p1_replaced(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	struct ike_sa *old = sa_lookup(e, sa->rekey_of, sa->rekey_of + 8);
	char peer[IKG_IP4_STRLEN];

	if (!old || old == sa || old->dead)
		return;
	ike_event(e, now, MSG_PH1_REKEY, sa->peer, sa->profile,
		  "peer=%s; old-cookies=%02x%02x%02x%02x...; new-cookies=%02x%02x%02x%02x...; "
		  "action=old ISAKMP SA deleted within %u s", ikg_ip4_str(sa->peer, peer),
		  old->icookie[0], old->icookie[1], old->icookie[2], old->icookie[3], sa->icookie[0],
		  sa->icookie[1], sa->icookie[2], sa->icookie[3], P1_REPLACED_GRACE_MS / 1000);
	old->superseded = true;
	old->rekey_at = IKG_MS_NEVER;
	/* ...but before the old SA's own end, so that the peer still knows it when our delete
	 * arrives (and does not expire it at the same moment) */
	ikg_ms left = old->expires > now ? old->expires - now : 0;
	ikg_ms grace = left / 2 < P1_REPLACED_GRACE_MS ? left / 2 : P1_REPLACED_GRACE_MS;
	old->expires = now + grace;
}

void life_child_set(struct ike_engine *e, struct ike_child_sa *c, ikg_ms now)
{
	if (c->expires == IKG_MS_NEVER || c->expires <= now) {
		c->rekey_at = IKG_MS_NEVER;
		return;
	}
	c->rekey_at = c->initiator || c->shortened ? rekey_time(e, now, c->expires - now)
						    : IKG_MS_NEVER;
}

void life_child_tick(struct ike_engine *e, struct ike_child_sa *c, ikg_ms now)
{
	if (c->expires <= now) {
		info_send_delete_child(e, sa_established_with(e, c->peer, SIZE_MAX), now, c->protocol,
				       c->spi_in);
		if (e->ops.child_down)
			e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
		child_remove(e, c);
		return;
	}
	if (c->rekey_at > now)
		return;
	c->rekey_at = IKG_MS_NEVER;
	c->rekey_started = true;
	size_t ike_idx = prof_ike_index(e, c->profile);
	if (ike_idx == SIZE_MAX || !e->cfg->ipsec[c->profile].enabled)
		return;
	struct ike_sa *sa = sa_established_with(e, c->peer, ike_idx);
	if (sa) {
		qm_i_start(e, sa, c->profile, c->local_ts, c->remote_ts, c->spi_in, now);
		return;
	}
	/* phase 1 is gone: bring it up again; quick mode follows (qm_start_profile) */
	if (c->profile < e->n_prof)
		e->prof[c->profile].want = true;
	if (!sa_negotiating_with(e, c->peer, ike_idx))
		p1_initiate(e, now, c->profile, c->peer, NULL);
}

void life_child_replaced(struct ike_engine *e, struct ike_sa *sa, uint32_t old_spi_in,
			 ikg_ms now)
{
	struct ike_child_sa *c = child_by_spi_in(e, old_spi_in);

	if (!c)
		return;
	info_send_delete_child(e, sa, now, c->protocol, c->spi_in);
	if (e->ops.child_down)
		e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
	child_remove(e, c);
}
