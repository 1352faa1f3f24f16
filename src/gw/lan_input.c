/* LAN -> WAN: SPD lookup, traffic-triggered tunnels, encapsulation (design.md §2). */
#include "gw/glue.h"
#include "wire/ipv4.h"

#include <string.h>

static void log_once(struct gw *g, size_t i, enum ikg_msg code, const char *fmt, const char *arg)
{
	struct ikg_event ev;
	ikg_event_make(&ev, g->now, code, g->cfg.ipsec[i].name, g->prof[i].peer, fmt, arg);
	gw_emit(g, &ev);
}

/* The checks of the technote's first two messages, then phase 1. */
int gw_trigger(struct gw *g, size_t i, bool operator, const char **why)
{
	const struct cfg_ipsec_profile *c = &g->cfg.ipsec[i];
	struct gw_profile *p = &g->prof[i];
	if (!operator && p->triggered && g->now - p->last_trigger < GW_TRIGGER_HOLDOFF_MS) {
		*why = "tunnel negotiation already triggered";
		return 0;
	}
	p->triggered = true;
	p->last_trigger = g->now;
	const struct cfg_ike_profile *ike = ikg_config_ike(&g->cfg, c->ike_profile);
	if (!ike) {
		log_once(g, i, MSG_NO_PH1_PREFS, "profile=%s; ike-profile=none assigned", c->name);
		*why = "no ph1 preferences assigned (no IKE profile)";
		return -1;
	}
	if (ike->negotiation == IKG_NEG_RESPOND_ONLY) {
		log_once(g, i, MSG_RESPONDER_ONLY, "ike-profile=%s; negotiation=respond-only", ike->name);
		*why = "the IKE profile is respond-only";
		return -1;
	}
	ikg_ip4 peer = c->remote_ip;
	if (c->remote_is_hostname) {
		if (!g->io.resolve || g->io.resolve(g->io.ctx, c->remote_endpoint, &peer) || !peer) {
			log_once(g, i, MSG_DNS_LOOKUP_FAILURE,
				 "remote-endpoint=%s; the hostname did not resolve", c->remote_endpoint);
			*why = "DNS Lookup Failure (remote endpoint hostname does not resolve)";
			return -1;
		}
	} else if (peer == 0) {
		log_once(g, i, MSG_DNS_LOOKUP_FAILURE,
			 "remote-endpoint=%s; an all-zeros endpoint can only respond", c->remote_endpoint);
		*why = "DNS Lookup Failure (remote endpoint 0.0.0.0 cannot initiate)";
		return -1;
	}
	p->peer = peer;
	enum ikg_err e = ike_initiate(g->ike, g->now, i, peer);
	if (e != IKG_OK) {
		*why = ikg_err_info(e)->name;
		return -1;
	}
	if (p->ph1 == GW_DOWN)
		p->ph1 = GW_NEGOTIATING;
	if (p->ph2 == GW_DOWN)
		p->ph2 = GW_NEGOTIATING;
	return 0;
}

static void encap_and_send(struct gw *g, size_t i, struct ikg_pkt *pkt)
{
	struct gw_profile *p = &g->prof[i];
	size_t inner = pkt->len;
	if (ipsec_output(p->out, pkt)) {
		p->c.tx_queue_dropped++;
		return;
	}
	p->c.tx_packets++;
	p->c.tx_bytes += inner;
	gw_wan_output(g, pkt);
}

void gw_queue_release(struct gw *g, size_t i)
{
	struct gw_profile *p = &g->prof[i];
	p->queued = 0;
	if (p->queue) {
		p->queue->next_free = g->qfree;
		g->qfree = p->queue;
		p->queue = NULL;
	}
}

void gw_flush_queue(struct gw *g, size_t i)
{
	struct gw_profile *p = &g->prof[i];
	for (size_t k = 0; k < p->queued && p->out && p->queue; k++)
		encap_and_send(g, i, &p->queue->pkt[k]);
	gw_queue_release(g, i);
}

static void enqueue(struct gw *g, size_t i, const struct ikg_pkt *pkt)
{
	struct gw_profile *p = &g->prof[i];
	if (!p->queue && g->qfree) {          /* take a queue from the pool */
		p->queue = g->qfree;
		g->qfree = p->queue->next_free;
		p->queued = 0;
	}
	if (!p->queue || p->queued >= GW_QUEUE_MAX) {
		p->c.tx_queue_dropped++;
		return;
	}
	struct ikg_pkt *q = &p->queue->pkt[p->queued++];
	q->off = pkt->off;
	q->len = pkt->len;
	memcpy(q->data + q->off, pkt->data + pkt->off, pkt->len);
	p->c.tx_queued++;
}

void gw_input_lan(struct gw *g, ikg_ms now, struct ikg_pkt *pkt)
{
	g->now = now;
	g->stats.lan_in++;
	struct ipv4_view ip;
	size_t i;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &ip)) {
		g->stats.lan_no_policy++;
		return;
	}
	pkt->len = ip.total_len;
	if (ipsec_spd_lookup(&g->spd, ip.src, ip.dst, &i)) {
		g->stats.lan_no_policy++;
		return;
	}
	struct gw_profile *p = &g->prof[i];
	if (p->out) {
		encap_and_send(g, i, pkt);
		return;
	}
	const char *why;
	enqueue(g, i, pkt);
	if (gw_trigger(g, i, false, &why))
		gw_queue_release(g, i);
}
