#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/secret.h"
#include "log/catalogue.h"

#define NAT_PORT_BASE 40000

ikg_ip4 h_ip(const char *s)
{
	ikg_ip4 a = 0;

	if (ikg_ip4_parse(s, &a) != 0)
		abort();
	return a;
}

/* ---- engine callbacks ---- */

static void cb_send(void *ctx, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		    const uint8_t *p, size_t len)
{
	struct h_node *n = ctx;
	struct hnet *h = n->net;

	n->sent++;
	if (sport == 4500)
		n->sent_4500++;
	if (len == 1 && p[0] == 0xff)
		n->keepalives++;
	if (h->q_len >= H_QUEUE || len > H_DGRAM_MAX)
		abort();
	struct h_dgram *d = &h->q[(h->q_head + h->q_len++) % H_QUEUE];
	d->from = n->idx;
	d->src = src;
	d->sport = sport;
	d->dst = dst;
	d->dport = dport;
	memcpy(d->data, p, len);
	d->len = len;
	if (h->nat && n->idx == h->nat_node) {
		d->src = h->nat_public;
		d->sport = (uint16_t)(h->nat_port_base + sport);
	}
}

static void cb_event(void *ctx, const struct ikg_event *ev)
{
	struct h_node *n = ctx;

	if (n->net->verbose) {
		const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
		printf("  [%c t=%llu] %s: %s\n", 'A' + n->idx, (unsigned long long)n->net->now,
		       mi ? mi->text : "?", ev->evidence);
	}
	if (n->n_events < H_MAX_EVENTS)
		n->events[n->n_events++] = *ev;
}

static void cb_random(void *ctx, void *buf, size_t len)
{
	struct h_node *n = ctx;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		/* xorshift64* */
		n->rng ^= n->rng >> 12;
		n->rng ^= n->rng << 25;
		n->rng ^= n->rng >> 27;
		p[i] = (uint8_t)((n->rng * 2685821657736338717ull) >> 56);
	}
}

static void cb_child_up(void *ctx, const struct ike_child *c)
{
	struct h_node *n = ctx;

	if (n->n_up < H_MAX_CHILDREN)
		n->up[n->n_up++] = *c;
}

static void cb_child_down(void *ctx, size_t profile, uint32_t spi_in, uint32_t spi_out)
{
	struct h_node *n = ctx;

	if (n->n_down < H_MAX_CHILDREN)
		n->down[n->n_down++] = (struct h_child_down){profile, spi_in, spi_out};
}

static void cb_ph1_state(void *ctx, size_t profile, int state)
{
	struct h_node *n = ctx;

	if (profile < 4)
		n->ph1_state[profile] = state;
}

/* ---- setup ---- */

static void range(struct ikg_range *r, const char *s)
{
	if (ikg_range_parse(s, r) != 0)
		abort();
}

void h_set_secret(struct h_node *n, const char *secret)
{
	if (ikg_secret_set(&n->ike[0].secret, secret, strlen(secret)) != 0)
		abort();
}

static void node_init(struct hnet *h, int i)
{
	struct h_node *n = &h->n[i];
	static const char *const addr[2] = {"192.0.2.1", "192.0.2.2"};
	static const char *const nets[2] = {"10.1.1.0/24", "10.2.2.0/24"};

	memset(n, 0, sizeof *n);
	n->net = h;
	n->idx = i;
	n->addr = h_ip(addr[i]);
	n->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) + 12345;
	n->cfg.gateway.wan_address = n->addr;
	snprintf(n->cfg.source, sizeof n->cfg.source, "node%c.conf", 'A' + i);

	struct cfg_ike_profile *ip = &n->ike[0];
	snprintf(ip->name, sizeof ip->name, "ike");
	ip->mode = IKG_MODE_MAIN;
	ip->encryption = IKG_CIPHER_3DES;
	ip->hash = IKG_HASH_SHA1;
	ip->dh_group = 2;
	ip->lifetime = 28800;
	ip->negotiation = IKG_NEG_BOTH;
	ip->dpd_interval = 30;
	ip->nat_traversal = true;
	h_set_secret(n, "case Sensitive");

	struct cfg_ipsec_profile *p = &n->ipsec[0];
	snprintf(p->name, sizeof p->name, "tun");
	snprintf(p->remote_endpoint, sizeof p->remote_endpoint, "%s", addr[1 - i]);
	p->remote_ip = h_ip(addr[1 - i]);
	range(&p->local_members[0], nets[i]);
	p->n_local = 1;
	range(&p->remote_members[0], nets[1 - i]);
	p->n_remote = 1;
	snprintf(p->ike_profile, sizeof p->ike_profile, "ike");
	p->protocol = IKG_PROTO_ESP;
	p->encryption = IKG_ESP_AES128;
	p->integrity = IKG_INTEG_SHA1;
	p->pfs_group = 2;
	p->lifetime = 3600;
	p->enabled = true;
	p->encapsulation = IKG_ENCAP_AUTO;
	p->replay_window = 128;

	n->cfg.ike = n->ike;
	n->cfg.n_ike = 1;
	n->cfg.ipsec = n->ipsec;
	n->cfg.n_ipsec = 1;
}

void h_init(struct hnet *h)
{
	memset(h, 0, sizeof *h);
	h->now = 1000000;
	h->timers.retransmit_ms = 1000;
	h->timers.retransmit_tries = 4;
	h->timers.half_open_max = 64;
	h->verbose = getenv("IKE_TEST_VERBOSE") != NULL;
	node_init(h, 0);
	node_init(h, 1);
}

void h_start(struct hnet *h)
{
	for (int i = 0; i < 2; i++) {
		struct h_node *n = &h->n[i];
		struct ike_ops ops = {
			.ctx = n,
			.send = cb_send,
			.event = cb_event,
			.random = cb_random,
			.child_up = cb_child_up,
			.child_down = cb_child_down,
			.ph1_state = cb_ph1_state,
		};
		n->e = ike_new(&n->cfg, &ops, &h->timers);
		if (!n->e)
			abort();
	}
}

void h_free(struct hnet *h)
{
	for (int i = 0; i < 2; i++) {
		ike_free(h->n[i].e);
		h->n[i].e = NULL;
		for (size_t k = 0; k < 2; k++)
			ikg_secret_wipe(&h->n[i].ike[k].secret);
	}
}

void h_set_nat(struct hnet *h, int node, ikg_ip4 pub)
{
	struct h_node *n = &h->n[node], *o = &h->n[1 - node];

	h->nat = true;
	h->nat_node = node;
	h->nat_public = pub;
	h->nat_port_base = NAT_PORT_BASE;
	n->addr = h_ip(node == 0 ? "172.16.0.1" : "172.16.0.2");
	n->cfg.gateway.wan_address = n->addr;
	o->ipsec[0].remote_ip = pub;
	ikg_ip4_str(pub, o->ipsec[0].remote_endpoint);
}

enum ikg_err h_initiate(struct hnet *h, int i)
{
	struct h_node *n = &h->n[i];

	return ike_initiate(n->e, h->now, 0, n->ipsec[0].remote_ip);
}

/* ---- delivery ---- */

size_t h_isakmp_off(const struct h_dgram *d)
{
	bool marker = d->len >= 4 && d->data[0] == 0 && d->data[1] == 0 && d->data[2] == 0 &&
		      d->data[3] == 0;
	return (d->sport % 10000 == 4500 || d->dport % 10000 == 4500) && marker ? 4 : 0;
}

uint8_t h_exchange(const struct h_dgram *d)
{
	size_t off = h_isakmp_off(d);

	return d->len >= off + 28 ? d->data[off + 18] : 0;
}

static int target_of(struct hnet *h, struct h_dgram *d)
{
	if (h->nat && d->dst == h->nat_public) {
		d->dst = h->n[h->nat_node].addr;
		if (d->dport > h->nat_port_base)
			d->dport = (uint16_t)(d->dport - h->nat_port_base);
		return h->nat_node;
	}
	for (int i = 0; i < 2; i++)
		if (d->dst == h->n[i].addr && !(h->nat && i == h->nat_node))
			return i;
	return -1;
}

static bool deliver_one(struct hnet *h)
{
	if (!h->q_len)
		return false;
	struct h_dgram *d = &h->q[h->q_head];
	struct h_dgram copy = *d;
	h->q_head = (h->q_head + 1) % H_QUEUE;
	h->q_len--;
	if (h->filter && h->filter(h, &copy, h->filter_arg)) {
		h->dropped++;
		return true;
	}
	int t = target_of(h, &copy);
	if (t < 0) {
		h->dropped++;
		return true;
	}
	const uint8_t *p = copy.data;
	size_t len = copy.len;
	if (copy.dport == 4500) {
		if (len == 1 && p[0] == 0xff)
			return true;                  /* keepalive: the daemon's socket eats it */
		if (len < 4 || p[0] || p[1] || p[2] || p[3]) {
			h->dropped++;                 /* ESP in UDP: not for IKE */
			return true;
		}
		p += 4;
		len -= 4;
	}
	h->delivered++;
	ike_input(h->n[t].e, h->now, copy.src, copy.sport, copy.dst, copy.dport, p, len);
	return true;
}

void h_run(struct hnet *h, ikg_ms ms)
{
	ikg_ms end = h->now + ms;
	size_t guard = 0;

	for (;;) {
		if (++guard > 1000000)
			abort();                      /* an engine keeps asking for the same instant */
		while (deliver_one(h))
			;
		ikg_ms next = IKG_MS_NEVER;
		for (int i = 0; i < 2; i++) {
			ikg_ms t = ike_next_timer(h->n[i].e);
			if (t < next)
				next = t;
		}
		if (next > end)
			break;
		if (next > h->now)
			h->now = next;
		for (int i = 0; i < 2; i++)
			ike_timer(h->n[i].e, h->now);
	}
	h->now = end;
}

/* ---- events ---- */

size_t h_count(const struct h_node *n, enum ikg_msg code)
{
	size_t c = 0;

	for (size_t i = 0; i < n->n_events; i++)
		if (n->events[i].code == code)
			c++;
	return c;
}

const struct ikg_event *h_last(const struct h_node *n, enum ikg_msg code)
{
	for (size_t i = n->n_events; i-- > 0;)
		if (n->events[i].code == code)
			return &n->events[i];
	return NULL;
}

bool h_evidence_has(const struct h_node *n, enum ikg_msg code, const char *needle)
{
	for (size_t i = 0; i < n->n_events; i++)
		if (n->events[i].code == code && strstr(n->events[i].evidence, needle))
			return true;
	return false;
}

void h_dump(const struct h_node *n)
{
	for (size_t i = 0; i < n->n_events; i++) {
		const struct ikg_msg_info *mi = ikg_msg_info(n->events[i].code);
		printf("  %c: %s [%s]\n", 'A' + n->idx, mi ? mi->text : "?", n->events[i].evidence);
	}
}
