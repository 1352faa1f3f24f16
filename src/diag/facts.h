/* The troubleshooter's view of a gateway: a plain snapshot of everything the rules read
 * (configuration excerpt, runtime state, counters, WAN Event History, NAT table, filter sets,
 * peer vendor). The rules (diag/rules.h) never touch the gateway itself, so every rule is
 * unit-tested from a hand-built snapshot, and the same rules can run over facts gathered by
 * other means (a saved journal, the lab, a host firewall dump).
 *
 * Nothing here holds a secret: the pre-shared key is never copied into the facts. */
#ifndef IKG_DIAG_FACTS_H
#define IKG_DIAG_FACTS_H

#include <stdbool.h>

#include "common/types.h"
#include "config/config.h"
#include "ipsec/counters.h"
#include "log/catalogue.h"
#include "log/event.h"

#define DIAG_MAX_BLOCKERS 8          /* per profile, from the gateway's filter sets */
#define DIAG_MAX_HOST_BLOCKERS 16    /* from the host firewall (nft list ruleset) */
#define DIAG_MAX_IKE_NAMES 16        /* IKE profile names remembered for the fixes */
#define DIAG_PROPOSAL_MAX 64
#define DIAG_MEMBERS_MAX 160

enum diag_phase { DIAG_DOWN = 0, DIAG_NEGOTIATING, DIAG_UP };

/* What one kind of event said: how often, and its latest occurrence. */
struct diag_event_facts {
	unsigned count;
	ikg_ms last_when;
	ikg_ip4 last_peer;
	char last_evidence[IKG_EVIDENCE_MAX];
};

/* Traffic a firewall rule stops (bit set). */
enum {
	DIAG_BLOCKS_IKE = 1u << 0,   /* UDP 500 */
	DIAG_BLOCKS_NATT = 1u << 1,  /* UDP 4500 */
	DIAG_BLOCKS_ESP = 1u << 2,   /* protocol 50 */
	DIAG_BLOCKS_AH = 1u << 3,    /* protocol 51 */
};

enum diag_blocker_source { DIAG_SRC_FILTER_SET = 0, DIAG_SRC_HOST_FIREWALL };

/* A firewall rule that drops IPsec traffic: a filter-set rule of this gateway, or a rule of
 * the host's firewall. */
struct diag_blocker {
	enum diag_blocker_source source;
	char where[128];             /* "filter set wan-in rule 1 (line 12)", "nft table inet fw chain input line 7" */
	char rule[160];              /* "deny udp dst-port 500", "udp dport 500 drop" */
	bool outbound;               /* applies to packets leaving (wan-out, nft output) */
	unsigned blocks;             /* DIAG_BLOCKS_* */
	bool hits_known;
	uint64_t hits;
};

/* One IPsec profile: configuration excerpt and runtime state. */
struct diag_profile_facts {
	char name[IKG_NAME_MAX];
	/* configuration */
	char remote_endpoint[IKG_HOST_MAX];  /* as written */
	ikg_ip4 remote_ip;                   /* 0 for a hostname or 0.0.0.0 */
	bool remote_is_hostname;
	bool enabled;
	char ike_profile[IKG_NAME_MAX];      /* "" = none assigned */
	bool ike_profile_missing;            /* named, but no IKE profile has that name */
	enum ikg_negotiation negotiation;
	enum ikg_ike_mode mode;
	char remote_id[IKG_ID_MAX];          /* "" = the remote endpoint address */
	char ph1_proposal[DIAG_PROPOSAL_MAX];/* "3des-sha1-modp1024" */
	uint8_t protocol;                    /* IKG_PROTO_ESP / IKG_PROTO_AH */
	enum ikg_esp_enc encryption;
	enum ikg_integ integrity;
	int pfs_group;                       /* 0 = PFS off */
	char ph2_proposal[DIAG_PROPOSAL_MAX];/* "esp-aes128-sha1-modp1024" */
	enum ikg_encap encapsulation;
	bool nat_traversal;                  /* the IKE profile allows NAT-T */
	char local_members[DIAG_MEMBERS_MAX];  /* "10.1.1.0/24, 10.1.2.0/24" */
	char remote_members[DIAG_MEMBERS_MAX];
	/* runtime */
	enum diag_phase ph1, ph2;
	ikg_ip4 peer;                        /* current peer address, 0 if none */
	bool nat_t;                          /* UDP-encapsulated (a NAT was detected or forced) */
	struct vpn_counters counters;
	char peer_vendor[32];                /* "Cisco", "strongSwan", "libreswan", "" unknown */
	int negotiated_pfs_group;            /* of the current phase-2 SA, -1 when none */
	/* WAN Event History: events of this profile, or without a profile from its peer */
	struct diag_event_facts ev[MSG__MAX];
	/* NAT/session table, flows with the peer */
	bool nat_ike_in;                     /* "in UDP 500/4500" from the peer */
	bool nat_ike_out;                    /* "out UDP 500/4500" to the peer */
	bool nat_esp_in, nat_esp_out;        /* ESP or AH flows */
	/* this gateway's filter-set rules that stop the profile's traffic */
	struct diag_blocker blockers[DIAG_MAX_BLOCKERS];
	size_t n_blockers;
};

struct diag_facts {
	ikg_ms now;
	ikg_ip4 wan_address;
	struct diag_profile_facts *prof;     /* n_prof entries (diag_facts_add_profile) */
	size_t n_prof, cap_prof;
	/* events tied to no profile (e.g. "no matching phase1 profile" from an unknown peer) */
	struct diag_event_facts gw_ev[MSG__MAX];
	/* configured remote endpoints, for "no matching phase1 profile": "branch=192.0.2.2, ..." */
	char endpoints[300];
	char ike_names[DIAG_MAX_IKE_NAMES][IKG_NAME_MAX];
	size_t n_ike_names;
	/* host firewall rules (diag_facts_add_host_ruleset), gateway-wide */
	struct diag_blocker host_blockers[DIAG_MAX_HOST_BLOCKERS];
	size_t n_host_blockers;
	uint64_t wan_filtered;               /* WAN packets dropped by filter sets */
};

/* Empty facts (no profiles). */
void diag_facts_init(struct diag_facts *f);
/* Frees the profile array; the facts are empty again. */
void diag_facts_free(struct diag_facts *f);
/* Appends a zeroed profile (ph phases down, negotiated_pfs_group -1, enabled); NULL on
 * allocation failure. The pointer is valid until the next add. */
struct diag_profile_facts *diag_facts_add_profile(struct diag_facts *f, const char *name);
/* NULL when no profile has that name. */
const struct diag_profile_facts *diag_facts_profile(const struct diag_facts *f, const char *name);
/* Records one event into e (count, latest occurrence). */
void diag_event_note(struct diag_event_facts *e, const struct ikg_event *ev);
/* Fills the configuration excerpt of p from a configured IPsec profile (IKE profile looked up
 * in cfg). */
void diag_profile_from_config(struct diag_profile_facts *p, const struct ikg_config *cfg,
			      const struct cfg_ipsec_profile *c);
/* Adds a blocker to p (ignored when full). */
void diag_profile_add_blocker(struct diag_profile_facts *p, const struct diag_blocker *b);

struct gw;
/* Snapshot of a gateway. 0 on success, -1 on allocation failure (out is then empty). Release
 * with diag_facts_free. */
int diag_facts_from_gw(const struct gw *g, ikg_ms now, struct diag_facts *out);

/* Parses `nft list ruleset` output and records every rule that drops or rejects UDP 500/4500
 * or IP protocol 50/51 (ESP/AH), and input chains whose policy is drop without a rule
 * accepting UDP 500. Returns how many blockers were added. The text comes from the daemon;
 * the core runs no commands. */
size_t diag_facts_add_host_ruleset(struct diag_facts *f, const char *nft_ruleset_text);

/* The profile's current IKE/IPsec traffic kinds (DIAG_BLOCKS_* bits it needs). */
unsigned diag_profile_traffic(const struct diag_profile_facts *p);

#endif
