/* The facts snapshot: construction helpers shared by diag_facts_from_gw and the tests. */
#include "diag/facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"

void diag_facts_init(struct diag_facts *f)
{
	memset(f, 0, sizeof(*f));
}

void diag_facts_free(struct diag_facts *f)
{
	free(f->prof);
	diag_facts_init(f);
}

struct diag_profile_facts *diag_facts_add_profile(struct diag_facts *f, const char *name)
{
	if (f->n_prof == f->cap_prof) {
		size_t cap = f->cap_prof ? f->cap_prof * 2 : 4;
		struct diag_profile_facts *v = realloc(f->prof, cap * sizeof(*v));
		if (!v)
			return NULL;
		f->prof = v;
		f->cap_prof = cap;
	}
	struct diag_profile_facts *p = &f->prof[f->n_prof++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof p->name, "%s", name ? name : "");
	p->enabled = true;
	p->protocol = IKG_PROTO_ESP;
	p->negotiated_pfs_group = -1;
	return p;
}

const struct diag_profile_facts *diag_facts_profile(const struct diag_facts *f, const char *name)
{
	for (size_t i = 0; name && i < f->n_prof; i++)
		if (strcmp(f->prof[i].name, name) == 0)
			return &f->prof[i];
	return NULL;
}

void diag_event_note(struct diag_event_facts *e, const struct ikg_event *ev)
{
	e->count++;
	if (e->count == 1 || ev->when >= e->last_when) {
		e->last_when = ev->when;
		e->last_peer = ev->peer;
		snprintf(e->last_evidence, sizeof e->last_evidence, "%s", ev->evidence);
	}
}

static const char *name_or(const char *name, const char *dflt)
{
	return name ? name : dflt;
}

static void members_text(const struct ikg_range *r, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && used < len; i++) {
		char one[48];
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 ikg_range_str(&r[i], one, sizeof one));
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

static void ph2_text(const struct cfg_ipsec_profile *c, char *buf, size_t len)
{
	char grp[24];
	snprintf(grp, sizeof grp, "%s", c->pfs_group ? name_or(ikg_dh_group_name(c->pfs_group), "group?")
						 : "nopfs");
	if (c->protocol == IKG_PROTO_AH) {
		snprintf(buf, len, "ah-%s-%s", name_or(ikg_integ_name(c->integrity), "?"), grp);
		return;
	}
	const char *enc = name_or(ikg_esp_enc_name(c->encryption), "?");
	if (c->integrity != IKG_INTEG_NONE)
		snprintf(buf, len, "esp-%s-%s-%s", enc, name_or(ikg_integ_name(c->integrity), "?"), grp);
	else
		snprintf(buf, len, "esp-%s-%s", enc, grp);
}

void diag_profile_from_config(struct diag_profile_facts *p, const struct ikg_config *cfg,
			      const struct cfg_ipsec_profile *c)
{
	snprintf(p->name, sizeof p->name, "%s", c->name);
	snprintf(p->remote_endpoint, sizeof p->remote_endpoint, "%s", c->remote_endpoint);
	p->remote_ip = c->remote_is_hostname ? 0 : c->remote_ip;
	p->remote_is_hostname = c->remote_is_hostname;
	p->enabled = c->enabled;
	snprintf(p->ike_profile, sizeof p->ike_profile, "%s", c->ike_profile);
	p->protocol = c->protocol;
	p->encryption = c->encryption;
	p->integrity = c->integrity;
	p->pfs_group = c->pfs_group;
	p->encapsulation = c->encapsulation;
	ph2_text(c, p->ph2_proposal, sizeof p->ph2_proposal);
	members_text(c->local_members, c->n_local, p->local_members, sizeof p->local_members);
	members_text(c->remote_members, c->n_remote, p->remote_members, sizeof p->remote_members);
	const struct cfg_ike_profile *ike = c->ike_profile[0] ? ikg_config_ike(cfg, c->ike_profile)
							     : NULL;
	p->ike_profile_missing = c->ike_profile[0] && !ike;
	if (!ike)
		return;
	p->negotiation = ike->negotiation;
	p->mode = ike->mode;
	p->nat_traversal = ike->nat_traversal;
	snprintf(p->remote_id, sizeof p->remote_id, "%s", ike->remote_id);
	snprintf(p->ph1_proposal, sizeof p->ph1_proposal, "%s-%s-%s",
		 name_or(ikg_cipher_name(ike->encryption), "?"), name_or(ikg_hash_name(ike->hash), "?"),
		 name_or(ikg_dh_group_name(ike->dh_group), "?"));
}

void diag_profile_add_blocker(struct diag_profile_facts *p, const struct diag_blocker *b)
{
	for (size_t i = 0; i < p->n_blockers; i++) {
		struct diag_blocker *o = &p->blockers[i];
		if (strcmp(o->where, b->where) == 0) {   /* same rule: merge what it blocks */
			o->blocks |= b->blocks;
			return;
		}
	}
	if (p->n_blockers < DIAG_MAX_BLOCKERS)
		p->blockers[p->n_blockers++] = *b;
}

unsigned diag_profile_traffic(const struct diag_profile_facts *p)
{
	unsigned t = DIAG_BLOCKS_IKE;
	bool udp = p->nat_t || p->encapsulation == IKG_ENCAP_UDP || p->ev[MSG_NAT_DETECTED].count;
	if (udp || p->nat_traversal)
		t |= DIAG_BLOCKS_NATT;
	if (!udp)
		t |= p->protocol == IKG_PROTO_AH ? DIAG_BLOCKS_AH : DIAG_BLOCKS_ESP;
	return t;
}
