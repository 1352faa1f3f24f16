#include "ipsec/spd.h"

#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "wire/ipv4.h"

static void entry_from_profile(struct spd_entry *e, size_t index,
			       const struct cfg_ipsec_profile *p)
{
	e->profile = index;
	e->enabled = p->enabled;
	e->n_local = p->n_local < IKG_MAX_MEMBERS ? p->n_local : IKG_MAX_MEMBERS;
	e->n_remote = p->n_remote < IKG_MAX_MEMBERS ? p->n_remote : IKG_MAX_MEMBERS;
	memcpy(e->local, p->local_members, e->n_local * sizeof(e->local[0]));
	memcpy(e->remote, p->remote_members, e->n_remote * sizeof(e->remote[0]));
}

int ipsec_spd_build(struct ipsec_spd *spd, const struct cfg_ipsec_profile *profiles, size_t n)
{
	*spd = (struct ipsec_spd){0};
	if (n == 0)
		return 0;
	spd->v = calloc(n, sizeof(*spd->v));
	if (!spd->v)
		return -1;
	for (size_t i = 0; i < n; i++)
		entry_from_profile(&spd->v[i], i, &profiles[i]);
	spd->n = n;
	size_t cap = 1024;
	while (cap < 2 * n && cap < 65536)
		cap *= 2;
	spd->cache = calloc(cap, sizeof(*spd->cache));
	if (!spd->cache) {
		free(spd->v);
		*spd = (struct ipsec_spd){0};
		return -1;
	}
	spd->cache_mask = cap - 1;
	spd->gen = 1;
	return 0;
}

void ipsec_spd_free(struct ipsec_spd *spd)
{
	free(spd->v);
	free(spd->cache);
	*spd = (struct ipsec_spd){0};
}

static struct spd_entry *entry_of(const struct ipsec_spd *spd, size_t profile)
{
	/* Entries are built in profile order, so the index is the position. */
	return profile < spd->n ? &spd->v[profile] : NULL;
}

void ipsec_spd_set_enabled(struct ipsec_spd *spd, size_t profile, bool enabled)
{
	struct spd_entry *e = entry_of(spd, profile);
	if (e)
		e->enabled = enabled;
	if (++spd->gen == 0)   /* every cached answer is stale now */
		spd->gen = 1;
}

static int spd_scan(const struct ipsec_spd *spd, ikg_ip4 src, ikg_ip4 dst, size_t *profile)
{
	for (size_t i = 0; i < spd->n; i++) {
		const struct spd_entry *e = &spd->v[i];
		if (e->enabled && ikg_ranges_contain(e->local, e->n_local, src) &&
		    ikg_ranges_contain(e->remote, e->n_remote, dst)) {
			*profile = e->profile;
			return 0;
		}
	}
	return -1;
}

int ipsec_spd_lookup(const struct ipsec_spd *spd, ikg_ip4 src, ikg_ip4 dst, size_t *profile)
{
	if (!spd->cache)
		return spd_scan(spd, src, dst, profile);
	uint64_t h = (uint64_t)src << 32 | dst;             /* splitmix64's finalizer */
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	struct spd_cache_entry *c = &spd->cache[h & spd->cache_mask];
	if (c->gen == spd->gen && c->src == src && c->dst == dst) {
		if (c->profile < 0)
			return -1;
		*profile = (size_t)c->profile;
		return 0;
	}
	size_t found = 0;
	int rc = spd_scan(spd, src, dst, &found);
	*c = (struct spd_cache_entry){src, dst, rc == 0 ? (int32_t)found : -1, spd->gen};
	if (rc == 0)
		*profile = found;
	return rc;
}

static int check_members(const struct ikg_range *local, size_t n_local,
			 const struct ikg_range *remote, size_t n_remote, ikg_ip4 src, ikg_ip4 dst,
			 enum rx_discard *why)
{
	if (!ikg_ranges_contain(remote, n_remote, src)) {
		*why = RXD_BAD_SOURCE;
		return -1;
	}
	if (!ikg_ranges_contain(local, n_local, dst)) {
		*why = RXD_BAD_DESTINATION;
		return -1;
	}
	return 0;
}

int ipsec_spd_check_inbound(const struct ipsec_spd *spd, size_t profile, ikg_ip4 src,
			    ikg_ip4 dst, enum rx_discard *why)
{
	const struct spd_entry *e = entry_of(spd, profile);
	if (!e) {
		*why = RXD_BAD_SOURCE;
		return -1;
	}
	return check_members(e->local, e->n_local, e->remote, e->n_remote, src, dst, why);
}

int ipsec_inbound_check(const struct cfg_ipsec_profile *p, ikg_ip4 src, ikg_ip4 dst,
			enum rx_discard *why)
{
	size_t nl = p->n_local < IKG_MAX_MEMBERS ? p->n_local : IKG_MAX_MEMBERS;
	size_t nr = p->n_remote < IKG_MAX_MEMBERS ? p->n_remote : IKG_MAX_MEMBERS;
	return check_members(p->local_members, nl, p->remote_members, nr, src, dst, why);
}

int ipsec_spd_check_inbound_pkt(const struct ipsec_spd *spd, size_t profile,
				const struct ikg_pkt *pkt, enum rx_discard *why)
{
	struct ipv4_view v;
	if (ipv4_parse(pkt->data + pkt->off, pkt->len, false, &v) != 0) {
		*why = RXD_ESP_AH_ERROR;
		return -1;
	}
	return ipsec_spd_check_inbound(spd, profile, v.src, v.dst, why);
}
