/* Everything the gateway sends on the WAN: session table, then the wan-out filter sets. */
#include "gw/glue.h"
#include "wire/ipv4.h"

bool gw_filter_pass(struct gw *g, enum cfg_apply dir, uint8_t proto, ikg_ip4 src,
		    uint16_t sport, ikg_ip4 dst, uint16_t dport)
{
	for (size_t k = 0; k < g->cfg.n_filters; k++) {
		const struct cfg_filter_set *set = &g->cfg.filters[k];
		if (set->apply != dir)
			continue;
		int rule = -1;
		if (filter_check(set, &g->filters[k], proto, src, sport, dst, dport, &rule) == CFG_DENY)
			return false;
	}
	return true;
}

void gw_wan_output(struct gw *g, struct ikg_pkt *pkt)
{
	struct ipv4_view ip;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &ip))
		return;
	uint16_t sport = 0, dport = 0;
	if (ip.protocol == IPPROTO_UDP_ || ip.protocol == IPPROTO_TCP_ || ip.protocol == IPPROTO_ICMP_)
		l4_ports(ip.protocol, ip.payload, ip.payload_len, &sport, &dport);
	nat_table_touch(g->nat, g->now, NAT_DIR_OUT, ip.protocol, ip.src, sport, ip.src, sport,
			ip.dst, dport);
	if (!gw_filter_pass(g, CFG_APPLY_WAN_OUT, ip.protocol, ip.src, sport, ip.dst, dport)) {
		g->stats.lan_filtered++;
		return;
	}
	g->stats.wan_out++;
	g->io.wan_send(g->io.ctx, pkt);
}
