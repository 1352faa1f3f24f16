/* Aggressive mode (three messages) followed by quick mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void aggressive(struct hnet *h)
{
	for (int i = 0; i < 2; i++)
		h->n[i].ike[0].mode = IKG_MODE_AGGRESSIVE;
}

static void test_aggressive_happy(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	aggressive(&h);
	h.n[0].ike[0].encryption = h.n[1].ike[0].encryption = IKG_CIPHER_AES128;
	h.n[0].ike[0].hash = h.n[1].ike[0].hash = IKG_HASH_SHA256;
	h.n[0].ike[0].dh_group = h.n[1].ike[0].dh_group = 14;
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(h_count(a, MSG_PH1_COMPLETE), 1);
	assert_int_equal(h_count(b, MSG_PH1_COMPLETE), 1);
	assert_true(h_evidence_has(a, MSG_PH1_COMPLETE, "mode=aggressive"));
	assert_int_equal(a->n_up, 1);
	assert_int_equal(b->n_up, 1);
	assert_int_equal(a->up[0].spi_in, b->up[0].spi_out);
	assert_memory_equal(a->up[0].keys_in, b->up[0].keys_out, 36);
	struct ike_sa_info si;
	assert_int_equal(ike_sa_list(b->e, &si, 1), 1);
	assert_true(si.aggressive);
	/* three phase-1 messages only: A sent 2 (1 and 3), B sent 1 */
	h_free(&h);
}

static void test_aggressive_with_ids(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	aggressive(&h);
	strcpy(h.n[0].ike[0].local_id, "@branch.example.net");
	strcpy(h.n[1].ike[0].remote_id, "@Branch.Example.NET");
	strcpy(h.n[1].ike[0].local_id, "vpn@hq.example.net");
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_true(h_evidence_has(&h.n[1], MSG_PH1_COMPLETE, "peer-id=@branch.example.net"));
	assert_true(h_evidence_has(&h.n[0], MSG_PH1_COMPLETE, "peer-id=vpn@hq.example.net"));
	h_free(&h);
}

static void test_aggressive_wrong_remote_id(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	aggressive(&h);
	strcpy(h.n[0].ike[0].local_id, "@branch.example.net");
	strcpy(h.n[1].ike[0].remote_id, "@other.example.net");
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 40000);
	assert_int_equal(h_count(&h.n[1], MSG_PH1_AUTH_FAILURE), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_PH1_AUTH_FAILURE,
				   "id-received=@branch.example.net; id-expected=@other.example.net"));
	assert_int_equal(h.n[0].n_up, 0);
	h_free(&h);
}

static void test_aggressive_wrong_psk(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	aggressive(&h);
	h_set_secret(&h.n[1], "Case Sensitive");
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 40000);
	/* the initiator checks HASH_R first */
	assert_int_equal(h_count(&h.n[0], MSG_PH1_AUTH_FAILURE), 1);
	assert_true(h_evidence_has(&h.n[0], MSG_PH1_AUTH_FAILURE, "check=HASH_R"));
	assert_int_equal(h_count(&h.n[0], MSG_PH1_RESEND_TIMEOUT), 0);
	assert_int_equal(h_count(&h.n[1], MSG_PH1_COMPLETE), 0);
	assert_int_equal(ike_sa_list(h.n[1].e, NULL, 4), 0);   /* responder gave up quietly */
	h_free(&h);
}

static bool lose_first_am3(struct hnet *h, struct h_dgram *d, void *arg)
{
	int *seen = arg;

	(void)h;
	return d->from == 0 && h_exchange(d) == 4 && ++*seen == 2;
}

/* Message 3 lost: the responder retransmits message 2 and the initiator answers with the
 * same message 3. */
static void test_aggressive_lost_m3(void **state)
{
	struct hnet h;
	int seen = 0;

	(void)state;
	h_init(&h);
	aggressive(&h);
	h.filter = lose_first_am3;
	h.filter_arg = &seen;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 10000);
	assert_int_equal(seen, 3);
	assert_int_equal(h_count(&h.n[1], MSG_PH1_COMPLETE), 1);
	assert_int_equal(h.n[1].n_up, 1);
	h_free(&h);
}

static void test_aggressive_nat(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	aggressive(&h);
	h_set_nat(&h, 0, h_ip("198.51.100.1"));
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	assert_true(h.n[0].up[0].udp_encap);
	assert_true(h.n[1].up[0].udp_encap);
	assert_int_equal(h.n[1].up[0].peer_port, 44500);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggressive_happy),
		cmocka_unit_test(test_aggressive_with_ids),
		cmocka_unit_test(test_aggressive_wrong_remote_id),
		cmocka_unit_test(test_aggressive_wrong_psk),
		cmocka_unit_test(test_aggressive_lost_m3),
		cmocka_unit_test(test_aggressive_nat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
