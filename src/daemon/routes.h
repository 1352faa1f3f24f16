/* The routes that steer LAN traffic into the TUN device: one per CIDR block of every enabled
 * profile's remote member ranges. */
#ifndef IKG_ROUTES_H
#define IKG_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/types.h"

struct gw;
struct nl;

struct route {
	ikg_ip4 dst;
	uint8_t plen;
};

struct route_set {
	struct route *v;
	size_t n, cap;
};

void route_set_free(struct route_set *s);
bool route_set_has(const struct route_set *s, ikg_ip4 dst, uint8_t plen);
/* Adds the CIDR blocks covering r (0.0.0.0/0 becomes two /1 so the default route stays).
 * 0, or -1 on allocation failure. */
int route_set_add_range(struct route_set *s, const struct ikg_range *r);
/* The routes the gateway's enabled profiles want. */
int route_set_for_gw(struct route_set *s, const struct gw *g);
/* Makes the kernel match want: deletes what is installed but not wanted, adds the rest.
 * installed becomes want (want is emptied). Returns the number of failed requests. */
int routes_apply(struct route_set *installed, struct route_set *want, struct nl *nl,
		 int ifindex);

#endif
