/* ikegated: the Linux driver of the sans-I/O core (design.md §1). One thread, one epoll loop:
 * WAN sockets, the TUN device, the control socket and a signalfd; timers from gw_next_timer. */
#ifndef IKG_DAEMON_H
#define IKG_DAEMON_H

#include <stdbool.h>

#include "common/pkt.h"
#include "config/config.h"
#include "daemon/control.h"
#include "daemon/evjournal.h"
#include "daemon/netlink.h"
#include "daemon/routes.h"
#include "daemon/tun.h"
#include "daemon/wan.h"
#include "gw/gw.h"

/* epoll tags */
enum {
	TAG_WAN = 0,          /* + enum wan_sock */
	TAG_TUN = 8,
	TAG_SIGNAL = 9,
	TAG_CONTROL = 16,     /* listening socket; connections follow */
};

struct daemon {
	const char *config_path;
	bool foreground;
	struct gw *gw;
	int epfd, sigfd;
	struct wan wan;
	struct tun tun;
	struct nl nl;
	struct route_set routes;
	struct evjournal journal;
	struct control ctl;
	bool stop;
	struct ikg_pkt pkts[WAN_BATCH];   /* receive buffers (WAN and TUN batches), allocated once */
	ikg_ms now;                       /* time of the batch being handled */
	uint64_t tun_write_errors;
};

/* Tuning from the command line (0 = the core's defaults). */
struct daemon_tuning {
	uint32_t retransmit_ms, retransmit_tries;
};
extern struct daemon_tuning daemon_tuning;

ikg_ms now_ms(void);
/* Runs the daemon until SIGTERM/SIGINT; returns the exit code. */
int daemon_run(const char *config_path, bool foreground);
/* Executes one control command (full words); body in out; returns enum ctl_status. */
int daemon_execute(void *ctx, int n, char **words, struct strbuf *out);
/* Re-reads the configuration. 0 on success; -1 when refused (old one kept). A report goes to
 * out (may be NULL). */
int daemon_reload(struct daemon *d, struct strbuf *out);
/* Brings the routes into the TUN device in line with the enabled profiles. */
void daemon_sync_routes(struct daemon *d);
/* Adds an event created by the daemon itself to the history, the journal and stderr. */
void daemon_log_event(struct daemon *d, const struct ikg_event *ev);

#endif
