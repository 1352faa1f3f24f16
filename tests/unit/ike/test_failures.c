/* The technote's failures, each produced by the condition it names, with its evidence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define TIMEOUT_SPAN 40000      /* 1+2+4+8+16 s of retransmissions, plus margin */

static void test_wrong_psk(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h_set_secret(&h.n[1], "case sensitive");
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(b, MSG_PH1_AUTH_FAILURE), 1);
	assert_true(h_evidence_has(b, MSG_PH1_AUTH_FAILURE, "secrets are case sensitive"));
	assert_true(h_evidence_has(b, MSG_PH1_AUTH_FAILURE, "main mode message 5"));
	assert_int_equal(h_count(a, MSG_PH1_RESEND_TIMEOUT), 1);
	assert_true(h_evidence_has(a, MSG_PH1_RESEND_TIMEOUT, "no reply to main mode message 5"));
	assert_true(h_evidence_has(a, MSG_PH1_RESEND_TIMEOUT, "pre-shared key mismatch"));
	assert_true(h_evidence_has(a, MSG_PH1_RESEND_TIMEOUT, "PAYLOAD-MALFORMED"));
	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 0);
	assert_int_equal(h_count(b, MSG_PH1_COMPLETE), 0);
	assert_int_equal(h_count(a, MSG_PH1_AUTH_FAILURE), 0);
	/* the unauthenticated notify was logged as evidence, once, and not acted upon */
	assert_int_equal(h_count(a, MSG_PEER_NOTIFY), 1);
	assert_int_equal(ike_counters(b->e)[CNT_IKE_AUTH_FAILED], 1);
	assert_int_equal(ike_counters(b->e)[CNT_IKE_REPLAY], 4);
	assert_int_equal(ike_counters(a->e)[CNT_IKE_TIMEOUT], 1);
	assert_int_equal(a->ph1_state[0], 0);
	assert_int_equal(ike_sa_list(a->e, NULL, 0), 0);
	/* the secret never appears in an event */
	for (size_t i = 0; i < b->n_events; i++)
		assert_null(strstr(b->events[i].evidence, "case sensitive\""));
	h_run(&h, 60000);
	assert_int_equal(ike_sa_list(b->e, NULL, 8), 0);   /* half-open SA expired */
	h_free(&h);
}

static void test_proposal_mismatch(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].encryption = IKG_CIPHER_AES256;
	h.n[1].ike[0].encryption = IKG_CIPHER_AES128;
	h.n[1].ike[0].hash = IKG_HASH_SHA256;
	h.n[1].ike[0].dh_group = 14;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(b, MSG_NO_MATCHING_PROPOSAL), 1);
	const struct ikg_event *ev = h_last(b, MSG_NO_MATCHING_PROPOSAL);
	assert_non_null(strstr(ev->evidence,
			       "received: aes256-sha1-modp1024; configured: aes128-sha256-modp2048"));
	assert_int_equal(ev->peer, h_ip("192.0.2.1"));
	assert_string_equal(ev->profile, "tun");
	assert_int_equal(h_count(a, MSG_PH1_RESEND_TIMEOUT), 1);
	assert_true(h_evidence_has(a, MSG_PH1_RESEND_TIMEOUT, "NO-PROPOSAL-CHOSEN"));
	assert_true(h_evidence_has(a, MSG_PH1_RESEND_TIMEOUT, "rejected our proposal"));
	assert_int_equal(ike_counters(b->e)[CNT_IKE_NO_PROPOSAL], 1);
	h_free(&h);
}

static void test_unknown_peer(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].remote_ip = h_ip("192.0.2.99");
	strcpy(h.n[1].ipsec[0].remote_endpoint, "192.0.2.99");
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(b, MSG_NO_MATCHING_PH1_PROFILE), 1);
	assert_true(h_evidence_has(b, MSG_NO_MATCHING_PH1_PROFILE, "peer=192.0.2.1"));
	assert_true(h_evidence_has(b, MSG_NO_MATCHING_PH1_PROFILE, "192.0.2.99 (tun)"));
	assert_int_equal(h_count(a, MSG_PH1_RESEND_TIMEOUT), 1);
	assert_int_equal(ike_counters(b->e)[CNT_IKE_NO_PROFILE], 1);
	h_free(&h);
}

static bool drop_to_b(struct hnet *h, struct h_dgram *d, void *arg)
{
	(void)h;
	(void)arg;
	return d->from == 0 && d->dport == 500;
}

static void test_udp500_blocked(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.filter = drop_to_b;
	h_start(&h);
	ikg_ms t0 = h.now;
	h_initiate(&h, 0);
	h_run(&h, 30000);
	assert_int_equal(h_count(&h.n[0], MSG_PH1_RESEND_TIMEOUT), 0);   /* still retrying */
	h_run(&h, 2000);
	assert_int_equal(h_count(&h.n[0], MSG_PH1_RESEND_TIMEOUT), 1);
	const struct ikg_event *ev = h_last(&h.n[0], MSG_PH1_RESEND_TIMEOUT);
	assert_int_equal(ev->when, t0 + 31000);
	assert_non_null(strstr(ev->evidence, "no reply at all"));
	assert_non_null(strstr(ev->evidence, "UDP 500 blocked"));
	assert_non_null(strstr(ev->evidence, "retransmissions=4"));
	assert_int_equal(h.n[0].sent, 5);
	assert_int_equal(h.n[1].sent, 0);
	assert_int_equal(h.n[1].n_events, 0);
	h_free(&h);
}

static void test_pfs_one_side(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].pfs_group = 0;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(b, MSG_NO_MATCHING_PROPOSAL), 1);
	assert_true(h_evidence_has(b, MSG_NO_MATCHING_PROPOSAL,
				   "received: esp-aes128-sha1-modp1024; configured: esp-aes128-sha1-nopfs"));
	assert_int_equal(h_count(a, MSG_NO_MATCHING_PROPOSAL), 1);
	assert_true(h_evidence_has(a, MSG_NO_MATCHING_PROPOSAL,
				   "peer rejected our phase-2 proposal (PFS group modp1024)"));
	assert_int_equal(h_count(a, MSG_PH2_RESEND_TIMEOUT), 0);
	assert_int_equal(a->n_up, 0);
	assert_int_equal(b->n_up, 0);
	h_free(&h);
}

/* Traffic keeps asking for the tunnel (ike_initiate per packet): a rejected quick mode is not
 * restarted for every packet. */
static void test_pfs_mismatch_under_traffic(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].pfs_group = 0;
	h_start(&h);
	for (int i = 0; i < 50; i++) {           /* a packet every 100 ms for 5 s */
		assert_int_equal(h_initiate(&h, 0), IKG_OK);
		h_run(&h, 100);
	}
	assert_int_equal(h_count(&h.n[0], MSG_PH1_COMPLETE), 1);
	size_t n = h_count(&h.n[1], MSG_NO_MATCHING_PROPOSAL);
	assert_true(n >= 2 && n <= 3);           /* hold-down of 2 s with 1 s retransmissions */
	assert_int_equal(h_count(&h.n[0], MSG_NO_MATCHING_PROPOSAL), n);
	h_free(&h);
}

static bool drop_info_from_b(struct hnet *h, struct h_dgram *d, void *arg)
{
	(void)h;
	(void)arg;
	return d->from == 1 && h_exchange(d) == 5;
}

static void test_pfs_silent_peer(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].pfs_group = 0;
	h.filter = drop_info_from_b;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0];
	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(a, MSG_NO_MATCHING_PROPOSAL), 0);
	assert_int_equal(h_count(a, MSG_PH2_RESEND_TIMEOUT), 1);
	assert_true(h_evidence_has(a, MSG_PH2_RESEND_TIMEOUT,
				   "phase 1 is complete; check phase 2 parameters; PFS mismatch first "
				   "(peer vendor: ikegate)"));
	assert_int_equal(h_count(&h.n[1], MSG_NO_MATCHING_PROPOSAL), 1);   /* once, not per resend */
	h_free(&h);
}

/* Every quick-mode message 3 from A is lost (and every resend of it): B has sent message 2
 * again and again, then installs its SA anyway — A has its own since it sent message 3; the
 * tunnel must not stay black-holed until the next rekey. */
static bool drop_qm3_from_a(struct hnet *h, struct h_dgram *d, void *arg)
{
	int *seen = arg;
	(void)h;
	if (d->from != 0 || h_exchange(d) != 32)
		return false;
	return ++*seen > 1;   /* the first is message 1 */
}

static void test_lost_qm3(void **state)
{
	struct hnet h;
	int seen = 0;

	(void)state;
	h_init(&h);
	h.filter = drop_qm3_from_a;
	h.filter_arg = &seen;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_true(seen > 2);                          /* B resent message 2, A answered again */
	assert_int_equal(h_count(a, MSG_PH2_COMPLETE), 1);
	assert_int_equal(h_count(b, MSG_PH2_COMPLETE), 1);
	assert_true(h_evidence_has(b, MSG_PH2_COMPLETE, "quick mode message 3 never arrived"));
	assert_int_equal(h_count(b, MSG_PH2_RESEND_TIMEOUT), 0);
	assert_int_equal(a->n_up, 1);
	assert_int_equal(b->n_up, 1);
	assert_int_equal(ike_child_list(a->e, NULL, 8), 1);
	assert_int_equal(ike_child_list(b->e, NULL, 8), 1);
	h_free(&h);
}

/* A flood of phase-1 requests: from one source at most IKE_HALF_OPEN_PER_SOURCE stay half
 * open; "no matching phase1 profile" is logged once per source a minute and at most 10 times a
 * minute in all (the history is not flushed), every request still counted. */
static size_t deliver_main_mode_1(struct hnet *h, int from, ikg_ip4 src, int n)
{
	/* capture a real message 1 of node `from`, then replay it with fresh cookies */
	struct h_dgram d = h->q[h->q_head];
	size_t off = h_isakmp_off(&d);
	for (int i = 0; i < n; i++) {
		d.data[off] = (uint8_t)(i >> 8);
		d.data[off + 1] = (uint8_t)i;
		d.data[off + 2] = 0x5a;
		d.data[off + 3] = (uint8_t)(src >> 8);   /* distinct cookies per source too */
		d.data[off + 4] = (uint8_t)src;
		ike_input(h->n[1 - from].e, h->now, src, 500, d.dst, 500, d.data + off, d.len - off);
	}
	return (size_t)n;
}

static void test_flood_limits(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h_start(&h);
	h_initiate(&h, 0);              /* queues A's main mode message 1 */
	assert_true(h.q_len >= 1);
	const struct h_node *b = &h.n[1];
	size_t before = b->sent;
	deliver_main_mode_1(&h, 0, h_ip("192.0.2.1"), 100);    /* a known peer: half-open SAs */
	assert_true(b->sent - before <= 16);                      /* answered at most 16 times */
	assert_true(ike_counters(b->e)[CNT_IKE_LIMIT] >= 84);
	uint64_t limit0 = ike_counters(b->e)[CNT_IKE_LIMIT];
	for (int s = 0; s < 50; s++)                               /* 50 unknown sources x 4 */
		deliver_main_mode_1(&h, 0, h_ip("198.51.100.1") + (ikg_ip4)s, 4);
	assert_int_equal(h_count(b, MSG_NO_MATCHING_PH1_PROFILE), 10);
	/* every request counted: refused for no profile, or by the half-open limit */
	assert_int_equal(ike_counters(b->e)[CNT_IKE_NO_PROFILE] +
			 (ike_counters(b->e)[CNT_IKE_LIMIT] - limit0), 200);
	assert_true(ike_counters(b->e)[CNT_IKE_NO_PROFILE] >= 10);
	h_free(&h);
}

struct flip {
	int from;
	uint8_t exchange;
	int nth, seen;
	size_t at;
};

static bool flip_byte(struct hnet *h, struct h_dgram *d, void *arg)
{
	struct flip *f = arg;

	(void)h;
	if (d->from != f->from || h_exchange(d) != f->exchange)
		return false;
	if (f->seen++ == f->nth) {
		size_t off = h_isakmp_off(d) + 28 + f->at;
		if (off < d->len)
			d->data[off] ^= 0x01;
	}
	return false;
}

static void test_qm1_hash_flipped(void **state)
{
	struct hnet h;
	struct flip f = {0, 32, 0, 0, 4};       /* first quick-mode message from A, HASH byte 0 */

	(void)state;
	h_init(&h);
	h.filter = flip_byte;
	h.filter_arg = &f;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(b, MSG_PH2_HASH_FAILED), 1);
	assert_true(h_evidence_has(b, MSG_PH2_HASH_FAILED, "quick mode message 1"));
	assert_int_equal(ike_counters(b->e)[CNT_IKE_PH2_HASH], 1);
	/* our retransmission got through: the tunnel comes up anyway */
	assert_int_equal(a->n_up, 1);
	assert_int_equal(b->n_up, 1);
	assert_int_equal(h_count(a, MSG_PEER_NOTIFY), 1);
	assert_true(h_evidence_has(a, MSG_PEER_NOTIFY, "INVALID-HASH-INFORMATION"));
	h_free(&h);
}

static void test_qm2_hash_flipped(void **state)
{
	struct hnet h;
	struct flip f = {1, 32, 0, 0, 20};

	(void)state;
	h_init(&h);
	h.filter = flip_byte;
	h.filter_arg = &f;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	assert_int_equal(h_count(&h.n[0], MSG_PH2_HASH_FAILED), 1);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	h_free(&h);
}

/* Lose B's message 4: A's retransmitted message 3 gets the very same answer, and B processes
 * message 3 once. */
struct lose_m4 {
	int seen_from_b;
	uint8_t first[H_DGRAM_MAX], second[H_DGRAM_MAX];
	size_t first_len, second_len;
};

static bool lose_first_m4(struct hnet *h, struct h_dgram *d, void *arg)
{
	struct lose_m4 *l = arg;

	(void)h;
	if (d->from != 1 || h_exchange(d) != 2)
		return false;
	l->seen_from_b++;
	if (l->seen_from_b == 2) {
		memcpy(l->first, d->data, d->len);
		l->first_len = d->len;
		return true;
	}
	if (l->seen_from_b == 3) {
		memcpy(l->second, d->data, d->len);
		l->second_len = d->len;
	}
	return false;
}

static void test_retransmitted_m3(void **state)
{
	struct hnet h;
	struct lose_m4 l;

	(void)state;
	memset(&l, 0, sizeof l);
	h_init(&h);
	h.filter = lose_first_m4;
	h.filter_arg = &l;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	assert_int_equal(l.first_len, l.second_len);
	assert_memory_equal(l.first, l.second, l.first_len);
	assert_int_equal(ike_counters(h.n[1].e)[CNT_IKE_REPLAY], 1);
	assert_int_equal(h_count(&h.n[1], MSG_PH1_COMPLETE), 1);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	h_free(&h);
}

static void test_initiate_only_responder(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ike[0].negotiation = IKG_NEG_INITIATE_ONLY;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	assert_int_equal(h.n[1].sent, 0);
	assert_int_equal(h_count(&h.n[1], MSG_NO_MATCHING_PH1_PROFILE), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_NO_MATCHING_PH1_PROFILE, "initiate-only"));
	assert_int_equal(h_count(&h.n[0], MSG_PH1_RESEND_TIMEOUT), 1);
	h_free(&h);
}

static void test_respond_only_initiator(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].negotiation = IKG_NEG_RESPOND_ONLY;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_E_STATE);
	assert_int_equal(h.n[0].sent, 0);
	/* it still answers */
	assert_int_equal(h_initiate(&h, 1), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	h_free(&h);
}

static void test_rte_any_cannot_initiate(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].remote_ip = 0;
	strcpy(h.n[1].ipsec[0].remote_endpoint, "0.0.0.0");
	h_start(&h);
	assert_int_equal(ike_initiate(h.n[1].e, h.now, 0, 0), IKG_E_DNS);
	/* but it answers any peer */
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[1].n_up, 1);
	h_free(&h);
}

static void test_invalid_id(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[1].ipsec[0].remote_members[0].lo = h_ip("10.9.9.0");
	h.n[1].ipsec[0].remote_members[0].hi = h_ip("10.9.9.255");
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	assert_int_equal(h_count(&h.n[1], MSG_INVALID_ID), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_INVALID_ID, "IDci=10.1.1.0/24 IDcr=10.2.2.0/24"));
	assert_true(h_evidence_has(&h.n[1], MSG_INVALID_ID, "remote members=10.9.9.0/24"));
	assert_int_equal(h_count(&h.n[0], MSG_INVALID_ID), 1);
	assert_true(h_evidence_has(&h.n[0], MSG_INVALID_ID, "peer rejected our phase-2 identities"));
	assert_int_equal(h_count(&h.n[0], MSG_PH2_RESEND_TIMEOUT), 0);
	h_free(&h);
}

static void test_mode_mismatch(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].mode = IKG_MODE_AGGRESSIVE;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, TIMEOUT_SPAN);
	assert_int_equal(h_count(&h.n[1], MSG_NO_MATCHING_PROPOSAL), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_NO_MATCHING_PROPOSAL,
				   "received: aggressive mode request; configured: main mode"));
	assert_true(h_evidence_has(&h.n[0], MSG_PH1_RESEND_TIMEOUT, "NO-PROPOSAL-CHOSEN"));
	h_free(&h);
}

static void test_no_ike_profile(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].ike_profile[0] = 0;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_E_NO_PH1_PREFS);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_proposal_mismatch),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_udp500_blocked),
		cmocka_unit_test(test_pfs_one_side),
		cmocka_unit_test(test_pfs_silent_peer),
		cmocka_unit_test(test_lost_qm3),
		cmocka_unit_test(test_flood_limits),
		cmocka_unit_test(test_pfs_mismatch_under_traffic),
		cmocka_unit_test(test_qm1_hash_flipped),
		cmocka_unit_test(test_qm2_hash_flipped),
		cmocka_unit_test(test_retransmitted_m3),
		cmocka_unit_test(test_initiate_only_responder),
		cmocka_unit_test(test_respond_only_initiator),
		cmocka_unit_test(test_rte_any_cannot_initiate),
		cmocka_unit_test(test_invalid_id),
		cmocka_unit_test(test_mode_mismatch),
		cmocka_unit_test(test_no_ike_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
