/* Shared helpers of the troubleshooter tests: hand-built facts, run, look at findings. */
#ifndef IKG_DIAG_TEST_H
#define IKG_DIAG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/addr.h"
#include "diag/facts.h"
#include "diag/render.h"
#include "diag/rules.h"

struct fx {
	struct diag_facts f;
	struct diag_findings l;
	struct diag_profile_facts *p;   /* "branch" */
};

static inline ikg_ip4 ip(const char *s)
{
	ikg_ip4 a = 0;
	assert_int_equal(ikg_ip4_parse(s, &a), 0);
	return a;
}

/* A gateway 192.0.2.1 with one profile "branch" to 192.0.2.2: 3des-sha1-modp1024 main mode,
 * esp-aes128-sha1 with PFS group 2, 10.1.1.0/24 <-> 10.2.2.0/24, nothing negotiated yet. */
static inline void fx_profile_defaults(struct diag_profile_facts *p, const char *rte)
{
	snprintf(p->remote_endpoint, sizeof p->remote_endpoint, "%s", rte);
	p->remote_ip = ip(rte);
	snprintf(p->ike_profile, sizeof p->ike_profile, "office");
	snprintf(p->ph1_proposal, sizeof p->ph1_proposal, "3des-sha1-modp1024");
	p->protocol = IKG_PROTO_ESP;
	p->encryption = IKG_ESP_AES128;
	p->integrity = IKG_INTEG_SHA1;
	p->pfs_group = 2;
	snprintf(p->ph2_proposal, sizeof p->ph2_proposal, "esp-aes128-sha1-modp1024");
	p->nat_traversal = true;
	snprintf(p->local_members, sizeof p->local_members, "10.1.1.0/24");
	snprintf(p->remote_members, sizeof p->remote_members, "10.2.2.0/24");
}

static inline int fx_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	diag_facts_init(&x->f);
	diag_findings_init(&x->l);
	x->f.now = 100000;
	x->f.wan_address = ip("192.0.2.1");
	snprintf(x->f.ike_names[0], IKG_NAME_MAX, "office");
	x->f.n_ike_names = 1;
	snprintf(x->f.endpoints, sizeof x->f.endpoints, "branch=192.0.2.2");
	x->p = diag_facts_add_profile(&x->f, "branch");
	assert_non_null(x->p);
	fx_profile_defaults(x->p, "192.0.2.2");
	*state = x;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *x = *state;
	diag_findings_free(&x->l);
	diag_facts_free(&x->f);
	free(x);
	return 0;
}

/* Records an event of the profile (or, p NULL, a gateway-wide one). */
static inline void fx_event(struct fx *x, struct diag_profile_facts *p, enum ikg_msg code,
			    ikg_ms when, const char *peer, const char *evidence)
{
	struct ikg_event ev;
	ikg_event_make(&ev, when, code, p ? p->name : NULL, peer ? ip(peer) : 0, "%s", evidence);
	diag_event_note(p ? &p->ev[code] : &x->f.gw_ev[code], &ev);
}

static inline const struct diag_finding *fx_run(struct fx *x, const char *profile)
{
	diag_findings_free(&x->l);
	assert_int_equal(diag_run(&x->f, profile, &x->l), 0);
	assert_true(x->l.n > 0);
	return &x->l.v[0];
}

static inline const struct diag_finding *fx_find(const struct fx *x, const char *id)
{
	for (size_t i = 0; i < x->l.n; i++)
		if (strcmp(x->l.v[i].id, id) == 0)
			return &x->l.v[i];
	return NULL;
}

#define assert_contains(hay, needle)                                                          \
	do {                                                                                  \
		if (!strstr((hay), (needle)))                                                 \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));         \
	} while (0)

#define assert_prefix(s, prefix)                                                              \
	do {                                                                                  \
		if (strncmp((s), (prefix), strlen(prefix)) != 0)                              \
			fail_msg("\"%s\" does not start with \"%s\"", (s), (prefix));       \
	} while (0)

#endif
