/* Aggressive mode with pre-shared keys (RFC 2409 5.4), NAT-T per RFC 3947:
 *
 *   1  I -> R  HDR, SA, KE, Ni, IDii, VID...
 *   2  R -> I  HDR, SA, KE, Nr, IDir, HASH_R, VID... [, NAT-D, NAT-D]
 *   3  I -> R  HDR*, HASH_I [, N(INITIAL-CONTACT)] [, NAT-D, NAT-D]
 *
 * Message 3 is sent encrypted (as strongSwan and libreswan do; UDP 4500 when floating) and
 * accepted encrypted or not. The responder retransmits message 2 until message 3 arrives. */
#include <string.h>

#include "ike/exchange.h"

int am_i_start(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	struct isakmp_builder b;
	uint8_t id[IKE_ID_MAX];

	p1_start_msg(&b, e, sa, EXCH_AGGRESSIVE, 0);
	if (!p1_put_sa(e, sa, &b) || p1_make_dh_nonce(e, sa, NULL) < 0)
		return -1;
	size_t id_len = p1_our_id(e, sa, id, sizeof id);
	if (!id_len)
		return -1;
	p1_put_ke_nonce(e, sa, &b);
	isakmp_put_raw(&b, PL_ID, id, id_len);
	vendor_put_ours(e, &b, sa->profile);
	sa->state = AM_I_WAIT_M2;
	return p1_finish_and_send(e, sa, &b, NULL, false, true, now);
}

int am_r_msg1(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;
	struct isakmp_id peer_id;
	uint8_t id[IKE_ID_MAX], hash[IKG_MAX_HASH];

	vendor_process(e, sa, &m->c);
	p1_start_msg(&b, e, sa, EXCH_AGGRESSIVE, 0);
	if (p1_responder_sa(e, sa, m, &b) < 0 || p1_take_ke_nonce(e, sa, m) < 0 ||
	    p1_check_peer_identity(e, sa, m, isakmp_find(&m->c, PL_ID), &peer_id) < 0)
		return -1;
	memcpy(sa->nego->idi_b, peer_id.body.p, peer_id.body.len);
	sa->nego->idi_b_len = peer_id.body.len;
	if (p1_make_dh_nonce(e, sa, m) < 0 || p1_derive_keys(e, sa, m) < 0)
		return -1;
	size_t id_len = p1_our_id(e, sa, id, sizeof id);
	size_t hash_len = id_len ? p1_our_hash(sa, id, id_len, hash) : 0;
	if (!hash_len) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	p1_put_ke_nonce(e, sa, &b);
	isakmp_put_raw(&b, PL_ID, id, id_len);
	isakmp_put_raw(&b, PL_HASH, hash, hash_len);
	vendor_put_ours(e, &b, sa->profile);
	natt_put_natd(e, sa, &b);
	if (p1_finish_and_send(e, sa, &b, m, false, true, m->now) < 0)
		return -1;
	sa->state = AM_R_WAIT_M3;
	p1_ph1_state(e, sa, IKE_PH_NEGOTIATING);
	return 0;
}

int am_i_msg2(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;
	struct isakmp_id peer_id;
	uint8_t id[IKE_ID_MAX], hash[IKG_MAX_HASH];

	if (p1_initiator_check_sa(e, sa, m) < 0)
		return -1;
	memcpy(sa->rcookie, m->h.rcookie, 8);
	vendor_process(e, sa, &m->c);
	if (p1_take_ke_nonce(e, sa, m) < 0 || p1_derive_keys(e, sa, m) < 0)
		goto fail;
	if (p1_check_peer_identity(e, sa, m, isakmp_find(&m->c, PL_ID), &peer_id) < 0 ||
	    p1_verify_peer_hash(e, sa, m, peer_id.body, isakmp_find(&m->c, PL_HASH)) < 0)
		goto fail;
	natt_process(e, sa, m);
	natt_decide(e, sa, m->now);
	size_t id_len = p1_our_id(e, sa, id, sizeof id);
	size_t hash_len = id_len ? p1_our_hash(sa, id, id_len, hash) : 0;
	if (!hash_len)
		goto fail;
	p1_start_msg(&b, e, sa, EXCH_AGGRESSIVE, ISAKMP_FLAG_ENC);
	isakmp_put_raw(&b, PL_HASH, hash, hash_len);
	if (p1_first_contact(e, sa))
		p1_put_initial_contact(&b, sa);
	natt_put_natd(e, sa, &b);
	if (p1_finish_and_send(e, sa, &b, m, true, false, m->now) < 0)
		goto fail;
	p1_established(e, sa, m->now);
	return 0;
fail:
	/* an answer we cannot use ends the attempt (no resend timeout on top of the error) */
	p1_ph1_state(e, sa, IKE_PH_DOWN);
	sa_kill(e, sa, m->now);
	return -1;
}

int am_r_msg3(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	if (!sa->nego) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	if (p1_verify_peer_hash(e, sa, m, (struct ikg_bytes){sa->nego->idi_b, sa->nego->idi_b_len},
				isakmp_find(&m->c, PL_HASH)) < 0)
		return -1;
	if (m->encrypted)
		memcpy(sa->iv, m->next_iv, sa->keys.block_len);
	natt_process(e, sa, m);
	natt_decide(e, sa, m->now);
	natt_follow_peer(e, sa, m);
	rtx_answers(&sa->rtx, m);
	rtx_clear(&sa->rtx);                      /* message 3 ends the exchange */
	bool contact = p1_has_initial_contact(m);
	p1_established(e, sa, m->now);
	if (contact)
		info_initial_contact(e, sa, m->now);
	return 0;
}
