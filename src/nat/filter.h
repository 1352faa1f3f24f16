/* Filter sets (design.md §8 "filter-sets"): ordered permit/deny rules on protocol, source and
 * destination ranges and port ranges, applied to WAN packets after NAT (wan-in) or before
 * they leave (wan-out). The first matching rule decides. When no rule matches the packet is
 * PERMITTED (counted as a default hit): a set that wants "deny everything else" ends with a
 * catch-all deny rule.
 *
 * Ports: a rule with a port range other than 0-65535 matches only TCP and UDP packets (ESP,
 * AH and ICMP have no ports; an ICMP echo id is not a port). A rule's protocol 0 is "any".
 *
 * Order with the session table (the technote: "NAT processing comes before the firewall"):
 * parse the packet once with nat_flow_parse, touch the session table, then filter_check_flow.
 * A denied inbound IKE packet therefore still shows its "in UDP 500" translation. */
#ifndef IKG_NAT_FILTER_H
#define IKG_NAT_FILTER_H

#include "common/types.h"
#include "config/config.h"
#include "nat/flow.h"

/* Per-rule hit counters of one filter set (index = rule index in the set). */
struct filter_state {
	uint64_t hits[IKG_MAX_RULES];
	uint64_t default_hits;       /* packets no rule matched (permitted) */
};

void filter_state_reset(struct filter_state *st);

/* A rule matching everything with the given action (any protocol, address and port). */
void filter_rule_init(struct cfg_filter_rule *r, enum cfg_action action);
bool filter_rule_matches(const struct cfg_filter_rule *r, uint8_t proto, ikg_ip4 src,
			 uint16_t sport, ikg_ip4 dst, uint16_t dport);

/* First match wins. *rule_index_out (may be NULL) gets the matching rule's index, or -1 when
 * none matched (then CFG_PERMIT). st may be NULL (no counting). set NULL: permit, index -1,
 * nothing counted. */
enum cfg_action filter_check(const struct cfg_filter_set *set, struct filter_state *st,
			     uint8_t proto, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
			     uint16_t dport, int *rule_index_out);
enum cfg_action filter_check_flow(const struct cfg_filter_set *set, struct filter_state *st,
				  const struct nat_flow *f, int *rule_index_out);

const char *filter_action_name(enum cfg_action a);     /* "permit" / "deny" */
const char *filter_apply_name(enum cfg_apply a);       /* "wan-in" / "wan-out" */

#endif
