/* The daemon: startup, the epoll loop, reload and teardown (daemon.h). */
#include "daemon/daemon.h"
#include "daemon/privdrop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "daemon/conffile.h"
#include "daemon/dlog.h"
#include "log/catalogue.h"

#define MAX_EVENTS 32
#define MAX_WAKE_MS 60000
#define BATCHES_PER_WAKE 64   /* fairness between sources under load */

struct daemon_tuning daemon_tuning;

ikg_ms now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (ikg_ms)ts.tv_sec * 1000 + (ikg_ms)ts.tv_nsec / 1000000;
}

/* ---- the core's I/O callbacks ---- */

static void io_wan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct daemon *d = ctx;
	wan_queue(&d->wan, pkt, d->now);   /* sent by wan_flush after the current batch */
}

static void io_lan_send(void *ctx, struct ikg_pkt *pkt)
{
	struct daemon *d = ctx;
	if (tun_queue(&d->tun, pkt) < 0 && d->tun_write_errors++ == 0)
		dlog("write to %s failed: %s", d->tun.name, strerror(errno));
}

static bool is_error_event(const struct ikg_event *ev)
{
	const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
	return mi && mi->error;
}

static void print_event(const struct daemon *d, const struct ikg_event *ev)
{
	char line[256];
	bool err = is_error_event(ev);
	if (!d->foreground && !err)
		return;
	ikg_event_line(ev, line, sizeof(line));
	if (ev->profile[0] || ev->evidence[0])
		fprintf(stderr, "%s  [%s%s%s]\n", line, ev->profile,
			ev->profile[0] && ev->evidence[0] ? ": " : "", ev->evidence);
	else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

static void io_event(void *ctx, const struct ikg_event *ev)
{
	struct daemon *d = ctx;
	evj_append(&d->journal, ev, is_error_event(ev), now_ms());
	print_event(d, ev);
}

static void io_random(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			dlog("getrandom failed: %s; cannot continue without randomness",
			     strerror(errno));
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Blocking DNS (getaddrinfo): the loop waits for the resolver; only used when a profile's
 * remote endpoint is a hostname. */
static int io_resolve(void *ctx, const char *host, ikg_ip4 *out)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return -1;
	const struct sockaddr_in *sa = (const struct sockaddr_in *)res->ai_addr;
	*out = ntohl(sa->sin_addr.s_addr);
	freeaddrinfo(res);
	return *out ? 0 : -1;
}

void daemon_log_event(struct daemon *d, const struct ikg_event *ev)
{
	gw_history_restore(d->gw, ev);
	io_event(d, ev);
}

static void restore_event(void *ctx, const struct ikg_event *ev)
{
	struct daemon *d = ctx;
	gw_history_restore(d->gw, ev);
}

/* ---- routes ---- */

void daemon_sync_routes(struct daemon *d)
{
	struct route_set want = { 0 };
	if (route_set_for_gw(&want, d->gw) < 0) {
		dlog("out of memory computing routes");
		route_set_free(&want);
		return;
	}
	routes_apply(&d->routes, &want, &d->nl, d->tun.ifindex);
}

/* ---- reload ---- */

static const char *gateway_change(const struct cfg_gateway *a, const struct cfg_gateway *b)
{
	if (a->wan_address != b->wan_address)
		return "wan-address";
	if (strcmp(a->tun, b->tun) != 0)
		return "tun";
	if (strcmp(a->control, b->control) != 0)
		return "control";
	if (strcmp(a->state_dir, b->state_dir) != 0)
		return "state-dir";
	return NULL;
}

static void reject(struct daemon *d, const char *first, struct strbuf *out, ikg_ms now)
{
	struct ikg_event ev;
	ikg_event_make(&ev, now, MSG_CONFIG_REJECTED, NULL, 0, "file=%s; error=%s; kept=previous",
		       d->config_path, first);
	daemon_log_event(d, &ev);
	dlog("configuration rejected, the previous one stays in force: %s", first);
	(void)out;
}

int daemon_reload(struct daemon *d, struct strbuf *out)
{
	struct ikg_config cfg;
	struct cfg_diags diags = { 0 };
	char first[300];
	ikg_ms now = now_ms();

	if (conffile_load(d->config_path, &cfg, &diags) < 0) {
		conffile_first_error(&diags, d->config_path, first, sizeof(first));
		if (out) {
			char *text = cfg_diags_format(&diags, d->config_path);
			sb_puts(out, text ? text : first);
			if (!text)
				sb_puts(out, "\n");
			free(text);
			sb_puts(out, "configuration refused; the previous one stays in force\n");
		}
		reject(d, first, out, now);
		cfg_diags_free(&diags);
		return -1;
	}
	cfg_diags_free(&diags);
	const char *changed = gateway_change(&gw_config(d->gw)->gateway, &cfg.gateway);
	if (changed) {
		snprintf(first, sizeof(first), "gateway %s changed: restart ikegated to apply it",
			 changed);
		if (out)
			sb_printf(out, "%s\nconfiguration refused; the previous one stays in force\n",
				  first);
		reject(d, first, out, now);
		ikg_config_free(&cfg);
		return -1;
	}
	if (gw_reconfigure(d->gw, &cfg, now) < 0) {
		snprintf(first, sizeof(first), "the gateway refused the new configuration");
		if (out)
			sb_printf(out, "%s\nconfiguration refused; the previous one stays in force\n",
				  first);
		reject(d, first, out, now);
		ikg_config_free(&cfg);
		return -1;
	}
	struct ikg_event ev;
	ikg_event_make(&ev, now, MSG_CONFIG_RELOADED, NULL, 0, "file=%s; ike-profiles=%zu; "
		       "ipsec-profiles=%zu", d->config_path, cfg.n_ike, cfg.n_ipsec);
	ikg_config_free(&cfg);
	daemon_log_event(d, &ev);
	daemon_sync_routes(d);
	if (out)
		sb_printf(out, "configuration reloaded from %s\n", d->config_path);
	return 0;
}

/* ---- setup ---- */

static void watch(struct daemon *d, int fd, unsigned tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		dlog("epoll_ctl: %s", strerror(errno));
}

static int open_signals(struct daemon *d)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -1;
	watch(d, d->sigfd, TAG_SIGNAL);
	return 0;
}

/* ">>WAN: Ethernet WAN1 activated at 10000 Kbps": the speed of the interface holding the
 * wan-address, when the kernel knows it. */
static void log_wan_up(struct daemon *d, const struct ikg_config *cfg, ikg_ms now)
{
	char text[96], name[IF_NAMESIZE] = "";
	struct ifaddrs *ifa = NULL;
	long speed = -1;

	if (getifaddrs(&ifa) == 0) {
		for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
				continue;
			const struct sockaddr_in *sa = (const struct sockaddr_in *)i->ifa_addr;
			if (ntohl(sa->sin_addr.s_addr) == cfg->gateway.wan_address) {
				snprintf(name, sizeof(name), "%s", i->ifa_name);
				break;
			}
		}
		freeifaddrs(ifa);
	}
	if (name[0]) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/class/net/%s/speed", name);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%ld", &speed) != 1)
				speed = -1;
			fclose(f);
		}
	}
	const char *wan_name = cfg->gateway.wan_name[0] ? cfg->gateway.wan_name : "Ethernet WAN1";
	if (speed > 0)
		snprintf(text, sizeof(text), "%s activated at %ld Kbps", wan_name, speed * 1000);
	else
		snprintf(text, sizeof(text), "%s activated", wan_name);
	gw_log_interface(d->gw, now, text);
}

/* The session table holds about one entry per peer and protocol (IKE, ESP or ESP-in-UDP): at
 * its default size (4096) a gateway with thousands of tunnels would evict an entry on every
 * packet (bench/scale). Sized from the configuration at start; a reload that adds profiles
 * keeps the size. 0 = the core's default. */
static uint32_t nat_capacity_for(const struct ikg_config *cfg)
{
	size_t want = 4 * cfg->n_ipsec;
	if (want <= 4096)
		return 0;
	return want < ((size_t)1 << 24) ? (uint32_t)want : (uint32_t)1 << 24;
}

static int setup(struct daemon *d, struct ikg_config *cfg)
{
	char err[300], ip[IKG_IP4_STRLEN];
	ikg_ms now = now_ms();

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0 || open_signals(d) < 0) {
		dlog("epoll/signalfd: %s", strerror(errno));
		return -1;
	}
	if (evj_open(&d->journal, cfg->gateway.state_dir, err, sizeof(err)) < 0) {
		dlog("%s", err);
		return -1;
	}
	if (wan_open(&d->wan, cfg->gateway.wan_address, err, sizeof(err)) < 0) {
		dlog("%s", err);
		return -1;
	}
	for (int s = 0; s < WAN__COUNT; s++)
		watch(d, d->wan.fd[s], TAG_WAN + (unsigned)s);
	if (tun_open(&d->tun, cfg->gateway.tun, err, sizeof(err)) < 0) {
		dlog("%s", err);
		return -1;
	}
	tun_disable_ipv6(&d->tun);
	watch(d, d->tun.fd, TAG_TUN);
	int rc = nl_open(&d->nl);
	if (rc == 0)
		rc = nl_link_set(&d->nl, d->tun.ifindex, true, TUN_MTU);
	if (rc < 0) {
		dlog("cannot bring %s up: %s", d->tun.name, strerror(-rc));
		return -1;
	}

	struct gw_io io = {
		.ctx = d,
		.wan_send = io_wan_send,
		.lan_send = io_lan_send,
		.event = io_event,
		.random = io_random,
		.resolve = io_resolve,
		.retransmit_ms = daemon_tuning.retransmit_ms,
		.retransmit_tries = daemon_tuning.retransmit_tries,
		.nat_capacity = nat_capacity_for(cfg),
	};
	d->gw = gw_new(cfg, &io, now);
	if (!d->gw) {
		dlog("cannot create the gateway (out of memory)");
		return -1;
	}
	size_t n = evj_load(&d->journal, restore_event, d);
	log_wan_up(d, cfg, now);
	daemon_sync_routes(d);
	if (control_open(&d->ctl, cfg->gateway.control, d->epfd, TAG_CONTROL, daemon_execute, d,
			 err, sizeof(err)) < 0) {
		dlog("%s", err);
		return -1;
	}
	dlog("running: wan %s (UDP 500/4500, ESP, AH), lan %s, control %s, %zu profile(s), "
	     "%zu journaled event(s) restored", ikg_ip4_str(cfg->gateway.wan_address, ip),
	     d->tun.name, cfg->gateway.control, gw_profile_count(d->gw), n);
	return 0;
}

/* ---- the loop ---- */

static void lan_flush(struct daemon *d)
{
	if (tun_flush(&d->tun) < 0 && d->tun_write_errors++ == 0)
		dlog("write to %s failed: %s", d->tun.name, strerror(errno));
}

/* Packets are handled in batches: one recvmmsg (or a run of TUN reads, a TSO super-packet
 * cut into segments) fills d->pkts, the core handles each, and what the core sent on the WAN
 * meanwhile leaves in one sendmmsg (wan_flush). */
static void on_wan(struct daemon *d, enum wan_sock s)
{
	for (int b = 0; b < BATCHES_PER_WAKE; b++) {
		size_t n = wan_recv(&d->wan, s, d->pkts, WAN_BATCH);
		d->now = now_ms();
		for (size_t i = 0; i < n; i++)
			gw_input_wan(d->gw, d->now, &d->pkts[i]);
		wan_flush(&d->wan, d->now);
		lan_flush(d);
		if (n < WAN_BATCH && !wan_pending(&d->wan))
			return;
	}
}

static void on_tun(struct daemon *d)
{
	for (int b = 0; b < BATCHES_PER_WAKE; b++) {
		int n = tun_read_batch(&d->tun, d->pkts, WAN_BATCH);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				dlog("read from %s: %s", d->tun.name, strerror(errno));
			return;
		}
		d->now = now_ms();
		for (int i = 0; i < n; i++)
			gw_input_lan(d->gw, d->now, &d->pkts[i]);
		wan_flush(&d->wan, d->now);
		if (n < WAN_BATCH && !tun_pending(&d->tun))
			return;
	}
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			dlog("SIGHUP: reloading %s", d->config_path);
			daemon_reload(d, NULL);
		} else {
			dlog("signal %u: tearing the tunnels down", si.ssi_signo);
			d->stop = true;
		}
	}
}

static int wait_ms(ikg_ms now, ikg_ms next)
{
	if (next == IKG_MS_NEVER)
		return MAX_WAKE_MS;
	if (next <= now)
		return 0;
	return next - now > MAX_WAKE_MS ? MAX_WAKE_MS : (int)(next - now);
}

static ikg_ms min_ms(ikg_ms a, ikg_ms b)
{
	return a < b ? a : b;
}

static void loop(struct daemon *d)
{
	struct epoll_event evs[MAX_EVENTS];
	ikg_ms now = now_ms();

	while (!d->stop) {
		ikg_ms next = min_ms(gw_next_timer(d->gw), evj_next_flush(&d->journal));
		next = min_ms(next, control_expire(&d->ctl, now));
		bool busy = wan_pending(&d->wan) || tun_pending(&d->tun);   /* no wait: work left */
		int n = epoll_wait(d->epfd, evs, MAX_EVENTS, busy ? 0 : wait_ms(now, next));
		if (n < 0 && errno != EINTR) {
			dlog("epoll_wait: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			unsigned tag = (unsigned)evs[i].data.u64;
			if (tag < TAG_WAN + WAN__COUNT)
				on_wan(d, (enum wan_sock)(tag - TAG_WAN));
			else if (tag == TAG_TUN)
				on_tun(d);
			else if (tag == TAG_SIGNAL)
				on_signal(d);
			else if (tag >= TAG_CONTROL)
				control_event(&d->ctl, tag, evs[i].events, d->now = now_ms());
		}
		if (wan_pending(&d->wan))
			on_wan(d, WAN_UDP4500);
		if (tun_pending(&d->tun))
			on_tun(d);
		now = d->now = now_ms();
		if (gw_next_timer(d->gw) <= now)
			gw_timer(d->gw, now);
		wan_flush(&d->wan, now);   /* IKE sent by commands, reloads and timers */
		lan_flush(d);
		evj_flush(&d->journal, now, false);
	}
}

/* SIGTERM: every tunnel is deleted at the peer, the journal made durable. */
static void teardown(struct daemon *d)
{
	if (d->gw) {
		ikg_ms now = now_ms();
		size_t n = gw_profile_count(d->gw);
		for (size_t i = 0; i < n; i++) {
			struct gw_profile_status st;
			char name[IKG_NAME_MAX];
			const char *why = NULL;
			if (gw_profile_status(d->gw, i, &st) < 0 || !st.enabled)
				continue;
			snprintf(name, sizeof(name), "%s", st.name);
			if (gw_profile_enable(d->gw, now, name, false, &why) < 0)
				dlog("cannot tear '%s' down: %s", name, why ? why : "?");
		}
		wan_flush(&d->wan, now);   /* the deletes */
	}
	dlog("data path: %s %s offloads, %llu reads (%llu TSO super-packets cut into %llu segments), "
	     "%llu writes (%llu coalesced from %llu segments); WAN %llu datagrams in %llu send calls "
	     "(%llu UDP GSO), %llu received in %llu receive calls (%llu UDP GRO)",
	     d->tun.name, d->tun.vnet ? "with" : "without",
	     (unsigned long long)d->tun.stats.reads, (unsigned long long)d->tun.stats.super_packets,
	     (unsigned long long)d->tun.stats.segments, (unsigned long long)d->tun.stats.writes,
	     (unsigned long long)d->tun.stats.coalesced_writes,
	     (unsigned long long)d->tun.stats.coalesced_segments,
	     (unsigned long long)d->wan.stats.tx, (unsigned long long)d->wan.stats.tx_calls,
	     (unsigned long long)d->wan.stats.tx_gso,
	     (unsigned long long)d->wan.stats.rx, (unsigned long long)d->wan.stats.rx_calls,
	     (unsigned long long)d->wan.stats.rx_gro);
	control_close(&d->ctl);
	evj_close(&d->journal);
	if (d->gw)
		gw_free(d->gw);
	d->gw = NULL;
	route_set_free(&d->routes);   /* the routes vanish with the TUN device */
	tun_close(&d->tun);
	nl_close(&d->nl);
	wan_close(&d->wan);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
}

int daemon_run(const char *config_path, bool foreground)
{
	static struct daemon d;   /* large (packet buffers): not on the stack */
	struct ikg_config cfg;
	struct cfg_diags diags = { 0 };

	memset(&d, 0, sizeof(d));
	d.config_path = config_path;
	d.foreground = foreground;
	d.epfd = d.sigfd = -1;
	d.ctl.fd = -1;
	d.journal.fd = -1;
	d.tun.fd = -1;
	d.nl.fd = -1;
	for (int s = 0; s < WAN__COUNT; s++)
		d.wan.fd[s] = -1;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		d.ctl.conns[i].fd = -1;

	if (conffile_load(config_path, &cfg, &diags) < 0) {
		conffile_print_diags(stderr, &diags, config_path);
		cfg_diags_free(&diags);
		return 1;
	}
	if (diags.n)
		conffile_print_diags(stderr, &diags, config_path);
	cfg_diags_free(&diags);

	int rc = setup(&d, &cfg);
	ikg_config_free(&cfg);   /* the gateway keeps its own copy */
	if (rc == 0)
		rc = privdrop_after_setup();  /* sockets bound: CAP_NET_BIND_SERVICE goes */
	if (rc == 0)
		loop(&d);
	teardown(&d);
	dlog("stopped");
	return rc == 0 ? 0 : 1;
}
