/* Security Policy Database over the configured IPsec profiles (the technote's member ranges):
 * which profile protects a LAN packet (local members contain its source, remote members its
 * destination), and whether a decapsulated packet is allowed out of its tunnel. Built once from
 * the configuration; the lookup is behind one function so it can become a trie later. */
#ifndef IKG_IPSEC_SPD_H
#define IKG_IPSEC_SPD_H

#include "common/pkt.h"
#include "config/config.h"
#include "ipsec/counters.h"

struct spd_entry {
	size_t profile;                /* index into cfg->ipsec */
	bool enabled;
	struct ikg_range local[IKG_MAX_MEMBERS];
	size_t n_local;
	struct ikg_range remote[IKG_MAX_MEMBERS];
	size_t n_remote;
};

struct spd_cache_entry {
	ikg_ip4 src, dst;
	int32_t profile;               /* -1: no profile */
	uint32_t gen;                  /* 0: empty */
};

struct ipsec_spd {
	struct spd_entry *v;           /* in configuration order: the first match wins */
	size_t n;
	struct spd_cache_entry *cache; /* (src, dst) -> first match, valid while gen matches */
	size_t cache_mask;
	uint32_t gen;
};

/* Builds the SPD from the profiles (cfg->ipsec, cfg->n_ipsec); the profiles' enabled flags
 * are copied. 0, or -1 on allocation failure (spd is then empty). */
int ipsec_spd_build(struct ipsec_spd *spd, const struct cfg_ipsec_profile *profiles, size_t n);
void ipsec_spd_free(struct ipsec_spd *spd);
/* Operator enable/disable: a disabled profile matches no outbound traffic. */
void ipsec_spd_set_enabled(struct ipsec_spd *spd, size_t profile, bool enabled);

/* Outbound: the first enabled profile whose local members contain src and remote members
 * contain dst. 0 and *profile, or -1 (no profile: the packet is not for a tunnel). */
int ipsec_spd_lookup(const struct ipsec_spd *spd, ikg_ip4 src, ikg_ip4 dst, size_t *profile);

/* Inbound, after decapsulation through profile's SA: inner src must be in the remote members
 * (else RXD_BAD_SOURCE), inner dst in the local members (else RXD_BAD_DESTINATION). 0 or -1
 * with *why. An unknown profile index gives RXD_BAD_SOURCE. */
int ipsec_spd_check_inbound(const struct ipsec_spd *spd, size_t profile, ikg_ip4 src,
			    ikg_ip4 dst, enum rx_discard *why);
/* The same check against a profile directly. */
int ipsec_inbound_check(const struct cfg_ipsec_profile *p, ikg_ip4 src, ikg_ip4 dst,
			enum rx_discard *why);
/* The same check on the inner packet in pkt (as ipsec_*_decap leave it: an IPv4 packet whose
 * header has been verified). -1 with RXD_ESP_AH_ERROR if it is not IPv4. */
int ipsec_spd_check_inbound_pkt(const struct ipsec_spd *spd, size_t profile,
				const struct ikg_pkt *pkt, enum rx_discard *why);

#endif
