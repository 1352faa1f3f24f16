/* bench-handshake: the initiating side of bench/handshake.sh. Many ikegate gateways (the
 * sans-I/O core, one gw per tunnel, each with its own WAN address and a real UDP socket bound to
 * ADDR:500) set tunnels up with one responder (a real ikegated, started by the script) over
 * the veth link. Tunnel k: wan-address 198.18.(k / 250 + 1).(k % 250 + 1), members
 * 10.100.(k >> 8).(k & 255)/32 <-> 10.2.2.0/24, main mode aes128/sha256/group 14 with PSK,
 * quick mode ESP AES-128-GCM-16 with PFS group 14 (the script configures the responder to
 * match).
 *
 *   1. sequential: tunnels FIRST .. FIRST+SEQ-1 one after the other; each timed from
 *      gw_initiate to "phase 2 complete" on the initiator (the gateway and its socket are made
 *      before the clock starts);
 *   2. burst: the next BURST tunnels initiated at once; timed until all are up.
 * Prints `ikegate sequential_per_s=R` and the burst result; exit 1 if a tunnel failed.
 *
 *   ip netns exec NS bench-handshake --peer 192.0.2.2 --first 0 --seq 30 --burst 1000 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "gw/gw.h"
#include "log/catalogue.h"
#include "wire/ipv4.h"

#define SYNTH (IPV4_HDR_LEN + UDP_HDR_LEN)

struct ini {
	struct gw *gw;
	int fd;
	ikg_ip4 addr;
	size_t k;
	bool up, failed;
	double t_start, t_up;
};

static int epfd;
static struct ikg_pkt rxbuf;
static size_t n_failed;
static bool verbose;

static void die(const char *what)
{
	fprintf(stderr, "bench-handshake: %s\n", what);
	exit(1);
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static ikg_ms now_ms(void)
{
	return (ikg_ms)(mono_s() * 1000.0);
}

static ikg_ip4 wan_of(size_t k)
{
	return (ikg_ip4)(198u << 24 | 18u << 16 | (uint32_t)(k / 250 + 1) << 8 | (uint32_t)(k % 250 + 1));
}

static void ip_text(ikg_ip4 a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* ---- the core's callbacks ---- */

static void io_wan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct ini *in = ctx;
	struct ipv4_view v;
	struct udp_view u;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &v) != 0 || v.protocol != IPPROTO_UDP_ ||
	    udp_parse(v.payload, v.payload_len, &u) != 0 || u.sport != 500)
		return;   /* only IKE on port 500 here (no NAT on the link) */
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(u.dport),
				 .sin_addr.s_addr = htonl(v.dst)};
	if (sendto(in->fd, u.payload, u.payload_len, MSG_DONTWAIT, (struct sockaddr *)&to,
		   sizeof to) < 0 && verbose)
		fprintf(stderr, "sendto: %s\n", strerror(errno));
}

static void io_lan_send(void *ctx, struct ikg_pkt *pkt)
{
	(void)ctx;
	(void)pkt;
}

static void io_event(void *ctx, const struct ikg_event *ev)
{
	struct ini *in = ctx;
	if (ev->code == MSG_PH2_COMPLETE && !in->up) {
		in->up = true;
		in->t_up = mono_s();
		return;
	}
	const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
	if (mi && mi->error) {
		char line[256];
		ikg_event_line(ev, line, sizeof line);
		if (!in->failed && n_failed++ < 5)
			fprintf(stderr, "tunnel %zu: %s [%s]\n", in->k, line, ev->evidence);
		in->failed = true;
	}
}

static void io_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			die("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* ---- one initiating gateway ---- */

static void make(struct ini *in, size_t k, ikg_ip4 peer)
{
	char wan[16], pr[16], cfgtext[2048];
	ip_text(wan_of(k), wan, sizeof wan);
	ip_text(peer, pr, sizeof pr);
	snprintf(cfgtext, sizeof cfgtext,
		 "gateway = { wan-address = \"%s\"; control = \"/nonexistent/hs.sock\"; "
		 "state-dir = \"/nonexistent\"; };\n"
		 "ike-profiles = { hub = { mode = \"main\"; encryption = \"aes128\"; hash = \"sha256\"; "
		 "dh-group = 14; lifetime = 28800; secret = \"bench handshake secret\"; dpd = 0; "
		 "negotiation = \"initiate-only\"; }; };\n"
		 "ipsec-profiles = { t = { remote-endpoint = \"%s\"; local-members = "
		 "[\"10.100.%zu.%zu/32\"]; remote-members = [\"10.2.2.0/24\"]; ike-profile = \"hub\"; "
		 "protocol = \"esp\"; encryption = \"aes128gcm16\"; pfs-group = 14; lifetime = 3600; "
		 "}; };\n", wan, pr, (k >> 8) & 255, k & 255);
	struct ikg_config cfg;
	struct cfg_diags d = {0};
	if (ikg_config_parse(cfgtext, "bench-handshake", &cfg, &d) != 0)
		die("configuration refused");
	cfg_diags_free(&d);
	memset(in, 0, sizeof *in);
	in->k = k;
	in->addr = wan_of(k);
	struct gw_io io = {.ctx = in, .wan_send = io_wan_send, .lan_send = io_lan_send,
			   .event = io_event, .random = io_random};
	in->gw = gw_new(&cfg, &io, now_ms());
	ikg_config_free(&cfg);
	if (!in->gw)
		die("gw_new");
	in->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(500),
				 .sin_addr.s_addr = htonl(in->addr)};
	if (in->fd < 0 || bind(in->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "bind %s:500: %s (is the address on this namespace's link?)\n", wan,
			strerror(errno));
		exit(1);
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = in};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, in->fd, &ev) < 0)
		die("epoll_ctl");
}

static void destroy(struct ini *in)
{
	if (in->fd >= 0)
		close(in->fd);
	gw_free(in->gw);
}

static void start(struct ini *in)
{
	const char *why = NULL;
	in->t_start = mono_s();
	if (gw_initiate(in->gw, now_ms(), "t", &why) != 0) {
		fprintf(stderr, "initiate tunnel %zu: %s\n", in->k, why ? why : "?");
		in->failed = true;
	}
}

static void receive(struct ini *in)
{
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		pkt_reset(&rxbuf);
		uint8_t *data = rxbuf.data + IKG_PKT_HEADROOM + SYNTH;
		ssize_t n = recvfrom(in->fd, data, IKG_PKT_SIZE - IKG_PKT_HEADROOM - SYNTH, 0,
				     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		uint8_t *h = rxbuf.data + IKG_PKT_HEADROOM;
		ikg_ip4 src = ntohl(from.sin_addr.s_addr);
		ipv4_write_hdr(h, IPPROTO_UDP_, src, in->addr, (uint16_t)(n + SYNTH), 0);
		udp_write_hdr(h + IPV4_HDR_LEN, src, ntohs(from.sin_port), in->addr, 500, (size_t)n,
			      false);
		rxbuf.len = (uint16_t)(n + SYNTH);
		gw_input_wan(in->gw, now_ms(), &rxbuf);
	}
}

/* Runs the gateways in v[0..n) until all are up or failed, or until the deadline. */
static void run(struct ini *v, size_t n, double deadline)
{
	struct epoll_event evs[64];
	for (;;) {
		size_t pending = 0;
		ikg_ms now = now_ms(), next = IKG_MS_NEVER;
		for (size_t i = 0; i < n; i++) {
			if (v[i].up || v[i].failed)
				continue;
			pending++;
			ikg_ms t = gw_next_timer(v[i].gw);
			if (t <= now) {
				gw_timer(v[i].gw, now);
				t = gw_next_timer(v[i].gw);
			}
			if (t < next)
				next = t;
		}
		if (!pending || mono_s() > deadline)
			return;
		int wait = next == IKG_MS_NEVER ? 100 : next <= now ? 0 : (int)(next - now);
		if (wait > 100)
			wait = 100;
		int got = epoll_wait(epfd, evs, 64, wait);
		for (int i = 0; i < got; i++)
			receive(evs[i].data.ptr);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t first = 0, seq = 30, burst = 0;
	ikg_ip4 peer = 0xc0000202u;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-v") == 0) {
			verbose = true;
			continue;
		}
		if (!val)
			die("usage: bench-handshake [--peer ADDR] [--first K] [--seq N] [--burst N] [-v]");
		i++;
		if (strcmp(a, "--first") == 0)
			first = strtoul(val, NULL, 10);
		else if (strcmp(a, "--seq") == 0)
			seq = strtoul(val, NULL, 10);
		else if (strcmp(a, "--burst") == 0)
			burst = strtoul(val, NULL, 10);
		else if (strcmp(a, "--peer") == 0) {
			struct in_addr ia;
			if (inet_pton(AF_INET, val, &ia) != 1)
				die("bad --peer");
			peer = ntohl(ia.s_addr);
		} else
			die("unknown argument");
	}
	if (first + seq + burst > 250 * 250)
		die("too many tunnels");
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");

	/* 1. sequential */
	struct ini *sv = calloc(seq ? seq : 1, sizeof *sv);
	double *lat = calloc(seq ? seq : 1, sizeof *lat), total = 0;
	if (!sv || !lat)
		die("out of memory");
	size_t ok = 0;
	for (size_t i = 0; i < seq; i++) {
		make(&sv[i], first + i, peer);
		start(&sv[i]);
		run(&sv[i], 1, mono_s() + 30);
		if (!sv[i].up) {
			fprintf(stderr, "sequential tunnel %zu did not come up\n", first + i);
			continue;
		}
		lat[ok] = sv[i].t_up - sv[i].t_start;
		total += lat[ok++];
	}
	if (seq) {
		qsort(lat, ok, sizeof *lat, cmp_double);
		printf("ikegate sequential: %zu of %zu tunnels up, %.3f s in total, median setup %.1f ms\n",
		       ok, seq, total, ok ? lat[ok / 2] * 1e3 : 0.0);
		printf("ikegate sequential_per_s=%.2f\n", ok == seq && total > 0 ? (double)ok / total : 0.0);
	}

	/* 2. burst */
	int rc = ok == seq ? 0 : 1;
	if (burst) {
		struct ini *bv = calloc(burst, sizeof *bv);
		if (!bv)
			die("out of memory");
		double t0 = mono_s();
		for (size_t i = 0; i < burst; i++)
			make(&bv[i], first + seq + i, peer);
		double t1 = mono_s();
		for (size_t i = 0; i < burst; i++)
			start(&bv[i]);
		run(bv, burst, t1 + 300);
		double t2 = mono_s(), last = t1;
		size_t up = 0;
		for (size_t i = 0; i < burst; i++) {
			if (bv[i].up) {
				up++;
				if (bv[i].t_up > last)
					last = bv[i].t_up;
			}
		}
		printf("ikegate burst: %zu tunnels initiated at once, %zu up, all up after %.2f s "
		       "(%.0f tunnels/s; %.2f s to create the %zu initiating gateways)\n", burst, up,
		       up == burst ? last - t1 : t2 - t1, up ? (double)up / (last - t1) : 0.0, t1 - t0, burst);
		printf("ikegate burst_complete=%s burst_seconds=%.2f\n", up == burst ? "yes" : "no",
		       up == burst ? last - t1 : t2 - t1);
		if (up != burst)
			rc = 1;
		for (size_t i = 0; i < burst; i++)
			destroy(&bv[i]);
		free(bv);
	}
	for (size_t i = 0; i < seq; i++)
		destroy(&sv[i]);
	free(sv);
	free(lat);
	close(epfd);
	return rc;
}
