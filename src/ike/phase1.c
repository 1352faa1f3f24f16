/* What main mode and aggressive mode share: starting an initiator, the SA payload exchange,
 * key exchange and SKEYID derivation (keys.h), identities and HASH_I/HASH_R, and what
 * happens when phase 1 is established. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/secret.h"
#include "ike/exchange.h"

struct ike_sa *p1_initiate(struct ike_engine *e, ikg_ms now, size_t profile, ikg_ip4 peer,
			   const struct ike_sa *replaces)
{
	const struct cfg_ike_profile *ip = prof_ike(e, profile);

	if (!ip)
		return NULL;
	struct ike_sa *sa = sa_new(e, now, true, profile, prof_ike_index(e, profile),
				   e->cfg->gateway.wan_address, peer, 500);
	if (!sa)
		return NULL;
	sa_set_cookies(e, sa, NULL);
	sa->aggressive = ip->mode == IKG_MODE_AGGRESSIVE;
	if (replaces) {
		sa->is_rekey = true;
		memcpy(sa->rekey_of, replaces->icookie, 8);
		memcpy(sa->rekey_of + 8, replaces->rcookie, 8);
	}
	int rc = sa->aggressive ? am_i_start(e, sa, now) : mm_i_start(e, sa, now);
	if (rc < 0) {
		ike_drop(e, IKG_E_STATE);
		sa_kill(e, sa, now);
		return NULL;
	}
	if (!replaces)
		p1_ph1_state(e, sa, IKE_PH_NEGOTIATING);
	return sa;
}

/* ---- messages ---- */

void p1_start_msg(struct isakmp_builder *b, struct ike_engine *e, const struct ike_sa *sa,
		  uint8_t exchange, uint8_t flags)
{
	struct isakmp_hdr h;

	msg_hdr(&h, sa, exchange, 0, flags);
	isakmp_build_start(b, e->tx, sizeof e->tx, &h);
}

int p1_finish_and_send(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b,
		       const struct ike_msg *answering, bool encrypt, bool wait, ikg_ms now)
{
	size_t len = isakmp_build_finish(b);

	if (len && encrypt)
		len = msg_encrypt(&sa->keys, sa->iv, e->tx, len, sizeof e->tx);
	if (!len) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (rtx_store(&sa->rtx, e->tx, len) < 0) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (answering)
		rtx_answers(&sa->rtx, answering);
	rtx_send(e, sa, &sa->rtx, now, wait);
	return 0;
}

void p1_put_initial_contact(struct isakmp_builder *b, const struct ike_sa *sa)
{
	uint8_t spi[16];

	memcpy(spi, sa->icookie, 8);
	memcpy(spi + 8, sa->rcookie, 8);
	isakmp_put_notify(b, 1, PROTO_ISAKMP, NOTIFY_INITIAL_CONTACT, spi, 16, NULL, 0);
}

bool p1_has_initial_contact(const struct ike_msg *m)
{
	for (size_t i = 0; i < m->c.n; i++) {
		struct isakmp_notify n;
		if (m->c.pl[i].type == PL_N && isakmp_parse_notify(m->c.pl[i].body, &n) == 0 &&
		    n.type == NOTIFY_INITIAL_CONTACT)
			return true;
	}
	return false;
}

/* ---- SA payloads ---- */

static int keep_sai_b(struct ike_sa *sa, const uint8_t *p, size_t len)
{
	struct p1_nego *n = sa->nego;
	uint8_t *copy = n ? malloc(len ? len : 1) : NULL;

	if (!copy)
		return -1;
	memcpy(copy, p, len);
	if (n->sai_b) {
		ikg_wipe(n->sai_b, n->sai_b_len);
		free(n->sai_b);
	}
	n->sai_b = copy;
	n->sai_b_len = len;
	return 0;
}

size_t p1_put_sa(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	size_t start = b->w.len;

	if (!ip)
		return 0;
	sa->cipher = ip->encryption;
	sa->hash = ip->hash;
	sa->group = ip->dh_group;
	sa->lifetime_s = ip->lifetime;
	sa_put_p1_proposal(b, ip);
	if (b->w.overflow || b->w.len < start + ISAKMP_GENERIC_LEN)
		return 0;
	size_t body_len = b->w.len - start - ISAKMP_GENERIC_LEN;
	if (keep_sai_b(sa, b->w.p + start + ISAKMP_GENERIC_LEN, body_len) < 0)
		return 0;
	return body_len;
}

static uint32_t shorter(uint32_t ours, uint32_t theirs)
{
	return theirs && theirs < ours ? theirs : ours;
}

int p1_responder_sa(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		    struct isakmp_builder *b)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	const struct isakmp_payload *pl = isakmp_find(&m->c, PL_SA);
	struct isakmp_sa peer;
	struct p1_choice ch;
	const struct isakmp_transform *t;
	char text[400];

	if (!ip || !pl)
		return -1;
	if (isakmp_count(&m->c, PL_SA) != 1 || isakmp_parse_sa(pl->body, &peer) < 0) {
		ike_fail(e, sa, m, IKG_E_MALFORMED, "message=%s message 1; payload=SA; result=invalid",
			 sa->aggressive ? "aggressive mode" : "main mode");
		return -1;
	}
	if ((ip->mode == IKG_MODE_AGGRESSIVE) != sa->aggressive) {
		ike_fail(e, sa, m, IKG_E_NO_PROPOSAL,
			 "received: %s mode request; configured: %s mode (ike profile %s)",
			 sa->aggressive ? "aggressive" : "main",
			 ip->mode == IKG_MODE_AGGRESSIVE ? "aggressive" : "main", ip->name);
		return -1;
	}
	if (sa_choose_p1(&peer, ip, &ch, &t, text, sizeof text) < 0) {
		ike_fail(e, sa, m, IKG_E_NO_PROPOSAL, "phase=1; %s", text);
		return -1;
	}
	sa->cipher = ch.cipher;
	sa->hash = ch.hash;
	sa->group = ch.group;
	sa->lifetime_s = shorter(ip->lifetime, ch.lifetime_s);
	/* RFC 2407 4.5: no life duration means 8 hours */
	sa->shortened = ip->lifetime < (ch.lifetime_s ? ch.lifetime_s : 28800);
	if (keep_sai_b(sa, pl->body.p, pl->body.len) < 0)
		return -1;
	sa_put_p1_reply(b, &peer, ch.proposal_no, t);
	return b->w.overflow ? -1 : 0;
}

int p1_initiator_check_sa(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	const struct isakmp_payload *pl = isakmp_find(&m->c, PL_SA);
	struct isakmp_sa peer;
	struct p1_choice ch;
	const struct isakmp_transform *t;
	char text[400];

	if (!ip || !pl || isakmp_parse_sa(pl->body, &peer) < 0 || peer.n_proposals != 1 ||
	    peer.proposals[0].n_transforms != 1) {
		ike_fail(e, sa, m, IKG_E_MALFORMED,
			 "message=%s message 2; payload=SA; result=not a single chosen transform",
			 sa->aggressive ? "aggressive mode" : "main mode");
		return -1;
	}
	if (sa_choose_p1(&peer, ip, &ch, &t, text, sizeof text) < 0) {
		ike_fail(e, sa, m, IKG_E_NO_PROPOSAL,
			 "phase=1; the peer chose a transform we did not propose; %s", text);
		return -1;
	}
	sa->lifetime_s = shorter(ip->lifetime, ch.lifetime_s);
	return 0;
}

/* ---- key exchange ---- */

int p1_take_ke_nonce(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct isakmp_payload *ke = isakmp_find(&m->c, PL_KE);
	const struct isakmp_payload *no = isakmp_find(&m->c, PL_NONCE);
	size_t want = ikg_dh_pub_len(sa->group);

	if (!ke || !no || isakmp_check_ke(ke->body) < 0 || isakmp_check_nonce(no->body) < 0 ||
	    ke->body.len != want || want > IKG_DH_MAX_PUB) {
		ike_fail(e, sa, m, IKG_E_MALFORMED,
			 "payload=KE/NONCE; ke-length=%zu; expected=%zu (%s); nonce-length=%zu",
			 ke ? ke->body.len : 0, want, ikg_dh_group_name(sa->group),
			 no ? no->body.len : 0);
		return -1;
	}
	struct p1_nego *n = sa->nego;
	if (!n) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (sa->initiator) {
		memcpy(n->gxr, ke->body.p, ke->body.len);
		n->gxr_len = ke->body.len;
		memcpy(n->nr, no->body.p, no->body.len);
		n->nr_len = no->body.len;
	} else {
		memcpy(n->gxi, ke->body.p, ke->body.len);
		n->gxi_len = ke->body.len;
		memcpy(n->ni, no->body.p, no->body.len);
		n->ni_len = no->body.len;
	}
	return 0;
}

int p1_make_dh_nonce(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	struct p1_nego *g = sa->nego;

	if (!g) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (g->dh)
		ikg_dh_free(g->dh);
	g->dh = ikg_dh_new(sa->group, e->ops.random, e->ops.ctx);
	size_t n = ikg_dh_pub_len(sa->group);
	if (!g->dh || n == 0 || n > IKG_DH_MAX_PUB) {
		if (m)
			ike_fail(e, sa, m, IKG_E_CRYPTO, "dh-group=%d; result=cannot create key pair",
				 sa->group);
		else
			ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (sa->initiator) {
		memcpy(g->gxi, ikg_dh_public(g->dh), n);
		g->gxi_len = n;
		ike_random(e, g->ni, IKE_NONCE_LEN);
		g->ni_len = IKE_NONCE_LEN;
	} else {
		memcpy(g->gxr, ikg_dh_public(g->dh), n);
		g->gxr_len = n;
		ike_random(e, g->nr, IKE_NONCE_LEN);
		g->nr_len = IKE_NONCE_LEN;
	}
	return 0;
}

void p1_put_ke_nonce(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b)
{
	const struct p1_nego *n = sa->nego;

	(void)e;
	if (!n)
		b->w.overflow = true;             /* established: nothing to send (never reached) */
	else if (sa->initiator) {
		isakmp_put_raw(b, PL_KE, n->gxi, n->gxi_len);
		isakmp_put_raw(b, PL_NONCE, n->ni, n->ni_len);
	} else {
		isakmp_put_raw(b, PL_KE, n->gxr, n->gxr_len);
		isakmp_put_raw(b, PL_NONCE, n->nr, n->nr_len);
	}
}

int p1_derive_keys(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	struct p1_nego *n = sa->nego;
	uint8_t gxy[IKG_DH_MAX_PUB];
	size_t gxy_len = 0;

	if (!n) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	const uint8_t *peer = sa->initiator ? n->gxr : n->gxi;
	size_t peer_len = sa->initiator ? n->gxr_len : n->gxi_len;
	if (!ip || !n->dh || ikg_dh_shared(n->dh, peer, peer_len, gxy, &gxy_len) < 0) {
		ike_fail(e, sa, m, IKG_E_MALFORMED,
			 "payload=KE; result=the peer's public value is invalid for %s",
			 ikg_dh_group_name(sa->group));
		return -1;
	}
	int rc = ike_keys_derive(&sa->keys, sa->hash, sa->cipher,
				 (struct ikg_bytes){ip->secret.p, ip->secret.len},
				 (struct ikg_bytes){n->ni, n->ni_len},
				 (struct ikg_bytes){n->nr, n->nr_len}, (struct ikg_bytes){gxy, gxy_len},
				 (struct ikg_bytes){n->gxi, n->gxi_len},
				 (struct ikg_bytes){n->gxr, n->gxr_len}, sa->icookie, sa->rcookie);
	ikg_wipe(gxy, sizeof gxy);
	ikg_dh_free(n->dh);
	n->dh = NULL;
	if (rc != 0) {
		ike_fail(e, sa, m, IKG_E_CRYPTO, "step=SKEYID derivation; result=failed");
		return -1;
	}
	memcpy(sa->iv, sa->keys.iv, sa->keys.block_len);
	sa->keys_ok = true;
	return 0;
}

/* ---- identities and authentication ---- */

size_t p1_our_id(const struct ike_engine *e, const struct ike_sa *sa, uint8_t *out, size_t cap)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	uint8_t type;

	if (cap < 5)
		return 0;
	size_t n = id_encode(ip ? ip->local_id : "", sa->local, &type, out + 4, cap - 4);
	if (n == 0)
		return 0;
	out[0] = type;
	out[1] = 0;                               /* protocol and port zero (RFC 2407 4.6.2) */
	out[2] = 0;
	out[3] = 0;
	return n + 4;
}

size_t p1_our_hash(struct ike_sa *sa, const uint8_t *id_b, size_t id_len, uint8_t *out)
{
	const struct p1_nego *n = sa->nego;

	if (!n)
		return 0;
	struct ikg_bytes gxi = {n->gxi, n->gxi_len}, gxr = {n->gxr, n->gxr_len};
	struct ikg_bytes sai = {n->sai_b, n->sai_b_len}, id = {id_b, id_len};
	int rc = sa->initiator
		 ? ike_hash_i(&sa->keys, gxi, gxr, sa->icookie, sa->rcookie, sai, id, out)
		 : ike_hash_r(&sa->keys, gxi, gxr, sa->icookie, sa->rcookie, sai, id, out);

	return rc == 0 ? sa->keys.hash_len : 0;
}

int p1_check_peer_identity(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			   const struct isakmp_payload *pl, struct isakmp_id *id)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	char expected[IKG_ID_MAX + 8];

	if (!pl || isakmp_parse_id(pl->body, id) < 0 || pl->body.len > IKE_ID_MAX) {
		if (m->encrypted)
			ike_fail(e, sa, m, IKG_E_DECRYPT,
				 "check=decryption; result=the ID payload is unreadable after "
				 "decryption; hint=the pre-shared keys differ (secrets are case "
				 "sensitive)");
		else
			ike_fail(e, sa, m, IKG_E_MALFORMED, "payload=ID; result=invalid");
		return -1;
	}
	id_text(id, sa->peer_id, sizeof sa->peer_id);
	if (ip && !id_matches(ip->remote_id, sa->peer, id)) {
		snprintf(expected, sizeof expected, "%s", ip->remote_id);
		ike_fail(e, sa, m, IKG_E_AUTH,
			 "check=identity; id-received=%s; id-expected=%s; hint=set remote-id to the "
			 "peer's local identity", sa->peer_id, expected);
		return -1;
	}
	return 0;
}

int p1_verify_peer_hash(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			struct ikg_bytes id_b, const struct isakmp_payload *hash)
{
	const struct p1_nego *n = sa->nego;
	struct ikg_bytes gxi = {0}, gxr = {0}, sai = {0};
	uint8_t want[IKG_MAX_HASH];
	int rc = -1;

	if (n) {
		gxi = (struct ikg_bytes){n->gxi, n->gxi_len};
		gxr = (struct ikg_bytes){n->gxr, n->gxr_len};
		sai = (struct ikg_bytes){n->sai_b, n->sai_b_len};
		/* we check the other side's hash: HASH_R when we initiated, HASH_I when we respond */
		rc = sa->initiator
		     ? ike_hash_r(&sa->keys, gxi, gxr, sa->icookie, sa->rcookie, sai, id_b, want)
		     : ike_hash_i(&sa->keys, gxi, gxr, sa->icookie, sa->rcookie, sai, id_b, want);
	}
	const char *which = sa->initiator ? "HASH_R" : "HASH_I";

	if (rc != 0) {
		ike_fail(e, sa, m, IKG_E_CRYPTO, "check=%s; result=cannot compute", which);
		return -1;
	}
	if (!hash || hash->body.len != sa->keys.hash_len ||
	    !ike_equal(hash->body.p, want, sa->keys.hash_len)) {
		ike_fail(e, sa, m, IKG_E_AUTH,
			 "check=%s; result=mismatch; id-received=%s; hint=the pre-shared keys differ "
			 "(secrets are case sensitive)", which, sa->peer_id[0] ? sa->peer_id : "?");
		return -1;
	}
	return 0;
}

/* No SA of any kind with this peer: tell it to drop state it may still have (RFC 2407
 * 4.6.3.3, INITIAL-CONTACT). Not while a child SA with it is still in use. */
bool p1_first_contact(struct ike_engine *e, const struct ike_sa *sa)
{
	if (sa->is_rekey || sa_established_with(e, sa->peer, SIZE_MAX))
		return false;
	for (const struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && c->peer == sa->peer)
			return false;
	return true;
}

/* ---- established ---- */

void p1_ph1_state(struct ike_engine *e, const struct ike_sa *sa, int state)
{
	if (!e->ops.ph1_state)
		return;
	for (size_t i = 0; i < e->cfg->n_ipsec; i++) {
		if (i != sa->profile &&
		    !(prof_ike_index(e, i) == sa->ike_profile && prof_remote(e, i) == sa->peer &&
		      sa->ike_profile != SIZE_MAX))
			continue;
		if (state == IKE_PH_DOWN) {
			const struct ike_sa *o = sa_established_with(e, sa->peer, sa->ike_profile);
			if (o && o != sa)
				continue;
		}
		e->ops.ph1_state(e->ops.ctx, i, state);
	}
}

void p1_established(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	char peer[IKG_IP4_STRLEN];

	sa->state = P1_ESTABLISHED;
	sa->established_at = now;
	sa->deadline = IKG_MS_NEVER;
	sa_half_open_done(e, sa);
	memcpy(sa->p1_last, sa->iv, sa->keys.block_len);
	rtx_stop(&sa->rtx);
	/* the key exchange, nonces and SKEYID are of no more use: only the derived keys stay */
	sa_nego_free(sa);
	ikg_wipe(sa->keys.skeyid, sizeof sa->keys.skeyid);
	life_p1_set(e, sa, now);
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	if (ip && ip->dpd_interval && sa->peer_dpd)
		sa->dpd_at = now + (ikg_ms)ip->dpd_interval * 1000;
	ike_event(e, now, MSG_PH1_COMPLETE, sa->peer, sa->profile,
		  "peer=%s; mode=%s; role=%s; proposal=%s-%s-%s; lifetime=%us; nat-t=%s; "
		  "peer-vendor=%s; peer-id=%s",
		  ikg_ip4_str(sa->peer, peer), sa->aggressive ? "aggressive" : "main",
		  sa->initiator ? "initiator" : "responder", ikg_cipher_name(sa->cipher),
		  ikg_hash_name(sa->hash), ikg_dh_group_name(sa->group), sa->lifetime_s,
		  sa->floated ? "udp-4500" : "no", sa->vendor[0] ? sa->vendor : "unknown",
		  sa->peer_id);
	p1_ph1_state(e, sa, IKE_PH_UP);
	if (sa->is_rekey)
		life_p1_replaced(e, sa, now);
	/* phase 2 for every profile waiting for this peer */
	for (size_t i = 0; i < e->cfg->n_ipsec && i < e->n_prof; i++) {
		if (!e->prof[i].want || prof_ike_index(e, i) != sa->ike_profile)
			continue;
		if (i != sa->profile && prof_remote(e, i) != sa->peer)
			continue;
		qm_start_profile(e, sa, i, now);
	}
}

void p1_note_notify(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct isakmp_payload *pl = isakmp_find(&m->c, PL_N);
	const struct isakmp_payload *d = isakmp_find(&m->c, PL_D);
	struct isakmp_notify n;
	char peer[IKG_IP4_STRLEN];
	uint16_t type = 0;

	if (pl && isakmp_parse_notify(pl->body, &n) == 0)
		type = n.type;
	ike_drop(e, IKG_E_STATE);
	if (!sa || sa->unauth_logged)
		return;
	sa->unauth_logged = true;
	if (type)
		sa->unauth_notify = type;
	ike_event(e, m->now, MSG_PEER_NOTIFY, m->src, sa->profile,
		  "peer=%s; received=%s%s; authenticated=no; action=ignored (unauthenticated "
		  "messages are never acted upon)", ikg_ip4_str(m->src, peer),
		  type ? ikg_notify_name(type) : d ? "DELETE" : "informational",
		  type ? " notify" : "");
}
