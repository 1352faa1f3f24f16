/* The message catalogue: every WAN Event History message, its stable code and its explanation
 * (the technote's problem / causes / solution, in our words). Codes never change meaning:
 * scripts, the journal and the troubleshooter rely on them. */
#ifndef IKG_CATALOGUE_H
#define IKG_CATALOGUE_H

#include <stdbool.h>

enum ikg_msg {
	MSG_NONE = 0,
	/* the technote's ten messages */
	MSG_NO_PH1_PREFS = 1,        /* no ph1 preferences assigned */
	MSG_DNS_LOOKUP_FAILURE = 2,  /* DNS Lookup Failure */
	MSG_NO_MATCHING_PH1_PROFILE = 3, /* no matching phase1 profile */
	MSG_NO_MATCHING_PROPOSAL = 4,/* no matching proposal */
	MSG_PH1_AUTH_FAILURE = 5,    /* phase1 auth failure */
	MSG_PH1_RESEND_TIMEOUT = 6,  /* phase1 resend timeout */
	MSG_PH1_COMPLETE = 7,        /* phase 1 complete */
	MSG_PH2_HASH_FAILED = 8,     /* phase2 hash failed */
	MSG_PH2_RESEND_TIMEOUT = 9,  /* ph2 resend timeout */
	MSG_PH2_COMPLETE = 10,       /* phase 2 complete */
	/* ours, in the same style */
	MSG_WAN_UP = 20,             /* >>WAN: ... activated */
	MSG_NAT_DETECTED = 21,       /* NAT detected, floating to UDP 4500 */
	MSG_PEER_MOVED = 22,         /* peer address/port changed */
	MSG_AH_THROUGH_NAT = 23,     /* AH cannot cross a NAT */
	MSG_DPD_PEER_DEAD = 24,      /* dead peer detected */
	MSG_SA_DELETED = 25,         /* peer deleted an SA */
	MSG_PH1_REKEY = 26,
	MSG_PH2_REKEY = 27,
	MSG_INVALID_ID = 28,         /* phase 2 identities do not match our member ranges */
	MSG_MALFORMED = 29,          /* malformed IKE message dropped */
	MSG_TUNNEL_DOWN = 30,        /* profile disabled / tunnel torn down */
	MSG_CONFIG_RELOADED = 31,
	MSG_CONFIG_REJECTED = 32,
	MSG_PEER_NOTIFY = 33,        /* peer sent an error notify */
	MSG_QUEUE_OVERFLOW = 34,     /* traffic-triggered queue full, packets dropped */
	MSG_NO_PH2_PROFILE = 35,     /* quick mode for networks no profile covers */
	MSG_RESPONDER_ONLY = 36,     /* negotiation respond-only: not initiating */
	MSG_FILTER_DROP = 37,        /* IKE/ESP dropped by a filter set rule */
	MSG__MAX
};

struct ikg_msg_info {
	enum ikg_msg code;
	const char *slug;      /* stable machine name, e.g. "phase1-auth-failure" */
	const char *facility;  /* "IKE", "WAN", "ESP", "NAT", "CFG" */
	const char *text;      /* exact text of the history line */
	bool error;            /* shown with a detail record and counted by the troubleshooter */
	const char *problem;
	const char *causes;
	const char *solution;
};

/* NULL for an unknown code. */
const struct ikg_msg_info *ikg_msg_info(enum ikg_msg code);
/* Lookup by slug; NULL if none. */
const struct ikg_msg_info *ikg_msg_by_slug(const char *slug);

#endif
