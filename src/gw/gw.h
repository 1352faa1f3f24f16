/* One gateway: the sans-I/O core wired together. The daemon, the lab and the tests drive it
 * through these calls; it never reads a clock, a socket or a file. */
#ifndef IKG_GW_H
#define IKG_GW_H

#include "common/pkt.h"
#include "common/strbuf.h"
#include "common/types.h"
#include "config/config.h"
#include "ipsec/counters.h"
#include "log/event.h"

struct gw;

/* What the core asks of its driver. All calls are synchronous. */
struct gw_io {
	void *ctx;
	/* A full IPv4 packet to transmit on the WAN (UDP 500/4500, ESP, AH). The buffer is the
	 * core's: copy or send before returning. */
	void (*wan_send)(void *ctx, struct ikg_pkt *pkt);
	/* A full IPv4 packet delivered to the LAN (decapsulated tunnel traffic). */
	void (*lan_send)(void *ctx, struct ikg_pkt *pkt);
	/* An event was added to the history (the driver journals it, prints it, ...). */
	void (*event)(void *ctx, const struct ikg_event *ev);
	/* Cryptographic randomness (the lab injects a seeded generator). */
	void (*random)(void *ctx, void *buf, size_t len);
	/* Hostname of a remote tunnel endpoint -> address; 0 on success, -1 if it does not resolve. */
	int (*resolve)(void *ctx, const char *host, ikg_ip4 *out);
	/* IKE retransmission: first interval and tries (0 = defaults: 5000 ms, 4 tries). The lab
	 * and the tests shorten them. */
	uint32_t retransmit_ms, retransmit_tries;
	/* Sizes of the event history ring and the session table (0 = defaults: 512, 4096). The
	 * lab shrinks them when it simulates thousands of gateways. */
	uint32_t history_capacity, nat_capacity;
};

/* Creates a gateway with a private copy of cfg. NULL on allocation failure. */
struct gw *gw_new(const struct ikg_config *cfg, const struct gw_io *io, ikg_ms now);
void gw_free(struct gw *g);

/* Replaces the configuration. Tunnels of profiles whose phase-1/phase-2 settings did not change
 * stay up; removed or changed ones are torn down. 0 on success; on failure the old
 * configuration stays in force. */
int gw_reconfigure(struct gw *g, const struct ikg_config *cfg, ikg_ms now);

/* A packet arrived on the WAN interface (full IPv4 header). The buffer may be modified. */
void gw_input_wan(struct gw *g, ikg_ms now, struct ikg_pkt *pkt);
/* A packet arrived from the LAN (TUN): route it into a tunnel if a profile covers it. */
void gw_input_lan(struct gw *g, ikg_ms now, struct ikg_pkt *pkt);
/* Runs everything due at or before now (retransmits, lifetimes, DPD, NAT ageing). */
void gw_timer(struct gw *g, ikg_ms now);
/* The earliest time gw_timer wants to run, IKG_MS_NEVER if none. */
ikg_ms gw_next_timer(const struct gw *g);

/* Operator commands. 0 on success, -1 with *why (static text) on failure. */
int gw_initiate(struct gw *g, ikg_ms now, const char *profile, const char **why);
int gw_profile_enable(struct gw *g, ikg_ms now, const char *profile, bool on, const char **why);
void gw_clear_log(struct gw *g);
/* Adds an interface event (">>WAN: Ethernet WAN1 activated at 10000 Kbps"). */
void gw_log_interface(struct gw *g, ikg_ms now, const char *text);

/* ---- state for the views ---- */
enum gw_phase_state { GW_DOWN = 0, GW_NEGOTIATING, GW_UP };
struct gw_profile_status {
	const char *name;
	const char *remote_endpoint;   /* as configured */
	ikg_ip4 peer;                  /* current peer address, 0 if none */
	enum gw_phase_state ph1, ph2;
	bool enabled;
	bool nat_t;                    /* UDP-encapsulated */
	struct vpn_counters counters;
};
size_t gw_profile_count(const struct gw *g);
int gw_profile_status(const struct gw *g, size_t i, struct gw_profile_status *out);
const struct ikg_config *gw_config(const struct gw *g);
/* Puts an event from the journal back into the history (at start-up), without re-emitting it. */
void gw_history_restore(struct gw *g, const struct ikg_event *ev);
struct gw_stats;
const struct gw_stats *gw_stats(const struct gw *g);

#endif
