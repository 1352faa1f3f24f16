/* The views: text (or JSON) renderings of the gateway state for the show commands, the menu and
 * the lab. Each appends to out; nothing here does I/O. The daemon dispatches the control
 * commands of design.md §8 to these functions. */
#ifndef IKG_VIEWS_H
#define IKG_VIEWS_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "common/types.h"

struct gw;

/* VPN Quick View (`show vpn`): one row per installed profile; discards: per-reason Rx discard
 * counters. */
void view_quick(const struct gw *g, bool discards, bool json, struct strbuf *out);
/* WAN Event History (`show log`), oldest first, newest last. detail: each error line is
 * followed by its detail record (problem, causes, solution, evidence). In text mode every
 * history line starts at column 0 with its date; detail lines are indented (the menu relies
 * on this to attach a detail record to its line). */
void view_log(const struct gw *g, bool detail, bool json, struct strbuf *out);
/* NAT translations (`show ip nat translations`), the technote's columns; now gives h:mm. */
void view_nat(const struct gw *g, ikg_ms now, bool json, struct strbuf *out);
/* SA details (`show ike sa`, `show ipsec sa`): algorithms, lifetimes, SPIs; never keys. */
void view_ike_sa(const struct gw *g, bool json, struct strbuf *out);
void view_ipsec_sa(const struct gw *g, bool json, struct strbuf *out);
/* Troubleshooter (`diagnose [PROFILE]`): profile NULL = every profile. */
void view_diagnose(const struct gw *g, const char *profile, bool json, struct strbuf *out);
/* Filter sets and their hit counters (`show filter`). */
void view_filter(const struct gw *g, bool json, struct strbuf *out);

#endif
