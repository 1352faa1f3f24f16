/* In-process harness for the IKE engine: two engines (node 0 "A" and node 1 "B") wired through
 * an in-memory datagram queue, a virtual clock, and hooks to drop, corrupt or rewrite datagrams
 * (a NAT in front of one node). Nothing sleeps: time jumps to the next timer. */
#ifndef IKG_TEST_IKE_HARNESS_H
#define IKG_TEST_IKE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "ike/ike.h"

#define H_MAX_EVENTS 512
#define H_MAX_CHILDREN 32
#define H_QUEUE 256
#define H_DGRAM_MAX 4200

struct hnet;

struct h_child_down {
	size_t profile;
	uint32_t spi_in, spi_out;
};

struct h_node {
	struct hnet *net;
	int idx;
	struct ike_engine *e;
	struct ikg_config cfg;
	struct cfg_ike_profile ike[2];
	struct cfg_ipsec_profile ipsec[2];
	ikg_ip4 addr;                         /* the node's own WAN address */
	uint64_t rng;
	struct ikg_event events[H_MAX_EVENTS];
	size_t n_events;
	struct ike_child up[H_MAX_CHILDREN];
	size_t n_up;
	struct h_child_down down[H_MAX_CHILDREN];
	size_t n_down;
	int ph1_state[4];
	size_t sent, sent_4500, keepalives;
};

struct h_dgram {
	int from;
	ikg_ip4 src, dst;
	uint16_t sport, dport;
	uint8_t data[H_DGRAM_MAX];
	size_t len;
};

/* Called for every datagram before delivery (after NAT rewriting): return true to drop it.
 * It may modify the datagram (corrupt a byte). `seq` counts datagrams sent so far. */
typedef bool (*h_filter_fn)(struct hnet *h, struct h_dgram *d, void *arg);

struct hnet {
	ikg_ms now;
	struct h_node n[2];
	struct h_dgram q[H_QUEUE];
	size_t q_head, q_len;
	h_filter_fn filter;
	void *filter_arg;
	bool verbose;
	/* NAT: node `nat_node` sits behind a NAPT with public address nat_public */
	bool nat;
	int nat_node;
	ikg_ip4 nat_public;
	uint16_t nat_port_base;               /* public port = base + private port */
	struct ike_timers timers;
	size_t delivered, dropped;
};

/* Two nodes: A = 192.0.2.1 (members 10.1.1.0/24), B = 192.0.2.2 (10.2.2.0/24), each with one
 * IKE profile "ike" (main, 3des, sha1, modp1024, secret "case Sensitive") and one IPsec
 * profile "tun" towards the other (esp aes128 sha1, pfs 2). Change h->n[i].ike[0] /
 * ipsec[0] before h_start. Timers: retransmit 1000 ms x 4. */
void h_init(struct hnet *h);
void h_set_secret(struct h_node *n, const char *secret);
/* Creates the engines. */
void h_start(struct hnet *h);
void h_free(struct hnet *h);
/* Puts node `node` behind a NAT with public address `pub` (rewrites addresses and ports). */
void h_set_nat(struct hnet *h, int node, ikg_ip4 pub);
/* Delivers datagrams and fires timers until `ms` of virtual time have passed. */
void h_run(struct hnet *h, ikg_ms ms);
/* ike_initiate on node i for its profile 0 towards the other node's address. */
enum ikg_err h_initiate(struct hnet *h, int i);

size_t h_count(const struct h_node *n, enum ikg_msg code);
const struct ikg_event *h_last(const struct h_node *n, enum ikg_msg code);
bool h_evidence_has(const struct h_node *n, enum ikg_msg code, const char *needle);
void h_dump(const struct h_node *n);
/* The ISAKMP exchange type of a datagram (after any non-ESP marker), 0 if none. */
uint8_t h_exchange(const struct h_dgram *d);
/* Offset of the ISAKMP header in the datagram (0 or 4). */
size_t h_isakmp_off(const struct h_dgram *d);
ikg_ip4 h_ip(const char *s);

#endif
