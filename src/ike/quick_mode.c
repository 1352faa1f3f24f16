/* Quick mode (RFC 2409 5.5), always under the phase-1 SA's encryption:
 *
 *   1  I -> R  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]
 *   2  R -> I  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *   3  I -> R  HDR*, HASH(3)
 *
 * HASH(1) = prf(SKEYID_a, M-ID | rest), HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest),
 * HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). A HASH that does not verify drops the
 * message ("phase2 hash failed"). KEYMAT per direction is keyed with the receiver's SPI. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/secret.h"
#include "ike/exchange.h"

static uint64_t qm_span(const struct ike_engine *e)
{
	return (uint64_t)e->t.retransmit_ms * ((2ull << e->t.retransmit_tries) + 2);
}

static void spi_bytes(uint32_t spi, uint8_t out[4])
{
	out[0] = (uint8_t)(spi >> 24);
	out[1] = (uint8_t)(spi >> 16);
	out[2] = (uint8_t)(spi >> 8);
	out[3] = (uint8_t)spi;
}

static const char *range_text(struct ikg_range r, char *buf, size_t len)
{
	return ikg_range_str(&r, buf, len);
}

static void start_msg(struct isakmp_builder *b, struct ike_engine *e, const struct ike_qm *q)
{
	struct isakmp_hdr h;

	msg_hdr(&h, q->sa, EXCH_QUICK, q->msgid, ISAKMP_FLAG_ENC);
	isakmp_build_start(b, e->tx, sizeof e->tx, &h);
}

/* Fills the HASH placeholder, encrypts with the exchange's IV chain, stores and sends. */
static int finish_and_send(struct ike_engine *e, struct ike_qm *q, struct isakmp_builder *b,
			   size_t hash_at, int which, const struct ike_msg *answering, bool wait,
			   ikg_ms now)
{
	struct ike_sa *sa = q->sa;
	size_t len = isakmp_build_finish(b);
	size_t hl = sa->keys.hash_len;
	int rc = -1;

	if (!len || hash_at + hl > len)
		goto out;
	struct ikg_bytes rest = {e->tx + hash_at + hl, len - hash_at - hl};
	struct ikg_bytes ni = {q->ni, q->ni_len}, nr = {q->nr, q->nr_len};
	if (which == 1)
		rc = ike_qm_hash1(&sa->keys, q->msgid, rest, e->tx + hash_at);
	else if (which == 2)
		rc = ike_qm_hash2(&sa->keys, q->msgid, ni, rest, e->tx + hash_at);
	else
		rc = ike_qm_hash3(&sa->keys, q->msgid, ni, nr, e->tx + hash_at);
	if (rc != 0)
		goto out;
	len = msg_encrypt(&sa->keys, q->iv, e->tx, len, sizeof e->tx);
	if (!len) {
		rc = -1;
		goto out;
	}
	if (rtx_store(&q->rtx, e->tx, len) < 0) {
		rc = -1;
		goto out;
	}
	if (answering)
		rtx_answers(&q->rtx, answering);
	rtx_send(e, sa, &q->rtx, now, wait);
out:
	if (rc != 0)
		ike_drop(e, IKG_E_STATE);
	return rc;
}

/* ---- initiator ---- */

static bool qm_running(struct ike_engine *e, size_t profile, struct ikg_range l,
		       struct ikg_range r)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->dead)
			continue;
		for (struct ike_qm *q = sa->qms; q; q = q->next)
			if (q->initiator && q->state == QM_I_WAIT_M2 && q->profile == profile &&
			    q->local_ts.lo == l.lo && q->local_ts.hi == l.hi &&
			    q->remote_ts.lo == r.lo && q->remote_ts.hi == r.hi)
				return true;
	}
	return false;
}

static struct ike_child_sa *child_for(struct ike_engine *e, size_t profile, ikg_ip4 peer,
				      struct ikg_range l, struct ikg_range r)
{
	struct ike_child_sa *best = NULL;

	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && c->profile == profile && c->peer == peer &&
		    c->local_ts.lo == l.lo && c->local_ts.hi == l.hi && c->remote_ts.lo == r.lo &&
		    c->remote_ts.hi == r.hi && (!best || c->created > best->created))
			best = c;
	return best;
}

void qm_start_profile(struct ike_engine *e, struct ike_sa *sa, size_t profile, ikg_ms now)
{
	if (profile >= e->cfg->n_ipsec)
		return;
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[profile];
	for (size_t i = 0; i < p->n_local; i++) {
		for (size_t j = 0; j < p->n_remote; j++) {
			struct ikg_range l = p->local_members[i], r = p->remote_members[j];
			struct ike_child_sa *c = child_for(e, profile, sa->peer, l, r);
			if ((c && !c->rekey_started) || qm_running(e, profile, l, r))
				continue;
			qm_i_start(e, sa, profile, l, r, c ? c->spi_in : 0, now);
		}
	}
}

int qm_i_start(struct ike_engine *e, struct ike_sa *sa, size_t profile, struct ikg_range local,
	       struct ikg_range remote, uint32_t rekey_spi_in, ikg_ms now)
{
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[profile];
	struct isakmp_builder b;

	struct ike_qm *q = qm_new(e, sa, sa_new_msgid(e, sa), true);
	if (!q) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	q->profile = profile;
	q->local_ts = local;
	q->remote_ts = remote;
	q->rekey_spi_in = rekey_spi_in;
	q->spi_in = sa_new_spi(e);
	q->group = p->pfs_group;
	q->encap_mode = natt_encap_mode(sa);
	q->isakmp_proto = p->protocol == IKG_PROTO_AH ? PROTO_IPSEC_AH : PROTO_IPSEC_ESP;
	q->lifetime_s = p->lifetime;
	ike_random(e, q->ni, IKE_NONCE_LEN);
	q->ni_len = IKE_NONCE_LEN;
	if (ike_iv_for_msgid(&sa->keys, sa->p1_last, q->msgid, q->iv) != 0)
		goto fail;
	if (q->group) {
		q->dh = ikg_dh_new(q->group, e->ops.random, e->ops.ctx);
		if (!q->dh)
			goto fail;
	}
	q->idci_len = id_from_range(local, q->idci, sizeof q->idci);
	q->idcr_len = id_from_range(remote, q->idcr, sizeof q->idcr);
	start_msg(&b, e, q);
	size_t hash_at = msg_put_hash_placeholder(&b, sa->keys.hash_len);
	sa_put_p2_proposal(&b, p, q->spi_in, q->encap_mode);
	isakmp_put_raw(&b, PL_NONCE, q->ni, q->ni_len);
	if (q->dh)
		isakmp_put_raw(&b, PL_KE, ikg_dh_public(q->dh), ikg_dh_pub_len(q->group));
	isakmp_put_raw(&b, PL_ID, q->idci, q->idci_len);
	isakmp_put_raw(&b, PL_ID, q->idcr, q->idcr_len);
	q->state = QM_I_WAIT_M2;
	if (finish_and_send(e, q, &b, hash_at, 1, NULL, true, now) < 0)
		goto fail;
	return 0;
fail:
	q->state = QM_DEAD;
	qm_set_deadline(e, q, now);
	return -1;
}

/* ---- checks shared by both sides ---- */

static int check_hash(struct ike_engine *e, struct ike_qm *q, const struct ike_msg *m, int which)
{
	struct ike_sa *sa = q->sa;
	const struct isakmp_payload *h = &m->c.pl[0];
	uint8_t want[IKG_MAX_HASH];
	struct ikg_bytes ni = {q->ni, q->ni_len}, nr = {q->nr, q->nr_len};
	int rc;

	if (which == 1)
		rc = ike_qm_hash1(&sa->keys, q->msgid, msg_after_hash(m), want);
	else if (which == 2)
		rc = ike_qm_hash2(&sa->keys, q->msgid, ni, msg_after_hash(m), want);
	else
		rc = ike_qm_hash3(&sa->keys, q->msgid, ni, nr, want);
	if (rc == 0 && h->body.len == sa->keys.hash_len && ike_equal(h->body.p, want, h->body.len))
		return 0;
	ike_fail(e, sa, m, IKG_E_PH2_HASH,
		 "message=quick mode message %d; check=HASH(%d); result=mismatch (the message is out "
		 "of date or was tampered with); msgid=0x%08x; action=dropped", which, which,
		 q->msgid);
	return -1;
}

/* The peer's KE for PFS into q->gqm. */
static int take_pfs(struct ike_engine *e, struct ike_qm *q, const struct ike_msg *m)
{
	const struct isakmp_payload *ke = isakmp_find(&m->c, PL_KE);
	size_t want = ikg_dh_pub_len(q->group);

	if (!q->group)
		return 0;
	if (!ke || ke->body.len != want) {
		ike_fail(e, q->sa, m, IKG_E_MALFORMED,
			 "message=quick mode; payload=KE; result=%s; pfs-group=%s",
			 ke ? "wrong length" : "missing although PFS was agreed",
			 ikg_dh_group_name(q->group));
		return -1;
	}
	if (!q->dh)
		q->dh = ikg_dh_new(q->group, e->ops.random, e->ops.ctx);
	if (!q->dh || ikg_dh_shared(q->dh, ke->body.p, ke->body.len, q->gqm, &q->gqm_len) < 0) {
		ike_fail(e, q->sa, m, IKG_E_MALFORMED,
			 "message=quick mode; payload=KE; result=invalid public value for %s",
			 ikg_dh_group_name(q->group));
		return -1;
	}
	return 0;
}

static int take_nonce(struct ike_engine *e, struct ike_qm *q, const struct ike_msg *m,
		      uint8_t *dst, size_t *dst_len)
{
	const struct isakmp_payload *no = isakmp_find(&m->c, PL_NONCE);

	if (!no || isakmp_check_nonce(no->body) < 0) {
		ike_fail(e, q->sa, m, IKG_E_MALFORMED, "message=quick mode; payload=NONCE; "
			 "result=invalid length");
		return -1;
	}
	memcpy(dst, no->body.p, no->body.len);
	*dst_len = no->body.len;
	return 0;
}

/* ---- install ---- */

/* note: appended to the evidence of "phase 2 complete" (NULL: none). */
static void install(struct ike_engine *e, struct ike_qm *q, ikg_ms now, const char *note)
{
	struct ike_sa *sa = q->sa;
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[q->profile];
	struct ike_child ch;
	uint8_t spi_in[4], spi_out[4];
	char peer[IKG_IP4_STRLEN], l[48], r[48], prop[64];
	struct ikg_bytes gqm = {q->gqm, q->gqm_len}, ni = {q->ni, q->ni_len}, nr = {q->nr, q->nr_len};

	memset(&ch, 0, sizeof ch);
	ch.profile = q->profile;
	ch.local = sa->local;
	ch.peer = sa->peer;
	ch.udp_encap = natt_encap_is_udp(q->encap_mode);
	if (ch.udp_encap) {
		ch.local_port = sa->local_port;
		ch.peer_port = sa->peer_port;
	}
	ch.protocol = q->isakmp_proto == PROTO_IPSEC_AH ? IKG_PROTO_AH : IKG_PROTO_ESP;
	ch.enc = ch.protocol == IKG_PROTO_ESP ? q->enc : IKG_ESP_NONE;
	ch.integ = q->integ;
	ch.spi_in = q->spi_in;
	ch.spi_out = q->spi_out;
	ch.enc_key_len = sa_p2_enc_key_len(ch.enc);
	ch.integ_key_len = sa_p2_integ_key_len(ch.integ);
	ch.lifetime_s = q->lifetime_s;
	ch.local_ts = q->local_ts;
	ch.remote_ts = q->remote_ts;
	size_t klen = ch.enc_key_len + ch.integ_key_len;
	spi_bytes(q->spi_in, spi_in);
	spi_bytes(q->spi_out, spi_out);
	if (klen > IKG_CHILD_KEY_MAX ||
	    ike_keymat(&sa->keys, gqm, q->isakmp_proto, spi_in, ni, nr, ch.keys_in, klen) != 0 ||
	    ike_keymat(&sa->keys, gqm, q->isakmp_proto, spi_out, ni, nr, ch.keys_out, klen) != 0) {
		ikg_wipe(&ch, sizeof ch);
		ike_report(e, now, IKG_E_CRYPTO, sa->peer, q->profile, "step=KEYMAT; result=failed");
		return;
	}
	ikg_wipe(q->gqm, sizeof q->gqm);
	if (e->ops.child_up)
		e->ops.child_up(e->ops.ctx, &ch);

	/* a second SA for the same selectors from the peer is its rekey */
	struct ike_child_sa *old = q->rekey_spi_in ? NULL
				   : child_for(e, q->profile, sa->peer, q->local_ts, q->remote_ts);
	struct ike_child_sa *c = child_add(e);
	if (c) {
		c->profile = q->profile;
		c->peer = sa->peer;
		c->protocol = q->isakmp_proto == PROTO_IPSEC_AH ? IKG_PROTO_AH : IKG_PROTO_ESP;
		c->enc = c->protocol == IKG_PROTO_ESP ? q->enc : IKG_ESP_NONE;
		c->integ = q->integ;
		c->pfs_group = q->group;
		c->spi_in = q->spi_in;
		c->spi_out = q->spi_out;
		c->created = now;
		c->local_ts = q->local_ts;
		c->remote_ts = q->remote_ts;
		c->udp_encap = natt_encap_is_udp(q->encap_mode);
		c->initiator = q->initiator;
		c->shortened = q->shortened;
		c->expires = now + (ikg_ms)q->lifetime_s * 1000;
		life_child_set(e, c, now);
	}
	ikg_wipe(&ch, sizeof ch);
	sa_p2_text(p, prop, sizeof prop);
	ike_event(e, now, MSG_PH2_COMPLETE, sa->peer, q->profile,
		  "peer=%s; local=%s; remote=%s; proposal=%s; spi-in=0x%08x; spi-out=0x%08x; "
		  "lifetime=%us; encapsulation=%s%s", ikg_ip4_str(sa->peer, peer),
		  range_text(q->local_ts, l, sizeof l), range_text(q->remote_ts, r, sizeof r), prop,
		  q->spi_in, q->spi_out, q->lifetime_s, c && c->udp_encap ? "udp-4500" : "none",
		  note ? note : "");
	if (q->rekey_spi_in) {
		ike_event(e, now, MSG_PH2_REKEY, sa->peer, q->profile,
			  "peer=%s; old-spi-in=0x%08x; new-spi-in=0x%08x; role=initiator",
			  peer, q->rekey_spi_in, q->spi_in);
		life_child_replaced(e, sa, q->rekey_spi_in, now);
	} else if (old) {
		ike_event(e, now, MSG_PH2_REKEY, sa->peer, q->profile,
			  "peer=%s; old-spi-in=0x%08x; new-spi-in=0x%08x; role=responder (the peer "
			  "deletes the old SA)", peer, old->spi_in, q->spi_in);
		old->rekey_started = true;
	}
}

/* ---- responder ---- */

static int parse_ids(struct ike_engine *e, struct ike_qm *q, const struct ike_msg *m,
		     struct ikg_range *ci, struct ikg_range *cr)
{
	const struct isakmp_payload *ids[2];
	struct isakmp_id id;
	size_t n = 0;

	for (size_t i = 0; i < m->c.n && n < 2; i++)
		if (m->c.pl[i].type == PL_ID)
			ids[n++] = &m->c.pl[i];
	if (n == 0) {
		/* no client IDs: the SA protects the two gateways themselves */
		ci->lo = ci->hi = q->sa->peer;
		cr->lo = cr->hi = q->sa->local;
		return 0;
	}
	if (n != 2 || isakmp_count(&m->c, PL_ID) != 2)
		goto bad;
	for (size_t i = 0; i < 2; i++) {
		if (isakmp_parse_id(ids[i]->body, &id) < 0 || ids[i]->body.len > IKE_ID_MAX ||
		    id_to_range(&id, i ? cr : ci) < 0)
			goto bad;
		memcpy(i ? q->idcr : q->idci, ids[i]->body.p, ids[i]->body.len);
		*(i ? &q->idcr_len : &q->idci_len) = ids[i]->body.len;
	}
	return 0;
bad:
	ike_fail(e, q->sa, m, IKG_E_INVALID_ID,
		 "message=quick mode message 1; result=client IDs missing or of an unsupported type "
		 "(IPv4 address, subnet or range expected)");
	return -1;
}

static void members_text(const struct ikg_range *r, size_t n, char *buf, size_t len)
{
	char one[48];
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used + 1 < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 ikg_range_str(&r[i], one, sizeof one));
		if (k < 0)
			break;
		used += (size_t)k < len - used ? (size_t)k : len - used - 1;
	}
}

static void reject_ids(struct ike_engine *e, struct ike_qm *q, const struct ike_msg *m,
		       struct ikg_range ci, struct ikg_range cr, bool any_candidate)
{
	struct ike_sa *sa = q->sa;
	char a[48], b[48], lm[160] = "", rm[160] = "", peer[IKG_IP4_STRLEN];

	if (sa->profile < e->cfg->n_ipsec) {
		const struct cfg_ipsec_profile *p = &e->cfg->ipsec[sa->profile];
		members_text(p->local_members, p->n_local, lm, sizeof lm);
		members_text(p->remote_members, p->n_remote, rm, sizeof rm);
	}
	if (any_candidate) {
		ike_fail(e, sa, m, IKG_E_INVALID_ID,
			 "peer=%s; received: IDci=%s IDcr=%s; configured (%s): local members=%s, "
			 "remote members=%s; hint=the peer's local networks must lie in our remote "
			 "members and its remote networks in our local members",
			 ikg_ip4_str(sa->peer, peer), range_text(ci, a, sizeof a),
			 range_text(cr, b, sizeof b), ike_profile_name(e, sa->profile), lm, rm);
		return;
	}
	ike_drop(e, IKG_E_INVALID_ID);
	ike_event(e, m->now, MSG_NO_PH2_PROFILE, sa->peer, sa->profile,
		  "peer=%s; received: IDci=%s IDcr=%s; no enabled ipsec profile uses this peer "
		  "and ike profile", ikg_ip4_str(sa->peer, peer), range_text(ci, a, sizeof a),
		  range_text(cr, b, sizeof b));
	uint8_t spi[16];
	memcpy(spi, sa->icookie, 8);
	memcpy(spi + 8, sa->rcookie, 8);
	info_send_notify(e, sa, m->now, PROTO_ISAKMP, spi, 16, NOTIFY_INVALID_ID_INFORMATION,
			 NULL, 0);
}

int qm_r_msg1(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m)
{
	struct ike_sa *sa = q->sa;
	const struct isakmp_payload *sap = isakmp_find(&m->c, PL_SA);
	struct isakmp_sa peer_sa;
	const struct isakmp_proposal *prop;
	const struct isakmp_transform *t;
	struct p2_choice ch;
	struct ikg_range ci, cr;
	bool any;
	char text[400];

	if (check_hash(e, q, m, 1) < 0)
		return -1;
	natt_follow_peer(e, sa, m);
	if (isakmp_count(&m->c, PL_SA) != 1 || isakmp_parse_sa(sap->body, &peer_sa) < 0) {
		ike_fail(e, sa, m, IKG_E_MALFORMED, "message=quick mode message 1; payload=SA; "
			 "result=invalid");
		return -1;
	}
	if (take_nonce(e, q, m, q->ni, &q->ni_len) < 0 || parse_ids(e, q, m, &ci, &cr) < 0)
		return -1;
	size_t profile = prof_for_ids(e, sa, ci, cr, &any);
	if (profile == SIZE_MAX) {
		reject_ids(e, q, m, ci, cr, any);
		return -1;
	}
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[profile];
	if (sa_choose_p2(&peer_sa, p, &ch, &prop, &t, text, sizeof text) < 0) {
		const struct isakmp_proposal *first = peer_sa.n_proposals ? &peer_sa.proposals[0] : NULL;
		ike_report(e, m->now, IKG_E_NO_PROPOSAL, sa->peer, profile, "phase=2; %s", text);
		if (first && first->spi.len == 4)
			info_send_notify(e, sa, m->now, first->protocol, first->spi.p, 4,
					 NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		else
			info_send_notify(e, sa, m->now, PROTO_IPSEC_ESP, NULL, 0,
					 NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -1;
	}
	q->profile = profile;
	q->isakmp_proto = ch.isakmp_proto;
	q->enc = ch.enc;
	q->integ = ch.integ;
	q->group = ch.group;
	q->encap_mode = ch.encap_mode;
	q->lifetime_s = ch.lifetime_s && ch.lifetime_s < p->lifetime ? ch.lifetime_s : p->lifetime;
	/* RFC 2407 4.5: no life duration means 8 hours */
	q->shortened = p->lifetime < (ch.lifetime_s ? ch.lifetime_s : 28800);
	q->spi_out = (uint32_t)ch.spi.p[0] << 24 | (uint32_t)ch.spi.p[1] << 16 |
		     (uint32_t)ch.spi.p[2] << 8 | ch.spi.p[3];
	q->local_ts = cr;
	q->remote_ts = ci;
	if (take_pfs(e, q, m) < 0)
		return -1;
	q->spi_in = sa_new_spi(e);
	ike_random(e, q->nr, IKE_NONCE_LEN);
	q->nr_len = IKE_NONCE_LEN;
	memcpy(q->iv, m->next_iv, sa->keys.block_len);

	struct isakmp_builder b;
	start_msg(&b, e, q);
	size_t hash_at = msg_put_hash_placeholder(&b, sa->keys.hash_len);
	sa_put_p2_reply(&b, prop, t, q->spi_in);
	isakmp_put_raw(&b, PL_NONCE, q->nr, q->nr_len);
	if (q->group)
		isakmp_put_raw(&b, PL_KE, ikg_dh_public(q->dh), ikg_dh_pub_len(q->group));
	if (q->idci_len) {
		isakmp_put_raw(&b, PL_ID, q->idci, q->idci_len);
		isakmp_put_raw(&b, PL_ID, q->idcr, q->idcr_len);
	}
	q->state = QM_R_WAIT_M3;
	if (finish_and_send(e, q, &b, hash_at, 2, m, true, m->now) < 0) {
		q->state = QM_DEAD;
		qm_set_deadline(e, q, m->now);
		return -1;
	}
	qm_set_deadline(e, q, IKG_MS_NEVER);
	return 0;
}

int qm_r_msg3(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m)
{
	if (check_hash(e, q, m, 3) < 0)
		return -1;
	memcpy(q->iv, m->next_iv, q->sa->keys.block_len);
	rtx_stop(&q->rtx);
	rtx_answers(&q->rtx, m);
	rtx_clear(&q->rtx);
	q->state = QM_DONE;
	qm_set_deadline(e, q, m->now + qm_span(e));
	install(e, q, m->now, NULL);
	if (q->dh) {
		ikg_dh_free(q->dh);
		q->dh = NULL;
	}
	return 0;
}

/* ---- initiator, message 2 ---- */

int qm_i_msg2(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m)
{
	struct ike_sa *sa = q->sa;
	const struct isakmp_payload *sap = isakmp_find(&m->c, PL_SA);
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[q->profile];
	struct isakmp_sa peer_sa;
	const struct isakmp_proposal *prop;
	const struct isakmp_transform *t;
	struct p2_choice ch;
	char text[400];

	if (check_hash(e, q, m, 2) < 0 || take_nonce(e, q, m, q->nr, &q->nr_len) < 0)
		return -1;
	natt_follow_peer(e, sa, m);
	if (isakmp_count(&m->c, PL_SA) != 1 || isakmp_parse_sa(sap->body, &peer_sa) < 0 ||
	    peer_sa.n_proposals != 1 || peer_sa.proposals[0].n_transforms != 1) {
		ike_fail(e, sa, m, IKG_E_MALFORMED, "message=quick mode message 2; payload=SA; "
			 "result=not a single chosen transform");
		return -1;
	}
	if (sa_choose_p2(&peer_sa, p, &ch, &prop, &t, text, sizeof text) < 0) {
		ike_fail(e, sa, m, IKG_E_NO_PROPOSAL,
			 "phase=2; the peer chose a transform we did not propose; %s", text);
		return -1;
	}
	q->enc = ch.enc;
	q->integ = ch.integ;
	q->spi_out = (uint32_t)ch.spi.p[0] << 24 | (uint32_t)ch.spi.p[1] << 16 |
		     (uint32_t)ch.spi.p[2] << 8 | ch.spi.p[3];
	if (ch.lifetime_s && ch.lifetime_s < q->lifetime_s)
		q->lifetime_s = ch.lifetime_s;
	if (natt_encap_is_udp(ch.encap_mode))
		q->encap_mode = ch.encap_mode;
	if (take_pfs(e, q, m) < 0)
		return -1;
	memcpy(q->iv, m->next_iv, sa->keys.block_len);

	struct isakmp_builder b;
	start_msg(&b, e, q);
	size_t hash_at = msg_put_hash_placeholder(&b, sa->keys.hash_len);
	q->state = QM_DONE;
	if (finish_and_send(e, q, &b, hash_at, 3, m, false, m->now) < 0) {
		q->state = QM_I_WAIT_M2;
		return -1;
	}
	qm_set_deadline(e, q, m->now + qm_span(e));
	install(e, q, m->now, NULL);
	if (q->dh) {
		ikg_dh_free(q->dh);
		q->dh = NULL;
	}
	return 0;
}

/* ---- failures ---- */

/* A failed quick mode is not restarted by traffic for two retransmission intervals. */
static void qm_hold(struct ike_engine *e, size_t profile, ikg_ms now)
{
	if (profile < e->n_prof)
		e->prof[profile].hold_until = now + 2 * (ikg_ms)e->t.retransmit_ms;
}

void qm_peer_rejected(struct ike_engine *e, struct ike_qm *q, uint16_t notify, ikg_ms now)
{
	struct ike_sa *sa = q->sa;
	char peer[IKG_IP4_STRLEN], prop[64], l[48], r[48];

	if (q->profile >= e->cfg->n_ipsec)
		return;
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[q->profile];
	ikg_ip4_str(sa->peer, peer);
	sa_p2_text(p, prop, sizeof prop);
	switch (notify) {
	case NOTIFY_NO_PROPOSAL_CHOSEN:
		ike_report(e, now, IKG_E_NO_PROPOSAL, sa->peer, q->profile,
			   "phase=2; peer=%s; peer rejected our phase-2 proposal (PFS group %s); "
			   "proposed: %s; peer-vendor=%s; hint=compare PFS first, then the cipher "
			   "and integrity", peer, p->pfs_group ? ikg_dh_group_name(p->pfs_group) : "off",
			   prop, sa->vendor[0] ? sa->vendor : "unknown");
		break;
	case NOTIFY_INVALID_ID_INFORMATION:
		ike_report(e, now, IKG_E_INVALID_ID, sa->peer, q->profile,
			   "phase=2; peer=%s; peer rejected our phase-2 identities: local=%s, "
			   "remote=%s; hint=the peer's member ranges must mirror ours", peer,
			   range_text(q->local_ts, l, sizeof l), range_text(q->remote_ts, r, sizeof r));
		break;
	default:
		ike_event(e, now, MSG_PEER_NOTIFY, sa->peer, q->profile,
			  "peer=%s; received=%s; authenticated=yes; exchange=quick mode; "
			  "action=negotiation abandoned", peer, ikg_notify_name(notify));
		break;
	}
	rtx_stop(&q->rtx);
	q->state = QM_DEAD;
	qm_set_deadline(e, q, now + qm_span(e));
	qm_hold(e, q->profile, now);
}

void qm_timeout(struct ike_engine *e, struct ike_qm *q, ikg_ms now)
{
	struct ike_sa *sa = q->sa;
	char peer[IKG_IP4_STRLEN], prop[64], l[48], r[48];

	/* The responder never got message 3 although it sent message 2 again and again: message 3
	 * (or our message 2) was lost. The initiator installs its SA when it sends message 3, so
	 * refusing ours would black-hole the tunnel until the next rekey; the keys are complete,
	 * so install it (an SA the initiator never got is harmless and expires). */
	if (!q->initiator && q->state == QM_R_WAIT_M3 && q->profile < e->cfg->n_ipsec) {
		q->state = QM_DONE;
		qm_set_deadline(e, q, now + qm_span(e));
		install(e, q, now, "; note=quick mode message 3 never arrived (lost on the way): "
			"installed after waiting for it");
		if (q->dh) {
			ikg_dh_free(q->dh);
			q->dh = NULL;
		}
		return;
	}
	q->state = QM_DEAD;
	qm_set_deadline(e, q, now);
	if (!q->initiator || q->profile >= e->cfg->n_ipsec) {
		ike_drop(e, IKG_E_PH2_TIMEOUT);
		return;
	}
	qm_hold(e, q->profile, now);
	sa_p2_text(&e->cfg->ipsec[q->profile], prop, sizeof prop);
	ike_report(e, now, IKG_E_PH2_TIMEOUT, sa->peer, q->profile,
		   "peer=%s; state=sent quick mode message 1, no reply; retransmissions=%u; "
		   "proposed=%s; local=%s; remote=%s; hint=phase 1 is complete; check phase 2 "
		   "parameters; PFS mismatch first (peer vendor: %s)",
		   ikg_ip4_str(sa->peer, peer), q->rtx.tries, prop,
		   range_text(q->local_ts, l, sizeof l), range_text(q->remote_ts, r, sizeof r),
		   sa->vendor[0] ? sa->vendor : "unknown");
}
