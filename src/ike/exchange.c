/* The IKEv1 exchanges as transition tables, the dispatch of received datagrams to them,
 * retransmission (exponential backoff; a peer's retransmission gets our previous answer again),
 * message encryption and the one error path (event + counter + notify). */
#include "ike/exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/secret.h"

/* ---- the transition tables ---- */

enum crypt_rule { C_PLAIN, C_ENC, C_ANY };

#define NATD_ANY (PB(PL_NATD) | PB(PL_NATD_DRAFT))
#define NATOA_ANY (PB(PL_NATOA) | PB(PL_NATOA_DRAFT))

struct p1_transition {
	enum p1_state state;
	uint8_t exchange;
	enum crypt_rule crypt;
	uint64_t required, optional;
	int (*handler)(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
	const char *what;
	const char *timeout;          /* when the expected message never comes (initiator) */
};

/* What a resend timeout means, by the state it happened in (design.md section 1). */
#define T_MM1 "state=sent main mode message 1, no reply; hint=no reply at all: peer " \
	      "unreachable, UDP 500 blocked by a firewall or filter set, or no profile on the peer"
#define T_MM3 "state=sent main mode message 3, no reply; hint=no reply to main mode message 3 " \
	      "(key exchange): the peer accepted our proposal but did not complete the key " \
	      "exchange (large packets dropped, or the peer rejected our DH value)"
#define T_MM5 "state=sent main mode message 5, no reply; hint=no reply to main mode message 5: " \
	      "the peer could not decrypt it; a pre-shared key mismatch is the most likely cause"
#define T_AM1 "state=sent aggressive mode message 1, no reply; hint=no reply at all: peer " \
	      "unreachable, UDP 500 blocked by a firewall or filter set, no profile on the peer, " \
	      "or the peer silently rejected our proposal or identity"
#define T_R "state=responder waiting for the initiator"

/* Phase 1: main mode (RFC 2409 5.4) and aggressive mode (5.4 / RFC 3947 for NAT-D).
 * A message missing a required payload is rejected; payloads outside both columns are
 * ignored, as strongSwan and libreswan do (vendor extensions). */
static const struct p1_transition p1_table[] = {
	/* state         exchange         crypt    required payloads                          optional payloads                  handler    message                      timeout */
	{P1_NONE,      EXCH_IDPROT,     C_PLAIN, PB(PL_SA),                                 PB(PL_VID),                        mm_r_msg1, "main mode message 1",       NULL},
	{MM_I_WAIT_M2, EXCH_IDPROT,     C_PLAIN, PB(PL_SA),                                 PB(PL_VID),                        mm_i_msg2, "main mode message 2",       T_MM1},
	{MM_R_WAIT_M3, EXCH_IDPROT,     C_PLAIN, PB(PL_KE) | PB(PL_NONCE),                  NATD_ANY | PB(PL_VID),             mm_r_msg3, "main mode message 3",       T_R},
	{MM_I_WAIT_M4, EXCH_IDPROT,     C_PLAIN, PB(PL_KE) | PB(PL_NONCE),                  NATD_ANY | PB(PL_VID),             mm_i_msg4, "main mode message 4",       T_MM3},
	{MM_R_WAIT_M5, EXCH_IDPROT,     C_ENC,   PB(PL_ID) | PB(PL_HASH),                   PB(PL_N) | PB(PL_VID),             mm_r_msg5, "main mode message 5",       T_R},
	{MM_I_WAIT_M6, EXCH_IDPROT,     C_ENC,   PB(PL_ID) | PB(PL_HASH),                   PB(PL_N) | PB(PL_VID),             mm_i_msg6, "main mode message 6",       T_MM5},
	{P1_NONE,      EXCH_AGGRESSIVE, C_PLAIN, PB(PL_SA) | PB(PL_KE) | PB(PL_NONCE) | PB(PL_ID), PB(PL_VID),                 am_r_msg1, "aggressive mode message 1", NULL},
	{AM_I_WAIT_M2, EXCH_AGGRESSIVE, C_PLAIN, PB(PL_SA) | PB(PL_KE) | PB(PL_NONCE) | PB(PL_ID) | PB(PL_HASH), NATD_ANY | PB(PL_VID), am_i_msg2, "aggressive mode message 2", T_AM1},
	{AM_R_WAIT_M3, EXCH_AGGRESSIVE, C_ANY,   PB(PL_HASH),                               NATD_ANY | PB(PL_N) | PB(PL_VID),  am_r_msg3, "aggressive mode message 3", T_R},
};

struct p2_transition {
	enum qm_state state;
	uint64_t required, optional;
	int (*handler)(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m);
	const char *what;
};

/* Phase 2: quick mode (RFC 2409 5.5), always encrypted, HASH first. */
static const struct p2_transition p2_table[] = {
	/* state         required payloads                       optional payloads                          handler */
	{QM_NONE,      PB(PL_HASH) | PB(PL_SA) | PB(PL_NONCE),  PB(PL_KE) | PB(PL_ID) | NATOA_ANY | PB(PL_N), qm_r_msg1, "quick mode message 1"},
	{QM_I_WAIT_M2, PB(PL_HASH) | PB(PL_SA) | PB(PL_NONCE),  PB(PL_KE) | PB(PL_ID) | NATOA_ANY | PB(PL_N), qm_i_msg2, "quick mode message 2"},
	{QM_R_WAIT_M3, PB(PL_HASH),                             PB(PL_N),                                  qm_r_msg3, "quick mode message 3"},
};

uint64_t msg_payload_bits(const struct isakmp_chain *c)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < c->n; i++) {
		uint8_t t = c->pl[i].type;
		if (t < 50 || t == PL_NATD_DRAFT || t == PL_NATOA_DRAFT)
			bits |= PB(t);
	}
	return bits;
}

static const char *missing_payload(uint64_t required, uint64_t have)
{
	static const uint8_t types[] = {PL_SA, PL_KE, PL_ID, PL_HASH, PL_NONCE, PL_N, PL_D};

	for (size_t i = 0; i < sizeof types; i++)
		if ((required & PB(types[i])) && !(have & PB(types[i])))
			return isakmp_payload_name(types[i]);
	return "?";
}

/* ---- sending and retransmission ---- */

void ike_send_to(struct ike_engine *e, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		 const uint8_t *p, size_t len)
{
	if (sport == 4500 && len <= IKE_TX_MAX) {
		memset(e->wire, 0, 4);                  /* non-ESP marker (RFC 3948 2.2) */
		memcpy(e->wire + 4, p, len);
		e->ops.send(e->ops.ctx, src, sport, dst, dport, e->wire, len + 4);
		return;
	}
	e->ops.send(e->ops.ctx, src, sport, dst, dport, p, len);
}

void ike_send(struct ike_engine *e, const struct ike_sa *sa, const uint8_t *p, size_t len)
{
	ike_send_to(e, sa->local, sa->local_port, sa->peer, sa->peer_port, p, len);
}

void rtx_send(struct ike_engine *e, const struct ike_sa *sa, struct ike_rtx *r, ikg_ms now,
	      bool wait)
{
	ike_send(e, sa, r->buf, r->len);
	r->tries = 0;
	r->at = wait ? now + e->t.retransmit_ms : IKG_MS_NEVER;
}

void rtx_answers(struct ike_rtx *r, const struct ike_msg *m)
{
	memcpy(r->rx_digest, m->digest, IKE_DIGEST_LEN);
	r->has_rx = true;
}

int rtx_store(struct ike_rtx *r, const uint8_t *p, size_t len)
{
	uint8_t *copy = len && len <= IKE_TX_MAX ? malloc(len) : NULL;

	rtx_clear(r);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	r->buf = copy;
	r->len = len;
	return 0;
}

void rtx_clear(struct ike_rtx *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}

bool ike_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

void rtx_stop(struct ike_rtx *r)
{
	r->at = IKG_MS_NEVER;
}

static void rtx_reject(struct ike_rtx *r, const struct ike_msg *m)
{
	memcpy(r->bad_digest, m->digest, IKE_DIGEST_LEN);
	r->has_bad = true;
}

/* Already seen: our answer goes out again (a lost reply), a rejected message is dropped. */
static bool rtx_is_duplicate(struct ike_engine *e, const struct ike_sa *sa, struct ike_rtx *r,
			     const struct ike_msg *m)
{
	if (r->has_rx && memcmp(r->rx_digest, m->digest, IKE_DIGEST_LEN) == 0) {
		ike_drop(e, IKG_E_REPLAY);
		if (r->len && !sa->dead)
			ike_send(e, sa, r->buf, r->len);
		return true;
	}
	if (r->has_bad && memcmp(r->bad_digest, m->digest, IKE_DIGEST_LEN) == 0) {
		ike_drop(e, IKG_E_REPLAY);
		return true;
	}
	return false;
}

/* ---- message helpers ---- */

void msg_hdr(struct isakmp_hdr *h, const struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
	     uint8_t flags)
{
	memset(h, 0, sizeof *h);
	memcpy(h->icookie, sa->icookie, 8);
	memcpy(h->rcookie, sa->rcookie, 8);
	h->version = 0x10;
	h->exchange = exchange;
	h->flags = flags;
	h->msgid = msgid;
}

size_t msg_encrypt(const struct ike_keys *k, uint8_t *iv, uint8_t *msg, size_t len, size_t cap)
{
	size_t bs = k->block_len;

	if (len < ISAKMP_HDR_LEN || bs == 0)
		return 0;
	size_t body = len - ISAKMP_HDR_LEN;
	size_t pad = bs - body % bs;                    /* as strongSwan: zeros, at least one */
	if (len + pad > cap)
		return 0;
	memset(msg + len, 0, pad);
	body += pad;
	if (ikg_cbc_encrypt(k->cipher, k->enc_key, iv, msg + ISAKMP_HDR_LEN, body) != 0)
		return 0;
	len += pad;
	msg[19] |= ISAKMP_FLAG_ENC;
	msg[24] = (uint8_t)(len >> 24);
	msg[25] = (uint8_t)(len >> 16);
	msg[26] = (uint8_t)(len >> 8);
	msg[27] = (uint8_t)len;
	return len;
}

int msg_decrypt(struct ike_engine *e, const struct ike_keys *k, const uint8_t *iv,
		struct ike_msg *m)
{
	size_t bs = k->block_len;
	size_t body = m->raw_len - ISAKMP_HDR_LEN;
	uint8_t ivc[IKG_MAX_BLOCK];

	if (bs == 0 || body == 0 || body % bs != 0 || body > sizeof e->rx)
		return -1;
	memcpy(e->rx, m->raw + ISAKMP_HDR_LEN, body);
	memcpy(ivc, iv, bs);
	if (ikg_cbc_decrypt(k->cipher, k->enc_key, ivc, e->rx, body) != 0)
		return -1;
	memcpy(m->next_iv, m->raw + m->raw_len - bs, bs);
	m->encrypted = true;
	if (isakmp_parse_chain(m->h.next_payload, e->rx, body, true, &m->c) < 0)
		return -1;
	return 0;
}

struct ikg_bytes msg_after_hash(const struct ike_msg *m)
{
	if (m->c.n < 2)
		return (struct ikg_bytes){m->c.n ? m->c.pl[0].whole.p + m->c.pl[0].whole.len : NULL, 0};
	const struct isakmp_payload *first = &m->c.pl[1], *last = &m->c.pl[m->c.n - 1];
	return (struct ikg_bytes){first->whole.p,
				  (size_t)(last->whole.p + last->whole.len - first->whole.p)};
}

size_t msg_put_hash_placeholder(struct isakmp_builder *b, size_t n)
{
	isakmp_begin(b, PL_HASH);
	size_t at = b->w.len;
	wr_zero(&b->w, n);
	isakmp_end(b);
	return at;
}

/* ---- events, errors, counters ---- */

void ike_count(struct ike_engine *e, enum ikg_counter c)
{
	if ((unsigned)c < CNT__COUNT && c != CNT_NONE)
		e->counters[c]++;
}

void ike_drop(struct ike_engine *e, enum ikg_err err)
{
	ike_count(e, ikg_err_info(err)->counter);
}

const char *ike_profile_name(const struct ike_engine *e, size_t profile)
{
	return profile < e->cfg->n_ipsec ? e->cfg->ipsec[profile].name : "";
}

static void event_v(struct ike_engine *e, ikg_ms now, enum ikg_msg code, ikg_ip4 peer,
		    size_t profile, const char *fmt, va_list ap)
{
	struct ikg_event ev;

	memset(&ev, 0, sizeof ev);
	ev.when = now;
	ev.code = code;
	ev.peer = peer;
	snprintf(ev.profile, sizeof ev.profile, "%s", ike_profile_name(e, profile));
	if (fmt)
		vsnprintf(ev.evidence, sizeof ev.evidence, fmt, ap);
	if (e->ops.event)
		e->ops.event(e->ops.ctx, &ev);
}

void ike_event(struct ike_engine *e, ikg_ms now, enum ikg_msg code, ikg_ip4 peer, size_t profile,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	event_v(e, now, code, peer, profile, fmt, ap);
	va_end(ap);
}

static uint16_t report_v(struct ike_engine *e, ikg_ms now, enum ikg_err err, ikg_ip4 peer,
			 size_t profile, const char *fmt, va_list ap)
{
	const struct ikg_err_info *info = ikg_err_info(err);

	ike_count(e, info->counter);
	if (info->msg != MSG_NONE)
		event_v(e, now, info->msg, peer, profile, fmt, ap);
	return info->notify;
}

uint16_t ike_report(struct ike_engine *e, ikg_ms now, enum ikg_err err, ikg_ip4 peer,
		    size_t profile, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uint16_t n = report_v(e, now, err, peer, profile, fmt, ap);
	va_end(ap);
	return n;
}

void ike_fail(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m, enum ikg_err err,
	      const char *fmt, ...)
{
	va_list ap;
	ikg_ip4 peer = sa ? sa->peer : m->src;
	size_t profile = sa ? sa->profile : SIZE_MAX;

	va_start(ap, fmt);
	uint16_t notify = report_v(e, m->now, err, peer, profile, fmt, ap);
	va_end(ap);
	if (notify == NOTIFY_NONE || m->h.exchange == EXCH_INFO)
		return;                                 /* never a notify in reply to a notify */
	if (sa && sa->state == P1_ESTABLISHED && sa->keys_ok) {
		uint8_t spi[16];
		memcpy(spi, sa->icookie, 8);
		memcpy(spi + 8, sa->rcookie, 8);
		info_send_notify(e, sa, m->now, PROTO_ISAKMP, spi, 16, notify, NULL, 0);
	} else {
		info_send_plain_notify(e, m, notify);
	}
}

/* ---- phase 1 dispatch ---- */

static const struct p1_transition *p1_find(enum p1_state state, uint8_t exchange)
{
	for (size_t i = 0; i < IKG_ARRAY_LEN(p1_table); i++)
		if (p1_table[i].state == state && p1_table[i].exchange == exchange)
			return &p1_table[i];
	return NULL;
}

static void p1_input(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	if (rtx_is_duplicate(e, sa, &sa->rtx, m))
		return;
	const struct p1_transition *t = p1_find(sa->state, m->h.exchange);
	if (!t || sa->dead) {
		ike_drop(e, sa->state == P1_ESTABLISHED ? IKG_E_REPLAY : IKG_E_STATE);
		return;
	}
	bool enc = (m->h.flags & ISAKMP_FLAG_ENC) != 0;
	if (!enc && (t->crypt == C_ENC || m->src != sa->peer)) {
		ike_drop(e, IKG_E_STATE);          /* plaintext from elsewhere, or out of order */
		return;
	}
	if (enc) {
		if (t->crypt == C_PLAIN || !sa->keys_ok) {
			ike_drop(e, IKG_E_STATE);
			return;
		}
		if (msg_decrypt(e, &sa->keys, sa->iv, m) < 0) {
			rtx_reject(&sa->rtx, m);
			ike_fail(e, sa, m, IKG_E_DECRYPT,
				 "check=decryption of %s; result=the message does not decrypt to valid "
				 "payloads; id-received=none (unreadable); hint=the pre-shared keys "
				 "differ (secrets are case sensitive)", t->what);
			return;
		}
	}
	uint64_t have = msg_payload_bits(&m->c);
	if ((have & t->required) != t->required) {
		rtx_reject(&sa->rtx, m);
		if (enc)
			ike_fail(e, sa, m, IKG_E_DECRYPT,
				 "check=decryption of %s; result=decrypted payloads lack %s; "
				 "id-received=none (unreadable); hint=the pre-shared keys differ "
				 "(secrets are case sensitive)", t->what,
				 missing_payload(t->required, have));
		else
			ike_fail(e, sa, m, IKG_E_MALFORMED, "message=%s; missing payload=%s", t->what,
				 missing_payload(t->required, have));
		if (sa->state == P1_NONE)
			sa_kill(e, sa, m->now);
		return;
	}
	if (t->handler(e, sa, m) < 0) {
		rtx_reject(&sa->rtx, m);
		if (sa->state == P1_NONE)
			sa_kill(e, sa, m->now);
	}
}

/* Half-open phase-1 SAs a source holds: a flood from one address cannot take the whole
 * half-open budget. */
static size_t half_open_from(const struct ike_engine *e, ikg_ip4 src)
{
	size_t n = 0;
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next)
		n += sa->half_open && !sa->dead && sa->peer == src;
	return n;
}

/* true when src was told "no matching phase1 profile" less than a minute ago, or when this
 * minute's budget of such events (all sources) is spent; else records it. */
static bool noprof_logged_recently(struct ike_engine *e, ikg_ip4 src, ikg_ms now)
{
	if (now - e->noprof_window >= IKE_NOPROF_LOG_MS) {
		e->noprof_window = now;
		e->noprof_in_window = 0;
	}
	if (e->noprof_in_window >= IKE_NOPROF_PER_MIN)
		return true;
	for (size_t i = 0; i < IKE_NOPROF_LOG; i++)
		if (e->noprof_log[i].src == src && e->noprof_log[i].at &&
		    now - e->noprof_log[i].at < IKE_NOPROF_LOG_MS)
			return true;
	e->noprof_log[e->noprof_next].src = src;
	e->noprof_log[e->noprof_next].at = now ? now : 1;
	e->noprof_next = (e->noprof_next + 1) % IKE_NOPROF_LOG;
	e->noprof_in_window++;
	return false;
}

static void p1_new_responder(struct ike_engine *e, struct ike_msg *m)
{
	static const uint8_t zero[8];
	char peer[IKG_IP4_STRLEN], eps[300];
	bool initiate_only = false;

	if (memcmp(m->h.rcookie, zero, 8) != 0) {
		ike_report(e, m->now, IKG_E_INVALID_COOKIE, m->src, SIZE_MAX, NULL);
		return;
	}
	if ((m->h.flags & ISAKMP_FLAG_ENC) || m->h.msgid != 0) {
		ike_drop(e, IKG_E_MALFORMED);
		return;
	}
	if (e->half_open >= e->t.half_open_max || half_open_from(e, m->src) >= IKE_HALF_OPEN_PER_SOURCE) {
		ike_report(e, m->now, IKG_E_LIMIT, m->src, SIZE_MAX, NULL);
		return;
	}
	size_t prof = prof_for_peer(e, m->src, &initiate_only);
	/* a driver on a wildcard socket may not know the destination: use our WAN address */
	ikg_ip4 local = m->dst ? m->dst : e->cfg->gateway.wan_address;
	struct ike_sa *sa = sa_new(e, m->now, false, prof,
				   prof == SIZE_MAX ? SIZE_MAX : prof_ike_index(e, prof), local,
				   m->src, m->sport);
	if (!sa) {
		ike_drop(e, IKG_E_STATE);
		return;
	}
	sa_set_cookies(e, sa, m->h.icookie);
	sa->local_port = m->dport;
	sa->aggressive = m->h.exchange == EXCH_AGGRESSIVE;
	if (prof == SIZE_MAX) {
		/* The SA record absorbs the peer's retransmissions of this message. */
		rtx_reject(&sa->rtx, m);
		sa_kill(e, sa, m->now);
		ikg_ip4_str(m->src, peer);
		if (initiate_only) {
			ike_drop(e, IKG_E_NO_PH1_PROFILE);
			ike_event(e, m->now, MSG_NO_MATCHING_PH1_PROFILE, m->src, SIZE_MAX,
				  "peer=%s; matching profile negotiates initiate-only: request "
				  "dropped, no reply", peer);
			return;
		}
		if (noprof_logged_recently(e, m->src, m->now)) {
			ike_drop(e, IKG_E_NO_PH1_PROFILE);   /* counted; no event, no notify */
			return;
		}
		prof_endpoints_text(e, eps, sizeof eps);
		ike_fail(e, NULL, m, IKG_E_NO_PH1_PROFILE,
			 "peer=%s; configured remote endpoints: %s", peer, eps);
		return;
	}
	p1_input(e, sa, m);
}

/* ---- phase 2 dispatch ---- */

static const struct p2_transition *p2_find(enum qm_state state)
{
	for (size_t i = 0; i < IKG_ARRAY_LEN(p2_table); i++)
		if (p2_table[i].state == state)
			return &p2_table[i];
	return NULL;
}

static void p2_input(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	if (sa->dead || sa->state != P1_ESTABLISHED || !sa->keys_ok) {
		ike_drop(e, IKG_E_STATE);
		return;
	}
	if (!(m->h.flags & ISAKMP_FLAG_ENC) || m->h.msgid == 0) {
		ike_drop(e, IKG_E_MALFORMED);
		return;
	}
	struct ike_qm *q = qm_find(sa, m->h.msgid);
	if (q && rtx_is_duplicate(e, sa, &q->rtx, m))
		return;
	if (!q) {
		if (sa_msgid_seen(sa, m->h.msgid)) {
			ike_drop(e, IKG_E_REPLAY);
			return;
		}
		q = qm_new(e, sa, m->h.msgid, false);
		if (!q || ike_iv_for_msgid(&sa->keys, sa->p1_last, m->h.msgid, q->iv) != 0) {
			ike_drop(e, IKG_E_STATE);
			if (q)
				q->state = QM_DEAD, qm_set_deadline(e, q, m->now);
			return;
		}
		uint64_t span = (uint64_t)e->t.retransmit_ms * ((2ull << e->t.retransmit_tries) + 2);
		qm_set_deadline(e, q, m->now + span);
	}
	const struct p2_transition *t = p2_find(q->state);
	if (!t) {
		ike_drop(e, IKG_E_REPLAY);
		return;
	}
	if (msg_decrypt(e, &sa->keys, q->iv, m) < 0) {
		rtx_reject(&q->rtx, m);
		ike_fail(e, sa, m, IKG_E_PH2_HASH,
			 "message=%s; check=decryption; result=does not decrypt to valid payloads "
			 "(corrupted or tampered in transit); action=dropped", t->what);
		return;
	}
	uint64_t have = msg_payload_bits(&m->c);
	if (m->c.n == 0 || m->c.pl[0].type != PL_HASH || (have & t->required) != t->required) {
		rtx_reject(&q->rtx, m);
		ike_fail(e, sa, m, IKG_E_PH2_HASH,
			 "message=%s; check=payloads; result=%s; action=dropped", t->what,
			 m->c.n && m->c.pl[0].type != PL_HASH ? "HASH is not the first payload"
							      : "a required payload is missing");
		return;
	}
	if (t->handler(e, q, m) < 0)
		rtx_reject(&q->rtx, m);
}

/* ---- entry points ---- */

static void fingerprint(const uint8_t *p, size_t len, uint8_t *out)
{
	uint8_t h[IKG_MAX_HASH];
	struct ikg_bytes part = {p, len};

	if (ikg_digest(IKG_HASH_SHA256, &part, 1, h) != 0) {
		/* cannot happen with a working libcrypto; fall back to FNV so we still work */
		uint64_t f = 1469598103934665603ull;
		for (size_t i = 0; i < len; i++)
			f = (f ^ p[i]) * 1099511628211ull;
		memset(h, 0, sizeof h);
		memcpy(h, &f, sizeof f);
	}
	memcpy(out, h, IKE_DIGEST_LEN);
}

void ike_input(struct ike_engine *e, ikg_ms now, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
	       uint16_t dport, const uint8_t *p, size_t len)
{
	struct ike_msg m;

	if (!e || !p)
		return;
	if (len == 1 && p[0] == 0xff)
		return;                                 /* NAT keepalive */
	memset(&m, 0, sizeof m);
	m.now = now;
	m.src = src;
	m.dst = dst;
	m.sport = sport;
	m.dport = dport;
	m.raw = p;
	m.raw_len = len;
	if (isakmp_parse_hdr(p, len, &m.h) < 0) {
		ike_drop(e, IKG_E_MALFORMED);
		return;
	}
	fingerprint(p, len, m.digest);
	if (!(m.h.flags & ISAKMP_FLAG_ENC) &&
	    isakmp_parse_chain(m.h.next_payload, p + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, true,
			       &m.c) < 0) {
		ike_drop(e, IKG_E_MALFORMED);
		return;
	}
	struct ike_sa *sa = sa_lookup(e, m.h.icookie, m.h.rcookie);
	switch (m.h.exchange) {
	case EXCH_INFO:
		info_input(e, sa, &m);
		break;
	case EXCH_QUICK:
		if (sa)
			p2_input(e, sa, &m);
		else
			ike_report(e, now, IKG_E_INVALID_COOKIE, src, SIZE_MAX, NULL);
		break;
	case EXCH_IDPROT:
	case EXCH_AGGRESSIVE:
		if (sa)
			p1_input(e, sa, &m);
		else
			p1_new_responder(e, &m);
		break;
	default:
		ike_drop(e, IKG_E_MALFORMED);
		break;
	}
	sa_gc(e, now);
}

/* ---- timers ---- */

const char *p1_timeout_hint(const struct ike_sa *sa)
{
	if ((sa->state == MM_I_WAIT_M2 || sa->state == AM_I_WAIT_M2) &&
	    sa->unauth_notify == NOTIFY_NO_PROPOSAL_CHOSEN)
		return "state=sent message 1, answered only by an unauthenticated NO-PROPOSAL-CHOSEN; "
		       "hint=the peer rejected our proposal or has no profile for our address: "
		       "compare the phase-1 proposals and the peer's remote tunnel endpoint";
	for (size_t i = 0; i < IKG_ARRAY_LEN(p1_table); i++)
		if (p1_table[i].state == sa->state && p1_table[i].timeout)
			return p1_table[i].timeout;
	return "state=negotiating";
}

static void p1_timeout(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	char peer[IKG_IP4_STRLEN];

	ikg_ip4_str(sa->peer, peer);
	if (sa->initiator) {
		ike_report(e, now, IKG_E_PH1_TIMEOUT, sa->peer, sa->profile,
			   "peer=%s; mode=%s; %s; retransmissions=%u%s%s", peer,
			   sa->aggressive ? "aggressive" : "main", p1_timeout_hint(sa),
			   sa->rtx.tries,
			   sa->unauth_notify ? "; peer sent unauthenticated notify (ignored)=" : "",
			   sa->unauth_notify ? ikg_notify_name(sa->unauth_notify) : "");
		p1_ph1_state(e, sa, IKE_PH_DOWN);
	} else {
		ike_drop(e, IKG_E_PH1_TIMEOUT);
	}
	sa_kill(e, sa, now);
}

static void rtx_tick(struct ike_engine *e, struct ike_sa *sa, struct ike_rtx *r, ikg_ms now,
		     bool *timed_out)
{
	*timed_out = false;
	if (r->at > now)
		return;
	if (r->tries >= e->t.retransmit_tries) {
		r->at = IKG_MS_NEVER;
		*timed_out = true;
		return;
	}
	ike_send(e, sa, r->buf, r->len);
	r->tries++;
	r->at = now + ((uint64_t)e->t.retransmit_ms << r->tries);
}

static void qm_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	for (struct ike_qm *q = sa->qms; q; q = q->next) {
		bool timed_out;
		if (q->state != QM_I_WAIT_M2 && q->state != QM_R_WAIT_M3)
			continue;
		rtx_tick(e, sa, &q->rtx, now, &timed_out);
		if (timed_out)
			qm_timeout(e, q, now);
	}
}

void ike_timer(struct ike_engine *e, ikg_ms now)
{
	if (!e)
		return;
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		bool timed_out;
		if (sa->dead)
			continue;
		if (sa->state != P1_ESTABLISHED) {
			rtx_tick(e, sa, &sa->rtx, now, &timed_out);
			if (timed_out || sa->deadline <= now)
				p1_timeout(e, sa, now);
			continue;
		}
		rtx_tick(e, sa, &sa->rtx, now, &timed_out);   /* aggressive responder's message 2 */
		qm_tick(e, sa, now);
		life_p1_tick(e, sa, now);
		if (sa->dead)
			continue;
		dpd_tick(e, sa, now);
		if (sa->dead)
			continue;
		natt_keepalive_tick(e, sa, now);
	}
	for (struct ike_child_sa *c = e->children; c; c = c->next)
		if (!c->dead)
			life_child_tick(e, c, now);
	e->gc_at = 0;                         /* a timer run walks all (deadlines set anywhere) */
	sa_gc(e, now);
}

static void earliest(ikg_ms *t, ikg_ms v)
{
	if (v < *t)
		*t = v;
}

ikg_ms ike_next_timer(const struct ike_engine *e)
{
	ikg_ms t = IKG_MS_NEVER;

	if (!e)
		return t;
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		earliest(&t, sa->deadline);
		if (sa->dead)
			continue;
		earliest(&t, sa->rtx.at);
		if (sa->state == P1_ESTABLISHED) {
			earliest(&t, sa->expires);
			earliest(&t, sa->rekey_at);
			earliest(&t, sa->dpd_at);
			earliest(&t, sa->keepalive_at);
		}
		for (const struct ike_qm *q = sa->qms; q; q = q->next) {
			earliest(&t, q->rtx.at);
			earliest(&t, q->deadline);
		}
	}
	for (const struct ike_child_sa *c = e->children; c; c = c->next) {
		if (c->dead)
			continue;
		earliest(&t, c->expires);
		earliest(&t, c->rekey_at);
	}
	return t;
}
