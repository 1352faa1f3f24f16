/* Which profile applies: the responder picks the phase-1 profile by the peer's address (the
 * technote's "no matching phase1 profile" when none) and the phase-2 profile by the peer's
 * quick-mode identities. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/secret.h"
#include "ike/exchange.h"

size_t prof_ike_index(const struct ike_engine *e, size_t ipsec_profile)
{
	const struct ikg_config *c = e->cfg;

	if (ipsec_profile >= c->n_ipsec)
		return SIZE_MAX;
	const char *name = c->ipsec[ipsec_profile].ike_profile;
	if (!name[0])
		return SIZE_MAX;
	for (size_t i = 0; i < c->n_ike; i++)
		if (strcmp(c->ike[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

const struct cfg_ike_profile *prof_ike(const struct ike_engine *e, size_t ipsec_profile)
{
	size_t i = prof_ike_index(e, ipsec_profile);

	return i == SIZE_MAX ? NULL : &e->cfg->ike[i];
}

ikg_ip4 prof_remote(const struct ike_engine *e, size_t profile)
{
	if (profile >= e->cfg->n_ipsec)
		return 0;
	const struct cfg_ipsec_profile *p = &e->cfg->ipsec[profile];
	if (p->remote_is_hostname)
		return profile < e->n_prof ? e->prof[profile].peer : 0;
	return p->remote_ip;
}

static bool usable(const struct ike_engine *e, size_t i)
{
	return e->cfg->ipsec[i].enabled && prof_ike(e, i) != NULL;
}

size_t prof_for_peer(const struct ike_engine *e, ikg_ip4 peer, bool *initiate_only)
{
	const struct ikg_config *c = e->cfg;

	*initiate_only = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->n_ipsec; i++) {
			if (!usable(e, i))
				continue;
			const struct cfg_ipsec_profile *p = &c->ipsec[i];
			bool any = !p->remote_is_hostname && p->remote_ip == 0;
			if (pass == 0 ? (any || prof_remote(e, i) != peer) : !any)
				continue;
			if (prof_ike(e, i)->negotiation == IKG_NEG_INITIATE_ONLY) {
				*initiate_only = true;
				continue;
			}
			*initiate_only = false;
			return i;
		}
	}
	return SIZE_MAX;
}

void prof_endpoints_text(const struct ike_engine *e, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < e->cfg->n_ipsec && used + 1 < len; i++) {
		const struct cfg_ipsec_profile *p = &e->cfg->ipsec[i];
		int n = snprintf(buf + used, len - used, "%s%s (%s%s)", used ? ", " : "",
				 p->remote_endpoint[0] ? p->remote_endpoint : "?", p->name,
				 p->enabled ? "" : ", disabled");
		if (n < 0)
			break;
		used += (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
	if (len && !buf[0])
		snprintf(buf, len, "none");
}

static bool covered(const struct ikg_range *members, size_t n, struct ikg_range r)
{
	for (size_t i = 0; i < n; i++)
		if (r.lo >= members[i].lo && r.hi <= members[i].hi)
			return true;
	return false;
}

size_t prof_for_ids(const struct ike_engine *e, const struct ike_sa *sa, struct ikg_range idci,
		    struct ikg_range idcr, bool *any_candidate)
{
	const struct ikg_config *c = e->cfg;

	*any_candidate = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->n_ipsec; i++) {
			if (!usable(e, i) || prof_ike_index(e, i) != sa->ike_profile)
				continue;
			const struct cfg_ipsec_profile *p = &c->ipsec[i];
			bool any = !p->remote_is_hostname && p->remote_ip == 0;
			/* pass 0: profiles naming this peer, and the SA's own; pass 1: 0.0.0.0 */
			bool exact = prof_remote(e, i) == sa->peer || i == sa->profile;
			if (pass == 0 ? !exact : (!any || exact))
				continue;
			*any_candidate = true;
			if (covered(p->remote_members, p->n_remote, idci) &&
			    covered(p->local_members, p->n_local, idcr))
				return i;
		}
	}
	return SIZE_MAX;
}

void prof_fingerprint(const struct ikg_config *c, size_t i, uint8_t out[32])
{
	const struct cfg_ipsec_profile *p = &c->ipsec[i];
	const struct cfg_ike_profile *ip = NULL;
	struct ikg_bytes parts[24];
	size_t n = 0;
	uint8_t h[IKG_MAX_HASH];

#define PART(ptr, len) (parts[n++] = (struct ikg_bytes){(const uint8_t *)(ptr), (len)})
	for (size_t k = 0; k < c->n_ike; k++)
		if (strcmp(c->ike[k].name, p->ike_profile) == 0)
			ip = &c->ike[k];
	PART(p->remote_endpoint, strlen(p->remote_endpoint));
	PART(&p->remote_ip, sizeof p->remote_ip);
	PART(&p->n_local, sizeof p->n_local);
	PART(p->local_members, p->n_local * sizeof p->local_members[0]);
	PART(&p->n_remote, sizeof p->n_remote);
	PART(p->remote_members, p->n_remote * sizeof p->remote_members[0]);
	PART(p->ike_profile, strlen(p->ike_profile) + 1);
	PART(&p->protocol, sizeof p->protocol);
	PART(&p->encryption, sizeof p->encryption);
	PART(&p->integrity, sizeof p->integrity);
	PART(&p->pfs_group, sizeof p->pfs_group);
	PART(&p->lifetime, sizeof p->lifetime);
	PART(&p->enabled, sizeof p->enabled);
	PART(&p->encapsulation, sizeof p->encapsulation);
	if (ip) {
		PART(&ip->mode, sizeof ip->mode);
		PART(&ip->encryption, sizeof ip->encryption);
		PART(&ip->hash, sizeof ip->hash);
		PART(&ip->dh_group, sizeof ip->dh_group);
		PART(&ip->lifetime, sizeof ip->lifetime);
		PART(ip->secret.p, ip->secret.len);
		PART(&ip->negotiation, sizeof ip->negotiation);
		PART(ip->local_id, strlen(ip->local_id) + 1);
		PART(ip->remote_id, strlen(ip->remote_id) + 1);
		PART(&ip->nat_traversal, sizeof ip->nat_traversal);
	}
#undef PART
	if (ikg_digest(IKG_HASH_SHA256, parts, n, h) != 0)
		memset(h, 0xff, sizeof h);          /* never equal to a real digest by chance */
	memcpy(out, h, 32);
	ikg_wipe(h, sizeof h);
}
