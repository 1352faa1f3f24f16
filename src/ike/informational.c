/* Informational exchanges (RFC 2408 4.8, RFC 2409 5.7): notifications and deletes. After
 * phase 1 they are protected by HASH(1) = prf(SKEYID_a, M-ID | N/D) and encrypted; anything
 * unprotected is evidence only and never acted upon. Dead peer detection (RFC 3706) rides on
 * them: R-U-THERE / R-U-THERE-ACK with sequence numbers. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "ike/exchange.h"

static void cookies(const struct ike_sa *sa, uint8_t out[16])
{
	memcpy(out, sa->icookie, 8);
	memcpy(out + 8, sa->rcookie, 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- sending ---- */

/* Builds HDR*, HASH(1), <payload> around `put`, and sends it once. */
static void send_protected(struct ike_engine *e, struct ike_sa *sa, uint8_t type,
			   void (*put)(struct isakmp_builder *b, const void *arg), const void *arg)
{
	struct isakmp_builder b;
	struct isakmp_hdr h;
	uint8_t iv[IKG_MAX_BLOCK];

	if (!sa->keys_ok)
		return;
	uint32_t msgid = sa_new_msgid(e, sa);
	sa_msgid_note(sa, msgid);
	if (ike_iv_for_msgid(&sa->keys, sa->iv, msgid, iv) != 0)
		return;
	msg_hdr(&h, sa, EXCH_INFO, msgid, ISAKMP_FLAG_ENC);
	isakmp_build_start(&b, e->tx, sizeof e->tx, &h);
	size_t hash_at = msg_put_hash_placeholder(&b, sa->keys.hash_len);
	(void)type;
	put(&b, arg);
	size_t len = isakmp_build_finish(&b);
	size_t hl = sa->keys.hash_len;
	if (!len || hash_at + hl > len ||
	    ike_qm_hash1(&sa->keys, msgid, (struct ikg_bytes){e->tx + hash_at + hl,
							       len - hash_at - hl},
			 e->tx + hash_at) != 0)
		return;
	len = msg_encrypt(&sa->keys, iv, e->tx, len, sizeof e->tx);
	if (len)
		ike_send(e, sa, e->tx, len);
}

struct notify_arg {
	uint8_t proto;
	const uint8_t *spi;
	size_t spi_len;
	uint16_t type;
	const void *data;
	size_t data_len;
};

static void put_notify(struct isakmp_builder *b, const void *arg)
{
	const struct notify_arg *n = arg;

	isakmp_put_notify(b, 1, n->proto, n->type, n->spi, n->spi_len, n->data, n->data_len);
}

void info_send_notify(struct ike_engine *e, struct ike_sa *sa, ikg_ms now, uint8_t proto,
		      const uint8_t *spi, size_t spi_len, uint16_t type, const void *data,
		      size_t data_len)
{
	struct notify_arg n = {proto, spi, spi_len, type, data, data_len};

	(void)now;
	send_protected(e, sa, PL_N, put_notify, &n);
}

void info_send_plain_notify(struct ike_engine *e, const struct ike_msg *m, uint16_t type)
{
	struct isakmp_builder b;
	struct isakmp_hdr h;
	uint8_t spi[16];

	memset(&h, 0, sizeof h);
	memcpy(h.icookie, m->h.icookie, 8);
	memcpy(h.rcookie, m->h.rcookie, 8);
	h.version = 0x10;
	h.exchange = EXCH_INFO;
	memcpy(spi, m->h.icookie, 8);
	memcpy(spi + 8, m->h.rcookie, 8);
	isakmp_build_start(&b, e->tx, sizeof e->tx, &h);
	isakmp_put_notify(&b, 1, PROTO_ISAKMP, type, spi, 16, NULL, 0);
	size_t len = isakmp_build_finish(&b);
	if (len)
		ike_send_to(e, m->dst, m->dport, m->src, m->sport, e->tx, len);
}

struct delete_arg {
	uint8_t proto, spi_size;
	const uint8_t *spi;
};

static void put_delete(struct isakmp_builder *b, const void *arg)
{
	const struct delete_arg *d = arg;

	isakmp_put_delete(b, d->proto, d->spi_size, d->spi, 1);
}

void info_send_delete_isakmp(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	uint8_t spi[16];

	(void)now;
	if (sa->state != P1_ESTABLISHED)
		return;
	cookies(sa, spi);
	struct delete_arg d = {PROTO_ISAKMP, 16, spi};
	send_protected(e, sa, PL_D, put_delete, &d);
}

void info_send_delete_child(struct ike_engine *e, struct ike_sa *sa, ikg_ms now, uint8_t proto,
			    uint32_t spi_in)
{
	uint8_t spi[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16), (uint8_t)(spi_in >> 8),
			  (uint8_t)spi_in};

	(void)now;
	if (!sa || sa->state != P1_ESTABLISHED)
		return;
	struct delete_arg d = {proto == IKG_PROTO_AH ? PROTO_IPSEC_AH : PROTO_IPSEC_ESP, 4, spi};
	send_protected(e, sa, PL_D, put_delete, &d);
}

/* ---- children and peers going away ---- */

static void child_gone(struct ike_engine *e, struct ike_child_sa *c)
{
	if (e->ops.child_down)
		e->ops.child_down(e->ops.ctx, c->profile, c->spi_in, c->spi_out);
	child_remove(e, c);
}

void info_drop_children(struct ike_engine *e, ikg_ip4 peer, size_t profile, ikg_ms now,
			bool send_delete, ikg_ms created_before)
{
	for (struct ike_child_sa *c = e->children; c; c = c->next) {
		if (c->dead || c->peer != peer || (profile != SIZE_MAX && c->profile != profile) ||
		    c->created >= created_before)
			continue;
		if (send_delete)
			info_send_delete_child(e, sa_established_with(e, peer, SIZE_MAX), now,
					       c->protocol, c->spi_in);
		child_gone(e, c);
	}
}

void info_initial_contact(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	char peer[IKG_IP4_STRLEN];
	size_t n = 0;

	for (struct ike_sa *o = e->sas; o; o = o->next) {
		if (o == sa || o->dead || o->peer != sa->peer)
			continue;
		sa_kill(e, o, now);
		n++;
	}
	size_t before = 0;
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead && c->peer == sa->peer && c->created < sa->established_at)
			before++;
	info_drop_children(e, sa->peer, SIZE_MAX, now, false, sa->established_at);
	if (n || before)
		ike_event(e, now, MSG_SA_DELETED, sa->peer, sa->profile,
			  "peer=%s; reason=INITIAL-CONTACT (the peer restarted and lost its SAs); "
			  "dropped=%zu phase-1 and %zu phase-2 SAs", ikg_ip4_str(sa->peer, peer), n,
			  before);
}

/* ---- receiving ---- */

static struct ike_qm *pending_qm(struct ike_sa *sa, const struct isakmp_notify *n)
{
	struct ike_qm *oldest = NULL;

	for (struct ike_qm *q = sa->qms; q; q = q->next) {
		if (!q->initiator || q->state != QM_I_WAIT_M2)
			continue;
		if (n->spi.len == 4 && get32(n->spi.p) == q->spi_in)
			return q;
		oldest = q;                       /* list is newest first: the last is the oldest */
	}
	return oldest;
}

static void dpd_ack(struct ike_sa *sa, const struct isakmp_notify *n)
{
	if (n->data.len == 4 && sa->dpd_pending && get32(n->data.p) == sa->dpd_seq) {
		sa->dpd_pending = false;
		sa->dpd_misses = 0;
	}
}

static void handle_notify(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			  const struct isakmp_notify *n)
{
	char peer[IKG_IP4_STRLEN];
	uint8_t spi[16];

	switch (n->type) {
	case NOTIFY_DPD_R_U_THERE:
		if (n->data.len != 4)
			return;
		cookies(sa, spi);
		info_send_notify(e, sa, m->now, PROTO_ISAKMP, spi, 16, NOTIFY_DPD_R_U_THERE_ACK,
				 n->data.p, 4);
		return;
	case NOTIFY_DPD_R_U_THERE_ACK:
		dpd_ack(sa, n);
		return;
	case NOTIFY_INITIAL_CONTACT:
		if (sa->state == P1_ESTABLISHED)
			info_initial_contact(e, sa, m->now);
		return;
	case NOTIFY_RESPONDER_LIFETIME:
	case NOTIFY_REPLAY_STATUS:
	case NOTIFY_CONNECTED:
		return;
	default:
		break;
	}
	if (n->type >= 8192)
		return;                           /* other status notifies: nothing to do */
	/* Our message was damaged on the way: our retransmission may still get through. */
	bool transient = n->type == NOTIFY_INVALID_HASH_INFORMATION ||
			 n->type == NOTIFY_PAYLOAD_MALFORMED;
	struct ike_qm *q = transient ? NULL : pending_qm(sa, n);
	if (q) {
		qm_peer_rejected(e, q, n->type, m->now);
		return;
	}
	ike_event(e, m->now, MSG_PEER_NOTIFY, sa->peer, sa->profile,
		  "peer=%s; received=%s; authenticated=yes; action=logged",
		  ikg_ip4_str(sa->peer, peer), ikg_notify_name(n->type));
}

static void handle_delete(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			  const struct isakmp_delete *d)
{
	char peer[IKG_IP4_STRLEN];

	ikg_ip4_str(sa->peer, peer);
	for (size_t i = 0; i < d->n_spis; i++) {
		const uint8_t *spi = d->spis.p + i * d->spi_size;
		if (d->protocol == PROTO_ISAKMP && d->spi_size == 16) {
			struct ike_sa *o = sa_lookup(e, spi, spi + 8);
			if (!o || o->dead || o->peer != sa->peer)
				continue;
			ike_event(e, m->now, MSG_SA_DELETED, sa->peer, o->profile,
				  "peer=%s; deleted=ISAKMP SA (phase 1); authenticated=yes", peer);
			sa_kill(e, o, m->now);
			p1_ph1_state(e, o, IKE_PH_DOWN);
		} else if ((d->protocol == PROTO_IPSEC_ESP || d->protocol == PROTO_IPSEC_AH) &&
			   d->spi_size == 4) {
			/* the peer names its inbound SPI (our outbound); some implementations
			 * name ours: accept both, as strongSwan does */
			struct ike_child_sa *c = child_by_spi_out(e, sa->peer, get32(spi));
			if (!c) {
				c = child_by_spi_in(e, get32(spi));
				if (c && c->peer != sa->peer)
					c = NULL;
			}
			if (!c)
				continue;
			ike_event(e, m->now, MSG_SA_DELETED, sa->peer, c->profile,
				  "peer=%s; deleted=%s SA spi-in=0x%08x spi-out=0x%08x; "
				  "authenticated=yes", peer, d->protocol == PROTO_IPSEC_AH ? "AH" : "ESP",
				  c->spi_in, c->spi_out);
			child_gone(e, c);
		}
	}
}

void info_input(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t iv[IKG_MAX_BLOCK], want[IKG_MAX_HASH];

	if (!(m->h.flags & ISAKMP_FLAG_ENC)) {
		p1_note_notify(e, sa, m);         /* evidence only */
		return;
	}
	if (!sa || sa->dead || !sa->keys_ok || m->h.msgid == 0 || m->src != sa->peer) {
		ike_drop(e, IKG_E_STATE);
		return;
	}
	if (sa_msgid_seen(sa, m->h.msgid)) {
		ike_drop(e, IKG_E_REPLAY);
		return;
	}
	if (ike_iv_for_msgid(&sa->keys, sa->iv, m->h.msgid, iv) != 0 ||
	    msg_decrypt(e, &sa->keys, iv, m) < 0 || m->c.n < 2 || m->c.pl[0].type != PL_HASH) {
		ike_drop(e, IKG_E_MALFORMED);
		return;
	}
	const struct isakmp_payload *h = &m->c.pl[0];
	if (ike_qm_hash1(&sa->keys, m->h.msgid, msg_after_hash(m), want) != 0 ||
	    h->body.len != sa->keys.hash_len || !ike_equal(h->body.p, want, h->body.len)) {
		ike_fail(e, sa, m, IKG_E_PH2_HASH,
			 "message=informational; check=HASH(1); result=mismatch; action=dropped");
		return;
	}
	sa_msgid_note(sa, m->h.msgid);
	if (sa->state == P1_ESTABLISHED)
		natt_follow_peer(e, sa, m);
	for (size_t i = 0; i < m->c.n; i++) {
		const struct isakmp_payload *pl = &m->c.pl[i];
		if (pl->type == PL_N) {
			struct isakmp_notify n;
			if (isakmp_parse_notify(pl->body, &n) == 0)
				handle_notify(e, sa, m, &n);
		} else if (pl->type == PL_D) {
			struct isakmp_delete d;
			if (isakmp_parse_delete(pl->body, &d) == 0)
				handle_delete(e, sa, m, &d);
		}
	}
}

/* ---- DPD ---- */

void dpd_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	const struct cfg_ike_profile *ip = prof_ike(e, sa->profile);
	char peer[IKG_IP4_STRLEN];
	uint8_t spi[16], seq[4];

	if (sa->dpd_at > now)
		return;
	if (!ip || !ip->dpd_interval || !sa->peer_dpd) {
		sa->dpd_at = IKG_MS_NEVER;
		return;
	}
	if (sa->dpd_pending && ++sa->dpd_misses >= IKE_DPD_MAX_MISSES) {
		ikg_ip4_str(sa->peer, peer);
		ike_event(e, now, MSG_DPD_PEER_DEAD, sa->peer, sa->profile,
			  "peer=%s; probes unanswered=%u; interval=%us; action=phase-1 and phase-2 "
			  "SAs with the peer deleted", peer, sa->dpd_misses, ip->dpd_interval);
		ikg_ip4 gone = sa->peer;
		info_drop_children(e, gone, SIZE_MAX, now, false, IKG_MS_NEVER);
		for (struct ike_sa *o = e->sas; o; o = o->next)
			if (!o->dead && o->peer == gone) {
				sa_kill(e, o, now);
				p1_ph1_state(e, o, IKE_PH_DOWN);
			}
		return;
	}
	if (sa->dpd_seq == 0) {
		ike_random(e, seq, 4);
		sa->dpd_seq = get32(seq) & 0x7fffffff;
	}
	sa->dpd_seq++;
	seq[0] = (uint8_t)(sa->dpd_seq >> 24);
	seq[1] = (uint8_t)(sa->dpd_seq >> 16);
	seq[2] = (uint8_t)(sa->dpd_seq >> 8);
	seq[3] = (uint8_t)sa->dpd_seq;
	cookies(sa, spi);
	info_send_notify(e, sa, now, PROTO_ISAKMP, spi, 16, NOTIFY_DPD_R_U_THERE, seq, 4);
	sa->dpd_pending = true;
	sa->dpd_at = now + (ikg_ms)ip->dpd_interval * 1000;
}
