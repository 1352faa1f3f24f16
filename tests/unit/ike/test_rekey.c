/* Lifetimes: phase-2 and phase-1 rekeying before expiry, old SAs deleted after the new ones
 * are installed, expiry without a rekey, and configuration changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void up(struct hnet *h)
{
	h_start(h);
	assert_int_equal(h_initiate(h, 0), IKG_OK);
	h_run(h, 2000);
	assert_int_equal(h->n[0].n_up, 1);
	assert_int_equal(h->n[1].n_up, 1);
}

static void test_child_rekey(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].lifetime = 100;
	h.n[1].ipsec[0].lifetime = 100;
	up(&h);
	h_run(&h, 84000);                           /* rekey comes at 85..90 s */
	assert_int_equal(h.n[0].n_up, 1);
	h_run(&h, 7000);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(a->n_up, 2);
	assert_int_equal(b->n_up, 2);
	assert_int_equal(h_count(a, MSG_PH2_REKEY), 1);
	assert_int_equal(h_count(b, MSG_PH2_REKEY), 1);
	/* new pair mirrored, old pair gone on both sides */
	assert_int_equal(a->up[1].spi_in, b->up[1].spi_out);
	assert_memory_equal(a->up[1].keys_out, b->up[1].keys_in, 36);
	assert_int_not_equal(a->up[1].spi_in, a->up[0].spi_in);
	assert_int_equal(a->n_down, 1);
	assert_int_equal(a->down[0].spi_in, a->up[0].spi_in);
	assert_int_equal(b->n_down, 1);
	assert_int_equal(b->down[0].spi_in, b->up[0].spi_in);
	assert_int_equal(ike_child_list(a->e, NULL, 8), 1);
	assert_int_equal(ike_child_list(b->e, NULL, 8), 1);
	assert_int_equal(h_count(a, MSG_PH2_RESEND_TIMEOUT), 0);
	/* and again, and again */
	h_run(&h, 300000);
	assert_true(a->n_up >= 5);
	assert_int_equal(a->n_up, b->n_up);
	assert_int_equal(ike_child_list(a->e, NULL, 8), 1);
	assert_int_equal(ike_child_list(b->e, NULL, 8), 1);
	assert_int_equal(a->n_down, a->n_up - 1);
	h_free(&h);
}

static void test_phase1_rekey(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].lifetime = 100;
	h.n[1].ike[0].lifetime = 100;
	up(&h);
	h_run(&h, 95000);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 2);
	assert_int_equal(h_count(b, MSG_PH1_COMPLETE), 2);
	assert_int_equal(h_count(a, MSG_PH1_REKEY), 1);
	h_run(&h, 20000);   /* past the old SA's grace period (test_phase1_rekey_grace) */
	assert_true(h_evidence_has(b, MSG_SA_DELETED, "ISAKMP"));
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 1);
	assert_int_equal(ike_sa_list(b->e, NULL, 8), 1);
	assert_int_equal(a->ph1_state[0], 2);
	assert_int_equal(b->ph1_state[0], 2);
	/* the child SAs are not touched by a phase-1 rekey */
	assert_int_equal(a->n_down, 0);
	assert_int_equal(b->n_down, 0);
	/* quick mode over the new phase 1 works: force a child rekey */
	h_run(&h, 400000);
	assert_int_equal(h_count(a, MSG_PH1_RESEND_TIMEOUT), 0);
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 1);
	h_free(&h);
}

/* The replaced ISAKMP SA is deleted after a grace period, not at once: a peer moves its IPsec
 * SAs over to the new ISAKMP SA in a step of its own (strongSwan: 10 s), and a delete that
 * overtakes it makes it drop them. Phase 1 stays up throughout. */
static void test_phase1_rekey_grace(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].lifetime = 1000;
	h.n[1].ike[0].lifetime = 1000;
	up(&h);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	for (int s = 0; s < 1000 && h_count(a, MSG_PH1_REKEY) == 0; s++)
		h_run(&h, 1000);
	assert_int_equal(h_count(a, MSG_PH1_REKEY), 1);
	assert_true(h_evidence_has(a, MSG_PH1_REKEY, "deleted within 15 s"));
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 2);
	assert_false(h_evidence_has(b, MSG_SA_DELETED, "ISAKMP"));
	h_run(&h, 5000);
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 2);   /* still there 5 s later */
	assert_int_equal(a->ph1_state[0], 2);
	h_run(&h, 15000);
	assert_true(h_evidence_has(b, MSG_SA_DELETED, "ISAKMP"));
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 1);
	assert_int_equal(ike_sa_list(b->e, NULL, 8), 1);
	assert_int_equal(a->ph1_state[0], 2);
	assert_int_equal(b->ph1_state[0], 2);
	assert_int_equal(a->n_down, 0);
	h_free(&h);
}

static void test_child_rekey_after_phase1_expired(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	/* only the responder's phase 1 is short: it expires (deleting phase 1 on both sides) and
	 * the initiator has to bring phase 1 back for its child rekey */
	h.n[1].ike[0].lifetime = 50;
	h.n[1].ike[0].negotiation = IKG_NEG_RESPOND_ONLY;   /* so it cannot rekey phase 1 */
	h.n[0].ipsec[0].lifetime = 200;
	h.n[1].ipsec[0].lifetime = 200;
	up(&h);
	h_run(&h, 60000);
	assert_int_equal(ike_sa_list(h.n[0].e, NULL, 8), 0);   /* B's phase 1 expired: deleted */
	assert_int_equal(ike_child_list(h.n[0].e, NULL, 8), 1);
	h_run(&h, 140000);
	assert_int_equal(h_count(&h.n[0], MSG_PH2_REKEY), 1);
	assert_int_equal(h_count(&h.n[0], MSG_PH1_COMPLETE), 2);
	assert_int_equal(ike_child_list(h.n[0].e, NULL, 8), 1);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 1);
	assert_int_equal(h_count(&h.n[0], MSG_PH2_RESEND_TIMEOUT), 0);
	h_free(&h);
}

static void test_expiry_without_rekey(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].lifetime = 100;
	h.n[1].ipsec[0].lifetime = 100;
	up(&h);
	/* the initiator goes away right after: nobody rekeys, B's pair expires */
	ike_free(h.n[0].e);
	h.n[0].e = NULL;
	struct ike_engine *b = h.n[1].e;
	h.now += 101000;
	ike_timer(b, h.now);
	assert_int_equal(h.n[1].n_down, 1);
	assert_int_equal(ike_child_list(b, NULL, 8), 0);
	h.n[1].e = b;
	h.q_len = 0;
	h_free(&h);
}

static void test_reconfigure(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	up(&h);
	/* an unrelated change keeps the tunnel */
	struct ikg_config c2 = h.n[1].cfg;
	struct cfg_ipsec_profile p2[2];
	struct cfg_ike_profile i2[2];
	memcpy(p2, h.n[1].ipsec, sizeof p2);
	memcpy(i2, h.n[1].ike, sizeof i2);
	c2.ipsec = p2;
	c2.ike = i2;
	c2.nat.ike_life = 900;
	ike_set_config(h.n[1].e, &c2, h.now);
	h_run(&h, 1000);
	assert_int_equal(h.n[1].n_down, 0);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 1);
	/* a changed cipher tears it down, on both sides */
	struct ikg_config c3 = c2;
	struct cfg_ipsec_profile p3[2];
	memcpy(p3, p2, sizeof p3);
	p3[0].encryption = IKG_ESP_AES256;
	c3.ipsec = p3;
	ike_set_config(h.n[1].e, &c3, h.now);
	h_run(&h, 1000);
	assert_int_equal(h.n[1].n_down, 1);
	assert_int_equal(h.n[0].n_down, 1);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 0);
	assert_int_equal(ike_sa_list(h.n[1].e, NULL, 8), 0);
	/* back to the original configuration so h_free finds its own */
	ike_set_config(h.n[1].e, &h.n[1].cfg, h.now);
	h_free(&h);
}

/* The responder's lifetime is shorter than the initiator's: the responder rekeys itself
 * before its SA expires (the initiator would only rekey at 90% of its own). */
static void test_responder_shorter_lifetime_rekeys(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].lifetime = 3600;
	h.n[1].ipsec[0].lifetime = 100;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 2000);
	assert_int_equal(h.n[0].up[0].lifetime_s, 3600);
	assert_int_equal(h.n[1].up[0].lifetime_s, 100);
	h_run(&h, 250000);
	assert_true(h_count(&h.n[1], MSG_PH2_REKEY) >= 2);
	assert_int_equal(ike_child_list(h.n[0].e, NULL, 8), 1);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 1);
	/* B never let its pair expire under traffic: every child_down on B follows a rekey */
	assert_int_equal(h.n[1].n_down, h.n[1].n_up - 1);
	h_free(&h);
}

/* The gateway overwrites its configuration in place (same pointer, new contents): a profile
 * removed in front of the active one shifts its index; the tunnel must survive, renumbered. */
static void test_reconfigure_in_place(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	/* B has an unrelated profile "aaa" at index 0 and the tunnel's profile at index 1 */
	h.n[1].ipsec[1] = h.n[1].ipsec[0];
	snprintf(h.n[1].ipsec[0].name, sizeof h.n[1].ipsec[0].name, "aaa");
	h.n[1].ipsec[0].remote_ip = h_ip("192.0.2.77");
	strcpy(h.n[1].ipsec[0].remote_endpoint, "192.0.2.77");
	h.n[1].cfg.n_ipsec = 2;
	up(&h);
	assert_int_equal(h.n[1].up[0].profile, 1);
	h.n[1].ipsec[0] = h.n[1].ipsec[1];          /* "aaa" removed: "tun" moves to index 0 */
	h.n[1].cfg.n_ipsec = 1;
	ike_set_config(h.n[1].e, &h.n[1].cfg, h.now);
	h_run(&h, 1000);
	assert_int_equal(h.n[1].n_down, 0);
	struct ike_child_info ci;
	assert_int_equal(ike_child_list(h.n[1].e, &ci, 1), 1);
	assert_int_equal(ci.profile, 0);
	struct ike_sa_info si;
	assert_int_equal(ike_sa_list(h.n[1].e, &si, 1), 1);
	assert_int_equal(si.profile, 0);
	/* a changed secret, in place, tears it down */
	h_set_secret(&h.n[1], "another secret");
	ike_set_config(h.n[1].e, &h.n[1].cfg, h.now);
	h_run(&h, 1000);
	assert_int_equal(h.n[1].n_down, 1);
	assert_int_equal(h.n[0].n_down, 1);
	assert_int_equal(ike_sa_list(h.n[1].e, NULL, 4), 0);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_rekey),
		cmocka_unit_test(test_phase1_rekey),
		cmocka_unit_test(test_phase1_rekey_grace),
		cmocka_unit_test(test_child_rekey_after_phase1_expired),
		cmocka_unit_test(test_expiry_without_rekey),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_responder_shorter_lifetime_rekeys),
		cmocka_unit_test(test_reconfigure_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
