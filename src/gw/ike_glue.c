/* The IKE engine's outputs, wired into the gateway: datagrams to the WAN, events to the
 * history, negotiated SA pairs into the data plane. */
#include "gw/glue.h"
#include "wire/ipv4.h"

#include <string.h>

static void ike_send(void *ctx, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		     const uint8_t *p, size_t len)
{
	struct gw *g = ctx;
	struct ikg_pkt *pkt = &g->scratch;
	pkt_reset(pkt);
	if (len > pkt_tailroom(pkt) - IPV4_HDR_LEN - UDP_HDR_LEN)
		return;
	memcpy(pkt_put(pkt, len), p, len);
	uint8_t *udp = pkt_push(pkt, UDP_HDR_LEN);
	udp_write_hdr(udp, src, sport, dst, dport, len, true);
	uint8_t *ip = pkt_push(pkt, IPV4_HDR_LEN);
	ipv4_write_hdr(ip, IPPROTO_UDP_, src, dst, (uint16_t)pkt->len, ++g->ip_id);
	gw_wan_output(g, pkt);
}

static void ike_event(void *ctx, const struct ikg_event *ev)
{
	struct gw *g = ctx;
	struct ikg_event e = *ev;
	if (!e.when)
		e.when = g->now;
	gw_emit(g, &e);
}

static void ike_random(void *ctx, void *buf, size_t len)
{
	struct gw *g = ctx;
	g->io.random(g->io.ctx, buf, len);
}

static void gw_random_fn(void *ctx, void *buf, size_t len) { ike_random(ctx, buf, len); }

static struct ipsec_sa *make_sa(struct gw *g, const struct ike_child *c, bool inbound)
{
	/* RFC 3948 encapsulates ESP only: AH always travels as IP protocol 51. */
	bool encap = c->udp_encap && c->protocol == IKG_PROTO_ESP;
	struct ipsec_sa_params p;
	const uint8_t *keys = inbound ? c->keys_in : c->keys_out;
	uint32_t spi = inbound ? c->spi_in : c->spi_out;
	if (ipsec_sa_params_init(&p, c->protocol, spi, c->enc, c->integ, keys, c->enc_key_len,
				 c->integ_key_len))
		return NULL;
	p.src = inbound ? c->peer : c->local;
	p.dst = inbound ? c->local : c->peer;
	p.udp_encap = encap;
	p.sport = encap ? (inbound ? c->peer_port : c->local_port) : 0;
	p.dport = encap ? (inbound ? c->local_port : c->peer_port) : 0;
	p.replay_window = g->cfg.ipsec[c->profile].replay_window;
	p.profile = c->profile;
	struct ipsec_sa *sa = ipsec_sa_new(&p, inbound, gw_random_fn, g);
	ipsec_sa_params_wipe(&p);
	return sa;
}

static void child_up(void *ctx, const struct ike_child *c)
{
	struct gw *g = ctx;
	if (c->profile >= g->cfg.n_ipsec)
		return;
	struct gw_profile *p = &g->prof[c->profile];
	const char *name = g->cfg.ipsec[c->profile].name;
	struct ikg_event ev;
	if (c->protocol == IKG_PROTO_AH && c->udp_encap) {
		ikg_event_make(&ev, g->now, MSG_AH_THROUGH_NAT, name, c->peer,
			       "protocol=ah; nat=detected (peer at %u.%u.%u.%u:%u); effect=AH covers the "
			       "outer addresses a NAT rewrites, so the far end discards every packet "
			       "(esp-ah-error); fix=use protocol esp (ESP in UDP crosses NATs)",
			       c->peer >> 24, (c->peer >> 16) & 255, (c->peer >> 8) & 255, c->peer & 255,
			       c->peer_port);
		gw_emit(g, &ev);
	}
	struct ipsec_sa *in = make_sa(g, c, true);
	struct ipsec_sa *out = make_sa(g, c, false);
	if (!in || !out || ipsec_sad_add(g->sad, in)) {
		ipsec_sa_free(in);
		ipsec_sa_free(out);
		ikg_event_make(&ev, g->now, MSG_TUNNEL_DOWN, name, c->peer,
			       "reason=the negotiated SA could not be installed in the data plane; "
			       "protocol=%s; encryption=%s; integrity=%s; spi-in=%08x",
			       c->protocol == IKG_PROTO_AH ? "ah" : "esp", ikg_esp_enc_name(c->enc),
			       ikg_integ_name(c->integ), c->spi_in);
		gw_emit(g, &ev);
		return;
	}
	ipsec_sa_free(p->out);        /* a rekey replaces the outbound SA at once */
	p->out = out;
	p->spi_in = c->spi_in;
	p->spi_out = c->spi_out;
	p->peer = c->peer;
	p->nat_t = c->udp_encap;
	p->ph2 = GW_UP;
	p->triggered = false;
	gw_flush_queue(g, c->profile);
}

static void child_down(void *ctx, size_t profile, uint32_t spi_in, uint32_t spi_out)
{
	struct gw *g = ctx;
	uint8_t protos[2] = {IKG_PROTO_ESP, IKG_PROTO_AH};
	for (size_t k = 0; k < 2; k++) {
		struct ipsec_sa *sa = ipsec_sad_remove(g->sad, spi_in, protos[k]);
		ipsec_sa_free(sa);
	}
	if (profile >= g->cfg.n_ipsec)
		return;
	struct gw_profile *p = &g->prof[profile];
	if (p->out && p->spi_out == spi_out) {
		ipsec_sa_free(p->out);
		p->out = NULL;
		p->ph2 = GW_DOWN;
	}
}

static void ph1_state(void *ctx, size_t profile, int state)
{
	struct gw *g = ctx;
	if (profile < g->cfg.n_ipsec)
		g->prof[profile].ph1 = (enum gw_phase_state)state;
	if (profile < g->cfg.n_ipsec && state == GW_DOWN && !g->prof[profile].out)
		g->prof[profile].ph2 = GW_DOWN;
}

struct ike_engine *gw_ike_new(struct gw *g)
{
	struct ike_ops ops = {
		.ctx = g,
		.send = ike_send,
		.event = ike_event,
		.random = ike_random,
		.child_up = child_up,
		.child_down = child_down,
		.ph1_state = ph1_state,
	};
	struct ike_timers t = {.retransmit_ms = 5000, .retransmit_tries = 4, .half_open_max = 512};
	if (g->io.retransmit_ms)
		t.retransmit_ms = g->io.retransmit_ms;
	if (g->io.retransmit_tries)
		t.retransmit_tries = g->io.retransmit_tries;
	return ike_new(&g->cfg, &ops, &t);
}

void gw_profile_down(struct gw *g, size_t i)
{
	ike_teardown(g->ike, g->now, i);
	struct gw_profile *p = &g->prof[i];
	if (p->out) {
		ipsec_sa_free(p->out);
		p->out = NULL;
	}
	p->ph1 = p->ph2 = GW_DOWN;
	gw_queue_release(g, i);
	p->triggered = false;
}
