/* Filter sets: first match wins, no match permits; per-rule hit counters. */
#include "nat/filter.h"

#include <string.h>

#include "common/addr.h"

#define PORT_ANY_LO 0
#define PORT_ANY_HI 65535
#define PROTO_TCP 6
#define PROTO_UDP 17

void filter_state_reset(struct filter_state *st)
{
	memset(st, 0, sizeof(*st));
}

void filter_rule_init(struct cfg_filter_rule *r, enum cfg_action action)
{
	*r = (struct cfg_filter_rule){
		.action = action,
		.protocol = 0,
		.src = {0, UINT32_MAX},
		.dst = {0, UINT32_MAX},
		.src_port_lo = PORT_ANY_LO, .src_port_hi = PORT_ANY_HI,
		.dst_port_lo = PORT_ANY_LO, .dst_port_hi = PORT_ANY_HI,
	};
}

static bool port_range_any(uint16_t lo, uint16_t hi)
{
	return lo == PORT_ANY_LO && hi == PORT_ANY_HI;
}

static bool port_matches(uint8_t proto, uint16_t lo, uint16_t hi, uint16_t port)
{
	if (port_range_any(lo, hi))
		return true;
	if (proto != PROTO_TCP && proto != PROTO_UDP)
		return false;
	return port >= lo && port <= hi;
}

bool filter_rule_matches(const struct cfg_filter_rule *r, uint8_t proto, ikg_ip4 src,
			 uint16_t sport, ikg_ip4 dst, uint16_t dport)
{
	return (r->protocol == 0 || r->protocol == proto) && ikg_range_contains(&r->src, src) &&
	       ikg_range_contains(&r->dst, dst) &&
	       port_matches(proto, r->src_port_lo, r->src_port_hi, sport) &&
	       port_matches(proto, r->dst_port_lo, r->dst_port_hi, dport);
}

enum cfg_action filter_check(const struct cfg_filter_set *set, struct filter_state *st,
			     uint8_t proto, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
			     uint16_t dport, int *rule_index_out)
{
	if (rule_index_out)
		*rule_index_out = -1;
	if (!set)
		return CFG_PERMIT;
	size_t n = set->n_rules < IKG_MAX_RULES ? set->n_rules : IKG_MAX_RULES;

	for (size_t i = 0; i < n; i++) {
		const struct cfg_filter_rule *r = &set->rules[i];

		if (!filter_rule_matches(r, proto, src, sport, dst, dport))
			continue;
		if (st)
			st->hits[i]++;
		if (rule_index_out)
			*rule_index_out = (int)i;
		return r->action;
	}
	if (st)
		st->default_hits++;
	return CFG_PERMIT;
}

enum cfg_action filter_check_flow(const struct cfg_filter_set *set, struct filter_state *st,
				  const struct nat_flow *f, int *rule_index_out)
{
	return filter_check(set, st, f->proto, f->src, f->sport, f->dst, f->dport,
			    rule_index_out);
}

const char *filter_action_name(enum cfg_action a)
{
	return a == CFG_DENY ? "deny" : "permit";
}

const char *filter_apply_name(enum cfg_apply a)
{
	return a == CFG_APPLY_WAN_OUT ? "wan-out" : "wan-in";
}
