/* bench-scale: 10,000 established tunnels in one gateway (in-process, the sans-I/O core).
 *
 * Gateway B (the one measured, gw_new) has N IPsec profiles, one per remote gateway: profile k
 * has remote-endpoint 172.16.x.y (peer k) and members 10.200.x.y/32 <-> 10.100.x.y/32; all share
 * one IKE profile (a responder picks it by the peer's address). Each peer k is a real ikegate
 * core too (a 1-profile gateway with wan-address 172.16.x.y), wired to B in this process: what
 * one sends on the WAN is queued and handed to the other's gw_input_wan (never re-entrantly).
 * Peer k initiates (main mode aes128/sha256/ecp256 -- group 19, cheap enough to bring 10,000 up
 * -- then quick mode ESP AES-128-GCM-16 without PFS). Once its tunnel is up, the bench keeps
 * the peer's outbound IPsec SA (to produce B's inbound traffic later) and frees the peer, so
 * only B's state grows: B ends with N IKE SAs, N inbound and N outbound IPsec SAs.
 *
 * Prints:
 *  - memory per tunnel in B: heap growth (glibc mallinfo2: bytes in use, including mmapped
 *    blocks) divided by N, split into "profiles configured" (gw_new with N profiles) and
 *    "tunnels established" (IKE SA + inbound and outbound IPsec SA with their EVP contexts).
 *    The peers' outbound SAs kept for the traffic are weighed when they are freed at the end
 *    and taken out. Two figures: right after the last tunnel came up, and once the finished
 *    quick-mode exchanges (kept for qm_span, about 3 minutes, to answer a retransmission)
 *    are gone: the steady state, after 10 minutes of B's virtual clock -- the main figure;
 *  - per-packet cost in B: one 1400-byte inner packet out (gw_input_lan: SPD, ESP seal) and
 *    one in (gw_input_wan: session table, SAD, ESP open, inbound policy), CPU time per packet
 *    pair, median of many short rounds that alternate a 1-tunnel gateway (the baseline) and the
 *    N-tunnel gateway. In the N-tunnel gateway the traffic goes (a) to 16 tunnels spread over
 *    the whole table (the first, the last and between; shuffled): what the lookups cost with N
 *    SAs installed -- the main figure; (b) to all N tunnels in a shuffled order: then every
 *    packet also finds its tunnel's state cold in the CPU caches (the worst case, printed for
 *    information). The peers' encryption of B's inbound packets is not timed.
 * Last lines: `scale ratio all tunnels (cold caches)=R2`, `scale memory per tunnel=BYTES`,
 * `scale ratio=R`, R = cost at 1 SA / cost at N SAs for (a) (1.00 = no slowdown; the target is
 * >= 0.91, i.e. within 10%).
 *
 *   build/bench/bench-scale            # N = 10000
 *   build/bench/bench-scale -n 2000    # fewer tunnels
 *   build/bench/bench-scale -r 1001    # more rounds (to profile the packet path)
 *   build/bench/bench-scale --smoke    # N = 50, few rounds (CI)
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "gw/gw.h"
#include "gw/gw_internal.h"   /* to keep a peer's outbound SA when the peer is freed */
#include "ipsec/ipsec.h"
#include "wire/ipv4.h"

#define INNER_LEN 1400
#define QCAP 64
#define WAN_B 0xc0000202u   /* 192.0.2.2 */
#define HOT 16              /* tunnels carrying traffic in the main measurement */

static bool verbose;

static void die(const char *what)
{
	fprintf(stderr, "bench-scale: %s\n", what);
	exit(1);
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static ikg_ip4 peer_addr(size_t k)
{
	return (ikg_ip4)(172u << 24 | 16u << 16 | (uint32_t)((k + 1) & 0xffff));
}

static ikg_ip4 member(int net, size_t k)
{
	return (ikg_ip4)(10u << 24 | (uint32_t)net << 16 | (uint32_t)(k & 0xffff));
}

static void ip_text(ikg_ip4 a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the WAN: one FIFO into B, one into the current peer ---- */

struct fifo {
	struct ikg_pkt *q;
	size_t head, n;
	uint64_t dropped;
};

static struct fifo to_b, to_peer;
static struct ikg_pkt *captured;     /* B's data-path output is kept here, not queued */
static bool capture;
static uint64_t delivered;           /* packets B wrote to its LAN */
static uint64_t rnd_state = 0x5eed;

static void fifo_push(struct fifo *f, const struct ikg_pkt *pkt)
{
	if (f->n == QCAP) {
		f->dropped++;
		return;
	}
	struct ikg_pkt *d = &f->q[(f->head + f->n++) % QCAP];
	d->off = pkt->off;
	d->len = pkt->len;
	memcpy(d->data + d->off, pkt->data + pkt->off, pkt->len);
}

static struct ikg_pkt *fifo_pop(struct fifo *f)
{
	if (!f->n)
		return NULL;
	struct ikg_pkt *p = &f->q[f->head];
	f->head = (f->head + 1) % QCAP;
	f->n--;
	return p;
}

static void b_wan_send(void *ctx, struct ikg_pkt *pkt)
{
	(void)ctx;
	if (capture) {
		captured->off = pkt->off;
		captured->len = pkt->len;
		memcpy(captured->data + captured->off, pkt->data + pkt->off, pkt->len);
		return;
	}
	fifo_push(&to_peer, pkt);
}

static void peer_wan_send(void *ctx, struct ikg_pkt *pkt)
{
	(void)ctx;
	fifo_push(&to_b, pkt);
}

static void io_lan_send(void *ctx, struct ikg_pkt *pkt)
{
	(void)ctx;
	(void)pkt;
	delivered++;
}

static void io_event(void *ctx, const struct ikg_event *ev)
{
	if (verbose) {
		char line[256];
		ikg_event_line(ev, line, sizeof line);
		fprintf(stderr, "%s: %s [%s: %s]\n", (const char *)ctx, line, ev->profile,
			ev->evidence);
	}
}

static void io_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	uint8_t *b = buf;
	while (len) {
		uint64_t v = splitmix(&rnd_state);
		size_t k = len < 8 ? len : 8;
		memcpy(b, &v, k);
		b += k;
		len -= k;
	}
}

/* ---- configuration text ---- */

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("vsnprintf");
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)n + 1024;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			die("out of memory");
	}
}

static void parse(struct text *t, struct ikg_config *cfg)
{
	struct cfg_diags d = {0};
	if (ikg_config_parse(t->p, "bench-scale", cfg, &d) != 0) {
		char *msg = cfg_diags_format(&d, "bench-scale");
		fprintf(stderr, "%s", msg ? msg : "");
		die("configuration refused");
	}
	cfg_diags_free(&d);
	free(t->p);
}

#define IKE_PROFILE "mode = \"main\"; encryption = \"aes128\"; hash = \"sha256\"; " \
	"dh-group = 19; lifetime = 86400; secret = \"bench scale secret\"; dpd = 0;"
#define IPSEC_PROFILE "protocol = \"esp\"; encryption = \"aes128gcm16\"; pfs-group = 0; " \
	"lifetime = 86400;"

/* B: n profiles, peer k at 172.16.x.y. */
static void config_b(size_t n, struct ikg_config *cfg)
{
	struct text t = {malloc(4096), 0, 4096};
	char peer[16], lm[16], rm[16];
	if (!t.p)
		die("out of memory");
	put(&t, "gateway = { wan-address = \"192.0.2.2\"; control = \"/nonexistent/b.sock\"; "
		"state-dir = \"/nonexistent\"; };\n"
		"ike-profiles = { resp = { " IKE_PROFILE " negotiation = \"respond-only\"; }; };\n"
		"ipsec-profiles = {\n");
	for (size_t k = 0; k < n; k++) {
		ip_text(peer_addr(k), peer, sizeof peer);
		ip_text(member(200, k), lm, sizeof lm);
		ip_text(member(100, k), rm, sizeof rm);
		put(&t, "  t%zu = { remote-endpoint = \"%s\"; local-members = [\"%s/32\"]; "
			"remote-members = [\"%s/32\"]; ike-profile = \"resp\"; " IPSEC_PROFILE " };\n",
			k, peer, lm, rm);
	}
	put(&t, "};\n");
	parse(&t, cfg);
}

/* Peer k: one profile towards B. */
static void config_peer(size_t k, struct ikg_config *cfg)
{
	struct text t = {malloc(1024), 0, 1024};
	char wan[16], lm[16], rm[16];
	if (!t.p)
		die("out of memory");
	ip_text(peer_addr(k), wan, sizeof wan);
	ip_text(member(100, k), lm, sizeof lm);
	ip_text(member(200, k), rm, sizeof rm);
	put(&t, "gateway = { wan-address = \"%s\"; control = \"/nonexistent/p.sock\"; "
		"state-dir = \"/nonexistent\"; };\n"
		"ike-profiles = { init = { " IKE_PROFILE " negotiation = \"initiate-only\"; }; };\n"
		"ipsec-profiles = { t = { remote-endpoint = \"192.0.2.2\"; local-members = "
		"[\"%s/32\"]; remote-members = [\"%s/32\"]; ike-profile = \"init\"; "
		IPSEC_PROFILE " }; };\n", wan, lm, rm);
	parse(&t, cfg);
}

/* ---- bringing tunnels up ---- */

struct gwb {
	struct gw *gw;
	size_t n;
	ikg_ms now;
	struct ipsec_sa **peer_out;   /* peer k's outbound SA (B's inbound traffic) */
	size_t heap_start;            /* before gw_new */
	size_t heap_config;           /* after gw_new: N profiles configured */
	size_t heap_up;               /* right after the last tunnel came up (+ the peers' SAs) */
	size_t heap_steady;           /* 10 minutes later (+ the peers' SAs) */
};

static bool up(struct gw *g, size_t i)
{
	struct gw_profile_status st;
	return gw_profile_status(g, i, &st) == 0 && st.ph2 == GW_UP;
}

static void exchange(struct gw *b, struct gw *peer, ikg_ms now)
{
	struct ikg_pkt *pkt;
	bool any = true;
	while (any) {
		any = false;
		while ((pkt = fifo_pop(&to_b)) != NULL) {
			gw_input_wan(b, now, pkt);
			any = true;
		}
		while ((pkt = fifo_pop(&to_peer)) != NULL) {
			gw_input_wan(peer, now, pkt);
			any = true;
		}
	}
}

/* Peer k brings its tunnel up with B; its outbound SA is kept, the peer freed. */
static void connect_peer(struct gwb *b, size_t k)
{
	struct ikg_config cfg;
	config_peer(k, &cfg);
	struct gw_io io = {.ctx = (void *)"peer", .wan_send = peer_wan_send, .lan_send = io_lan_send,
			   .event = io_event, .random = io_random};
	struct gw *peer = gw_new(&cfg, &io, b->now);
	ikg_config_free(&cfg);
	if (!peer)
		die("gw_new (peer)");
	const char *why = NULL;
	if (gw_initiate(peer, b->now, "t", &why) != 0) {
		fprintf(stderr, "initiate: %s\n", why ? why : "?");
		die("gw_initiate");
	}
	for (int round = 0; round < 20 && !(up(peer, 0) && up(b->gw, k)); round++) {
		exchange(b->gw, peer, b->now);
		b->now += 100;
		gw_timer(peer, b->now);
		gw_timer(b->gw, b->now);
	}
	if (!up(peer, 0) || !up(b->gw, k)) {
		fprintf(stderr, "tunnel %zu did not come up\n", k);
		die("bring-up failed");
	}
	struct gw_profile *p = &peer->prof[0];
	b->peer_out[k] = p->out;
	p->out = NULL;
	gw_free(peer);
}

static struct gwb *gwb_new(size_t n, double *t_up)
{
	struct gwb *b = calloc(1, sizeof(*b));
	if (!b)
		die("out of memory");
	b->n = n;
	b->now = 1000000;
	b->peer_out = calloc(n, sizeof(*b->peer_out));
	struct ikg_config cfg;
	config_b(n, &cfg);
	/* the session table sized as ikegated sizes it (nat_capacity_for, src/daemon/daemon.c) */
	struct gw_io io = {.ctx = (void *)"B", .wan_send = b_wan_send, .lan_send = io_lan_send,
			   .event = io_event, .random = io_random,
			   .nat_capacity = 4 * n > 4096 ? (uint32_t)(4 * n) : 0};
	b->heap_start = heap_bytes();
	b->gw = gw_new(&cfg, &io, b->now);
	if (!b->gw || !b->peer_out)
		die("gw_new (B)");
	b->heap_config = heap_bytes();
	ikg_config_free(&cfg);
	double t0 = cpu_s();
	for (size_t k = 0; k < n; k++)
		connect_peer(b, k);
	*t_up = cpu_s() - t0;
	b->heap_up = heap_bytes();
	/* steady state: the finished exchanges' retransmission windows run out */
	for (int i = 0; i < 600; i++) {
		b->now += 1000;
		gw_timer(b->gw, b->now);
	}
	b->heap_steady = heap_bytes();
	return b;
}

/* Frees the peers' SAs: what that gives back is what they weighed in the heap figures. */
static size_t gwb_free_peer_sas(struct gwb *b)
{
	size_t before = heap_bytes();
	for (size_t k = 0; k < b->n; k++) {
		ipsec_sa_free(b->peer_out[k]);
		b->peer_out[k] = NULL;
	}
	size_t after = heap_bytes();
	return before > after ? before - after : 0;
}

static void gwb_free(struct gwb *b)
{
	for (size_t k = 0; k < b->n; k++)
		ipsec_sa_free(b->peer_out[k]);   /* NULL once gwb_free_peer_sas ran */
	free(b->peer_out);
	gw_free(b->gw);
	free(b);
}

/* ---- data path ---- */

static void make_inner(struct ikg_pkt *pkt, ikg_ip4 src, ikg_ip4 dst)
{
	pkt_reset(pkt);
	uint8_t *d = pkt_put(pkt, INNER_LEN);
	ipv4_write_hdr(d, IPPROTO_UDP_, src, dst, INNER_LEN, 1);
	for (size_t i = IPV4_HDR_LEN; i < INNER_LEN; i++)
		d[i] = (uint8_t)i;
}

/* One round: `count` packets out of B and `count` into B, tunnels taken from order[]. */
static double run_round(struct gwb *b, struct ikg_pkt *in, struct ikg_pkt *pkt,
			const uint32_t *order, size_t n_order, size_t *pos, long count)
{
	size_t p0 = *pos;
	for (long i = 0; i < count; i++) {      /* the peers' work: not timed */
		size_t k = order[(p0 + (size_t)i) % n_order];
		make_inner(&in[i], member(100, k), member(200, k));
		if (ipsec_output(b->peer_out[k], &in[i]) != 0)
			die("peer encapsulation");
	}
	uint64_t before = delivered;
	double t0 = cpu_s();
	for (long i = 0; i < count; i++) {
		size_t k = order[*pos];
		if (++*pos == n_order)
			*pos = 0;
		make_inner(pkt, member(200, k), member(100, k));
		captured->len = 0;
		gw_input_lan(b->gw, b->now, pkt);
		if (!captured->len)
			die("B sent nothing");
		gw_input_wan(b->gw, b->now, &in[i]);
	}
	double t = cpu_s() - t0;
	if (delivered - before != (uint64_t)count)
		die("an inbound packet was not delivered");
	return t;
}

/* Memory per tunnel in B (the peers' SAs taken out); returns the steady-state figure, 0 when
 * the allocator keeps no statistics (AddressSanitizer). */
static double print_memory(struct gwb *b)
{
	size_t peers = gwb_free_peer_sas(b);
	if (b->heap_config == b->heap_start && b->heap_up == b->heap_start) {
		printf("memory per tunnel: not measurable in this build (no heap statistics)\n");
		return 0;
	}
	double n = (double)b->n, prof = (double)(b->heap_config - b->heap_start) / n;
	double up = ((double)b->heap_up - (double)b->heap_config - (double)peers) / n;
	double steady = ((double)b->heap_steady - (double)b->heap_config - (double)peers) / n;
	printf("memory per tunnel (steady state, 10 min after bring-up): %.0f bytes (%.2f KiB) = "
	       "profile and configuration %.0f + established SAs (IKE + 2 IPsec, EVP contexts) "
	       "%.0f; target <= 8 KiB\n", prof + steady, (prof + steady) / 1024, prof, steady);
	printf("memory per tunnel right after bring-up (finished quick-mode exchanges still kept "
	       "to answer retransmissions): %.0f bytes (%.2f KiB)\n", prof + up,
	       (prof + up) / 1024);
	printf("(the peers' outbound SAs used to send B's inbound traffic, %.0f bytes each, are "
	       "not counted)\n", (double)peers / n);
	return prof + steady;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	size_t n = 10000;
	int rounds = 41;
	long per_round = 1000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smoke") == 0) {
			n = 50;
			rounds = 3;
			per_round = 100;
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {   /* rounds (profiling) */
			rounds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench-scale [-n TUNNELS] [-r ROUNDS] [--smoke] [-v]\n");
			return 2;
		}
	}
	if (n < 1 || n > 65534)
		die("-n must be 1..65534");
	if (rounds < 1)
		die("-r must be at least 1");
	to_b.q = malloc(sizeof(struct ikg_pkt) * QCAP);
	to_peer.q = malloc(sizeof(struct ikg_pkt) * QCAP);
	captured = malloc(sizeof(struct ikg_pkt));
	struct ikg_pkt *pkt = malloc(sizeof(*pkt)), *in = malloc(sizeof(*in) * (size_t)per_round);
	uint32_t *order = malloc(sizeof(uint32_t) * n), zero = 0;
	double *c1 = malloc(sizeof(double) * (size_t)rounds);
	double *cn = malloc(sizeof(double) * (size_t)rounds);
	double *r = malloc(sizeof(double) * (size_t)rounds);
	double *ch = malloc(sizeof(double) * (size_t)rounds);
	double *ra = malloc(sizeof(double) * (size_t)rounds);
	if (!ch || !ra)
		die("out of memory");
	if (!to_b.q || !to_peer.q || !captured || !pkt || !in || !order || !c1 || !cn || !r)
		die("out of memory");

	double t_up;
	struct gwb *one = gwb_new(1, &t_up);   /* baseline; also warms OpenSSL up */
	struct gwb *big = gwb_new(n, &t_up);
	printf("gateway B: %zu tunnels established, each with its own peer (%zu IKE SAs, %zu + %zu "
	       "IPsec SAs), in %.1f s CPU (both sides of every handshake)\n", n, n, n, n, t_up);

	for (size_t k = 0; k < n; k++)
		order[k] = (uint32_t)k;
	uint64_t s = 99;
	for (size_t k = n - 1; k > 0; k--) {       /* shuffled: no tunnel is hot in the cache */
		size_t j = splitmix(&s) % (k + 1);
		uint32_t t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
	/* the hot set: HOT tunnels spread over the whole table (first, last and between, so a
	 * lookup that walks the profiles in order pays for its length), in a shuffled order */
	uint32_t hot[HOT];
	size_t n_hot = n < HOT ? n : HOT;
	for (size_t i = 0; i < n_hot; i++)
		hot[i] = (uint32_t)(n_hot > 1 ? i * (n - 1) / (n_hot - 1) : 0);
	for (size_t k = n_hot - 1; k > 0; k--) {
		size_t j = splitmix(&s) % (k + 1);
		uint32_t t = hot[k];
		hot[k] = hot[j];
		hot[j] = t;
	}
	capture = true;
	size_t pos1 = 0, posh = 0, posn = 0;
	run_round(one, in, pkt, &zero, 1, &pos1, per_round);      /* warm up */
	run_round(big, in, pkt, hot, n_hot, &posh, per_round);
	run_round(big, in, pkt, order, n, &posn, per_round);
	for (int k = 0; k < rounds; k++) {
		c1[k] = run_round(one, in, pkt, &zero, 1, &pos1, per_round) / (double)per_round;
		ch[k] = run_round(big, in, pkt, hot, n_hot, &posh, per_round) / (double)per_round;
		cn[k] = run_round(big, in, pkt, order, n, &posn, per_round) / (double)per_round;
		r[k] = c1[k] / ch[k];
		ra[k] = c1[k] / cn[k];
	}
	double m1 = median(c1, rounds), mh = median(ch, rounds), mn = median(cn, rounds);
	double mr = median(r, rounds), mra = median(ra, rounds);
	printf("per-packet cost in B (1400-byte inner; one packet out + one in, CPU time): "
	       "1 SA %.0f ns; %zu SAs: %.0f ns with traffic on %zu tunnels spread over the table, "
	       "%.0f ns with traffic on all %zu in a shuffled order (every tunnel's state cold in "
	       "the CPU caches)\n", m1 * 1e9, n, mh * 1e9, n_hot, mn * 1e9, n);
	double per = print_memory(big);
	printf("scale ratio all tunnels (cold caches)=%.3f\n", mra);
	if (per > 0)
		printf("scale memory per tunnel=%.0f bytes\n", per);
	else
		printf("scale memory per tunnel=not measurable in this build\n");
	printf("scale ratio=%.3f\n", mr);
	free(ch);
	free(ra);
	gwb_free(one);
	gwb_free(big);
	free(to_b.q);
	free(to_peer.q);
	free(captured);
	free(pkt);
	free(in);
	free(order);
	free(c1);
	free(cn);
	free(r);
	return 0;
}
