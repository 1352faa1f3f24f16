/* `show filter`: every filter set, its rules in order with their hit counters. */
#ifndef IKG_FILTER_VIEW_H
#define IKG_FILTER_VIEW_H

#include "common/strbuf.h"
#include "config/config.h"
#include "nat/filter.h"

/* sets[0..n) with their counters states[0..n) (states NULL: all zero). Text:
 *
 *   Filter set: wan-in (apply wan-in)
 *     #  Action  Prot  Source              Src Ports    Destination         Dst Ports     Hits
 *     1  deny    UDP   any                 any          any                 500             12
 *     2  permit  ESP   10.0.0.0/24         any          10.0.0.2            any              1
 *        no match: permit                                                                    1
 *
 * Sets are separated by a blank line; "No filter sets configured." when n is 0. */
void filter_view_render(const struct cfg_filter_set *sets, const struct filter_state *states,
			size_t n, struct strbuf *out);

/* {"filter_sets":[{"name":"wan-in","apply":"wan-in","rules":[{"index":1,"action":"deny",
 *   "protocol":"udp","src":"any","src_ports":[0,65535],"dst":"any","dst_ports":[500,500],
 *   "hits":3}],"default_action":"permit","default_hits":0}]}  (docs/json-schema.md) */
void filter_view_json(const struct cfg_filter_set *sets, const struct filter_state *states,
		      size_t n, struct strbuf *out);

#endif
