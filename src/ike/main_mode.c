/* Main mode with pre-shared keys (RFC 2409 5.4), NAT-T per RFC 3947:
 *
 *   1  I -> R  HDR, SA, VID...
 *   2  R -> I  HDR, SA, VID...
 *   3  I -> R  HDR, KE, Ni [, NAT-D, NAT-D]
 *   4  R -> I  HDR, KE, Nr [, NAT-D, NAT-D]
 *   5  I -> R  HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)]      (UDP 4500 when floating)
 *   6  R -> I  HDR*, IDir, HASH_R
 *
 * The transition table in exchange.c calls these handlers with the payloads checked. */
#include <string.h>

#include "ike/exchange.h"

int mm_i_start(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	struct isakmp_builder b;

	p1_start_msg(&b, e, sa, EXCH_IDPROT, 0);
	if (!p1_put_sa(e, sa, &b))
		return -1;
	vendor_put_ours(e, &b, sa->profile);
	sa->state = MM_I_WAIT_M2;
	return p1_finish_and_send(e, sa, &b, NULL, false, true, now);
}

int mm_r_msg1(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;

	vendor_process(e, sa, &m->c);
	p1_start_msg(&b, e, sa, EXCH_IDPROT, 0);
	if (p1_responder_sa(e, sa, m, &b) < 0)
		return -1;
	vendor_put_ours(e, &b, sa->profile);
	if (p1_finish_and_send(e, sa, &b, m, false, false, m->now) < 0)
		return -1;
	sa->state = MM_R_WAIT_M3;
	p1_ph1_state(e, sa, IKE_PH_NEGOTIATING);
	return 0;
}

int mm_i_msg2(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;

	if (p1_initiator_check_sa(e, sa, m) < 0)
		return -1;
	memcpy(sa->rcookie, m->h.rcookie, 8);
	vendor_process(e, sa, &m->c);
	if (p1_make_dh_nonce(e, sa, m) < 0)
		return -1;
	p1_start_msg(&b, e, sa, EXCH_IDPROT, 0);
	p1_put_ke_nonce(e, sa, &b);
	natt_put_natd(e, sa, &b);
	if (p1_finish_and_send(e, sa, &b, m, false, true, m->now) < 0)
		return -1;
	sa->state = MM_I_WAIT_M4;
	return 0;
}

int mm_r_msg3(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;

	if (p1_take_ke_nonce(e, sa, m) < 0 || p1_make_dh_nonce(e, sa, m) < 0 ||
	    p1_derive_keys(e, sa, m) < 0)
		return -1;
	natt_process(e, sa, m);
	natt_decide(e, sa, m->now);
	p1_start_msg(&b, e, sa, EXCH_IDPROT, 0);
	p1_put_ke_nonce(e, sa, &b);
	natt_put_natd(e, sa, &b);
	if (p1_finish_and_send(e, sa, &b, m, false, false, m->now) < 0)
		return -1;
	sa->state = MM_R_WAIT_M5;
	return 0;
}

int mm_i_msg4(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;
	uint8_t id[IKE_ID_MAX], hash[IKG_MAX_HASH];

	if (p1_take_ke_nonce(e, sa, m) < 0 || p1_derive_keys(e, sa, m) < 0)
		return -1;
	natt_process(e, sa, m);
	natt_decide(e, sa, m->now);
	size_t id_len = p1_our_id(e, sa, id, sizeof id);
	size_t hash_len = id_len ? p1_our_hash(sa, id, id_len, hash) : 0;
	if (!hash_len) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	p1_start_msg(&b, e, sa, EXCH_IDPROT, ISAKMP_FLAG_ENC);
	isakmp_put_raw(&b, PL_ID, id, id_len);
	isakmp_put_raw(&b, PL_HASH, hash, hash_len);
	if (p1_first_contact(e, sa))
		p1_put_initial_contact(&b, sa);
	if (p1_finish_and_send(e, sa, &b, m, true, true, m->now) < 0)
		return -1;
	sa->state = MM_I_WAIT_M6;
	return 0;
}

int mm_r_msg5(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_builder b;
	struct isakmp_id peer_id;
	uint8_t id[IKE_ID_MAX], hash[IKG_MAX_HASH];
	const struct isakmp_payload *idp = isakmp_find(&m->c, PL_ID);

	if (p1_check_peer_identity(e, sa, m, idp, &peer_id) < 0 ||
	    p1_verify_peer_hash(e, sa, m, peer_id.body, isakmp_find(&m->c, PL_HASH)) < 0)
		return -1;
	/* authenticated: the IV chain moves on, the peer may have floated to 4500 */
	memcpy(sa->iv, m->next_iv, sa->keys.block_len);
	natt_follow_peer(e, sa, m);
	size_t id_len = p1_our_id(e, sa, id, sizeof id);
	size_t hash_len = id_len ? p1_our_hash(sa, id, id_len, hash) : 0;
	if (!hash_len) {
		ike_drop(e, IKG_E_STATE);
		return -1;
	}
	p1_start_msg(&b, e, sa, EXCH_IDPROT, ISAKMP_FLAG_ENC);
	isakmp_put_raw(&b, PL_ID, id, id_len);
	isakmp_put_raw(&b, PL_HASH, hash, hash_len);
	if (p1_finish_and_send(e, sa, &b, m, true, false, m->now) < 0)
		return -1;
	bool contact = p1_has_initial_contact(m);
	p1_established(e, sa, m->now);
	if (contact)
		info_initial_contact(e, sa, m->now);
	return 0;
}

int mm_i_msg6(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m)
{
	struct isakmp_id peer_id;
	const struct isakmp_payload *idp = isakmp_find(&m->c, PL_ID);

	if (p1_check_peer_identity(e, sa, m, idp, &peer_id) < 0 ||
	    p1_verify_peer_hash(e, sa, m, peer_id.body, isakmp_find(&m->c, PL_HASH)) < 0) {
		p1_ph1_state(e, sa, IKE_PH_DOWN);
		sa_kill(e, sa, m->now);
		return -1;
	}
	memcpy(sa->iv, m->next_iv, sa->keys.block_len);
	natt_follow_peer(e, sa, m);
	rtx_answers(&sa->rtx, m);
	rtx_clear(&sa->rtx);                      /* nothing to resend for message 6 */
	bool contact = p1_has_initial_contact(m);
	p1_established(e, sa, m->now);
	if (contact)
		info_initial_contact(e, sa, m->now);
	return 0;
}
