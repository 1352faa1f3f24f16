/* Informational exchanges: deletes (authenticated ones act, unauthenticated ones are evidence
 * only), teardown, INITIAL-CONTACT and dead peer detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "wire/isakmp.h"

static void up(struct hnet *h)
{
	h_start(h);
	assert_int_equal(h_initiate(h, 0), IKG_OK);
	h_run(h, 5000);
	assert_int_equal(h->n[0].n_up, 1);
	assert_int_equal(h->n[1].n_up, 1);
}

static void test_unauthenticated_delete_ignored(void **state)
{
	struct hnet h;
	struct ike_sa_info si;
	uint8_t buf[256], spi[4];

	(void)state;
	h_init(&h);
	up(&h);
	assert_int_equal(ike_sa_list(h.n[1].e, &si, 1), 1);
	uint32_t victim = h.n[1].up[0].spi_out;      /* A's inbound SPI, as A would delete it */
	spi[0] = (uint8_t)(victim >> 24);
	spi[1] = (uint8_t)(victim >> 16);
	spi[2] = (uint8_t)(victim >> 8);
	spi[3] = (uint8_t)victim;
	struct isakmp_hdr hd = {.version = 0x10, .exchange = EXCH_INFO, .msgid = 0x1234};
	memcpy(hd.icookie, si.icookie, 8);
	memcpy(hd.rcookie, si.rcookie, 8);
	struct isakmp_builder b;
	isakmp_build_start(&b, buf, sizeof buf, &hd);
	isakmp_put_delete(&b, PROTO_IPSEC_ESP, 4, spi, 1);
	size_t len = isakmp_build_finish(&b);
	assert_true(len > 28);
	ike_input(h.n[1].e, h.now, h.n[0].addr, 500, h.n[1].addr, 500, buf, len);
	assert_int_equal(h.n[1].n_down, 0);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 1);
	assert_int_equal(h_count(&h.n[1], MSG_SA_DELETED), 0);
	assert_int_equal(h_count(&h.n[1], MSG_PEER_NOTIFY), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_PEER_NOTIFY, "DELETE"));
	assert_true(h_evidence_has(&h.n[1], MSG_PEER_NOTIFY, "authenticated=no"));
	/* the same with a notify */
	isakmp_build_start(&b, buf, sizeof buf, &hd);
	isakmp_put_notify(&b, 1, PROTO_ISAKMP, NOTIFY_INITIAL_CONTACT, NULL, 0, NULL, 0);
	len = isakmp_build_finish(&b);
	ike_input(h.n[1].e, h.now, h.n[0].addr, 500, h.n[1].addr, 500, buf, len);
	assert_int_equal(ike_sa_list(h.n[1].e, NULL, 8), 1);
	assert_int_equal(ike_child_list(h.n[1].e, NULL, 8), 1);
	h_free(&h);
}

static void test_teardown_sends_deletes(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	up(&h);
	ike_teardown(h.n[0].e, h.now, 0);
	h_run(&h, 1000);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(a->n_down, 1);
	assert_int_equal(a->down[0].spi_in, a->up[0].spi_in);
	assert_int_equal(b->n_down, 1);
	assert_int_equal(b->down[0].spi_in, b->up[0].spi_in);
	assert_int_equal(b->down[0].spi_out, b->up[0].spi_out);
	assert_int_equal(h_count(b, MSG_SA_DELETED), 2);   /* the ESP pair and the ISAKMP SA */
	assert_true(h_evidence_has(b, MSG_SA_DELETED, "authenticated=yes"));
	assert_true(h_evidence_has(b, MSG_SA_DELETED, "ISAKMP"));
	assert_int_equal(ike_sa_list(a->e, NULL, 8), 0);
	assert_int_equal(ike_sa_list(b->e, NULL, 8), 0);
	assert_int_equal(ike_child_list(b->e, NULL, 8), 0);
	assert_int_equal(a->ph1_state[0], 0);
	assert_int_equal(b->ph1_state[0], 0);
	/* and it comes back */
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[1].n_up, 2);
	h_free(&h);
}

static bool isolate_b(struct hnet *h, struct h_dgram *d, void *arg)
{
	(void)h;
	return *(bool *)arg;
}

static void test_dpd_dead_peer(void **state)
{
	struct hnet h;
	bool dead = false;

	(void)state;
	h_init(&h);
	h.filter = isolate_b;
	h.filter_arg = &dead;
	up(&h);
	h_run(&h, 100000);
	assert_int_equal(h_count(&h.n[0], MSG_DPD_PEER_DEAD), 0);   /* acks keep it alive */
	dead = true;
	h_run(&h, 6 * 30000 + 1000);           /* next probe, then 5 unanswered ones */
	assert_int_equal(h_count(&h.n[0], MSG_DPD_PEER_DEAD), 1);
	assert_true(h_evidence_has(&h.n[0], MSG_DPD_PEER_DEAD, "probes unanswered=5"));
	assert_int_equal(h.n[0].n_down, 1);
	assert_int_equal(ike_sa_list(h.n[0].e, NULL, 8), 0);
	assert_int_equal(ike_child_list(h.n[0].e, NULL, 8), 0);
	assert_int_equal(h.n[0].ph1_state[0], 0);
	h_free(&h);
}

static void test_dpd_off(void **state)
{
	struct hnet h;
	bool dead = false;

	(void)state;
	h_init(&h);
	h.n[0].ike[0].dpd_interval = 0;
	h.n[1].ike[0].dpd_interval = 0;
	h.filter = isolate_b;
	h.filter_arg = &dead;
	up(&h);
	size_t sent = h.n[0].sent;
	dead = true;
	h_run(&h, 400000);
	assert_int_equal(h.n[0].sent, sent);
	assert_int_equal(h_count(&h.n[0], MSG_DPD_PEER_DEAD), 0);
	h_free(&h);
}

/* B restarts and connects again: its INITIAL-CONTACT makes A drop the stale SAs. */
static void test_initial_contact(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	up(&h);
	uint32_t old_in = h.n[0].up[0].spi_in;
	/* B restarts: a fresh engine, nothing remembered (h_start makes both; keep A's) */
	ike_free(h.n[1].e);
	h.n[1].e = NULL;
	h.n[1].n_up = 0;
	struct ike_engine *keep = h.n[0].e;
	h_start(&h);
	ike_free(h.n[0].e);
	h.n[0].e = keep;
	assert_int_equal(h_initiate(&h, 1), IKG_OK);
	h_run(&h, 5000);
	assert_int_equal(h.n[1].n_up, 1);
	assert_int_equal(h.n[0].n_down, 1);
	assert_int_equal(h.n[0].down[0].spi_in, old_in);
	assert_true(h_evidence_has(&h.n[0], MSG_SA_DELETED, "INITIAL-CONTACT"));
	assert_int_equal(ike_sa_list(h.n[0].e, NULL, 8), 1);
	assert_int_equal(ike_child_list(h.n[0].e, NULL, 8), 1);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unauthenticated_delete_ignored),
		cmocka_unit_test(test_teardown_sends_deletes),
		cmocka_unit_test(test_dpd_dead_peer),
		cmocka_unit_test(test_dpd_off),
		cmocka_unit_test(test_initial_contact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
