/* The 5-tuple of a WAN packet, parsed once and handed to the session table and then to the
 * filter set: the technote's order (NAT processing comes before the firewall, so a packet the
 * filter drops has still created or refreshed its translation). */
#ifndef IKG_NAT_FLOW_H
#define IKG_NAT_FLOW_H

#include "common/types.h"
#include "nat/table.h"

struct nat_flow {
	uint8_t proto;
	ikg_ip4 src, dst;
	uint16_t sport, dport;   /* TCP/UDP ports, the ICMP echo id in both; 0 when none */
};

/* Parses an IPv4 packet (header checksum not verified). 0, or -1 when it is not IPv4, is
 * truncated, or is a TCP/UDP first fragment too short for its ports. Non-first fragments and
 * ICMP other than echo get ports 0. */
int nat_flow_parse(const uint8_t *p, size_t len, struct nat_flow *f);

/* nat_table_touch for one of the gateway's own flows (LAN side = WAN side = the gateway):
 * out: the gateway sent f (src = the gateway); in: the gateway received f (dst = it). */
struct nat_entry *nat_table_touch_flow(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				       const struct nat_flow *f);

#endif
