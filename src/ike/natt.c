/* NAT traversal (RFC 3947; draft-ietf-ipsec-nat-t-ike-02 payload numbers as a fallback): NAT-D
 * payloads in main mode messages 3/4 (aggressive 2/3), floating to UDP 4500 with the non-ESP
 * marker from message 5 on, UDP-encapsulated tunnel mode in quick mode, following a peer whose
 * NATed address/port changes, and NAT keepalives (RFC 3948 4) when we are behind the NAT. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "ike/exchange.h"

enum { ENCAP_TUNNEL = 1, ENCAP_UDP_TUNNEL = 3, ENCAP_UDP_TUNNEL_DRAFT = 61443 };

bool natt_wanted(const struct ike_engine *e, size_t profile)
{
	const struct cfg_ike_profile *ip = prof_ike(e, profile);

	if (!ip || profile >= e->cfg->n_ipsec)
		return ip ? ip->nat_traversal : false;
	return ip->nat_traversal && e->cfg->ipsec[profile].encapsulation != IKG_ENCAP_NONE;
}

static bool forced(const struct ike_engine *e, const struct ike_sa *sa)
{
	return sa->profile < e->cfg->n_ipsec &&
	       e->cfg->ipsec[sa->profile].encapsulation == IKG_ENCAP_UDP;
}

/* HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash. */
static size_t natd_hash(const struct ike_sa *sa, const uint8_t *icky, const uint8_t *rcky,
			ikg_ip4 ip, uint16_t port, uint8_t *out)
{
	uint8_t a[6] = {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip,
			(uint8_t)(port >> 8), (uint8_t)port};
	struct ikg_bytes parts[3] = {{icky, 8}, {rcky, 8}, {a, 6}};

	if (ikg_digest(sa->hash, parts, 3, out) != 0)
		return 0;
	return ikg_hash_len(sa->hash);
}

static uint8_t natd_type(const struct ike_sa *sa)
{
	return sa->natt == NATT_RFC ? PL_NATD : PL_NATD_DRAFT;
}

void natt_put_natd(struct ike_engine *e, const struct ike_sa *sa, struct isakmp_builder *b)
{
	uint8_t h[IKG_MAX_HASH];
	size_t n;

	(void)e;
	if (sa->natt == NATT_NONE)
		return;
	/* first the destination (the peer as we address it), then our source */
	n = natd_hash(sa, sa->icookie, sa->rcookie, sa->peer, sa->peer_port, h);
	if (n)
		isakmp_put_raw(b, natd_type(sa), h, n);
	n = natd_hash(sa, sa->icookie, sa->rcookie, sa->local, sa->local_port, h);
	if (n)
		isakmp_put_raw(b, natd_type(sa), h, n);
}

void natt_process(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t me[IKG_MAX_HASH], them[IKG_MAX_HASH];
	bool dst_seen = false, src_seen = false, dst_ok = false, src_ok = false;

	(void)e;
	if (sa->natt == NATT_NONE)
		return;
	ikg_ip4 dst = m->dst ? m->dst : sa->local;   /* a wildcard socket may not know it */
	size_t n = natd_hash(sa, m->h.icookie, m->h.rcookie, dst, m->dport, me);
	if (!n || natd_hash(sa, m->h.icookie, m->h.rcookie, m->src, m->sport, them) != n)
		return;
	for (size_t i = 0; i < m->c.n; i++) {
		const struct isakmp_payload *pl = &m->c.pl[i];
		if (pl->type != PL_NATD && pl->type != PL_NATD_DRAFT)
			continue;
		bool eq_me = pl->body.len == n && memcmp(pl->body.p, me, n) == 0;
		bool eq_them = pl->body.len == n && memcmp(pl->body.p, them, n) == 0;
		if (!dst_seen) {
			dst_seen = true;
			dst_ok = eq_me;
		} else {
			src_seen = true;
			src_ok = src_ok || eq_them;
		}
	}
	if (dst_seen && src_seen) {
		sa->nat_here = !dst_ok;
		sa->nat_there = !src_ok;
	}
}

void natt_decide(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	char peer[IKG_IP4_STRLEN];
	bool nat = sa->nat_here || sa->nat_there;

	if (sa->natt == NATT_NONE || !(nat || forced(e, sa)))
		return;
	if (sa->initiator && !sa->floated) {
		sa->floated = true;
		sa->local_port = 4500;
		sa->peer_port = 4500;
	}
	if (!sa->nat_logged) {
		sa->nat_logged = true;
		ikg_ip4_str(sa->peer, peer);
		ike_event(e, now, MSG_NAT_DETECTED, sa->peer, sa->profile,
			  "peer=%s; nat=%s; nat-t=%s; action=IKE on UDP 4500, ESP in UDP (RFC 3948)",
			  peer,
			  !nat ? "none detected, UDP encapsulation forced by the profile"
			  : sa->nat_here && sa->nat_there ? "both sides are behind a NAT"
			  : sa->nat_here ? "we are behind a NAT" : "the peer is behind a NAT",
			  sa->natt == NATT_RFC ? "RFC 3947" : "draft-02");
	}
	if (sa->nat_here && sa->keepalive_at == IKG_MS_NEVER)
		sa->keepalive_at = now + IKE_KEEPALIVE_MS;
}

uint16_t natt_encap_mode(const struct ike_sa *sa)
{
	if (!sa->floated || sa->natt == NATT_NONE)
		return ENCAP_TUNNEL;
	return sa->natt == NATT_RFC ? ENCAP_UDP_TUNNEL : ENCAP_UDP_TUNNEL_DRAFT;
}

bool natt_encap_is_udp(uint16_t mode)
{
	return mode == ENCAP_UDP_TUNNEL || mode == ENCAP_UDP_TUNNEL_DRAFT;
}

void natt_follow_peer(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	char from[IKG_IP4_STRLEN], to[IKG_IP4_STRLEN];
	bool was_floated = sa->floated;

	if (m->dport == 4500 && sa->local_port != 4500) {
		sa->floated = true;
		sa->local_port = 4500;
		if (sa->natt == NATT_NONE)
			sa->natt = NATT_RFC;         /* the peer floated: it speaks NAT-T */
	}
	if (m->src == sa->peer && m->sport == sa->peer_port)
		return;
	bool moved = m->src != sa->peer || (was_floated && sa->state == P1_ESTABLISHED);
	if (moved)
		ike_event(e, m->now, MSG_PEER_MOVED, m->src, sa->profile,
			  "old=%s:%u; new=%s:%u; reason=authenticated message from a new address or "
			  "port (NAT mapping changed)",
			  ikg_ip4_str(sa->peer, from), sa->peer_port, ikg_ip4_str(m->src, to), m->sport);
	ikg_ip4 old_peer = sa->peer;
	sa->peer = m->src;
	sa->peer_port = m->sport;
	/* The data plane follows the peer's new NAT binding from its authenticated ESP packets
	 * (RFC 3948); here the child records only keep the address for deletes and views. */
	for (struct ike_child_sa *c = e->children; moved && c; c = c->next)
		if (!c->dead && c->peer == old_peer)
			c->peer = m->src;
}

void natt_keepalive_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now)
{
	static const uint8_t keepalive = 0xff;

	if (sa->keepalive_at > now)
		return;
	if (!sa->floated || !sa->nat_here) {
		sa->keepalive_at = IKG_MS_NEVER;
		return;
	}
	e->ops.send(e->ops.ctx, sa->local, 4500, sa->peer, sa->peer_port, &keepalive, 1);
	sa->keepalive_at = now + IKE_KEEPALIVE_MS;
}
