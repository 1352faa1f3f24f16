/* Internal calls between the gateway's files. */
#ifndef IKG_GW_GLUE_H
#define IKG_GW_GLUE_H

#include "gw/gw_internal.h"

/* ike_glue.c */
struct ike_engine *gw_ike_new(struct gw *g);
/* Tears the profile's tunnel down (deletes to the peer, SAs removed, queue dropped). */
void gw_profile_down(struct gw *g, size_t i);

/* lan_input.c: brings profile i up (traffic or operator). 0, or -1 with *why. */
int gw_trigger(struct gw *g, size_t i, bool operator, const char **why);
/* Sends the packets queued while the tunnel came up. */
void gw_flush_queue(struct gw *g, size_t i);
/* Drops the profile's queued packets and gives its queue back to the pool. */
void gw_queue_release(struct gw *g, size_t i);

/* wan_output.c: every packet leaving on the WAN goes through here: the session table records
 * it, the wan-out filter sets may drop it. */
void gw_wan_output(struct gw *g, struct ikg_pkt *pkt);
/* The wan-in / wan-out filter sets; true when the packet may pass. */
bool gw_filter_pass(struct gw *g, enum cfg_apply dir, uint8_t proto, ikg_ip4 src,
		    uint16_t sport, ikg_ip4 dst, uint16_t dport);

#endif
