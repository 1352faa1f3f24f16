/* Filter sets and their hit counters, text and JSON. */
#include "view/filter_view.h"

#include <stdio.h>

#include "common/addr.h"

#define RANGE_STR 40
#define PORT_STR 16
#define PORT_MAX 65535

static bool range_any(const struct ikg_range *r)
{
	return r->lo == 0 && r->hi == UINT32_MAX;
}

static const char *range_text(const struct ikg_range *r, char *buf, size_t len)
{
	if (range_any(r)) {
		snprintf(buf, len, "any");
		return buf;
	}
	return ikg_range_str(r, buf, len);
}

static const char *ports_text(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == 0 && hi == PORT_MAX)
		snprintf(buf, len, "any");
	else if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
	return buf;
}

/* Upper case for the text view ("UDP", "any"), lower case for JSON ("udp", "any"). */
static const char *proto_text(uint8_t proto, bool upper, char *buf, size_t len)
{
	static const struct {
		uint8_t num;
		const char *upper, *lower;
	} names[] = {
		{0, "any", "any"}, {1, "ICMP", "icmp"}, {6, "TCP", "tcp"},
		{17, "UDP", "udp"}, {50, "ESP", "esp"}, {51, "AH", "ah"},
	};

	for (size_t i = 0; i < IKG_ARRAY_LEN(names); i++)
		if (names[i].num == proto)
			return upper ? names[i].upper : names[i].lower;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static uint64_t rule_hits(const struct filter_state *st, size_t i)
{
	return st ? st->hits[i] : 0;
}

static size_t rule_count(const struct cfg_filter_set *s)
{
	return s->n_rules < IKG_MAX_RULES ? s->n_rules : IKG_MAX_RULES;
}

static void render_set(const struct cfg_filter_set *s, const struct filter_state *st,
		       struct strbuf *out)
{
	char src[RANGE_STR], dst[RANGE_STR], sp[PORT_STR], dp[PORT_STR], pr[8];

	sb_printf(out, "Filter set: %s (apply %s)\n", s->name, filter_apply_name(s->apply));
	sb_puts(out, "  #  Action  Prot  Source              Src Ports    Destination         "
		     "Dst Ports     Hits\n");
	for (size_t i = 0; i < rule_count(s); i++) {
		const struct cfg_filter_rule *r = &s->rules[i];

		sb_printf(out, "%3zu  %-7s %-5s %-19s %-12s %-19s %-12s %5llu\n", i + 1,
			  filter_action_name(r->action), proto_text(r->protocol, true, pr, sizeof(pr)),
			  range_text(&r->src, src, sizeof(src)),
			  ports_text(r->src_port_lo, r->src_port_hi, sp, sizeof(sp)),
			  range_text(&r->dst, dst, sizeof(dst)),
			  ports_text(r->dst_port_lo, r->dst_port_hi, dp, sizeof(dp)),
			  (unsigned long long)rule_hits(st, i));
	}
	sb_printf(out, "     %-79s %5llu\n", "no match: permit",
		  (unsigned long long)(st ? st->default_hits : 0));
}

void filter_view_render(const struct cfg_filter_set *sets, const struct filter_state *states,
			size_t n, struct strbuf *out)
{
	if (n == 0) {
		sb_puts(out, "No filter sets configured.\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(out, "\n");
		render_set(&sets[i], states ? &states[i] : NULL, out);
	}
}

static void json_rule(const struct cfg_filter_rule *r, size_t i, uint64_t hits,
		      struct strbuf *out)
{
	char buf[RANGE_STR], pr[8];

	sb_printf(out, "{\"index\":%zu,\"action\":\"%s\",\"protocol\":", i + 1,
		  filter_action_name(r->action));
	sb_json_str(out, proto_text(r->protocol, false, pr, sizeof(pr)));
	sb_puts(out, ",\"src\":");
	sb_json_str(out, range_text(&r->src, buf, sizeof(buf)));
	sb_printf(out, ",\"src_ports\":[%u,%u],\"dst\":", r->src_port_lo, r->src_port_hi);
	sb_json_str(out, range_text(&r->dst, buf, sizeof(buf)));
	sb_printf(out, ",\"dst_ports\":[%u,%u],\"hits\":%llu}", r->dst_port_lo, r->dst_port_hi,
		  (unsigned long long)hits);
}

static void json_set(const struct cfg_filter_set *s, const struct filter_state *st,
		     struct strbuf *out)
{
	sb_puts(out, "{\"name\":");
	sb_json_str(out, s->name);
	sb_printf(out, ",\"apply\":\"%s\",\"rules\":[", filter_apply_name(s->apply));
	for (size_t i = 0; i < rule_count(s); i++) {
		if (i > 0)
			sb_puts(out, ",");
		json_rule(&s->rules[i], i, rule_hits(st, i), out);
	}
	sb_printf(out, "],\"default_action\":\"permit\",\"default_hits\":%llu}",
		  (unsigned long long)(st ? st->default_hits : 0));
}

void filter_view_json(const struct cfg_filter_set *sets, const struct filter_state *states,
		      size_t n, struct strbuf *out)
{
	sb_puts(out, "{\"filter_sets\":[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(out, ",");
		json_set(&sets[i], states ? &states[i] : NULL, out);
	}
	sb_puts(out, "]}\n");
}
