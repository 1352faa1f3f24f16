/* The gateway's state, shared by the gw sources and the views (src/view). Drivers use gw.h only. */
#ifndef IKG_GW_INTERNAL_H
#define IKG_GW_INTERNAL_H

#include "config/config.h"
#include "gw/gw.h"
#include "ike/ike.h"
#include "ipsec/ipsec.h"
#include "log/history.h"
#include "nat/filter.h"
#include "nat/table.h"

#define GW_QUEUE_MAX 8          /* packets held per profile while its tunnel comes up */
#define GW_QUEUE_POOL_MAX 64    /* queues shared by the profiles that are coming up */
#define GW_QUEUE_POOL_MIN 4
#define GW_HISTORY_MAX 512
#define GW_NAT_MAX 4096
#define GW_TRIGGER_HOLDOFF_MS 10000 /* a failed trigger is retried (and logged) at most this often */

/* Packets of a traffic-triggered tunnel waiting for phase 2. A gateway has a small pool of
 * these (preallocated): a profile takes one while it negotiates and gives it back once its
 * packets are sent or dropped, so 10,000 idle profiles do not hold 10,000 queues. */
struct gw_queue {
	struct ikg_pkt pkt[GW_QUEUE_MAX];
	struct gw_queue *next_free;
};

/* Runtime state of one IPsec profile. */
struct gw_profile {
	enum gw_phase_state ph1, ph2;
	bool enabled;
	ikg_ip4 peer;                 /* current peer (resolved RTE or the responder's source) */
	bool nat_t;
	struct vpn_counters c;
	struct ipsec_sa *out;         /* current outbound SA, NULL when none */
	uint32_t spi_in, spi_out;     /* current pair (inbound SA lives in the SAD) */
	ikg_ms last_trigger;          /* last traffic-triggered attempt */
	bool triggered;               /* last_trigger valid */
	struct gw_queue *queue;       /* from the gateway's pool while the tunnel comes up, or NULL */
	size_t queued;
};

struct gw_stats {
	uint64_t wan_in, wan_out, lan_in, lan_out;
	uint64_t wan_malformed;       /* not a parsable IPv4 packet */
	uint64_t wan_not_ours;        /* not addressed to the WAN address / unknown protocol */
	uint64_t wan_filtered, lan_filtered; /* denied by a filter set */
	uint64_t lan_no_policy;       /* LAN packet no profile covers */
	uint64_t rx_discards[RXD__COUNT]; /* discards not attributable to a profile */
	uint64_t natt_keepalives;
};

struct gw {
	struct gw_io io;
	struct ikg_config cfg;
	struct gw_profile *prof;      /* cfg.n_ipsec entries */
	struct ike_engine *ike;
	struct ipsec_sad *sad;
	struct ipsec_spd spd;
	struct nat_table *nat;
	struct filter_state *filters; /* cfg.n_filters entries */
	struct history *hist;
	struct gw_stats stats;
	ikg_ms now;                   /* time of the current input (for callbacks) */
	ikg_ms last_filter_event;
	uint16_t ip_id;               /* IPv4 id of the datagrams the gateway builds */     /* filter-set drops are logged at most once a minute */
	struct ikg_pkt scratch;       /* IKE datagrams are built here */
	struct gw_queue *qpool;       /* the pool (GW_QUEUE_POOL_MIN..MAX queues) */
	struct gw_queue *qfree;       /* its free list */
};

/* gw_event: adds to the history and tells the driver. */
void gw_emit(struct gw *g, const struct ikg_event *ev);
const struct history *gw_history(const struct gw *g);
const struct nat_table *gw_nat_table(const struct gw *g);
const struct ike_engine *gw_ike(const struct gw *g);

#endif
