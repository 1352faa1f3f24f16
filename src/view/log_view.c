/* WAN Event History (`show log`), oldest first, newest last, as the technote's screen. */
#include <stdio.h>

#include "common/addr.h"
#include "gw/gw_internal.h"
#include "log/history.h"
#include "view/views.h"

static void detail_text(struct strbuf *out, const struct ikg_event *ev)
{
	const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
	if (!mi || !mi->error)
		return;
	sb_printf(out, "      problem:  %s\n", mi->problem);
	sb_printf(out, "      causes:   %s\n", mi->causes);
	sb_printf(out, "      solution: %s\n", mi->solution);
	if (ev->evidence[0])
		sb_printf(out, "      evidence: %s\n", ev->evidence);
}

static void event_json(struct strbuf *out, const struct ikg_event *ev)
{
	const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
	char line[256], ts[32], peer[IKG_IP4_STRLEN];
	ikg_event_line(ev, line, sizeof(line));
	snprintf(ts, sizeof(ts), "%.17s", line);
	sb_printf(out, "{\"time\":\"%s\",\"timestamp_ms\":%llu,\"code\":%d,\"slug\":", ts,
		  (unsigned long long)ev->when, (int)ev->code);
	sb_json_str(out, mi ? mi->slug : "unknown");
	sb_puts(out, ",\"facility\":");
	sb_json_str(out, mi ? mi->facility : "");
	sb_puts(out, ",\"message\":");
	sb_json_str(out, ev->code == MSG_WAN_UP ? ev->text : (mi ? mi->text : ""));
	sb_puts(out, ",\"peer\":");
	if (ev->peer)
		sb_json_str(out, ikg_ip4_str(ev->peer, peer));
	else
		sb_puts(out, "null");
	sb_puts(out, ",\"profile\":");
	sb_json_str(out, ev->profile);
	sb_puts(out, ",\"line\":");
	sb_json_str(out, line);
	sb_printf(out, ",\"error\":%s,\"evidence\":", mi && mi->error ? "true" : "false");
	sb_json_str(out, ev->evidence);
	if (mi && mi->error) {
		sb_puts(out, ",\"problem\":");
		sb_json_str(out, mi->problem);
		sb_puts(out, ",\"causes\":");
		sb_json_str(out, mi->causes);
		sb_puts(out, ",\"solution\":");
		sb_json_str(out, mi->solution);
	}
	sb_puts(out, "}");
}

void view_log(const struct gw *g, bool detail, bool json, struct strbuf *out)
{
	const struct history *h = gw_history(g);
	size_t n = history_count(h);
	if (json) {
		sb_puts(out, "{\"events\":[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_puts(out, ",");
			event_json(out, history_get(h, i));
		}
		sb_puts(out, "]}\n");
		return;
	}
	char line[256];
	for (size_t i = 0; i < n; i++) {
		const struct ikg_event *ev = history_get(h, i);
		sb_printf(out, "%s\n", ikg_event_line(ev, line, sizeof(line)));
		if (detail)
			detail_text(out, ev);
	}
}
