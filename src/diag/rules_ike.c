/* Rules for the technote's IKE error messages: each reads the message's latest evidence and
 * the configuration, and names the setting to change. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "diag/rules_internal.h"

static const char *ike_section(const struct diag_profile_facts *p, char *buf, size_t len)
{
	if (p->ike_profile[0])
		dg_set(buf, len, "ike-profiles.%s", p->ike_profile);
	else
		dg_set(buf, len, "the IKE profile of %s", p->name);
	return buf;
}

/* "logged 3 times, last: <evidence>" */
static void cat_event(char *buf, size_t len, const char *text, const struct diag_event_facts *e)
{
	dg_cat(buf, len, "\"%s\" logged %u time%s", text, e->count, e->count == 1 ? "" : "s");
	if (e->last_evidence[0])
		dg_cat(buf, len, ", last: %s", e->last_evidence);
}

/* ---- no ph1 preferences assigned ---- */

void rule_no_ph1_prefs(const struct diag_facts *f, const struct diag_profile_facts *p,
		       struct diag_findings *l)
{
	bool none = !p->ike_profile[0], missing = p->ike_profile_missing;
	bool seen = ph1_failure_current(p, MSG_NO_PH1_PREFS);
	if (!none && !missing && !seen)
		return;
	struct diag_finding *d = diag_add(l, seen ? SCORE_CONFIG_GAP + 2 : SCORE_CONFIG_GAP,
					  "no-ph1-preferences", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "no ph1 preferences assigned: profile %s has no IKE profile",
	       p->name);
	if (missing)
		dg_set(d->evidence, sizeof d->evidence,
		       "ipsec-profiles.%s: ike-profile=\"%s\", but no IKE profile has that name",
		       p->name, p->ike_profile);
	else if (none)
		dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles.%s: ike-profile=none assigned",
		       p->name);
	if (seen) {
		dg_cat(d->evidence, sizeof d->evidence, "%s", d->evidence[0] ? "; " : "");
		cat_event(d->evidence, sizeof d->evidence, "no ph1 preferences assigned",
			  &p->ev[MSG_NO_PH1_PREFS]);
	}
	dg_set(d->fix, sizeof d->fix, "assign an IKE profile: set ike-profile = \"%s\" in "
	       "ipsec-profiles.%s", f->n_ike_names ? f->ike_names[0] : "NAME", p->name);
	if (f->n_ike_names) {
		dg_cat(d->fix, sizeof d->fix, " (configured IKE profiles:");
		for (size_t i = 0; i < f->n_ike_names; i++)
			dg_cat(d->fix, sizeof d->fix, "%s %s", i ? "," : "", f->ike_names[i]);
		dg_cat(d->fix, sizeof d->fix, ")");
	} else {
		dg_cat(d->fix, sizeof d->fix, " after defining one under ike-profiles");
	}
	dg_cat(d->fix, sizeof d->fix, " - the technote's Encapsulation Options: associate an IKE "
	       "profile with the connection profile");
}

/* ---- DNS Lookup Failure ---- */

void rule_dns_lookup(const struct diag_facts *f, const struct diag_profile_facts *p,
		     struct diag_findings *l)
{
	if (!ph1_failure_current(p, MSG_DNS_LOOKUP_FAILURE))
		return;
	const struct diag_event_facts *e = &p->ev[MSG_DNS_LOOKUP_FAILURE];
	bool zeros = !p->remote_is_hostname &&
		     (strcmp(p->remote_endpoint, "0.0.0.0") == 0 || ev_has(e->last_evidence, "0.0.0.0") ||
		      ev_has(e->last_evidence, "all-zeros"));
	char sec[IKG_NAME_MAX + 20];
	struct diag_finding *d = diag_add(l, SCORE_STRONG + 2,
					  zeros ? "dns-rte-all-zeros" : "dns-hostname-unresolved", p);
	if (!d)
		return;
	if (zeros) {
		dg_set(d->title, sizeof d->title, "DNS Lookup Failure: remote tunnel endpoint 0.0.0.0 "
		       "can only respond, never initiate");
		dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles.%s: remote-endpoint=0.0.0.0 "
		       "(any peer); traffic from the local members tried to start the tunnel; ",
		       p->name);
		cat_event(d->evidence, sizeof d->evidence, "DNS Lookup Failure", e);
		dg_set(d->fix, sizeof d->fix, "either start the tunnel from the peer (this side "
		       "answers any peer), or give this side the peer's real address as "
		       "remote-endpoint and set negotiation = \"initiate-only\" in %s (the "
		       "technote's Advanced IKE Phase 1 Options: Negotiation -> Initiate Only)",
		       ike_section(p, sec, sizeof sec));
		return;
	}
	dg_set(d->title, sizeof d->title, "DNS Lookup Failure: the remote endpoint %s does not "
	       "resolve", p->remote_endpoint);
	dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles.%s: remote-endpoint=\"%s\" is a "
	       "hostname; ", p->name, p->remote_endpoint);
	cat_event(d->evidence, sizeof d->evidence, "DNS Lookup Failure", e);
	dg_set(d->fix, sizeof d->fix, "use the peer's IP address as remote-endpoint in "
	       "ipsec-profiles.%s, or make the name resolvable from the gateway (DNS servers in the "
	       "host's /etc/resolv.conf, the name spelled right)", p->name);
	(void)f;
}

/* ---- respond-only profile asked to initiate ---- */

void rule_responder_only(const struct diag_facts *f, const struct diag_profile_facts *p,
			 struct diag_findings *l)
{
	if (!ph1_failure_current(p, MSG_RESPONDER_ONLY))
		return;
	char sec[IKG_NAME_MAX + 20];
	struct diag_finding *d = diag_add(l, SCORE_STRONG - 2, "responder-only", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "profile %s only responds: traffic cannot start its "
	       "tunnel", p->name);
	dg_set(d->evidence, sizeof d->evidence, "%s: negotiation=respond-only; ",
	       ike_section(p, sec, sizeof sec));
	cat_event(d->evidence, sizeof d->evidence, "responder only, not initiating",
		  &p->ev[MSG_RESPONDER_ONLY]);
	dg_set(d->fix, sizeof d->fix, "set negotiation = \"both\" in %s, or bring the tunnel up "
	       "from the peer", sec);
	(void)f;
}

/* ---- no matching proposal ---- */

/* The peer's proposal (of the comma-separated list) closest to ours; its diff mask. */
static unsigned closest_proposal(const char *received, const struct proposal *ours,
				 struct proposal *best, char *best_text, size_t len)
{
	char buf[IKG_EVIDENCE_MAX];
	unsigned best_mask = ~0u;
	int best_bits = 99;
	dg_set(buf, sizeof buf, "%s", received);
	char *save = NULL;
	for (char *one = strtok_r(buf, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
		while (*one == ' ')
			one++;
		struct proposal theirs;
		proposal_parse(one, &theirs);
		unsigned m = proposal_diff(&theirs, ours);
		int bits = __builtin_popcount(m);
		if (bits < best_bits) {
			best_bits = bits;
			best_mask = m;
			*best = theirs;
			dg_set(best_text, len, "%s", one);
		}
	}
	return best_mask;
}

static void proposal_fix(struct diag_finding *d, const struct diag_profile_facts *p, bool phase2,
			 const char *received, const char *configured)
{
	char sec[IKG_NAME_MAX + 20], best_text[96] = "";
	if (phase2)
		dg_set(sec, sizeof sec, "ipsec-profiles.%s", p->name);
	else
		ike_section(p, sec, sizeof sec);
	if (strstr(received, "mode request")) {
		bool aggr = strstr(received, "aggressive") != NULL;
		dg_set(d->fix, sizeof d->fix, "one change in %s: set mode = \"%s\" (the peer uses %s "
		       "mode), or switch the peer to %s mode", sec, aggr ? "aggressive" : "main",
		       aggr ? "aggressive" : "main", aggr ? "main" : "aggressive");
		return;
	}
	if (!received[0] && phase2 && p->pfs_group) {
		dg_set(d->fix, sizeof d->fix, "the peer refused our phase-2 proposal %s without saying "
		       "what it wants: try pfs-group = 0 in %s first (many peers have PFS off), then "
		       "compare encryption and integrity with the peer", configured, sec);
		return;
	}
	if (!received[0]) {
		dg_set(d->fix, sizeof d->fix, "the peer did not say what it offers: make its phase-%d "
		       "proposal equal ours (%s in %s)", phase2 ? 2 : 1, configured, sec);
		return;
	}
	struct proposal ours, best;
	proposal_parse(configured, &ours);
	unsigned m = closest_proposal(received, &ours, &best, best_text, sizeof best_text);
	if (m == 0 || m == ~0u) {
		dg_set(d->fix, sizeof d->fix, "the texts agree but the proposals were refused: check "
		       "the lifetimes and the authentication method on both sides (%s)", sec);
		return;
	}
	int bits = __builtin_popcount(m);
	dg_set(d->fix, sizeof d->fix, "%s in %s: ", bits == 1 ? "one change" : "change", sec);
	bool first = true;
	for (int i = 0; i < PF__COUNT; i++) {
		if (!(m & (1u << i)))
			continue;
		char v[32];
		prop_config_value((enum prop_field)i, best.f[i], v, sizeof v);
		dg_cat(d->fix, sizeof d->fix, "%sset %s = %s (ours: %s, the peer's: %s)",
		       first ? "" : "; ", prop_field_key((enum prop_field)i, phase2), v,
		       ours.f[i][0] ? ours.f[i] : "none", best.f[i][0] ? best.f[i] : "none");
		first = false;
	}
	dg_cat(d->fix, sizeof d->fix, " to accept the peer's %s - or change the peer to offer %s",
	       best_text, configured);
}

/* "esp-..." or "ah-...": a phase-2 proposal text. */
static bool is_phase2_text(const char *s)
{
	return (s[0] == 'e' && s[1] == 's' && s[2] == 'p') || (s[0] == 'a' && s[1] == 'h' && s[2] == '-');
}

void rule_no_matching_proposal(const struct diag_facts *f, const struct diag_profile_facts *p,
			       struct diag_findings *l)
{
	const struct diag_event_facts *e = &p->ev[MSG_NO_MATCHING_PROPOSAL];
	if (!e->count)
		return;
	char received[IKG_EVIDENCE_MAX], configured[128];
	if (!ev_field(e->last_evidence, "received", received, sizeof received))
		received[0] = 0;
	if (!ev_field(e->last_evidence, "configured", configured, sizeof configured) &&
	    !ev_field(e->last_evidence, "proposed", configured, sizeof configured))
		configured[0] = 0;
	bool phase2 = is_phase2_text(configured) || is_phase2_text(received) ||
		      ev_has(e->last_evidence, "phase=2") || ev_has(e->last_evidence, "quick");
	if (!configured[0])
		dg_set(configured, sizeof configured, "%s", phase2 ? p->ph2_proposal : p->ph1_proposal);
	if (phase2 ? !ph2_failure_current(p, MSG_NO_MATCHING_PROPOSAL)
		   : !ph1_failure_current(p, MSG_NO_MATCHING_PROPOSAL))
		return;
	struct diag_finding *d = diag_add(l, SCORE_STRONG + 1, "no-matching-proposal", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "no matching proposal (phase %d): the peer's proposals and "
	       "ours share no transform", phase2 ? 2 : 1);
	dg_set(d->evidence, sizeof d->evidence, "the peer's: %s | ours: %s; logged %u time%s",
	       received[0] ? received : "(not given)", configured, e->count, e->count == 1 ? "" : "s");
	proposal_fix(d, p, phase2, received, configured);
	(void)f;
}

/* ---- phase1 auth failure ---- */

/* The ID the peer sent, when the evidence has it readable. */
static bool received_id(const char *ev, char *out, size_t len)
{
	if (!ev_field(ev, "id-received", out, len) && !ev_field(ev, "received-id", out, len) &&
	    !ev_field(ev, "peer-id", out, len))
		return false;
	return out[0] && strncmp(out, "none", 4) != 0 && strncmp(out, "unreadable", 10) != 0;
}

void rule_ph1_auth_failure(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l)
{
	if (!ph1_failure_current(p, MSG_PH1_AUTH_FAILURE))
		return;
	const struct diag_event_facts *e = &p->ev[MSG_PH1_AUTH_FAILURE];
	char id[IKG_ID_MAX], expected[IKG_ID_MAX], sec[IKG_NAME_MAX + 20], peer[IKG_IP4_STRLEN];
	bool given = ev_field(e->last_evidence, "id-expected", expected, sizeof expected) && expected[0];
	if (!given)
		dg_set(expected, sizeof expected, "%s", p->remote_id[0] ? p->remote_id : peer_text(p, peer));
	bool have_id = received_id(e->last_evidence, id, sizeof id);
	/* The engine checks the identity before the hash: "check=identity" names the mismatch. */
	bool id_differs = have_id && (ev_has(e->last_evidence, "check=identity") ||
				      (given && strcmp(id, expected) != 0));
	ike_section(p, sec, sizeof sec);
	if (id_differs) {
		struct diag_finding *d = diag_add(l, SCORE_STRONG + 3, "phase1-identity-mismatch", p);
		if (d) {
			dg_set(d->title, sizeof d->title, "phase1 auth failure: the peer identifies as "
			       "%s, but %s is expected", id, expected);
			dg_set(d->evidence, sizeof d->evidence, "ID received: %s; remote-id configured: "
			       "%s%s; ", id, p->remote_id[0] ? p->remote_id : "(default: the remote "
			       "endpoint address) ", p->remote_id[0] ? "" : expected);
			cat_event(d->evidence, sizeof d->evidence, "phase1 auth failure", e);
			dg_set(d->fix, sizeof d->fix, "set remote-id = \"%s\" in %s, or make the peer "
			       "send %s as its local identity", id, sec, expected);
		}
	}
	struct diag_finding *d = diag_add(l, id_differs ? SCORE_LIKELY + 5 : SCORE_STRONG + 2,
					  "phase1-auth-failure", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase1 auth failure: the pre-shared keys differ");
	cat_event(d->evidence, sizeof d->evidence, "phase1 auth failure", e);
	if (have_id)
		dg_cat(d->evidence, sizeof d->evidence, "; ID received: %s, remote-id expected: %s",
		       id, expected);
	else
		dg_cat(d->evidence, sizeof d->evidence, "; the peer's ID was unreadable (a message "
		       "that does not decrypt means the keys differ); remote-id expected: %s",
		       expected);
	dg_set(d->fix, sizeof d->fix, "retype the pre-shared key on both sides: it is case "
	       "sensitive (secret or secret-file in %s; a secret file must not carry a stray "
	       "newline or space)", sec);
	(void)f;
}

/* ---- phase1 resend timeout ---- */

static void ph1_timeout_psk(const struct diag_profile_facts *p, const struct diag_event_facts *e,
			    int msg, struct diag_findings *l)
{
	char sec[IKG_NAME_MAX + 20], peer[IKG_IP4_STRLEN];
	struct diag_finding *d = diag_add(l, SCORE_STRONG + 4, "ph1-timeout-psk-mismatch", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase1 resend timeout at main mode message %d: the "
	       "pre-shared key most likely differs on the peer's side", msg);
	cat_event(d->evidence, sizeof d->evidence, "phase1 resend timeout", e);
	dg_cat(d->evidence, sizeof d->evidence, "; the peer answered messages 1-4 (proposal and key "
	       "exchange agreed) and went silent at message 5, the first encrypted one: it could "
	       "not decrypt it");
	dg_set(d->fix, sizeof d->fix, "retype the pre-shared key on both sides, case sensitive "
	       "(%s); the peer (%s) logs the failure, e.g. strongSwan: \"invalid ID_V1 payload "
	       "length, decryption failed?\"", ike_section(p, sec, sizeof sec), peer_text(p, peer));
}

static void ph1_timeout_notify(const struct diag_profile_facts *p,
			       const struct diag_event_facts *e, struct diag_findings *l)
{
	char sec[IKG_NAME_MAX + 20];
	struct diag_finding *d = diag_add(l, SCORE_STRONG + 2, "ph1-timeout-peer-rejects-proposal", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase1 resend timeout: the peer refused our phase-1 "
	       "proposal (NO-PROPOSAL-CHOSEN)");
	cat_event(d->evidence, sizeof d->evidence, "phase1 resend timeout", e);
	dg_cat(d->evidence, sizeof d->evidence, "; ours: %s", p->ph1_proposal);
	dg_set(d->fix, sizeof d->fix, "make the phase-1 proposals equal: ours is %s (%s: "
	       "encryption, hash, dh-group); the peer's log names the one it wanted", p->ph1_proposal,
	       ike_section(p, sec, sizeof sec));
}

static void ph1_timeout_after_proposal(const struct diag_profile_facts *p,
				       const struct diag_event_facts *e, int msg,
				       struct diag_findings *l)
{
	char sec[IKG_NAME_MAX + 20];
	struct diag_finding *d = diag_add(l, SCORE_LIKELY - 5, "ph1-timeout-key-exchange", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase1 resend timeout at main mode message %d: the peer "
	       "accepted our proposal but not our key exchange", msg);
	cat_event(d->evidence, sizeof d->evidence, "phase1 resend timeout", e);
	dg_set(d->fix, sizeof d->fix, "check the peer's log for our message %d; make the DH group "
	       "equal on both sides (ours: %s in %s); a device that drops large or fragmented UDP 500 "
	       "datagrams gives the same symptom", msg, p->ph1_proposal, ike_section(p, sec, sizeof sec));
}

/* Evidence that the peer's IKE reaches this gateway: a translation its packet created (the
 * technote's check on the receiving router), filter-set drops of it, or hits on a rule that
 * drops it. (When we initiated, its replies share our "out" translation.) */
static bool peer_ike_arrives(const struct diag_profile_facts *p, char *why, size_t len)
{
	why[0] = 0;
	if (p->nat_ike_in)
		dg_cat(why, len, "NAT table: in UDP 500 from the peer present (NAT runs before the "
		       "filter sets, so a dropped packet still shows)");
	if (p->ev[MSG_FILTER_DROP].count)
		dg_cat(why, len, "%sfilter-set drops of its packets logged %u time%s",
		       why[0] ? "; " : "", p->ev[MSG_FILTER_DROP].count,
		       p->ev[MSG_FILTER_DROP].count == 1 ? "" : "s");
	for (size_t i = 0; i < p->n_blockers; i++) {
		const struct diag_blocker *b = &p->blockers[i];
		if (!b->outbound && (b->blocks & (DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT)) && b->hits) {
			dg_cat(why, len, "%s%s has %llu hits", why[0] ? "; " : "", b->where,
			       (unsigned long long)b->hits);
			break;
		}
	}
	return why[0] != 0;
}

static void ph1_timeout_path(const struct diag_facts *f, const struct diag_profile_facts *p,
			     const struct diag_event_facts *e, struct diag_findings *l)
{
	char peer[IKG_IP4_STRLEN], wan[IKG_IP4_STRLEN], arrives[300];
	bool blocked = first_blocker(f, p, DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT, false) ||
		       first_blocker(f, p, DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT, true);
	peer_text(p, peer);
	if (f->wan_address)
		ip_str(f->wan_address, wan);
	else
		dg_set(wan, sizeof wan, "this gateway's WAN address");
	if (peer_ike_arrives(p, arrives, sizeof arrives)) {
		/* The technote: a filter set and a silent peer look the same in the NAT table. */
		struct diag_finding *d = diag_add(l, blocked ? SCORE_HINT - 10 : SCORE_POSSIBLE,
						  "ph1-timeout-peer-silent", p);
		if (!d)
			return;
		dg_set(d->title, sizeof d->title, "phase1 resend timeout although UDP 500 arrives from "
		       "%s: a filter set here, or the peer rejects silently", peer);
		dg_set(d->evidence, sizeof d->evidence, "%s; ", arrives);
		cat_event(d->evidence, sizeof d->evidence, "phase1 resend timeout", e);
		dg_set(d->fix, sizeof d->fix, "1. a filter set on this gateway dropping UDP 500/4500 "
		       "from %s (`ikegate show filter`: %s); 2. otherwise the peer rejects silently: "
		       "check its log for our request - its remote endpoint must be %s and its proposal "
		       "must match ours (%s)", peer, blocked ? "see the filter finding" : "none found",
		       wan, p->ph1_proposal);
		return;
	}
	struct diag_finding *d = diag_add(l, SCORE_LIKELY, "ph1-timeout-no-response", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase1 resend timeout: nothing comes back from %s", peer);
	dg_set(d->evidence, sizeof d->evidence, "NAT table: %s; no in UDP 500 translation from %s "
	       "and no filter-set drop of it - nothing shows the peer's IKE arriving; ",
	       p->nat_ike_out ? "out UDP 500 to the peer present (our requests leave)"
			      : "no out UDP 500 to the peer", peer);
	cat_event(d->evidence, sizeof d->evidence, "phase1 resend timeout", e);
	dg_set(d->fix, sizeof d->fix, "on the peer, `show ip nat translations` must show in UDP 500 "
	       "from %s; if not, in this order: 1. verify connectivity between the WAN addresses: "
	       "ping %s from this gateway; 2. both profiles enabled and the remote endpoints right "
	       "on each side (ours: remote-endpoint=%s; the peer's must be %s); 3. no firewall "
	       "device in front of either VPN router (open UDP 500, UDP 4500 and protocols 50/51); "
	       "4. the ISP is not filtering UDP port 500", wan, peer,
	       p->remote_endpoint[0] ? p->remote_endpoint : peer, wan);
}

void rule_ph1_resend_timeout(const struct diag_facts *f, const struct diag_profile_facts *p,
			     struct diag_findings *l)
{
	if (!ph1_failure_current(p, MSG_PH1_RESEND_TIMEOUT))
		return;
	const struct diag_event_facts *e = &p->ev[MSG_PH1_RESEND_TIMEOUT];
	const char *ev = e->last_evidence;
	int msg = ev_message_number(ev);
	bool aggressive = ev_has(ev, "aggressive") ||
			  (p->mode == IKG_MODE_AGGRESSIVE && !ev_has(ev, "mode=main"));
	if (ev_has(ev, "NO_PROPOSAL_CHOSEN") || ev_has(ev, "NO-PROPOSAL-CHOSEN")) {
		ph1_timeout_notify(p, e, l);
		return;
	}
	if (!aggressive && (msg == 5 || msg == 6 || ev_has(ev, "AUTHENTICATION-FAILED") ||
			    ev_has(ev, "AUTHENTICATION_FAILED") ||
			    ev_has(ev, "PAYLOAD_MALFORMED") || ev_has(ev, "PAYLOAD-MALFORMED"))) {
		ph1_timeout_psk(p, e, msg ? msg : 5, l);
		return;
	}
	if (!aggressive && (msg == 3 || msg == 4)) {
		ph1_timeout_after_proposal(p, e, msg, l);
		return;
	}
	ph1_timeout_path(f, p, e, l);
}

/* ---- ph2 resend timeout ---- */

/* How likely the peer's PFS setting differs from ours, by what its vendor does by default. */
/* The peer's vendor: from its vendor ID (IKE SA list), else as the timeout's evidence names it. */
static const char *peer_vendor(const struct diag_profile_facts *p, const char *ev)
{
	static const char *const known[] = {"Cisco", "strongSwan", "libreswan"};
	if (p->peer_vendor[0])
		return p->peer_vendor;
	for (size_t i = 0; i < IKG_ARRAY_LEN(known); i++)
		if (ev_has(ev, known[i]))
			return known[i];
	return "";
}

static int pfs_score(const struct diag_profile_facts *p, const char *v, const char **why)
{
	if (p->pfs_group == 0) {
		*why = "we propose no PFS; a peer that requires PFS ignores the proposal";
		return SCORE_POSSIBLE;
	}
	if (ev_has(v, "cisco")) {
		*why = "Cisco IOS and VPN 3000 concentrators have PFS off by default";
		return SCORE_STRONG;
	}
	if (ev_has(v, "strongswan")) {
		*why = "strongSwan's IKEv1 esp_proposals carry no DH group by default (PFS off)";
		return SCORE_STRONG - 4;
	}
	if (ev_has(v, "libreswan")) {
		*why = "libreswan has pfs=yes by default, but a conn with pfs=no refuses our PFS "
		       "proposal";
		return SCORE_LIKELY - 4;
	}
	*why = "many peers (Cisco, strongSwan) have PFS off by default";
	return SCORE_LIKELY - 2;
}

void rule_ph2_resend_timeout(const struct diag_facts *f, const struct diag_profile_facts *p,
			     struct diag_findings *l)
{
	if (!ph2_failure_current(p, MSG_PH2_RESEND_TIMEOUT))
		return;
	if (p->ph1 != DIAG_UP && !p->ev[MSG_PH1_COMPLETE].count)
		return;                           /* phase 1 first: its own rules apply */
	const struct diag_event_facts *e = &p->ev[MSG_PH2_RESEND_TIMEOUT];
	const char *why, *v = peer_vendor(p, e->last_evidence);
	int score = pfs_score(p, v, &why);
	const char *vendor = v[0] ? v : "unknown (no vendor ID)";
	const char *group = p->pfs_group ? ikg_dh_group_name(p->pfs_group) : "none";
	struct diag_finding *d = diag_add(l, score, "ph2-timeout-pfs-mismatch", p);
	if (d) {
		dg_set(d->title, sizeof d->title, "ph2 resend timeout with phase 1 complete: PFS "
		       "mismatch (ours: %s)", p->pfs_group ? "on" : "off");
		dg_set(d->evidence, sizeof d->evidence, "phase 1 complete; ");
		cat_event(d->evidence, sizeof d->evidence, "ph2 resend timeout", e);
		dg_cat(d->evidence, sizeof d->evidence, "; ipsec-profiles.%s: pfs-group=%d (%s); peer "
		       "vendor: %s; %s", p->name, p->pfs_group, group ? group : "?", vendor, why);
		if (p->pfs_group)
			dg_set(d->fix, sizeof d->fix, "set pfs-group = 0 in ipsec-profiles.%s (the "
			       "technote: disable PFS on the Netopia and try again), or enable PFS "
			       "group %d (%s) on the peer", p->name, p->pfs_group, group ? group : "?");
		else
			dg_set(d->fix, sizeof d->fix, "set pfs-group = 2 (the Netopia default, modp1024) "
			       "or the peer's group in ipsec-profiles.%s, or disable PFS on the peer",
			       p->name);
	}
	d = diag_add(l, score - 10 > SCORE_HINT ? score - 10 : SCORE_HINT, "ph2-timeout-parameters", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "ph2 resend timeout: the phase-2 parameters differ");
	dg_set(d->evidence, sizeof d->evidence, "phase 1 complete (needs no troubleshooting); ours: "
	       "%s; local members: %s; remote members: %s", p->ph2_proposal, p->local_members,
	       p->remote_members);
	dg_set(d->fix, sizeof d->fix, "check every phase-2 setting of ipsec-profiles.%s against the "
	       "peer: protocol, encryption, integrity, PFS group, lifetime; the peer's local members "
	       "must be %s and its remote members %s", p->name, p->remote_members, p->local_members);
	(void)f;
}

/* ---- phase-2 identities ---- */

void rule_ph2_id_mismatch(const struct diag_facts *f, const struct diag_profile_facts *p,
			  struct diag_findings *l)
{
	enum ikg_msg code = MSG_INVALID_ID;
	if (!ph2_failure_current(p, code)) {
		code = MSG_NO_PH2_PROFILE;
		if (!ph2_failure_current(p, code))
			return;
	}
	struct diag_finding *d = diag_add(l, SCORE_LIKELY + 6, "phase2-id-mismatch", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase 2 identities do not match the member ranges");
	dg_set(d->evidence, sizeof d->evidence, "ours: local members %s, remote members %s; ",
	       p->local_members, p->remote_members);
	cat_event(d->evidence, sizeof d->evidence,
		  code == MSG_INVALID_ID ? "phase2 id mismatch" : "no matching phase2 profile",
		  &p->ev[code]);
	dg_set(d->fix, sizeof d->fix, "the member ranges must mirror each other: the peer's local "
	       "members = our remote members (%s), the peer's remote members = our local members "
	       "(%s) - fix whichever side is wrong", p->remote_members, p->local_members);
	(void)f;
}

/* ---- phase2 hash failed ---- */

void rule_ph2_hash_failed(const struct diag_facts *f, const struct diag_profile_facts *p,
			  struct diag_findings *l)
{
	const struct diag_event_facts *e = &p->ev[MSG_PH2_HASH_FAILED];
	const struct diag_event_facts *ok = &p->ev[MSG_PH2_COMPLETE];
	if (!e->count || (ok->count && ok->last_when > e->last_when))
		return;
	struct diag_finding *d = diag_add(l, SCORE_LIKELY + 2, "phase2-hash-failed", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "phase2 hash failed: quick-mode data out of date or "
	       "tampered with");
	cat_event(d->evidence, sizeof d->evidence, "phase2 hash failed", e);
	dg_set(d->fix, sizeof d->fix, "tear the tunnel down and re-establish it: `ikegate profile "
	       "disable %s` then `ikegate profile enable %s` (the technote: disable and enable the "
	       "IPsec profile); if it recurs, a device between the gateways alters packets", p->name,
	       p->name);
	(void)f;
}

/* ---- dead peer ---- */

void rule_dead_peer(const struct diag_facts *f, const struct diag_profile_facts *p,
		    struct diag_findings *l)
{
	if (!ph1_failure_current(p, MSG_DPD_PEER_DEAD))
		return;
	char peer[IKG_IP4_STRLEN];
	struct diag_finding *d = diag_add(l, SCORE_HINT + 5, "dead-peer", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "the peer %s stopped answering dead-peer detection",
	       peer_text(p, peer));
	cat_event(d->evidence, sizeof d->evidence, "dead peer detected", &p->ev[MSG_DPD_PEER_DEAD]);
	dg_set(d->fix, sizeof d->fix, "check that the peer is up and reachable (ping %s); the tunnel "
	       "is renegotiated on the next traffic", peer);
	(void)f;
}

/* ---- an error notify from the peer the other rules do not cover ---- */

void rule_peer_notify(const struct diag_facts *f, const struct diag_profile_facts *p,
		      struct diag_findings *l)
{
	const struct diag_event_facts *e = &p->ev[MSG_PEER_NOTIFY];
	if (!e->count || (p->ph1 == DIAG_UP && p->ph2 == DIAG_UP))
		return;
	const struct diag_event_facts *ok = &p->ev[MSG_PH2_COMPLETE];
	if (ok->count && ok->last_when > e->last_when)
		return;
	char what[64], peer[IKG_IP4_STRLEN];
	if (!ev_field(e->last_evidence, "received", what, sizeof what))
		dg_set(what, sizeof what, "an error notify");
	struct diag_finding *d = diag_add(l, SCORE_HINT - 5, "peer-notify", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "the peer %s reported %s", peer_text(p, peer), what);
	cat_event(d->evidence, sizeof d->evidence, "peer notify", e);
	dg_set(d->fix, sizeof d->fix, "read the peer's log for the reason it sent %s; an "
	       "unauthenticated notify is only a hint (anyone can send one)", what);
	(void)f;
}
