/* WAN -> LAN (design.md §2): session table first (a packet a filter set then blocks still
 * leaves its translation, as the technote shows), then the wan-in filter sets, then IKE or the
 * IPsec data plane, and every Rx discard counted under exactly one reason. */
#include "common/addr.h"
#include "gw/glue.h"
#include "wire/esp.h"
#include "wire/ipv4.h"

#define FILTER_EVENT_INTERVAL_MS 60000

static size_t profile_of_peer(const struct gw *g, ikg_ip4 peer)
{
	for (size_t i = 0; i < g->cfg.n_ipsec; i++)
		if (g->prof[i].peer == peer)
			return i;
	return (size_t)-1;
}

static void count_discard(struct gw *g, size_t profile, enum rx_discard why)
{
	if (profile < g->cfg.n_ipsec)
		vpn_count_discard(&g->prof[profile].c, why);
	else
		g->stats.rx_discards[why]++;
}

static void filter_event(struct gw *g, const struct ipv4_view *ip, uint16_t sport, uint16_t dport)
{
	if (g->last_filter_event && g->now - g->last_filter_event < FILTER_EVENT_INTERVAL_MS)
		return;
	g->last_filter_event = g->now;
	struct ikg_event ev;
	char a[IKG_IP4_STRLEN];
	size_t i = profile_of_peer(g, ip->src);
	ikg_event_make(&ev, g->now, MSG_FILTER_DROP, i < g->cfg.n_ipsec ? g->cfg.ipsec[i].name : "",
		       ip->src, "direction=wan-in; protocol=%u; from=%s:%u; to-port=%u",
		       ip->protocol, ikg_ip4_str(ip->src, a), sport, dport);
	gw_emit(g, &ev);
}

static void ipsec_rx(struct gw *g, struct ikg_pkt *pkt, ikg_ip4 src, uint16_t sport)
{
	struct ipsec_sa *sa = NULL;
	enum rx_discard why;
	if (ipsec_input(g->sad, pkt, &sa, &why)) {
		count_discard(g, sa ? ipsec_sa_profile(sa) : profile_of_peer(g, src), why);
		return;
	}
	size_t i = ipsec_sa_profile(sa);
	if (i >= g->cfg.n_ipsec)
		return;
	struct gw_profile *p = &g->prof[i];
	if (ipsec_spd_check_inbound_pkt(&g->spd, i, pkt, &why)) {
		vpn_count_discard(&p->c, why);
		return;
	}
	/* An authenticated packet from a new NAT binding: follow the peer (RFC 3948). */
	if (sport && p->out)
		ipsec_sa_set_peer(p->out, src, sport);
	p->c.rx_packets++;
	p->c.rx_bytes += pkt->len;
	g->stats.lan_out++;
	g->io.lan_send(g->io.ctx, pkt);
}

static void udp_rx(struct gw *g, struct ikg_pkt *pkt, const struct ipv4_view *ip)
{
	struct udp_view u;
	if (udp_parse(ip->payload, ip->payload_len, &u)) {
		g->stats.wan_malformed++;
		return;
	}
	if (u.dport == 500) {
		ike_input(g->ike, g->now, ip->src, u.sport, ip->dst, u.dport, u.payload, u.payload_len);
		return;
	}
	if (u.dport != 4500) {
		g->stats.wan_not_ours++;
		return;
	}
	size_t off = 0;
	switch (udp4500_classify(u.payload, u.payload_len, &off)) {
	case U4500_KEEPALIVE:
		g->stats.natt_keepalives++;
		return;
	case U4500_IKE:
		ike_input(g->ike, g->now, ip->src, u.sport, ip->dst, u.dport, u.payload + off,
			  u.payload_len - off);
		return;
	case U4500_ESP:
		ipsec_rx(g, pkt, ip->src, u.sport);
		return;
	case U4500_BAD:
	default:
		count_discard(g, profile_of_peer(g, ip->src), RXD_ESP_AH_ERROR);
		return;
	}
}

void gw_input_wan(struct gw *g, ikg_ms now, struct ikg_pkt *pkt)
{
	g->now = now;
	g->stats.wan_in++;
	struct ipv4_view ip;
	if (ipv4_parse(pkt_start(pkt), pkt->len, true, &ip)) {
		g->stats.wan_malformed++;
		return;
	}
	pkt->len = ip.total_len;
	if (ip.dst != g->cfg.gateway.wan_address) {
		g->stats.wan_not_ours++;
		return;
	}
	uint16_t sport = 0, dport = 0;
	if (ip.protocol == IPPROTO_UDP_ || ip.protocol == IPPROTO_TCP_ || ip.protocol == IPPROTO_ICMP_)
		l4_ports(ip.protocol, ip.payload, ip.payload_len, &sport, &dport);
	nat_table_touch(g->nat, now, NAT_DIR_IN, ip.protocol, ip.dst, dport, ip.dst, dport, ip.src,
			sport);
	if (!gw_filter_pass(g, CFG_APPLY_WAN_IN, ip.protocol, ip.src, sport, ip.dst, dport)) {
		g->stats.wan_filtered++;
		filter_event(g, &ip, sport, dport);
		return;
	}
	if (ipv4_is_fragment(&ip)) {
		count_discard(g, profile_of_peer(g, ip.src), RXD_ESP_AH_ERROR);
		return;
	}
	switch (ip.protocol) {
	case IPPROTO_UDP_:
		udp_rx(g, pkt, &ip);
		return;
	case IKG_PROTO_ESP:
	case IKG_PROTO_AH:
		ipsec_rx(g, pkt, ip.src, 0);
		return;
	case IKG_PROTO_IPCOMP:
		count_discard(g, profile_of_peer(g, ip.src), RXD_UNKNOWN_PROTOCOL);
		return;
	default:
		g->stats.wan_not_ours++;
		return;
	}
}
