#include "pair.h"

#include "wire/ipv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rnd(void *ctx, void *buf, size_t len)
{
	struct pair_side *s = ctx;
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)splitmix(&s->rng);
}

static void wan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct pair_side *s = ctx;
	if (s->n_wan >= PAIR_MAX_PKTS)
		return;
	struct ikg_pkt *c = malloc(sizeof(*c));
	if (!c)
		return;
	*c = *pkt;
	s->wan[s->n_wan++] = c;
	uint8_t proto = pkt_start(pkt)[9];
	bool udp4500_esp = proto == 17 && pkt->len > 36 && pkt_start(pkt)[22] == 0x11 &&
			   pkt_start(pkt)[23] == 0x94 && (pkt_start(pkt)[28] | pkt_start(pkt)[29] |
							  pkt_start(pkt)[30] | pkt_start(pkt)[31]) != 0;
	if (proto == 50 || proto == 51 || udp4500_esp) {
		s->last_ipsec = *pkt;
		s->have_ipsec = true;
	}
}

static void lan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct pair_side *s = ctx;
	s->lan_delivered++;
	s->last_lan = *pkt;
}

static void event(void *ctx, const struct ikg_event *ev)
{
	char line[256];
	(void)ctx;
	if (getenv("PAIR_VERBOSE"))
		fprintf(stderr, "%s | %s\n", ikg_event_line(ev, line, sizeof(line)), ev->evidence);
}

static int side_init(struct pair *p, struct pair_side *s, const char *text, const char *name,
		     uint64_t seed)
{
	struct ikg_config cfg;
	struct cfg_diags d = {0};
	if (ikg_config_parse(text, name, &cfg, &d)) {
		char *msg = cfg_diags_format(&d, name);
		fprintf(stderr, "%s\n", msg ? msg : "config error");
		free(msg);
		cfg_diags_free(&d);
		return -1;
	}
	cfg_diags_free(&d);
	s->rng = seed;
	s->now = &p->now;
	struct gw_io io = {.ctx = s, .wan_send = wan_send, .lan_send = lan_send, .event = event,
			   .random = rnd, .retransmit_ms = 1000, .retransmit_tries = 3};
	s->gw = gw_new(&cfg, &io, p->now);
	ikg_config_free(&cfg);
	return s->gw ? 0 : -1;
}

int pair_init(struct pair *p, const char *cfg_a, const char *cfg_b)
{
	memset(p, 0, sizeof(*p));
	p->now = 1055864787000ull; /* 2003-06-17 15:46:27 UTC */
	if (side_init(p, &p->a, cfg_a, "a.conf", 11) || side_init(p, &p->b, cfg_b, "b.conf", 22))
		return -1;
	return 0;
}

static void drop_queue(struct pair_side *s)
{
	for (size_t i = 0; i < s->n_wan; i++)
		free(s->wan[i]);
	s->n_wan = 0;
}

void pair_free(struct pair *p)
{
	drop_queue(&p->a);
	drop_queue(&p->b);
	gw_free(p->a.gw);
	gw_free(p->b.gw);
}

static bool deliver(struct pair *p, struct pair_side *from, struct pair_side *to)
{
	if (!from->n_wan)
		return false;
	size_t n = from->n_wan;
	struct ikg_pkt *q[PAIR_MAX_PKTS];
	memcpy(q, from->wan, n * sizeof(q[0]));
	from->n_wan = 0;
	for (size_t i = 0; i < n; i++) {
		gw_input_wan(to->gw, p->now, q[i]);
		free(q[i]);
	}
	return true;
}

void pair_run(struct pair *p, ikg_ms ms)
{
	ikg_ms end = p->now + ms;
	while (p->now <= end) {
		p->now += 1;
		bool moved = deliver(p, &p->a, &p->b) | deliver(p, &p->b, &p->a);
		ikg_ms ta = gw_next_timer(p->a.gw), tb = gw_next_timer(p->b.gw);
		if (ta <= p->now)
			gw_timer(p->a.gw, p->now);
		if (tb <= p->now)
			gw_timer(p->b.gw, p->now);
		if (!moved && !p->a.n_wan && !p->b.n_wan) {
			ikg_ms t = ta < tb ? ta : tb;
			if (t > end)
				break;
			if (t > p->now)
				p->now = t - 1;
		}
	}
}

void pair_ping(struct pair *p, struct pair_side *s, ikg_ip4 src, ikg_ip4 dst)
{
	static uint16_t seq;
	struct ikg_pkt pkt;
	pkt_reset(&pkt);
	uint8_t *b = pkt_put(&pkt, 20 + 8 + 32);
	memset(b, 0, 60);
	b[20] = 8;
	b[26] = (uint8_t)(++seq >> 8);
	b[27] = (uint8_t)seq;
	uint16_t cs = inet_csum(b + 20, 40);
	b[22] = (uint8_t)(cs >> 8);
	b[23] = (uint8_t)cs;
	ipv4_write_hdr(b, 1, src, dst, 60, seq);
	gw_input_lan(s->gw, p->now, &pkt);
}

void pair_inject_wan(struct pair *p, struct pair_side *s, const uint8_t *pkt, size_t len)
{
	struct ikg_pkt x;
	pkt_reset(&x);
	memcpy(pkt_put(&x, len), pkt, len);
	gw_input_wan(s->gw, p->now, &x);
}

const struct vpn_counters *pair_counters(struct pair_side *s, size_t profile)
{
	static struct gw_profile_status st;
	if (gw_profile_status(s->gw, profile, &st))
		return NULL;
	return &st.counters;
}
