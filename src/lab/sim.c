/* The virtual network of the lab (design.md §6). */
#include "lab/sim.h"

#include "common/addr.h"
#include "gw/gw.h"
#include "nat/napt.h"
#include "nat/table.h"
#include "view/views.h"
#include "wire/ipv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ev_kind { EV_WAN, EV_LAN, EV_HOST, EV_STEP, EV_PING };

struct ev {
	ikg_ms t;
	uint64_t seq;
	enum ev_kind kind;
	size_t node;      /* gateway (EV_WAN, EV_LAN) or host (EV_HOST) */
	size_t step;      /* EV_STEP, EV_PING */
	uint32_t n;       /* EV_PING: echo number */
	struct ikg_pkt *pkt;
};

struct ping_stat {
	uint32_t sent, received;
};

struct sim;
struct gw_ctx {
	struct sim *sim;
	size_t i;
	uint64_t rng;
};

struct sim {
	const struct scenario *s;
	struct gw *gw[LAB_MAX_NODES];
	ikg_ms next_timer[LAB_MAX_NODES]; /* cached gw_next_timer, refreshed when a gateway ran */
	struct gw_ctx ctx[LAB_MAX_NODES];
	bool cut[LAB_MAX_NODES];
	bool route_back_fixed[LAB_MAX_NODES];  /* per host */
	struct nat_table *nat_tbl[LAB_MAX_NODES];
	struct napt napt[LAB_MAX_NODES];
	uint64_t fw_drops[LAB_MAX_NODES];
	uint64_t rng;
	ikg_ms now;
	uint64_t seq;
	struct ev *heap;
	size_t n_heap, cap_heap;
	struct ping_stat ping[LAB_MAX_STEPS];
	struct strbuf *out;
	int failures;
	uint16_t ip_id;
};

static void refresh_timer(struct sim *m, size_t i) { m->next_timer[i] = gw_next_timer(m->gw[i]); }

/* ---- determinism: one splitmix64 stream for the network, one per gateway ---- */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(uint64_t *state, void *buf, size_t len)
{
	uint8_t *b = buf;
	while (len) {
		uint64_t r = splitmix(state);
		size_t k = len < 8 ? len : 8;
		memcpy(b, &r, k);
		b += k;
		len -= k;
	}
}

static uint32_t chance(struct sim *m) { return (uint32_t)(splitmix(&m->rng) % 100); }

/* ---- event queue: a binary heap on (t, seq) ---- */
static bool ev_less(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int push(struct sim *m, struct ev e)
{
	if (m->n_heap == m->cap_heap) {
		size_t cap = m->cap_heap ? m->cap_heap * 2 : 256;
		struct ev *h = realloc(m->heap, cap * sizeof(*h));
		if (!h)
			return -1;
		m->heap = h;
		m->cap_heap = cap;
	}
	e.seq = m->seq++;
	size_t i = m->n_heap++;
	m->heap[i] = e;
	while (i && ev_less(&m->heap[i], &m->heap[(i - 1) / 2])) {
		struct ev t = m->heap[i];
		m->heap[i] = m->heap[(i - 1) / 2];
		m->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

static struct ev pop(struct sim *m)
{
	struct ev top = m->heap[0];
	m->heap[0] = m->heap[--m->n_heap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;
		if (l < m->n_heap && ev_less(&m->heap[l], &m->heap[s]))
			s = l;
		if (r < m->n_heap && ev_less(&m->heap[r], &m->heap[s]))
			s = r;
		if (s == i)
			break;
		struct ev t = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = t;
		i = s;
	}
	return top;
}

static struct ikg_pkt *pkt_copy(const struct ikg_pkt *p)
{
	struct ikg_pkt *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	c->off = IKG_PKT_HEADROOM;
	c->len = p->len;
	memcpy(c->data + c->off, p->data + p->off, p->len);
	return c;
}

static void schedule_pkt(struct sim *m, enum ev_kind k, size_t node, ikg_ms at,
			 const struct ikg_pkt *p)
{
	struct ikg_pkt *c = pkt_copy(p);
	if (c && push(m, (struct ev){.t = at, .kind = k, .node = node, .pkt = c}))
		free(c);
}

static ikg_ms wall(const struct sim *m) { return m->s->clock0 + m->now; }

/* ---- the WAN ---- */
static ssize_t nat_of_gw(const struct sim *m, size_t g)
{
	for (size_t k = 0; k < m->s->n_nats; k++)
		if (m->s->nats[k].gw == g)
			return (ssize_t)k;
	return -1;
}

/* The ISAKMP exchange type of a UDP 500/4500 packet, or -1. */
static int isakmp_exchange(const struct ipv4_view *ip, size_t *isakmp_off)
{
	struct udp_view u;
	if (ip->protocol != IPPROTO_UDP_ || udp_parse(ip->payload, ip->payload_len, &u))
		return -1;
	size_t off = 0;
	if (u.dport == 4500) {
		if (u.payload_len < 4 || u.payload[0] || u.payload[1] || u.payload[2] || u.payload[3])
			return -1;
		off = 4;
	} else if (u.dport != 500) {
		return -1;
	}
	if (u.payload_len < off + 28)
		return -1;
	*isakmp_off = (size_t)(u.payload - ip->payload) + IPV4_HDR_LEN + off;
	return u.payload[off + 18];
}

static bool firewall_blocks(struct sim *m, size_t g, const uint8_t *p, size_t len)
{
	struct ipv4_view ip;
	if (ipv4_parse(p, len, false, &ip))
		return true;
	uint16_t sport = 0, dport = 0;
	l4_ports(ip.protocol, ip.payload, ip.payload_len, &sport, &dport);
	for (size_t f = 0; f < m->s->n_fws; f++) {
		const struct lab_firewall *fw = &m->s->fws[f];
		if (fw->gw != g)
			continue;
		for (size_t r = 0; r < fw->n_rules; r++) {
			const struct lab_fw_rule *x = &fw->rules[r];
			size_t off;
			if ((x->proto && x->proto != ip.protocol) || (x->port && x->port != dport))
				continue;
			if (x->ike_info && isakmp_exchange(&ip, &off) != 5)
				continue;
			if (x->deny) {
				m->fw_drops[f]++;
				return true;
			}
			break;
		}
	}
	return false;
}

/* Where a packet addressed to dst arrives: a gateway (directly, or through its NAT box). */
static ssize_t route_wan(struct sim *m, struct ikg_pkt *p, ikg_ip4 dst)
{
	for (size_t k = 0; k < m->s->n_nats; k++) {
		if (m->s->nats[k].outside != dst)
			continue;
		if (napt_inbound(&m->napt[k], wall(m), pkt_start(p), p->len) != NAPT_OK)
			return -1;
		return (ssize_t)m->s->nats[k].gw;
	}
	for (size_t g = 0; g < m->s->n_gws; g++)
		if (m->s->gws[g].cfg.gateway.wan_address == dst && nat_of_gw(m, g) < 0)
			return (ssize_t)g;
	return -1;
}

static void tamper(struct sim *m, struct ikg_pkt *p)
{
	if (p->len <= IPV4_HDR_LEN + UDP_HDR_LEN)
		return;
	size_t span = p->len - IPV4_HDR_LEN - UDP_HDR_LEN;
	size_t at = IPV4_HDR_LEN + UDP_HDR_LEN + (size_t)(splitmix(&m->rng) % span);
	pkt_start(p)[at] ^= 0x01;
}

/* Flips a bit in the next-to-last cipher block of an encrypted quick-mode message: the payloads
 * still parse, the HASH no longer verifies. */
static void tamper_qm(struct sim *m, struct ikg_pkt *p, uint32_t pct)
{
	struct ipv4_view ip;
	size_t off;
	if (ipv4_parse(pkt_start(p), p->len, false, &ip) || isakmp_exchange(&ip, &off) != 32)
		return;
	if (!(pkt_start(p)[off + 19] & 1) || chance(m) >= pct || p->len < off + 28 + 32)
		return;
	pkt_start(p)[p->len - 17] ^= 0x80;
}

static void wan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct gw_ctx *c = ctx;
	struct sim *m = c->sim;
	size_t from = c->i;
	const struct lab_link *lf = &m->s->links[from];
	if (m->cut[from] || chance(m) < lf->loss_pct)
		return;
	struct ikg_pkt tmp;
	tmp.off = IKG_PKT_HEADROOM;
	tmp.len = pkt->len;
	memcpy(tmp.data + tmp.off, pkt_start(pkt), pkt->len);
	ssize_t nat = nat_of_gw(m, from);
	if (nat >= 0 && napt_outbound(&m->napt[nat], wall(m), pkt_start(&tmp), tmp.len) != NAPT_OK)
		return;
	struct ipv4_view ip;
	if (ipv4_parse(pkt_start(&tmp), tmp.len, false, &ip))
		return;
	ssize_t to = route_wan(m, &tmp, ip.dst);
	if (to < 0 || m->cut[to])
		return;
	const struct lab_link *lt = &m->s->links[to];
	if (chance(m) < lt->loss_pct || firewall_blocks(m, (size_t)to, pkt_start(&tmp), tmp.len))
		return;
	ikg_ms delay = lf->latency_ms + lt->latency_ms;
	if (chance(m) < lf->reorder_pct + lt->reorder_pct)
		delay += splitmix(&m->rng) % (2 * (delay + 1));
	if (chance(m) < lf->tamper_pct + lt->tamper_pct)
		tamper(m, &tmp);
	if (lf->tamper_qm_pct + lt->tamper_qm_pct)
		tamper_qm(m, &tmp, lf->tamper_qm_pct + lt->tamper_qm_pct);
	schedule_pkt(m, EV_WAN, (size_t)to, m->now + delay, &tmp);
}

/* ---- the LANs ---- */
static void lan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct gw_ctx *c = ctx;
	struct sim *m = c->sim;
	struct ipv4_view ip;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &ip))
		return;
	for (size_t h = 0; h < m->s->n_hosts; h++)
		if (m->s->hosts[h].gw == c->i && m->s->hosts[h].addr == ip.dst)
			schedule_pkt(m, EV_HOST, h, m->now + 1, pkt);
}

static void build_icmp(struct ikg_pkt *p, ikg_ip4 src, ikg_ip4 dst, uint8_t type, uint16_t id,
		       uint16_t seq, uint16_t ip_id)
{
	pkt_reset(p);
	uint8_t *b = pkt_put(p, IPV4_HDR_LEN + 8 + 56);
	memset(b, 0, IPV4_HDR_LEN + 8 + 56);
	uint8_t *icmp = b + IPV4_HDR_LEN;
	icmp[0] = type;
	icmp[4] = (uint8_t)(id >> 8);
	icmp[5] = (uint8_t)id;
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	for (int i = 0; i < 56; i++)
		icmp[8 + i] = (uint8_t)(0x10 + i);
	uint16_t cs = inet_csum(icmp, 8 + 56);
	icmp[2] = (uint8_t)(cs >> 8);
	icmp[3] = (uint8_t)cs;
	ipv4_write_hdr(b, IPPROTO_ICMP_, src, dst, (uint16_t)p->len, ip_id);
}

static void host_receive(struct sim *m, size_t h, struct ikg_pkt *p)
{
	const struct lab_host *host = &m->s->hosts[h];
	struct ipv4_view ip;
	if (ipv4_parse(pkt_start(p), p->len, false, &ip) || ip.protocol != IPPROTO_ICMP_ ||
	    ip.payload_len < 8)
		return;
	uint8_t type = ip.payload[0];
	uint16_t id = (uint16_t)(ip.payload[4] << 8 | ip.payload[5]);
	uint16_t seq = (uint16_t)(ip.payload[6] << 8 | ip.payload[7]);
	if (type == 0) {           /* echo reply: id is the ping step */
		if (id < LAB_MAX_STEPS)
			m->ping[id].received++;
		return;
	}
	if (type != 8 || host->ignore_icmp)
		return;
	if (host->no_route_back && !m->route_back_fixed[h])
		return;            /* the reply goes to some other gateway: lost for the tunnel */
	struct ikg_pkt reply;
	build_icmp(&reply, host->addr, ip.src, 0, id, seq, ++m->ip_id);
	schedule_pkt(m, EV_LAN, host->gw, m->now + 1, &reply);
}

static void ping_send(struct sim *m, size_t step, uint32_t n)
{
	const struct lab_step *st = &m->s->steps[step];
	const struct lab_host *host = &m->s->hosts[st->node];
	struct ikg_pkt p;
	build_icmp(&p, host->addr, st->dst, 8, (uint16_t)step, (uint16_t)n, ++m->ip_id);
	m->ping[step].sent++;
	schedule_pkt(m, EV_LAN, host->gw, m->now + 1, &p);
	if (n + 1 < st->count)
		push(m, (struct ev){.t = m->now + st->interval_ms, .kind = EV_PING, .step = step, .n = n + 1});
}

/* ---- gateway glue ---- */
static void gw_event(void *ctx, const struct ikg_event *ev) { (void)ctx; (void)ev; }

static void gw_random(void *ctx, void *buf, size_t len)
{
	struct gw_ctx *c = ctx;
	fill_random(&c->rng, buf, len);
}

static int gw_resolve(void *ctx, const char *host, ikg_ip4 *out)
{
	struct gw_ctx *c = ctx;
	const struct scenario *s = c->sim->s;
	for (size_t i = 0; i < s->n_dns; i++)
		if (strcmp(s->dns[i].host, host) == 0) {
			*out = s->dns[i].addr;
			return 0;
		}
	return -1;
}

static void nat_random(void *ctx, void *buf, size_t len)
{
	fill_random(&((struct sim *)ctx)->rng, buf, len);
}

static int build(struct sim *m, uint64_t seed)
{
	const struct scenario *s = m->s;
	m->rng = seed * 0x100000001b3ull + 7;
	for (size_t i = 0; i < s->n_gws; i++) {
		m->ctx[i] = (struct gw_ctx){.sim = m, .i = i, .rng = seed ^ (0xa5a5a5a5ull * (i + 1))};
		struct gw_io io = {
			.ctx = &m->ctx[i],
			.wan_send = wan_send,
			.lan_send = lan_send,
			.event = gw_event,
			.random = gw_random,
			.resolve = gw_resolve,
			.retransmit_ms = s->retransmit_ms,
			.retransmit_tries = s->retransmit_tries,
			.history_capacity = s->n_gws > 64 ? 32 : 0,
			.nat_capacity = s->n_gws > 64 ? 64 : 0,
		};
		m->gw[i] = gw_new(&s->gws[i].cfg, &io, wall(m));
		if (!m->gw[i])
			return -1;
	}
	for (size_t k = 0; k < s->n_nats; k++) {
		struct cfg_nat life;
		nat_lifetimes_default(&life);
		m->nat_tbl[k] = nat_table_new(&life, 4096);
		struct napt_opts o = {.wan_ip = s->nats[k].outside, .preserve_ports = !s->nats[k].random_ports,
				      .random_ports = s->nats[k].random_ports, .random = nat_random,
				      .random_ctx = m};
		if (!m->nat_tbl[k] || napt_init(&m->napt[k], m->nat_tbl[k], &o))
			return -1;
	}
	for (size_t i = 0; i < s->n_steps; i++)
		if (push(m, (struct ev){.t = s->steps[i].at, .kind = EV_STEP, .step = i}))
			return -1;
	for (size_t i = 0; i < s->n_gws; i++)
		refresh_timer(m, i);
	return 0;
}

static void teardown(struct sim *m)
{
	for (size_t i = 0; i < m->s->n_gws; i++)
		gw_free(m->gw[i]);
	for (size_t k = 0; k < m->s->n_nats; k++)
		nat_table_free(m->nat_tbl[k]);
	while (m->n_heap)
		free(pop(m).pkt);
	free(m->heap);
}

/* The id of the troubleshooter's first finding: "[id]" at the end of the line "1. ...". */
static void diagnose_top(struct gw *g, const char *profile, struct strbuf *b)
{
	struct strbuf d;
	sb_init(&d);
	view_diagnose(g, profile, false, &d);
	const char *t = sb_str(&d);
	const char *eol = strchr(t, '\n');
	const char *open = memchr(t, '[', eol ? (size_t)(eol - t) : strlen(t));
	const char *close = open ? strchr(open, ']') : NULL;
	if (open && close && (!eol || close < eol))
		sb_printf(b, "%.*s\n", (int)(close - open + 1), open);
	sb_free(&d);
}

/* ---- steps ---- */
static void render(struct sim *m, const struct lab_step *st, struct strbuf *b)
{
	if (st->host) {
		const struct lab_host *h = &m->s->hosts[st->node];
		for (size_t k = 0; k < m->s->n_steps; k++) {
			const struct lab_step *p = &m->s->steps[k];
			if (p->action != LAB_PING || p->node != st->node || !m->ping[k].sent)
				continue;
			char a[IKG_IP4_STRLEN];
			sb_printf(b, "ping %s from %s: %u sent, %u received\n", ikg_ip4_str(p->dst, a),
				  h->name, m->ping[k].sent, m->ping[k].received);
		}
		return;
	}
	struct gw *g = m->gw[st->node];
	const char *v = st->view;
	if (!strcmp(v, "log") || !strcmp(v, "log-detail"))
		view_log(g, !strcmp(v, "log-detail"), false, b);
	else if (!strcmp(v, "vpn") || !strcmp(v, "vpn-discards"))
		view_quick(g, !strcmp(v, "vpn-discards"), false, b);
	else if (!strcmp(v, "nat"))
		view_nat(g, wall(m), false, b);
	else if (!strcmp(v, "ike-sa"))
		view_ike_sa(g, false, b);
	else if (!strcmp(v, "ipsec-sa"))
		view_ipsec_sa(g, false, b);
	else if (!strcmp(v, "diagnose"))
		view_diagnose(g, st->arg[0] ? st->arg : NULL, false, b);
	else if (!strcmp(v, "diagnose-top"))
		diagnose_top(g, st->arg[0] ? st->arg : NULL, b);
	else if (!strcmp(v, "filter"))
		view_filter(g, false, b);
}

static const char *node_name(const struct sim *m, const struct lab_step *st)
{
	return st->host ? m->s->hosts[st->node].name : m->s->gws[st->node].name;
}

static bool counter_value(struct sim *m, const struct lab_step *st, uint64_t *v)
{
	struct gw *g = m->gw[st->node];
	for (size_t i = 0; i < gw_profile_count(g); i++) {
		struct gw_profile_status ps;
		if (gw_profile_status(g, i, &ps) || strcmp(ps.name, st->arg))
			continue;
		if (!strcmp(st->text, "tx"))
			*v = ps.counters.tx_packets;
		else if (!strcmp(st->text, "rx"))
			*v = ps.counters.rx_packets;
		else if (!strcmp(st->text, "discards"))
			*v = ps.counters.rx_discards;
		else {
			for (int r = 0; r < RXD__COUNT; r++)
				if (!strcmp(st->text, rx_discard_name((enum rx_discard)r))) {
					*v = ps.counters.discards[r];
					return true;
				}
			return false;
		}
		return true;
	}
	return false;
}

/* expect * counter * NAME = N: every profile of every gateway. */
static void expect_all(struct sim *m, const struct lab_step *st)
{
	size_t checked = 0, bad = 0;
	for (size_t i = 0; i < m->s->n_gws; i++) {
		struct gw *g = m->gw[i];
		for (size_t k = 0; k < gw_profile_count(g); k++) {
			struct gw_profile_status ps;
			struct lab_step one = *st;
			uint64_t v = 0;
			if (gw_profile_status(g, k, &ps))
				continue;
			one.node = i;
			snprintf(one.arg, sizeof(one.arg), "%s", ps.name);
			checked++;
			if (!counter_value(m, &one, &v) || v != st->value) {
				if (bad++ < 10)
					sb_printf(m->out, "  %s %s %s = %llu\n", m->s->gws[i].name, ps.name,
						  st->text, (unsigned long long)v);
			}
		}
	}
	sb_printf(m->out, "expect * counter * %s = %llu: %s (%zu profiles, %zu differ)\n", st->text,
		  (unsigned long long)st->value, bad || !checked ? "FAILED" : "ok", checked, bad);
	m->failures += bad || !checked;
}

static void expect(struct sim *m, const struct lab_step *st)
{
	const char *who = node_name(m, st);
	if (st->action == LAB_EXPECT_COUNTER && st->all) {
		expect_all(m, st);
		return;
	}
	if (st->action == LAB_EXPECT_COUNTER) {
		uint64_t v = 0;
		bool ok = counter_value(m, st, &v) && v == st->value;
		sb_printf(m->out, "expect %s counter %s %s = %llu: %s (got %llu)\n", who, st->arg, st->text,
			  (unsigned long long)st->value, ok ? "ok" : "FAILED", (unsigned long long)v);
		m->failures += !ok;
		return;
	}
	struct strbuf b;
	sb_init(&b);
	render(m, st, &b);
	bool found = strstr(sb_str(&b), st->text) != NULL;
	bool ok = st->action == LAB_EXPECT ? found : !found;
	sb_printf(m->out, "expect%s %s %s \"%s\": %s\n", st->action == LAB_EXPECT ? "" : "-not", who,
		  st->view, st->text, ok ? "ok" : "FAILED");
	if (!ok) {
		sb_printf(m->out, "  (line %d) the view was:\n", st->line);
		sb_puts(m->out, sb_str(&b));
	}
	m->failures += !ok;
	sb_free(&b);
}

static void run_step(struct sim *m, size_t k)
{
	const struct lab_step *st = &m->s->steps[k];
	const char *why = "";
	struct gw *g = st->host ? NULL : m->gw[st->node];
	char clock[32];
	struct ikg_event tmp = {.when = wall(m)};
	ikg_event_line(&tmp, clock, sizeof(clock));
	clock[17] = '\0';
	switch (st->action) {
	case LAB_WAN_UP:
		gw_log_interface(m->gw[st->node], wall(m), st->text);
		break;
	case LAB_PING:
		ping_send(m, k, 0);
		break;
	case LAB_SHOW:
		sb_printf(m->out, "\n--- %s: show %s%s%s (%s) ---\n", node_name(m, st), st->view,
			  st->arg[0] ? " " : "", st->arg, clock);
		render(m, st, m->out);
		break;
	case LAB_ENABLE:
	case LAB_DISABLE:
		if (gw_profile_enable(g, wall(m), st->arg, st->action == LAB_ENABLE, &why))
			sb_printf(m->out, "%s: %s %s: %s\n", node_name(m, st), st->action == LAB_ENABLE ? "enable" : "disable", st->arg, why);
		break;
	case LAB_INITIATE:
		if (gw_initiate(g, wall(m), st->arg, &why))
			sb_printf(m->out, "%s: initiate %s: %s\n", node_name(m, st), st->arg, why);
		break;
	case LAB_CUT:
		m->cut[st->node] = true;
		break;
	case LAB_RESTORE:
		m->cut[st->node] = false;
		break;
	case LAB_CLEAR_LOG:
		gw_clear_log(g);
		break;
	case LAB_ROUTE_BACK:
		m->route_back_fixed[st->node] = true;
		break;
	case LAB_SECRET: {
		struct ikg_config c;
		if (ikg_config_copy(&c, gw_config(g)) == 0) {
			if (ikg_config_set_secret(&c, st->arg, st->text, strlen(st->text)) ||
			    gw_reconfigure(g, &c, wall(m)))
				sb_printf(m->out, "%s: secret %s: no such IKE profile\n", node_name(m, st), st->arg);
			ikg_config_free(&c);
		}
		break;
	}
	case LAB_EXPECT:
	case LAB_EXPECT_NOT:
	case LAB_EXPECT_COUNTER:
		expect(m, st);
		break;
	case LAB_PRINT:
		sb_printf(m->out, "%s\n", st->text);
		break;
	}
}

static void dispatch(struct sim *m, struct ev *e)
{
	switch (e->kind) {
	case EV_WAN:
		gw_input_wan(m->gw[e->node], wall(m), e->pkt);
		break;
	case EV_LAN:
		gw_input_lan(m->gw[e->node], wall(m), e->pkt);
		break;
	case EV_HOST:
		host_receive(m, e->node, e->pkt);
		break;
	case EV_STEP:
		run_step(m, e->step);
		break;
	case EV_PING:
		ping_send(m, e->step, e->n);
		break;
	}
	free(e->pkt);
}

static ikg_ms next_gw_timer(const struct sim *m, size_t *which)
{
	ikg_ms best = IKG_MS_NEVER;
	for (size_t i = 0; i < m->s->n_gws; i++) {
		if (m->next_timer[i] < best) {
			best = m->next_timer[i];
			*which = i;
		}
	}
	return best;
}

/* The gateway an event touched (its timers may have changed), or SIZE_MAX. */
static size_t touched_gw(const struct sim *m, const struct ev *e)
{
	switch (e->kind) {
	case EV_WAN:
	case EV_LAN:
		return e->node;
	case EV_STEP:
		return m->s->steps[e->step].host ? SIZE_MAX : m->s->steps[e->step].node;
	default:
		return SIZE_MAX;
	}
}

int lab_simulate(const struct scenario *s, uint64_t seed, struct strbuf *out)
{
	struct sim *m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	m->s = s;
	m->out = out;
	if (s->title[0])
		sb_printf(out, "=== %s ===\n", s->title);
	int rc = -1;
	if (build(m, seed) == 0) {
		size_t steps_left = s->n_steps, stuck = 0;
		ikg_ms last_timer = 0;
		while (steps_left) {
			size_t gi = 0;
			ikg_ms tg = next_gw_timer(m, &gi);
			ikg_ms te = m->n_heap ? m->heap[0].t + s->clock0 : IKG_MS_NEVER;
			if (tg == IKG_MS_NEVER && te == IKG_MS_NEVER)
				break;
			if (tg < te) {
				if (tg > wall(m))
					m->now = tg - s->clock0;
				stuck = tg == last_timer ? stuck + 1 : 0;
				last_timer = tg;
				if (stuck > 100000) {
					sb_puts(out, "lab: a gateway timer does not advance; stopping\n");
					m->failures++;
					break;
				}
				gw_timer(m->gw[gi], wall(m));
				refresh_timer(m, gi);
				continue;
			}
			struct ev e = pop(m);
			m->now = e.t;
			steps_left -= e.kind == EV_STEP;
			size_t t = touched_gw(m, &e);
			bool all = e.kind == EV_STEP && m->s->steps[e.step].action == LAB_SECRET;
			dispatch(m, &e);
			if (all)
				for (size_t i = 0; i < s->n_gws; i++)
					refresh_timer(m, i);
			else if (t < s->n_gws)
				refresh_timer(m, t);
		}
		sb_printf(out, "\n%d expectation(s) failed\n", m->failures);
		rc = m->failures;
	}
	teardown(m);
	free(m);
	return rc;
}
