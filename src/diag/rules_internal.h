/* Shared by the rule files of the troubleshooter (rules*.c, evidence.c). */
#ifndef IKG_DIAG_RULES_INTERNAL_H
#define IKG_DIAG_RULES_INTERNAL_H

#include <stdarg.h>

#include "diag/rules.h"

/* Scores: how sure a rule is that it names the true cause. */
enum {
	SCORE_PROVEN = 96,       /* a named rule with hits drops the traffic */
	SCORE_CONFIG_GAP = 95,   /* the configuration cannot work (AH through NAT, no IKE profile) */
	SCORE_STRONG = 90,       /* the event names the cause */
	SCORE_LIKELY = 80,
	SCORE_POSSIBLE = 70,
	SCORE_HINT = 60,
	SCORE_WARNING = 10,
	SCORE_STATUS = 1,
};

/* A rule adds zero or more findings for profile p (NULL: gateway-wide rules). */
typedef void (*diag_rule_fn)(const struct diag_facts *f, const struct diag_profile_facts *p,
			     struct diag_findings *l);

/* Appends a finding (title, evidence and fix empty); NULL when allocation failed. */
struct diag_finding *diag_add(struct diag_findings *l, int score, const char *id,
			      const struct diag_profile_facts *p);
void dg_set(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dg_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- evidence.c: reading the events' "key=value; ..." evidence ---- */
/* The value of key ("key=value" or "key: value"), up to the next "; ". false when absent. */
bool ev_field(const char *evidence, const char *key, char *out, size_t len);
/* Case-insensitive substring. */
bool ev_has(const char *evidence, const char *needle);
/* The message a timeout waited on: N of "message N", "message=N", "msg N", "msgN"; 0 unknown. */
int ev_message_number(const char *evidence);

/* A proposal text ("aes128-sha1-modp1024", "esp-aes128-sha1-nopfs") split into fields. */
enum prop_field { PF_PROTO = 0, PF_ENC, PF_INTEG, PF_GROUP, PF_OTHER, PF__COUNT };
struct proposal {
	char f[PF__COUNT][24];
};
void proposal_parse(const char *text, struct proposal *p);
/* Bit i set when field i differs. */
unsigned proposal_diff(const struct proposal *a, const struct proposal *b);
/* Fields set in mask, as "encryption, hash" (phase 1) or "encryption, integrity" (phase 2). */
const char *prop_field_key(enum prop_field fld, bool phase2);
/* The configuration value for a field value: "modp1024" -> "2", "nopfs" -> "0", else as is. */
void prop_config_value(enum prop_field fld, const char *v, char *out, size_t len);

/* ---- rules.c ---- */
/* A phase-1 failure event (code) that the present state does not supersede. */
bool ph1_failure_current(const struct diag_profile_facts *p, enum ikg_msg code);
bool ph2_failure_current(const struct diag_profile_facts *p, enum ikg_msg code);
/* First blocker (this gateway's filter sets, then the host firewall) stopping any of mask. */
const struct diag_blocker *first_blocker(const struct diag_facts *f,
					 const struct diag_profile_facts *p, unsigned mask,
					 bool host);
const char *ip_str(ikg_ip4 a, char *buf);
/* The peer address as known ("192.0.2.2", or the endpoint as written). */
const char *peer_text(const struct diag_profile_facts *p, char *buf);

/* ---- rules_ike.c, rules_traffic.c, rules_status.c ---- */
void rule_no_ph1_prefs(const struct diag_facts *f, const struct diag_profile_facts *p,
		       struct diag_findings *l);
void rule_dns_lookup(const struct diag_facts *f, const struct diag_profile_facts *p,
		     struct diag_findings *l);
void rule_responder_only(const struct diag_facts *f, const struct diag_profile_facts *p,
			 struct diag_findings *l);
void rule_no_matching_proposal(const struct diag_facts *f, const struct diag_profile_facts *p,
			       struct diag_findings *l);
void rule_ph1_auth_failure(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l);
void rule_ph1_resend_timeout(const struct diag_facts *f, const struct diag_profile_facts *p,
			     struct diag_findings *l);
void rule_ph2_resend_timeout(const struct diag_facts *f, const struct diag_profile_facts *p,
			     struct diag_findings *l);
void rule_ph2_id_mismatch(const struct diag_facts *f, const struct diag_profile_facts *p,
			  struct diag_findings *l);
void rule_ph2_hash_failed(const struct diag_facts *f, const struct diag_profile_facts *p,
			  struct diag_findings *l);
void rule_peer_notify(const struct diag_facts *f, const struct diag_profile_facts *p,
		      struct diag_findings *l);
void rule_dead_peer(const struct diag_facts *f, const struct diag_profile_facts *p,
		    struct diag_findings *l);
void rule_blockers(const struct diag_facts *f, const struct diag_profile_facts *p,
		   struct diag_findings *l);
void rule_ah_through_nat(const struct diag_facts *f, const struct diag_profile_facts *p,
			 struct diag_findings *l);
void rule_rx_discards(const struct diag_facts *f, const struct diag_profile_facts *p,
		      struct diag_findings *l);
void rule_tx_without_rx(const struct diag_facts *f, const struct diag_profile_facts *p,
			struct diag_findings *l);
void rule_profile_disabled(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l);
/* gateway-wide */
void rule_no_matching_ph1_profile(const struct diag_facts *f, const struct diag_profile_facts *p,
				  struct diag_findings *l);
void rule_wan_not_routable(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l);
/* the profile's state when no rule found a problem */
void rule_status(const struct diag_facts *f, const struct diag_profile_facts *p,
		 struct diag_findings *l);

#endif
