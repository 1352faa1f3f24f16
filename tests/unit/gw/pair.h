/* Two gateways wired back to back in one process, on a virtual clock: the smallest lab, for
 * unit tests of the gateway's packet paths. */
#ifndef IKG_TEST_PAIR_H
#define IKG_TEST_PAIR_H

#include "gw/gw.h"

#define PAIR_MAX_PKTS 256

struct pair_side {
	struct gw *gw;
	ikg_ms *now;
	uint64_t rng;
	/* packets this gateway sent on the WAN, not yet delivered */
	struct ikg_pkt *wan[PAIR_MAX_PKTS];
	size_t n_wan;
	/* packets delivered to its LAN */
	size_t lan_delivered;
	struct ikg_pkt last_lan;
	/* a copy of every ESP/AH packet it sent (for replays and tampering) */
	struct ikg_pkt last_ipsec;
	bool have_ipsec;
};

struct pair {
	struct pair_side a, b;
	ikg_ms now;
};

/* Builds both gateways from configuration texts. 0 or -1 (printing the diagnostics). */
int pair_init(struct pair *p, const char *cfg_a, const char *cfg_b);
void pair_free(struct pair *p);
/* Delivers queued WAN packets both ways (and runs timers) until quiet or `ms` of virtual time. */
void pair_run(struct pair *p, ikg_ms ms);
/* An ICMP echo request from src to dst entering gateway s from its LAN. */
void pair_ping(struct pair *p, struct pair_side *s, ikg_ip4 src, ikg_ip4 dst);
/* Injects a raw IPv4 packet on a gateway's WAN. */
void pair_inject_wan(struct pair *p, struct pair_side *s, const uint8_t *pkt, size_t len);
const struct vpn_counters *pair_counters(struct pair_side *s, size_t profile);

#endif
