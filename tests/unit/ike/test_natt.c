/* NAT traversal (RFC 3947): NAT detection, floating to UDP 4500, UDP-encapsulated child SAs,
 * keepalives, forced encapsulation, a peer that fakes its NAT-D (strongSwan with
 * kernel-libipsec), and following a peer whose NAT mapping changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void test_nat_in_front_of_initiator(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h_set_nat(&h, 0, h_ip("198.51.100.1"));
	h_start(&h);
	assert_int_equal(h_initiate(&h, 0), IKG_OK);
	h_run(&h, 5000);
	const struct h_node *a = &h.n[0], *b = &h.n[1];
	assert_int_equal(a->n_up, 1);
	assert_int_equal(b->n_up, 1);
	const struct ike_child *ca = &a->up[0], *cb = &b->up[0];
	assert_true(ca->udp_encap);
	assert_true(cb->udp_encap);
	assert_int_equal(ca->local_port, 4500);
	assert_int_equal(ca->peer_port, 4500);
	assert_int_equal(cb->local_port, 4500);
	assert_int_equal(cb->peer_port, 44500);          /* the NAT's public port */
	assert_int_equal(cb->peer, h_ip("198.51.100.1"));
	assert_int_equal(ca->local, h_ip("172.16.0.1"));
	assert_memory_equal(ca->keys_in, cb->keys_out, ca->enc_key_len + ca->integ_key_len);
	assert_int_equal(h_count(a, MSG_NAT_DETECTED), 1);
	assert_int_equal(h_count(b, MSG_NAT_DETECTED), 1);
	assert_true(h_evidence_has(a, MSG_NAT_DETECTED, "we are behind a NAT"));
	assert_true(h_evidence_has(b, MSG_NAT_DETECTED, "the peer is behind a NAT"));
	assert_true(h_evidence_has(a, MSG_PH1_COMPLETE, "nat-t=udp-4500"));
	assert_true(a->sent_4500 >= 2);                  /* message 5 and quick mode */
	struct ike_sa_info si;
	assert_int_equal(ike_sa_list(b->e, &si, 1), 1);
	assert_true(si.nat_t);
	assert_int_equal(si.peer_port, 44500);
	struct ike_child_info ci;
	assert_int_equal(ike_child_list(b->e, &ci, 1), 1);
	assert_true(ci.udp_encap);
	/* keepalives from the side behind the NAT only, every 20 s */
	h_run(&h, 61000);
	assert_int_equal(a->keepalives, 3);
	assert_int_equal(b->keepalives, 0);
	assert_int_equal(h_count(b, MSG_PEER_MOVED), 0);
	h_free(&h);
}

static void test_nat_in_front_of_responder(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h_set_nat(&h, 1, h_ip("198.51.100.2"));
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	assert_true(h.n[0].up[0].udp_encap);
	assert_true(h.n[1].up[0].udp_encap);
	assert_int_equal(h.n[0].up[0].peer_port, 44500);
	assert_true(h_evidence_has(&h.n[1], MSG_NAT_DETECTED, "we are behind a NAT"));
	h_run(&h, 21000);
	assert_int_equal(h.n[1].keepalives, 1);
	h_free(&h);
}

static void test_forced_encapsulation(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].encapsulation = IKG_ENCAP_UDP;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_int_equal(h.n[1].n_up, 1);
	assert_true(h.n[0].up[0].udp_encap);
	assert_true(h.n[1].up[0].udp_encap);
	assert_int_equal(h.n[1].up[0].peer_port, 4500);
	assert_true(h_evidence_has(&h.n[0], MSG_NAT_DETECTED, "forced"));
	h_run(&h, 30000);
	assert_int_equal(h.n[0].keepalives, 0);          /* nobody is behind a NAT */
	h_free(&h);
}

static void test_no_natt_when_disabled(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.n[0].ipsec[0].encapsulation = IKG_ENCAP_NONE;
	h_set_nat(&h, 0, h_ip("198.51.100.1"));
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	/* no NAT-T vendor IDs: IKE stays on 500, ESP is not encapsulated */
	assert_int_equal(h.n[0].n_up, 1);
	assert_false(h.n[0].up[0].udp_encap);
	assert_int_equal(h.n[0].sent_4500, 0);
	assert_int_equal(h_count(&h.n[0], MSG_NAT_DETECTED), 0);
	h_free(&h);
}

/* strongSwan with kernel-libipsec sends a NAT-D for itself that never matches: we must see
 * "the peer is behind a NAT" and float although no NAT is on the path. */
static bool fake_natd_from_b(struct hnet *h, struct h_dgram *d, void *arg)
{
	(void)h;
	(void)arg;
	size_t off = h_isakmp_off(d);
	if (d->from != 1 || h_exchange(d) != 2 || d->len < off + 28 || (d->data[off + 19] & 1))
		return false;
	uint8_t np = d->data[off + 16];
	size_t p = off + 28;
	int natd = 0;
	while (np && p + 4 <= d->len) {
		size_t len = (size_t)d->data[p + 2] << 8 | d->data[p + 3];
		if (len < 4 || p + len > d->len)
			break;
		if ((np == 20 || np == 130) && ++natd == 2)
			d->data[p + 4] ^= 0xff;
		np = d->data[p];
		p += len;
	}
	return false;
}

static void test_peer_fakes_natd(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h.filter = fake_natd_from_b;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[0].n_up, 1);
	assert_true(h.n[0].up[0].udp_encap);
	assert_true(h.n[1].up[0].udp_encap);
	assert_true(h_evidence_has(&h.n[0], MSG_NAT_DETECTED, "the peer is behind a NAT"));
	h_free(&h);
}

static void test_peer_moves(void **state)
{
	struct hnet h;

	(void)state;
	h_init(&h);
	h_set_nat(&h, 0, h_ip("198.51.100.1"));
	h.n[0].ike[0].dpd_interval = 10;
	h_start(&h);
	h_initiate(&h, 0);
	h_run(&h, 5000);
	assert_int_equal(h.n[1].n_up, 1);
	/* the NAT forgets the mapping and picks a new public port */
	h.nat_port_base = 50000;
	h_run(&h, 11000);                                /* A's DPD probe comes from the new port */
	assert_int_equal(h_count(&h.n[1], MSG_PEER_MOVED), 1);
	assert_true(h_evidence_has(&h.n[1], MSG_PEER_MOVED, "old=198.51.100.1:44500"));
	assert_true(h_evidence_has(&h.n[1], MSG_PEER_MOVED, "new=198.51.100.1:54500"));
	struct ike_sa_info si;
	assert_int_equal(ike_sa_list(h.n[1].e, &si, 1), 1);
	assert_int_equal(si.peer_port, 54500);
	/* the data plane follows the binding from ESP itself: no second install */
	assert_int_equal(h.n[1].n_up, 1);
	h_run(&h, 60000);
	assert_int_equal(h_count(&h.n[0], MSG_DPD_PEER_DEAD), 0);   /* acks reach the new port */
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_in_front_of_initiator),
		cmocka_unit_test(test_nat_in_front_of_responder),
		cmocka_unit_test(test_forced_encapsulation),
		cmocka_unit_test(test_no_natt_when_disabled),
		cmocka_unit_test(test_peer_fakes_natd),
		cmocka_unit_test(test_peer_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
