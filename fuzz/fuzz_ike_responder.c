/* libFuzzer target: the IKE engine as a responder. Never crashes, never leaks.
 *
 * Input byte 0 selects the mode:
 *   even: a fresh responder engine gets the rest as a sequence of datagrams
 *         ([port bit | 2-byte length | bytes] ...), with timer runs in between;
 *   odd:  two engines first complete main mode + quick mode (deterministic randomness), then
 *         the responder gets datagrams carrying the real cookies of the established SA and the
 *         encrypted flag, with exchange type, message id and body from the input: either as
 *         arbitrary ciphertext (decryption and HASH failures) or, when bit 3 of the control
 *         byte is set, wrapped by the initiator's keys into a correctly protected message with
 *         a valid HASH(1), so quick mode and informational handlers see arbitrary payloads. */
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ike/ike.h"
#include "wire/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifdef IKG_IKE_FUZZ_HOOKS
/* src/ike/fuzz_hooks.c, compiled in only with -DIKG_IKE_FUZZ_HOOKS (fuzz/meson.build). */
size_t ike_fuzz_protected(struct ike_engine *e, uint8_t exchange, uint32_t msgid, uint8_t first_np,
			  const uint8_t *body, size_t len, uint8_t *out, size_t cap);
#else
/* Without the hooks (the unit suite's corpus replay) protected messages are not built. */
static size_t ike_fuzz_protected(struct ike_engine *e, uint8_t exchange, uint32_t msgid,
				 uint8_t first_np, const uint8_t *body, size_t len, uint8_t *out,
				 size_t cap)
{
	(void)e; (void)exchange; (void)msgid; (void)first_np; (void)body; (void)len; (void)out;
	(void)cap;
	return 0;
}
#endif

#define A_ADDR 0xc0000201u   /* 192.0.2.1 */
#define B_ADDR 0xc0000202u   /* 192.0.2.2 */

struct node {
	struct ike_engine *e;
	struct ikg_config cfg;
	struct cfg_ike_profile ike;
	struct cfg_ipsec_profile ipsec;
	uint64_t rng;
	int idx;
};

struct dgram {
	int to;
	ikg_ip4 src, dst;
	uint16_t sport, dport;
	uint8_t p[4200];
	size_t len;
};

static struct node nodes[2];
static struct dgram queue[64];
static size_t q_len;

static void cb_send(void *ctx, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		    const uint8_t *p, size_t len)
{
	struct node *n = ctx;

	if (q_len >= 64 || len > sizeof queue[0].p)
		return;
	struct dgram *d = &queue[q_len++];
	d->to = 1 - n->idx;
	d->src = src;
	d->sport = sport;
	d->dst = dst;
	d->dport = dport;
	memcpy(d->p, p, len);
	d->len = len;
}

static void cb_event(void *ctx, const struct ikg_event *ev) { (void)ctx; (void)ev; }
static void cb_up(void *ctx, const struct ike_child *c) { (void)ctx; (void)c; }
static void cb_down(void *ctx, size_t p, uint32_t a, uint32_t b) { (void)ctx; (void)p; (void)a; (void)b; }

static void cb_random(void *ctx, void *buf, size_t len)
{
	struct node *n = ctx;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		n->rng ^= n->rng >> 12;
		n->rng ^= n->rng << 25;
		n->rng ^= n->rng >> 27;
		p[i] = (uint8_t)((n->rng * 2685821657736338717ull) >> 56);
	}
}

static void node_setup(int i)
{
	struct node *n = &nodes[i];

	memset(n, 0, sizeof *n);
	n->idx = i;
	n->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
	n->cfg.gateway.wan_address = i ? B_ADDR : A_ADDR;
	strcpy(n->ike.name, "ike");
	n->ike.mode = IKG_MODE_MAIN;
	n->ike.encryption = IKG_CIPHER_AES128;
	n->ike.hash = IKG_HASH_SHA1;
	n->ike.dh_group = 1;
	n->ike.lifetime = 28800;
	n->ike.dpd_interval = 30;
	n->ike.nat_traversal = true;
	ikg_secret_set(&n->ike.secret, "fuzz", 4);
	strcpy(n->ipsec.name, "tun");
	strcpy(n->ipsec.remote_endpoint, i ? "192.0.2.1" : "192.0.2.2");
	n->ipsec.remote_ip = i ? A_ADDR : B_ADDR;
	n->ipsec.local_members[0] = i ? (struct ikg_range){0x0a020200, 0x0a0202ff}
				      : (struct ikg_range){0x0a010100, 0x0a0101ff};
	n->ipsec.remote_members[0] = i ? (struct ikg_range){0x0a010100, 0x0a0101ff}
				       : (struct ikg_range){0x0a020200, 0x0a0202ff};
	n->ipsec.n_local = n->ipsec.n_remote = 1;
	strcpy(n->ipsec.ike_profile, "ike");
	n->ipsec.protocol = IKG_PROTO_ESP;
	n->ipsec.encryption = IKG_ESP_AES128;
	n->ipsec.integrity = IKG_INTEG_SHA1;
	n->ipsec.pfs_group = 0;
	n->ipsec.lifetime = 3600;
	n->ipsec.enabled = true;
	n->cfg.ike = &n->ike;
	n->cfg.n_ike = 1;
	n->cfg.ipsec = &n->ipsec;
	n->cfg.n_ipsec = 1;
	struct ike_ops ops = {n, cb_send, cb_event, cb_random, cb_up, cb_down, NULL};
	struct ike_timers t = {1000, 2, 16};
	n->e = ike_new(&n->cfg, &ops, &t);
}

static void node_free(int i)
{
	ike_free(nodes[i].e);
	ikg_secret_wipe(&nodes[i].ike.secret);
}

static void pump(ikg_ms now)
{
	for (size_t k = 0; k < q_len; k++) {
		struct dgram *d = &queue[k];
		const uint8_t *p = d->p;
		size_t len = d->len;
		if (d->dport == 4500) {
			if (len < 4)
				continue;
			p += 4;
			len -= 4;
		}
		ike_input(nodes[d->to].e, now, d->src, d->sport, d->dst, d->dport, p, len);
	}
	q_len = 0;
}

/* Fresh responder, arbitrary datagrams. */
static void raw_mode(const uint8_t *data, size_t size)
{
	ikg_ms now = 1000000;

	node_setup(1);
	while (size >= 3) {
		bool nat = data[0] & 1;
		size_t len = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		ike_input(nodes[1].e, now, A_ADDR, nat ? 4500 : 500, B_ADDR, nat ? 4500 : 500, data,
			  len);
		data += len;
		size -= len;
		now += 700;
		ike_timer(nodes[1].e, now);
		q_len = 0;
	}
	ike_timer(nodes[1].e, now + 10000000);
	q_len = 0;
	node_free(1);
}

/* Established SA, arbitrary encrypted-flag messages with its real cookies. */
static void established_mode(const uint8_t *data, size_t size)
{
	ikg_ms now = 1000000;
	struct ike_sa_info si;
	uint8_t msg[4096];

	node_setup(0);
	node_setup(1);
	ike_initiate(nodes[0].e, now, 0, B_ADDR);
	for (int i = 0; i < 32 && q_len; i++)
		pump(now);
	if (ike_sa_list(nodes[1].e, &si, 1) != 1)
		abort();                           /* the handshake itself must work */
	while (size >= 8) {
		static const uint8_t exch[4] = {EXCH_INFO, EXCH_QUICK, EXCH_IDPROT, EXCH_AGGRESSIVE};
		size_t len = (size_t)data[0] << 8 | data[1];
		uint8_t e = exch[data[2] & 3];
		uint8_t flags = (uint8_t)(ISAKMP_FLAG_ENC | (data[2] & 0x0e));
		uint8_t np = data[3];
		uint32_t msgid = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
				 (uint32_t)data[6] << 8 | data[7];
		data += 8;
		size -= 8;
		if (len > size)
			len = size;
		if (len > sizeof msg - ISAKMP_HDR_LEN)
			len = sizeof msg - ISAKMP_HDR_LEN;
		memcpy(msg, si.icookie, 8);
		memcpy(msg + 8, si.rcookie, 8);
		msg[16] = np;
		msg[17] = 0x10;
		msg[18] = e;
		msg[19] = flags;
		msg[20] = (uint8_t)(msgid >> 24);
		msg[21] = (uint8_t)(msgid >> 16);
		msg[22] = (uint8_t)(msgid >> 8);
		msg[23] = (uint8_t)msgid;
		size_t total = ISAKMP_HDR_LEN + len;
		msg[24] = (uint8_t)(total >> 24);
		msg[25] = (uint8_t)(total >> 16);
		msg[26] = (uint8_t)(total >> 8);
		msg[27] = (uint8_t)total;
		memcpy(msg + ISAKMP_HDR_LEN, data, len);
		data += len;
		size -= len;
		if (flags & 0x08) {
			uint8_t wrapped[4096];
			size_t wl = ike_fuzz_protected(nodes[0].e, e, msgid, np, msg + ISAKMP_HDR_LEN,
						       len, wrapped, sizeof wrapped);
			if (wl)
				ike_input(nodes[1].e, now, A_ADDR, 500, B_ADDR, 500, wrapped, wl);
		} else {
			ike_input(nodes[1].e, now, A_ADDR, 500, B_ADDR, 500, msg, total);
		}
		now += 500;
		ike_timer(nodes[1].e, now);
		pump(now);
	}
	ike_timer(nodes[1].e, now + 100000000);
	q_len = 0;
	node_free(0);
	node_free(1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		established_mode(data + 1, size - 1);
	else
		raw_mode(data + 1, size - 1);
	q_len = 0;
	return 0;
}
