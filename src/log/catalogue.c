/* The message catalogue: one row per enum ikg_msg. The first ten texts are the technote's, letter
 * for letter (the two success lines as on its WAN Event History screen: "phase 1 complete");
 * the explanations are the technote's table retold in our words. */
#include "log/catalogue.h"

#include <string.h>

static const struct ikg_msg_info catalogue[] = {
	{MSG_NO_PH1_PREFS, "no-ph1-preferences", "IKE", "no ph1 preferences assigned", true,
	 "Traffic matched an IPsec profile that authenticates with IKE, but the profile has no IKE "
	 "profile assigned, so phase 1 has no proposals to send.",
	 "The ipsec profile's ike-profile key is missing or empty.",
	 "Assign an IKE profile to the IPsec profile: add ike-profile = \"NAME\"; to the ipsec "
	 "profile (naming a profile under ike-profiles) and reload."},
	{MSG_DNS_LOOKUP_FAILURE, "dns-lookup-failure", "IKE", "DNS Lookup Failure", true,
	 "The gateway wanted to start a tunnel but could not find an address for the remote tunnel "
	 "endpoint.",
	 "1. The remote endpoint is 0.0.0.0 (any peer): such a profile can only answer, never "
	 "initiate, and local traffic towards the remote members tried to bring it up. "
	 "2. The remote endpoint is a hostname that did not resolve.",
	 "1. A remote endpoint of 0.0.0.0 makes this side a responder only: let the peer start "
	 "the tunnel. If this side must start it, give the peer's real address as remote-endpoint "
	 "and set negotiation = \"initiate-only\"; (the technote's Advanced IKE Phase 1 Options: "
	 "Negotiation -> Initiate Only) or \"both\". "
	 "2. A failed lookup only matters when the endpoint is a hostname: use the IP address "
	 "instead, or make sure the gateway has working DNS servers."},
	{MSG_NO_MATCHING_PH1_PROFILE, "no-matching-phase1-profile", "IKE",
	 "no matching phase1 profile", true,
	 "An IKE request arrived from an address that no IPsec profile names as its remote tunnel "
	 "endpoint.",
	 "The remote-endpoint of the profile is not the address the peer sends from (typo, peer "
	 "behind a NAT that changes its address, wrong profile disabled).",
	 "Check remote-endpoint in the IPsec profile: it must be the address of the device sending "
	 "the IKE request (see the evidence for the address it came from), or 0.0.0.0 to accept any "
	 "peer."},
	{MSG_NO_MATCHING_PROPOSAL, "no-matching-proposal", "IKE", "no matching proposal", true,
	 "An IKE negotiation was sent or received, but the two sides' cryptographic parameters did "
	 "not agree.",
	 "One parameter differs between the two profiles: encryption (DES vs. 3DES vs. AES), hash "
	 "(SHA1 vs. MD5), Diffie-Hellman group, or in phase 2 the protocol, cipher, integrity or "
	 "PFS group.",
	 "Compare the proposals on both sides (the evidence shows what was received and what is "
	 "configured) and make every parameter identical."},
	{MSG_PH1_AUTH_FAILURE, "phase1-auth-failure", "IKE", "phase1 auth failure", true,
	 "Phase 1 authentication failed: the two sides do not hold the same shared secret.",
	 "The pre-shared key differs between the two gateways.",
	 "Type the shared secret again on both sides; remember that it is case sensitive "
	 "(\"Secret\" and \"secret\" are different keys)."},
	{MSG_PH1_RESEND_TIMEOUT, "phase1-resend-timeout", "IKE", "phase1 resend timeout", true,
	 "Phase 1 was started and retransmitted, but the remote tunnel endpoint never answered and "
	 "the attempt timed out.",
	 "The remote endpoint address is wrong, the peer is offline, or something in between (a NAT, "
	 "a filter set, a firewall, the ISP) blocks the IKE traffic.",
	 "1. Check the remote-endpoint of the IPsec profile and ping that address; make sure the "
	 "peer is up and its profile is enabled. "
	 "2. If a filter set is applied to the WAN (here or on the peer), allow UDP 500 (and UDP "
	 "4500 for NAT traversal) and IP protocols 50 (ESP) and 51 (AH); open the same in any "
	 "firewall in front of either gateway."},
	{MSG_PH1_COMPLETE, "phase1-complete", "IKE", "phase 1 complete", false,
	 "Phase 1 negotiation completed successfully.", "",
	 "Nothing to do: phase 1 is established and phase 2 negotiation follows."},
	{MSG_PH2_HASH_FAILED, "phase2-hash-failed", "IKE", "phase2 hash failed", true,
	 "A phase 2 (quick mode) message failed its hash check: its data is out of date or was "
	 "altered on the way.",
	 "Stale phase 1 keys on one side (the peer restarted or rekeyed), or the packet was "
	 "tampered with.",
	 "Tear the tunnel down and bring it up again: disable and re-enable the IPsec profile "
	 "(ikegate profile disable NAME, then enable NAME)."},
	{MSG_PH2_RESEND_TIMEOUT, "ph2-resend-timeout", "IKE", "ph2 resend timeout", true,
	 "Phase 2 was started but the tunnel never completed; phase 1 itself is fine.",
	 "A phase 2 parameter differs: protocol, cipher, integrity, lifetime, member ranges, or "
	 "Perfect Forward Secrecy. Some peers (Cisco IOS and the 3000 series concentrators) have PFS "
	 "off by default while ours is on, and they drop the mismatching proposal silently.",
	 "Phase 1 needs no troubleshooting. Compare every phase 2 parameter of the IPsec profiles on "
	 "both sides; against a Cisco peer try turning PFS off here (pfs-group = 0;) or on at the "
	 "peer, and connect again."},
	{MSG_PH2_COMPLETE, "phase2-complete", "IKE", "phase 2 complete", false,
	 "Phase 2 negotiation completed successfully.", "",
	 "Nothing to do: the tunnel is established."},
	{MSG_WAN_UP, "wan-up", "WAN", "activated", false, "The WAN interface came up.", "",
	 "Nothing to do."},
	{MSG_NAT_DETECTED, "nat-detected", "IKE", "NAT detected, using UDP 4500", false,
	 "A NAT was detected between the two gateways; IKE and ESP move to UDP port 4500 (NAT "
	 "traversal).",
	 "One of the gateways sits behind an address-translating router.",
	 "Nothing to do, as long as UDP 4500 is allowed through every filter set and firewall on "
	 "the path."},
	{MSG_PEER_MOVED, "peer-moved", "IKE", "peer moved", false,
	 "The peer's address or port changed and the tunnel followed it.",
	 "A NAT in front of the peer assigned a new mapping, or the peer's WAN address changed.",
	 "Nothing to do; if it happens often, a NAT on the path has short UDP timeouts: keep DPD "
	 "on so keepalives refresh the mapping."},
	{MSG_AH_THROUGH_NAT, "ah-through-nat", "IKE", "AH cannot cross NAT", true,
	 "The profile uses AH, but a NAT was detected on the path: AH authenticates the outer "
	 "addresses, which the NAT rewrites, so no packet can verify.",
	 "protocol = \"ah\" in the IPsec profile while one gateway is behind a NAT.",
	 "Use ESP (protocol = \"esp\"; with an integrity algorithm) or remove the NAT from the "
	 "path."},
	{MSG_DPD_PEER_DEAD, "dead-peer-detected", "IKE", "dead peer detected", true,
	 "The peer stopped answering dead peer detection; its SAs were removed.",
	 "The peer went offline or restarted, or the path between the gateways is broken.",
	 "Check that the peer is reachable; the tunnel comes up again with the next traffic."},
	{MSG_SA_DELETED, "sa-deleted", "IKE", "SA deleted by peer", false,
	 "The peer sent a delete notification for an SA.",
	 "The peer's profile was disabled, the peer restarted or rekeyed.",
	 "Nothing to do unless the tunnel does not come back: then check the peer's profile."},
	{MSG_PH1_REKEY, "phase1-rekeyed", "IKE", "phase 1 rekeyed", false,
	 "The phase 1 SA was renewed before its lifetime ended.", "", "Nothing to do."},
	{MSG_PH2_REKEY, "phase2-rekeyed", "IKE", "phase 2 rekeyed", false,
	 "The phase 2 SAs were renewed before their lifetime ended.", "", "Nothing to do."},
	{MSG_INVALID_ID, "phase2-id-mismatch", "IKE", "phase2 id mismatch", true,
	 "The networks proposed in phase 2 do not match the member ranges of the profile.",
	 "The local and remote member ranges are not mirror images of the peer's.",
	 "Make this side's local members equal to the peer's remote members and this side's remote "
	 "members equal to the peer's local members."},
	{MSG_MALFORMED, "malformed-packet", "IKE", "malformed packet dropped", true,
	 "An IKE message could not be parsed and was dropped.",
	 "A broken or incompatible peer implementation, corruption on the path, or a packet that "
	 "does not decrypt because the pre-shared keys differ.",
	 "If it repeats from the same peer, check the shared secret and the peer's software; the "
	 "evidence names the field that was wrong."},
	{MSG_TUNNEL_DOWN, "tunnel-down", "IKE", "tunnel down", false,
	 "The tunnel was taken down and its SAs removed.",
	 "The profile was disabled or changed, or the SAs expired without traffic.",
	 "Nothing to do; enable the profile or send traffic to bring it up again."},
	{MSG_CONFIG_RELOADED, "config-reloaded", "CFG", "config reloaded", false,
	 "A new configuration was loaded and is now in use.", "", "Nothing to do."},
	{MSG_CONFIG_REJECTED, "config-rejected", "CFG", "config rejected", true,
	 "A new configuration was refused; the gateway keeps running on the previous one.",
	 "The file has a syntax error, an unknown key or an impossible value.",
	 "Run ikegate check-config FILE: it lists each problem with its line and the fix."},
	{MSG_PEER_NOTIFY, "peer-notify", "IKE", "peer notify", true,
	 "The peer sent an error notification.",
	 "The peer refused something we sent; the evidence names the notification (for example "
	 "NO-PROPOSAL-CHOSEN or INVALID-ID-INFORMATION).",
	 "Look at the peer's log for the reason and compare both profiles."},
	{MSG_QUEUE_OVERFLOW, "tunnel-queue-full", "ESP", "tunnel queue full", true,
	 "Packets waiting for the tunnel to come up were dropped because the queue was full.",
	 "The tunnel takes long to negotiate (or fails) while traffic keeps arriving.",
	 "Look at the messages before this one for why the tunnel does not come up."},
	{MSG_NO_PH2_PROFILE, "no-matching-phase2-profile", "IKE", "no matching phase2 profile", true,
	 "The peer proposed a phase 2 for networks that no IPsec profile covers.",
	 "The member ranges differ between the two sides.",
	 "Make the member ranges mirror images of each other on the two gateways."},
	{MSG_RESPONDER_ONLY, "responder-only", "IKE", "responder only, not initiating", true,
	 "Traffic wanted the tunnel, but the profile only responds and never initiates.",
	 "negotiation = \"respond-only\" in the IKE profile: the peer must start the tunnel.",
	 "Start the tunnel from the peer, or set negotiation = \"both\"; and give a real "
	 "remote-endpoint."},
	{MSG_FILTER_DROP, "filter-set-drop", "IKE", "filter set drop", true,
	 "A filter set rule dropped IKE or IPsec traffic.",
	 "A filter set applied to the WAN denies UDP 500/4500 or protocol 50/51.",
	 "Allow UDP 500 (and 4500) and protocols 50 and 51 in the filter set; the evidence names the "
	 "rule and its line."},
};

const struct ikg_msg_info *ikg_msg_info(enum ikg_msg code)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (catalogue[i].code == code)
			return &catalogue[i];
	return NULL;
}

const struct ikg_msg_info *ikg_msg_by_slug(const char *slug)
{
	for (size_t i = 0; slug && i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].slug, slug) == 0)
			return &catalogue[i];
	return NULL;
}
