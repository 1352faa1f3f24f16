/* A small rtnetlink helper: bring a link up with an MTU, add/replace and delete IPv4 routes
 * through an interface. Synchronous: every request waits for the kernel's acknowledgement. */
#ifndef IKG_NETLINK_H
#define IKG_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/types.h"

struct nl {
	int fd;
	uint32_t seq;
};

/* 0 or -errno. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/* Sets the link up (or down) and, when mtu != 0, its MTU. 0 or -errno. */
int nl_link_set(struct nl *nl, int ifindex, bool up, unsigned mtu);
/* Adds (replacing any route to the same prefix) or deletes dst/plen through ifindex in the
 * main table. 0 or -errno (deleting a route that is gone is not an error). */
int nl_route_replace(struct nl *nl, ikg_ip4 dst, int plen, int ifindex);
int nl_route_delete(struct nl *nl, ikg_ip4 dst, int plen, int ifindex);

#endif
