/* libFuzzer target: the gateway's WAN input (gw_input_wan) on a gateway with an established
 * tunnel. Two gateways run in one process on a virtual clock (like tests/unit/gw/pair.c): A
 * (192.0.2.1, LAN 10.1.1.0/24) and B (192.0.2.2, LAN 10.2.2.0/24), main mode + quick mode
 * brought up by a ping before the input is read, with DPD, a wan-in filter set and short
 * lifetimes so that timer jumps reach rekeying and expiry. Everything either gateway sends is
 * delivered to the other, so B's answers to the input are processed by A.
 *
 * The input is a sequence of records [kind][len hi][len lo][len bytes]; kind % 10:
 *   0  the bytes as a whole IPv4 packet, to B's WAN
 *   1  an IPv4 header A -> B, protocol ESP, around the bytes
 *   2  the same with protocol AH
 *   3  the same with protocol 108 (IPComp) or the protocol in kind's high bits
 *   4  UDP A:500 -> B:500 around the bytes (IKE)
 *   5  UDP A:4500 -> B:4500 around the bytes (non-ESP marker / ESP-in-UDP / keepalive)
 *   6  a real tunnel packet: the bytes are an inner packet's payload sent from A's LAN, the
 *      ESP packet A emits is tampered (byte 0: position, byte 1: xor; 0 = intact), then
 *      delivered to B, and delivered once more (a replay)
 *   7  an ISAKMP message with the real cookies of the phase-1 SA and the encrypted flag,
 *      exchange type, message id and body from the bytes, UDP 500 A -> B
 *   8  the bytes as a packet from B's LAN (gw_input_lan): the outbound path
 *   9  time passes: byte 0 seconds (x 4), timers of both run, queues delivered
 * At the end the clock runs on by 130 s (past the phase-2 rekey at ~102 s), then both are
 * freed. Small history and session tables keep an execution cheap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "gw/gw.h"
#include "wire/ipv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WAN_A 0xc0000201u
#define WAN_B 0xc0000202u
#define HOST_A 0x0a01010au
#define HOST_B 0x0a020214u
#define QMAX 64

static const char cfg_a[] =
	"gateway = { wan-address = \"192.0.2.1\"; };\n"
	"ike-profiles = { k = { encryption = \"aes128\"; hash = \"sha1\"; dh-group = 2;"
	" secret = \"fuzz secret\"; dpd = 10; lifetime = 600; }; };\n"
	"ipsec-profiles = { b = { remote-endpoint = \"192.0.2.2\";"
	" local-members = \"10.1.1.0/24\"; remote-members = \"10.2.2.0/24\";"
	" ike-profile = \"k\"; encryption = \"aes128\"; integrity = \"sha1\"; pfs-group = 0;"
	" lifetime = 120; }; };\n";
static const char cfg_b[] =
	"gateway = { wan-address = \"192.0.2.2\"; };\n"
	"ike-profiles = { k = { encryption = \"aes128\"; hash = \"sha1\"; dh-group = 2;"
	" secret = \"fuzz secret\"; dpd = 10; lifetime = 600; }; };\n"
	"ipsec-profiles = { a = { remote-endpoint = \"192.0.2.1\";"
	" local-members = \"10.2.2.0/24\"; remote-members = \"10.1.1.0/24\";"
	" ike-profile = \"k\"; encryption = \"aes128\"; integrity = \"sha1\"; pfs-group = 0;"
	" lifetime = 120; }; };\n"
	"filter-sets = { in = { apply = \"wan-in\"; rules = ("
	" { action = \"deny\"; protocol = \"udp\"; dst-port = 9; },"
	" { action = \"permit\"; } ); }; };\n";

struct side {
	struct gw *gw;
	uint64_t rng;
	struct ikg_pkt q[QMAX];        /* sent on the WAN, not yet delivered */
	size_t n;
	size_t lan;
	bool capture;                  /* A: keep its ESP packets out of the queue (kind 6) */
	struct ikg_pkt esp;
	bool have_esp;
};

static struct side A, B;
static ikg_ms now;
static uint8_t icookie[8], rcookie[8];
static bool have_cookies;

static void rnd(void *ctx, void *buf, size_t len)
{
	struct side *s = ctx;
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		b[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static void snoop_cookies(const struct ikg_pkt *p)
{
	const uint8_t *b = p->data + p->off;
	if (p->len < 28 + 28 || b[9] != IPPROTO_UDP_ || b[22] != 0x01 || b[23] != 0xf4)
		return;
	const uint8_t *ik = b + 28;
	static const uint8_t zero[8];
	if (memcmp(ik + 8, zero, 8) == 0)
		return;
	memcpy(icookie, ik, 8);
	memcpy(rcookie, ik + 8, 8);
	have_cookies = true;
}

static void wan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct side *s = ctx;
	if (s == &A)
		snoop_cookies(pkt);
	if (s->capture && pkt->len > 20 && pkt_start(pkt)[9] == 50) {
		s->esp = *pkt;
		s->have_esp = true;
		return;
	}
	if (s->n < QMAX)
		s->q[s->n++] = *pkt;
}

static void lan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct side *s = ctx;
	(void)pkt;
	s->lan++;
}

static void event(void *ctx, const struct ikg_event *ev)
{
	(void)ctx;
	(void)ev;
}

static struct gw *make(struct side *s, const char *text, uint64_t seed)
{
	struct ikg_config cfg;
	struct cfg_diags d = {0};
	if (ikg_config_parse(text, "fuzz.conf", &cfg, &d) != 0) {
		char *m = cfg_diags_format(&d, "fuzz.conf");
		fprintf(stderr, "%s\n", m ? m : "?");
		abort();
	}
	cfg_diags_free(&d);
	memset(s, 0, sizeof(*s));
	s->rng = seed;
	struct gw_io io = {.ctx = s, .wan_send = wan_send, .lan_send = lan_send, .event = event,
			   .random = rnd, .retransmit_ms = 1000, .retransmit_tries = 3,
			   .history_capacity = 64, .nat_capacity = 256};
	struct gw *g = gw_new(&cfg, &io, now);
	ikg_config_free(&cfg);
	if (!g)
		abort();
	return g;
}

/* Delivers both queues until quiet (bounded), running due timers. */
static void pump(void)
{
	static struct ikg_pkt q[QMAX];
	for (int round = 0; round < 16 && (A.n || B.n); round++) {
		struct side *from[2] = {&A, &B}, *to[2] = {&B, &A};
		for (int k = 0; k < 2; k++) {
			size_t n = from[k]->n;
			memcpy(q, from[k]->q, n * sizeof(q[0]));
			from[k]->n = 0;
			for (size_t i = 0; i < n; i++)
				gw_input_wan(to[k]->gw, now, &q[i]);
		}
		now += 5;
	}
	A.n = B.n = 0;
}

static void timers(ikg_ms until)
{
	while (now < until) {
		ikg_ms ta = gw_next_timer(A.gw), tb = gw_next_timer(B.gw);
		ikg_ms t = ta < tb ? ta : tb;
		if (t > until)
			break;
		if (t > now)
			now = t;
		if (ta <= now)
			gw_timer(A.gw, now);
		if (tb <= now)
			gw_timer(B.gw, now);
		pump();
		now += 1;
	}
	now = until;
}

static void inner(struct ikg_pkt *p, ikg_ip4 src, ikg_ip4 dst, uint8_t proto, const uint8_t *b,
		  size_t len)
{
	if (len > 1300)
		len = 1300;
	pkt_reset(p);
	uint8_t *h = pkt_put(p, IPV4_HDR_LEN + len);
	memcpy(h + IPV4_HDR_LEN, b, len);
	ipv4_write_hdr(h, proto, src, dst, (uint16_t)(IPV4_HDR_LEN + len), 1);
}

static void outer(uint8_t proto, uint16_t port, const uint8_t *b, size_t len)
{
	static struct ikg_pkt p;
	size_t udp = port ? UDP_HDR_LEN : 0;
	if (len > 1400)
		len = 1400;
	pkt_reset(&p);
	uint8_t *h = pkt_put(&p, IPV4_HDR_LEN + udp + len);
	memcpy(h + IPV4_HDR_LEN + udp, b, len);
	ipv4_write_hdr(h, port ? IPPROTO_UDP_ : proto, WAN_A, WAN_B,
		       (uint16_t)(IPV4_HDR_LEN + udp + len), 3);
	if (port)
		udp_write_hdr(h + IPV4_HDR_LEN, WAN_A, port, WAN_B, port, len, false);
	gw_input_wan(B.gw, now, &p);
}

static void real_esp(const uint8_t *b, size_t len)
{
	static struct ikg_pkt p, copy;
	uint8_t pos = len > 0 ? b[0] : 0, x = len > 1 ? b[1] : 0;
	inner(&p, HOST_A, HOST_B, IPPROTO_UDP_, b, len);
	A.capture = true;
	A.have_esp = false;
	gw_input_lan(A.gw, now, &p);
	A.capture = false;
	if (!A.have_esp)
		return;
	p = A.esp;
	if (x && p.len)
		pkt_start(&p)[pos % p.len] ^= x;
	copy = p;
	gw_input_wan(B.gw, now, &p);
	gw_input_wan(B.gw, now, &copy);
}

static void isakmp_enc(const uint8_t *b, size_t len)
{
	static const uint8_t exch[4] = {5 /* info */, 32 /* quick */, 2 /* main */, 4 /* aggr */};
	uint8_t msg[1500];
	if (!have_cookies || len < 6)
		return;
	size_t body = len - 6;
	if (body > sizeof(msg) - 28)
		body = sizeof(msg) - 28;
	memcpy(msg, icookie, 8);
	memcpy(msg + 8, rcookie, 8);
	msg[16] = b[0];                        /* next payload */
	msg[17] = 0x10;
	msg[18] = exch[b[1] & 3];
	msg[19] = (uint8_t)(1 | (b[1] & 6));  /* encrypted (+ commit/auth-only bits) */
	memcpy(msg + 20, b + 2, 4);            /* message id */
	size_t total = 28 + body;
	msg[24] = (uint8_t)(total >> 24);
	msg[25] = (uint8_t)(total >> 16);
	msg[26] = (uint8_t)(total >> 8);
	msg[27] = (uint8_t)total;
	memcpy(msg + 28, b + 6, body);
	outer(0, 500, msg, total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ikg_pkt p;
	now = 1055864787000ull;
	have_cookies = false;
	A.gw = make(&A, cfg_a, 11);
	B.gw = make(&B, cfg_b, 22);
	inner(&p, HOST_A, HOST_B, IPPROTO_ICMP_, (const uint8_t *)"\x08\0\0\0\0\0\0\0", 8);
	gw_input_lan(A.gw, now, &p);
	timers(now + 3000);
	if (B.lan != 1)
		abort();                       /* the tunnel itself must come up */

	while (size >= 3) {
		uint8_t kind = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		switch (kind % 10) {
		case 0:
			pkt_reset(&p);
			memcpy(pkt_put(&p, len > 1500 ? 1500 : len), data, len > 1500 ? 1500 : len);
			gw_input_wan(B.gw, now, &p);
			break;
		case 1: outer(50, 0, data, len); break;
		case 2: outer(51, 0, data, len); break;
		case 3: outer(kind >= 128 ? 108 : (uint8_t)(kind / 10), 0, data, len); break;
		case 4: outer(0, 500, data, len); break;
		case 5: outer(0, 4500, data, len); break;
		case 6: real_esp(data, len); break;
		case 7: isakmp_enc(data, len); break;
		case 8:
			inner(&p, HOST_B, len ? (ikg_ip4)(HOST_A + data[0] % 4) : HOST_A,
			      len > 1 ? data[1] : 17, data, len);
			gw_input_lan(B.gw, now, &p);
			break;
		default:
			timers(now + (len ? data[0] : 1) * 4000ull);
			break;
		}
		pump();
		data += len;
		size -= len;
	}
	timers(now + 130000);
	gw_free(A.gw);
	gw_free(B.gw);
	return 0;
}
