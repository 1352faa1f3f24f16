/* Rules for the data path and the firewalls: filter sets and host rules that drop IPsec, AH
 * through NAT, the Rx discard reasons, Tx without Rx (the technote's VPN Quick View section). */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "diag/rules_internal.h"

#define IKE_BITS (DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT)
#define DATA_BITS (DIAG_BLOCKS_ESP | DIAG_BLOCKS_AH)

static void blocks_text(unsigned b, char *buf, size_t len)
{
	buf[0] = 0;
	if (b & DIAG_BLOCKS_IKE)
		dg_cat(buf, len, "%sUDP 500", buf[0] ? ", " : "");
	if (b & DIAG_BLOCKS_NATT)
		dg_cat(buf, len, "%sUDP 4500", buf[0] ? ", " : "");
	if (b & DIAG_BLOCKS_ESP)
		dg_cat(buf, len, "%sESP (protocol 50)", buf[0] ? ", " : "");
	if (b & DIAG_BLOCKS_AH)
		dg_cat(buf, len, "%sAH (protocol 51)", buf[0] ? ", " : "");
}

static bool tunnel_up(const struct diag_profile_facts *p)
{
	return p->ph1 == DIAG_UP && p->ph2 == DIAG_UP;
}

/* How sure: hits prove it; a rule that would drop the traffic but has no hits yet is a
 * lesser suspect. */
static int blocker_score(const struct diag_profile_facts *p, const struct diag_blocker *b,
			 unsigned hit_bits)
{
	bool symptom;
	if (hit_bits & IKE_BITS)
		symptom = p->ph1 != DIAG_UP;
	else
		symptom = tunnel_up(p) && p->counters.tx_packets && !p->counters.rx_packets;
	bool host = b->source == DIAG_SRC_HOST_FIREWALL;
	if (b->hits_known && b->hits > 0)
		return symptom ? SCORE_PROVEN - (host ? 1 : 0) : SCORE_HINT - 10;
	if (symptom && !b->outbound && (hit_bits & IKE_BITS) && p->ev[MSG_FILTER_DROP].count)
		return SCORE_PROVEN;
	if (b->hits_known)
		return symptom ? SCORE_POSSIBLE + 2 : SCORE_HINT - 5;
	return symptom ? SCORE_LIKELY + 5 : SCORE_HINT;       /* host rule, no counter */
}

static void blocker_finding(const struct diag_facts *f, const struct diag_profile_facts *p,
			    const struct diag_blocker *b, unsigned bits, struct diag_findings *l)
{
	bool host = b->source == DIAG_SRC_HOST_FIREWALL;
	bool ike = bits & IKE_BITS;
	const char *id = host ? (ike ? "host-firewall-blocks-ike" : "host-firewall-blocks-esp")
			      : (ike ? "filter-set-blocks-ike" : "filter-set-blocks-esp");
	struct diag_finding *d = diag_add(l, blocker_score(p, b, bits), id, p);
	if (!d)
		return;
	char what[64], peer[IKG_IP4_STRLEN];
	blocks_text(bits, what, sizeof what);
	peer_text(p, peer);
	dg_set(d->title, sizeof d->title, "%s drops %s %s %s", host ? "the host firewall" : "a filter "
	       "set", what, b->outbound ? "to" : "from", peer);
	dg_set(d->evidence, sizeof d->evidence, "%s: %s", b->where, b->rule);
	if (b->hits_known)
		dg_cat(d->evidence, sizeof d->evidence, " - %llu hit%s", (unsigned long long)b->hits,
		       b->hits == 1 ? "" : "s");
	else
		dg_cat(d->evidence, sizeof d->evidence, " (no counter on the rule)");
	if (ike && !b->outbound && p->nat_ike_in && !host)
		dg_cat(d->evidence, sizeof d->evidence, "; NAT table: in UDP 500 from %s present - NAT "
		       "runs before the filter set, so the translation shows although the packet is "
		       "dropped", peer);
	if (ike && p->ev[MSG_PH1_RESEND_TIMEOUT].count && p->ph1 != DIAG_UP)
		dg_cat(d->evidence, sizeof d->evidence, "; phase 1 never completes (phase1 resend "
		       "timeout x%u)", p->ev[MSG_PH1_RESEND_TIMEOUT].count);
	if (!ike && tunnel_up(p))
		dg_cat(d->evidence, sizeof d->evidence, "; tunnel up, Tx %llu, Rx %llu",
		       (unsigned long long)p->counters.tx_packets,
		       (unsigned long long)p->counters.rx_packets);
	if (host)
		dg_set(d->fix, sizeof d->fix, "accept UDP 500 and 4500 and ip protocol esp (50) from "
		       "the peer before that rule (%s), e.g. `nft insert rule <family> <table> <chain> "
		       "udp dport { 500, 4500 } accept` and `... ip protocol esp accept`, or delete the "
		       "rule", b->where);
	else
		dg_set(d->fix, sizeof d->fix, "in %s: put a permit rule for UDP 500 and 4500 and "
		       "protocol %s from %s before it, or remove the rule (the technote: a filter set "
		       "on the WAN must allow UDP 500 and protocols 50 and 51)", b->where,
		       p->protocol == IKG_PROTO_AH ? "51" : "50", peer);
	(void)f;
}

void rule_blockers(const struct diag_facts *f, const struct diag_profile_facts *p,
		   struct diag_findings *l)
{
	unsigned need = diag_profile_traffic(p);
	for (int host = 0; host <= 1; host++) {
		const struct diag_blocker *v = host ? f->host_blockers : p->blockers;
		size_t n = host ? f->n_host_blockers : p->n_blockers;
		for (size_t i = 0; i < n; i++) {
			unsigned bits = v[i].blocks & need;
			if (bits & IKE_BITS)
				blocker_finding(f, p, &v[i], bits & IKE_BITS, l);
			if (bits & DATA_BITS)
				blocker_finding(f, p, &v[i], bits & DATA_BITS, l);
		}
	}
}

/* ---- AH through NAT ---- */

void rule_ah_through_nat(const struct diag_facts *f, const struct diag_profile_facts *p,
			 struct diag_findings *l)
{
	if (p->protocol != IKG_PROTO_AH)
		return;
	bool detected = p->ev[MSG_NAT_DETECTED].count > 0, refused = p->ev[MSG_AH_THROUGH_NAT].count > 0;
	bool encap = p->nat_t || p->encapsulation == IKG_ENCAP_UDP;
	if (!detected && !refused && !encap)
		return;
	struct diag_finding *d = diag_add(l, SCORE_CONFIG_GAP, "ah-through-nat", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "AH cannot cross a NAT: profile %s uses AH and a NAT is "
	       "in the path", p->name);
	dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles.%s: protocol=ah", p->name);
	if (detected)
		dg_cat(d->evidence, sizeof d->evidence, "; NAT detected: %s",
		       p->ev[MSG_NAT_DETECTED].last_evidence[0] ? p->ev[MSG_NAT_DETECTED].last_evidence
							       : "logged");
	if (refused)
		dg_cat(d->evidence, sizeof d->evidence, "; \"AH cannot cross NAT\" logged %u time%s",
		       p->ev[MSG_AH_THROUGH_NAT].count, p->ev[MSG_AH_THROUGH_NAT].count == 1 ? "" : "s");
	if (encap)
		dg_cat(d->evidence, sizeof d->evidence, "; UDP encapsulation (NAT-T) in use");
	if (p->counters.discards[RXD_ESP_AH_ERROR])
		dg_cat(d->evidence, sizeof d->evidence, "; Rx discards esp-ah-error=%llu",
		       (unsigned long long)p->counters.discards[RXD_ESP_AH_ERROR]);
	dg_set(d->fix, sizeof d->fix, "set protocol = \"esp\" in ipsec-profiles.%s and on the peer: "
	       "AH authenticates the outer IP header, which a NAT rewrites (the technote: the AH "
	       "protocol does not work through NAT)", p->name);
	(void)f;
}

/* ---- Rx discards ---- */

struct discard_rule {
	enum rx_discard reason;
	const char *id;
	int score;
	const char *meaning;
};

static const struct discard_rule discard_rules[] = {
	{RXD_UNKNOWN_PROTOCOL, "rx-discard-unknown-protocol", SCORE_LIKELY - 4,
	 "packets of a protocol the profile does not use (IP compression, or ESP/AH other than "
	 "negotiated)"},
	{RXD_UNKNOWN_SPI, "rx-discard-unknown-spi", SCORE_LIKELY - 2,
	 "ESP/AH for an SPI that matches no SA bundle here: stale SAs, typically after one side "
	 "restarted"},
	{RXD_ESP_AH_ERROR, "rx-discard-esp-ah-error", SCORE_LIKELY,
	 "ESP/AH that fails its integrity check, padding or replay window: tampering in transit, "
	 "or keys out of step"},
	{RXD_SA_MISMATCH, "rx-discard-sa-mismatch", SCORE_LIKELY + 2,
	 "the packet's protocol does not match its SA (AH on an ESP SA or the reverse)"},
	{RXD_BAD_SOURCE, "rx-discard-bad-source", SCORE_LIKELY + 4,
	 "decrypted packets whose source is outside the remote member ranges"},
	{RXD_BAD_DESTINATION, "rx-discard-bad-destination", SCORE_LIKELY + 4,
	 "decrypted packets whose destination is outside the local member ranges"},
};

static void discard_fix(const struct diag_profile_facts *p, enum rx_discard r, char *fix,
			size_t len)
{
	switch (r) {
	case RXD_UNKNOWN_PROTOCOL:
		dg_set(fix, len, "turn IP compression off on the peer and use protocol %s on both "
		       "sides", p->protocol == IKG_PROTO_AH ? "ah" : "esp");
		break;
	case RXD_UNKNOWN_SPI:
		dg_set(fix, len, "re-establish the tunnel (`ikegate profile disable %s`, then `enable "
		       "%s`); have both sides send INITIAL-CONTACT after a restart and run dead-peer "
		       "detection (dpd-interval) so stale SAs are cleared", p->name, p->name);
		break;
	case RXD_ESP_AH_ERROR:
		dg_set(fix, len, "re-establish the tunnel to renew the keys (`ikegate profile disable "
		       "%s`, then `enable %s`); if the errors continue, a device between the gateways "
		       "alters the packets", p->name, p->name);
		break;
	case RXD_SA_MISMATCH:
		dg_set(fix, len, "use the same protocol on both sides (ours: protocol=%s in "
		       "ipsec-profiles.%s)", p->protocol == IKG_PROTO_AH ? "ah" : "esp", p->name);
		break;
	case RXD_BAD_SOURCE:
		dg_set(fix, len, "make the peer's local members equal our remote members (%s), or "
		       "add the peer's real network to remote-members in ipsec-profiles.%s",
		       p->remote_members, p->name);
		break;
	case RXD_BAD_DESTINATION:
		dg_set(fix, len, "make the peer's remote members equal our local members (%s), or "
		       "add the addressed network to local-members in ipsec-profiles.%s",
		       p->local_members, p->name);
		break;
	default:
		fix[0] = 0;
		break;
	}
}

void rule_rx_discards(const struct diag_facts *f, const struct diag_profile_facts *p,
		      struct diag_findings *l)
{
	const struct vpn_counters *c = &p->counters;
	for (size_t i = 0; i < IKG_ARRAY_LEN(discard_rules); i++) {
		const struct discard_rule *r = &discard_rules[i];
		uint64_t n = c->discards[r->reason];
		if (!n)
			continue;
		int score = r->score + (c->rx_packets == 0 ? 6 : 0);
		struct diag_finding *d = diag_add(l, score, r->id, p);
		if (!d)
			continue;
		dg_set(d->title, sizeof d->title, "Rx discards: %s", rx_discard_text(r->reason));
		dg_set(d->evidence, sizeof d->evidence, "%s=%llu (Rx packets %llu, Rx discards %llu): "
		       "%s", rx_discard_name(r->reason), (unsigned long long)n,
		       (unsigned long long)c->rx_packets, (unsigned long long)c->rx_discards,
		       r->meaning);
		if (r->reason == RXD_BAD_SOURCE || r->reason == RXD_BAD_DESTINATION)
			dg_cat(d->evidence, sizeof d->evidence, "; ours: local members %s, remote "
			       "members %s - the peer's must be the mirror image (its local = %s, its "
			       "remote = %s)", p->local_members, p->remote_members, p->remote_members,
			       p->local_members);
		if (r->reason == RXD_UNKNOWN_SPI && (p->ev[MSG_SA_DELETED].count ||
						     p->ev[MSG_DPD_PEER_DEAD].count))
			dg_cat(d->evidence, sizeof d->evidence, "; the peer deleted SAs or was "
			       "declared dead earlier");
		discard_fix(p, r->reason, d->fix, sizeof d->fix);
	}
	(void)f;
}

/* ---- Tx without Rx ---- */

void rule_tx_without_rx(const struct diag_facts *f, const struct diag_profile_facts *p,
			struct diag_findings *l)
{
	const struct vpn_counters *c = &p->counters;
	if (!tunnel_up(p) || !c->tx_packets || c->rx_packets)
		return;
	const struct diag_blocker *b = first_blocker(f, p, DATA_BITS, false);
	if (!b)
		b = first_blocker(f, p, DATA_BITS, true);
	struct diag_finding *d = diag_add(l, c->rx_discards ? SCORE_HINT - 5 : SCORE_POSSIBLE - 2,
					  "tx-no-rx", p);
	if (!d)
		return;
	char peer[IKG_IP4_STRLEN];
	dg_set(d->title, sizeof d->title, "tunnel up, Tx %llu but Rx 0: nothing comes back through "
	       "the tunnel", (unsigned long long)c->tx_packets);
	dg_set(d->evidence, sizeof d->evidence, "phase 1 and phase 2 complete; Tx packets=%llu, Rx "
	       "packets=0, Rx discards=%llu; NAT table: %s, %s", (unsigned long long)c->tx_packets,
	       (unsigned long long)c->rx_discards,
	       p->nat_esp_out ? "out ESP to the peer present" : "no out ESP to the peer",
	       p->nat_esp_in ? "in ESP from the peer present" : "no in ESP from the peer");
	dg_set(d->fix, sizeof d->fix, "in this order: 1. the far host is not gatewayed back: it "
	       "must route %s through the peer VPN gateway (%s) - it receives our packets but replies "
	       "elsewhere; 2. a filter set on either side interferes with the ICMP response (here: "
	       "%s), or a firewall device sits behind the peer's VPN gateway; 3. the far host "
	       "ignores ICMP echo requests (personal firewall): run a packet sniffer on the far LAN "
	       "to see whether our traffic arrives", p->local_members, peer_text(p, peer),
	       b ? b->where : "none found");
}

/* ---- disabled profile ---- */

void rule_profile_disabled(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l)
{
	if (p->enabled)
		return;
	struct diag_finding *d = diag_add(l, SCORE_STRONG - 1, "profile-disabled", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "profile %s is disabled", p->name);
	dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles.%s: enabled=false (or `ikegate "
	       "profile disable %s`); phase 1 %s, phase 2 %s", p->name, p->name,
	       p->ph1 == DIAG_UP ? "up" : "down", p->ph2 == DIAG_UP ? "up" : "down");
	dg_set(d->fix, sizeof d->fix, "`ikegate profile enable %s` (and enabled = true in the "
	       "configuration); both sides' profiles must be enabled", p->name);
	(void)f;
}

/* ---- gateway-wide ---- */

void rule_no_matching_ph1_profile(const struct diag_facts *f, const struct diag_profile_facts *p,
				  struct diag_findings *l)
{
	const struct diag_event_facts *e = &f->gw_ev[MSG_NO_MATCHING_PH1_PROFILE];
	if (!e->count)
		return;
	char peer[IKG_IP4_STRLEN] = "?";
	if (e->last_peer)
		ip_str(e->last_peer, peer);
	else
		ev_field(e->last_evidence, "peer", peer, sizeof peer);
	bool init_only = ev_has(e->last_evidence, "initiate-only");
	struct diag_finding *d = diag_add(l, SCORE_LIKELY + 5, "no-matching-phase1-profile", NULL);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "no matching phase1 profile: IKE requests from %s match no "
	       "profile's remote tunnel endpoint", peer);
	dg_set(d->evidence, sizeof d->evidence, "the peer's address: %s; configured remote "
	       "endpoints: %s; \"no matching phase1 profile\" logged %u time%s", peer,
	       f->endpoints[0] ? f->endpoints : "none", e->count, e->count == 1 ? "" : "s");
	if (e->last_evidence[0])
		dg_cat(d->evidence, sizeof d->evidence, ", last: %s", e->last_evidence);
	if (init_only)
		dg_set(d->fix, sizeof d->fix, "the profile for %s negotiates initiate-only and refuses "
		       "requests: set negotiation = \"both\" in its IKE profile", peer);
	else
		dg_set(d->fix, sizeof d->fix, "set remote-endpoint = \"%s\" in the profile meant for "
		       "this peer (if the peer is behind a NAT, its public address), or \"0.0.0.0\" to "
		       "answer any peer (responder only); the RTE must match the device sending the "
		       "request", peer);
	(void)p;
}

void rule_wan_not_routable(const struct diag_facts *f, const struct diag_profile_facts *p,
			   struct diag_findings *l)
{
	if (!f->wan_address || !ikg_ip4_is_private(f->wan_address))
		return;
	char wan[IKG_IP4_STRLEN];
	struct diag_finding *d = diag_add(l, SCORE_WARNING, "wan-address-not-routable", NULL);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, "the WAN address %s is not routable", ip_str(f->wan_address, wan));
	dg_set(d->evidence, sizeof d->evidence, "gateway.wan-address=%s lies in the non-routable "
	       "space (10.x.x.x, 172.16.x.x-172.31.x.x, 192.168.x.x; also 100.64.0.0/10)", wan);
	dg_set(d->fix, sizeof d->fix, "a VPN from a non-routable WAN address works only through a "
	       "NAT with NAT-T, and the technote's vendor did not support it: ask the ISP for a "
	       "routable address on the WAN interface");
	(void)p;
}

/* ---- the state when nothing is wrong ---- */

void rule_status(const struct diag_facts *f, const struct diag_profile_facts *p,
		 struct diag_findings *l)
{
	struct diag_finding *d;
	if (!p) {
		d = diag_add(l, SCORE_STATUS, "no-profiles", NULL);
		if (!d)
			return;
		dg_set(d->title, sizeof d->title, "no IPsec profiles configured");
		dg_set(d->evidence, sizeof d->evidence, "ipsec-profiles is empty (%zu IKE profile%s)",
		       f->n_ike_names, f->n_ike_names == 1 ? "" : "s");
		dg_set(d->fix, sizeof d->fix, "add an IPsec profile (remote-endpoint, local-members, "
		       "remote-members, ike-profile) and reload");
		return;
	}
	const struct vpn_counters *c = &p->counters;
	if (tunnel_up(p) && c->rx_packets) {
		d = diag_add(l, SCORE_STATUS, "tunnel-up", p);
		if (!d)
			return;
		dg_set(d->title, sizeof d->title, "tunnel up, traffic flowing");
		dg_set(d->evidence, sizeof d->evidence, "phase 1 and phase 2 complete; Tx packets=%llu, "
		       "Rx packets=%llu, Rx discards=%llu", (unsigned long long)c->tx_packets,
		       (unsigned long long)c->rx_packets, (unsigned long long)c->rx_discards);
		dg_set(d->fix, sizeof d->fix, "nothing to fix");
		return;
	}
	if (tunnel_up(p)) {
		d = diag_add(l, SCORE_STATUS, "tunnel-up-idle", p);
		if (!d)
			return;
		dg_set(d->title, sizeof d->title, "tunnel up, no traffic yet");
		dg_set(d->evidence, sizeof d->evidence, "phase 1 and phase 2 complete; Tx packets=%llu, "
		       "Rx packets=0", (unsigned long long)c->tx_packets);
		dg_set(d->fix, sizeof d->fix, "ping a host in the remote members (%s) and watch Tx and "
		       "Rx in `ikegate show vpn`", p->remote_members);
		return;
	}
	bool busy = p->ph1 == DIAG_NEGOTIATING || p->ph2 == DIAG_NEGOTIATING;
	d = diag_add(l, SCORE_STATUS, busy ? "tunnel-negotiating" : "tunnel-not-started", p);
	if (!d)
		return;
	dg_set(d->title, sizeof d->title, busy ? "tunnel negotiation in progress"
					       : "tunnel down, no negotiation attempted yet");
	dg_set(d->evidence, sizeof d->evidence, "phase 1 %s, phase 2 %s; no error logged for this "
	       "profile", p->ph1 == DIAG_UP ? "up" : busy ? "negotiating" : "down",
	       p->ph2 == DIAG_UP ? "up" : busy ? "negotiating" : "down");
	if (busy && p->ph1 != DIAG_UP)
		dg_cat(d->evidence, sizeof d->evidence, "; NAT table: %s, %s",
		       p->nat_ike_out ? "out UDP 500 to the peer present" : "no out UDP 500 to the peer",
		       p->nat_ike_in ? "in UDP 500 from the peer present"
				     : "no in UDP 500 translation from the peer");
	if (busy)
		dg_set(d->fix, sizeof d->fix, "allow time for IKE: the technote brings a tunnel up "
		       "with 120 pings at 1 second intervals; run diagnose again if it does not "
		       "complete");
	else
		dg_set(d->fix, sizeof d->fix, "traffic from the local members (%s) to the remote "
		       "members starts it, or `ikegate initiate %s`", p->local_members, p->name);
}
