/* Route set computation and its application through rtnetlink (routes.h). */
#include "daemon/routes.h"

#include <string.h>

#include "common/addr.h"
#include "daemon/dlog.h"
#include "daemon/netlink.h"
#include "gw/gw.h"

int route_set_for_gw(struct route_set *s, const struct gw *g)
{
	const struct ikg_config *cfg = gw_config(g);
	size_t n = gw_profile_count(g);
	for (size_t i = 0; i < n; i++) {
		struct gw_profile_status st;
		if (gw_profile_status(g, i, &st) < 0 || !st.enabled)
			continue;
		const struct cfg_ipsec_profile *p = ikg_config_ipsec(cfg, st.name);
		if (!p)
			continue;
		for (size_t m = 0; m < p->n_remote; m++)
			if (route_set_add_range(s, &p->remote_members[m]) < 0)
				return -1;
	}
	return 0;
}

int routes_apply(struct route_set *installed, struct route_set *want, struct nl *nl,
		 int ifindex)
{
	char ip[IKG_IP4_STRLEN];
	int failed = 0;

	for (size_t i = 0; i < installed->n; i++) {
		const struct route *r = &installed->v[i];
		if (route_set_has(want, r->dst, r->plen))
			continue;
		int rc = nl_route_delete(nl, r->dst, r->plen, ifindex);
		if (rc < 0) {
			dlog("cannot delete route %s/%u: %s", ikg_ip4_str(r->dst, ip), r->plen,
			     strerror(-rc));
			failed++;
		}
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct route *r = &want->v[i];
		if (route_set_has(installed, r->dst, r->plen))
			continue;
		int rc = nl_route_replace(nl, r->dst, r->plen, ifindex);
		if (rc < 0) {
			dlog("cannot add route %s/%u into the tunnel device: %s",
			     ikg_ip4_str(r->dst, ip), r->plen, strerror(-rc));
			failed++;
		}
	}
	route_set_free(installed);
	*installed = *want;
	memset(want, 0, sizeof(*want));
	return failed;
}
