/* VPN Quick View (`show vpn`): one row per committed profile, up or not. */
#include "common/addr.h"
#include "gw/gw_internal.h"
#include "view/views.h"

static const char *phase_name(enum gw_phase_state s)
{
	switch (s) {
	case GW_UP: return "up";
	case GW_NEGOTIATING: return "negotiating";
	default: return "down";
	}
}

static void quick_text_row(struct strbuf *out, const struct gw_profile_status *st, bool discards)
{
	char peer[IKG_IP4_STRLEN] = "-";
	if (st->peer)
		ikg_ip4_str(st->peer, peer);
	sb_printf(out, "%-16s %-18s %-15s %-11s %-11s %10llu %10llu %11llu%s\n", st->name,
		  st->remote_endpoint, peer, phase_name(st->ph1), phase_name(st->ph2),
		  (unsigned long long)st->counters.tx_packets,
		  (unsigned long long)st->counters.rx_packets,
		  (unsigned long long)st->counters.rx_discards, st->enabled ? "" : "  (disabled)");
	if (!discards)
		return;
	for (int r = 0; r < RXD__COUNT; r++)
		sb_printf(out, "    %-17s %10llu  %s\n", rx_discard_name((enum rx_discard)r),
			  (unsigned long long)st->counters.discards[r],
			  rx_discard_text((enum rx_discard)r));
}

static void quick_json_row(struct strbuf *out, const struct gw_profile_status *st)
{
	char peer[IKG_IP4_STRLEN];
	sb_puts(out, "{\"name\":");
	sb_json_str(out, st->name);
	sb_puts(out, ",\"remote_endpoint\":");
	sb_json_str(out, st->remote_endpoint);
	sb_puts(out, ",\"peer\":");
	if (st->peer)
		sb_json_str(out, ikg_ip4_str(st->peer, peer));
	else
		sb_puts(out, "null");
	sb_printf(out,
		  ",\"enabled\":%s,\"phase1\":\"%s\",\"phase2\":\"%s\",\"nat_t\":%s,"
		  "\"tx_packets\":%llu,\"tx_bytes\":%llu,\"rx_packets\":%llu,\"rx_bytes\":%llu,"
		  "\"rx_discards\":%llu,\"discards\":{",
		  st->enabled ? "true" : "false", phase_name(st->ph1), phase_name(st->ph2),
		  st->nat_t ? "true" : "false", (unsigned long long)st->counters.tx_packets,
		  (unsigned long long)st->counters.tx_bytes,
		  (unsigned long long)st->counters.rx_packets,
		  (unsigned long long)st->counters.rx_bytes,
		  (unsigned long long)st->counters.rx_discards);
	for (int r = 0; r < RXD__COUNT; r++)
		sb_printf(out, "%s\"%s\":%llu", r ? "," : "", rx_discard_name((enum rx_discard)r),
			  (unsigned long long)st->counters.discards[r]);
	sb_printf(out, "},\"tx_queued\":%llu,\"tx_dropped\":%llu}",
		  (unsigned long long)st->counters.tx_queued,
		  (unsigned long long)st->counters.tx_queue_dropped);
}

void view_quick(const struct gw *g, bool discards, bool json, struct strbuf *out)
{
	size_t n = gw_profile_count(g);
	struct gw_profile_status st;
	if (json) {
		sb_puts(out, "{\"profiles\":[");
		for (size_t i = 0; i < n; i++) {
			if (gw_profile_status(g, i, &st) == 0) {
				if (i)
					sb_puts(out, ",");
				quick_json_row(out, &st);
			}
		}
		sb_puts(out, "]}\n");
		return;
	}
	sb_puts(out, "VPN Quick View\n");
	sb_printf(out, "%-16s %-18s %-15s %-11s %-11s %10s %10s %11s\n", "Profile", "Remote Endpoint",
		  "Peer", "Phase 1", "Phase 2", "Tx Pkts", "Rx Pkts", "Rx Discards");
	for (size_t i = 0; i < n; i++)
		if (gw_profile_status(g, i, &st) == 0)
			quick_text_row(out, &st, discards);
	if (n == 0)
		sb_puts(out, "(no IPsec profiles configured)\n");
}
