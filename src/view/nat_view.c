/* The NAT translation table in the technote's layout, and as JSON. */
#include "view/nat_view.h"

#include <stdio.h>

#include "common/addr.h"

#define IP_COL 15
#define PORT_COL 5
#define PROTO_UDP 17
#define PROTO_TCP 6
#define MS_PER_S 1000
#define S_PER_MIN 60
#define MIN_PER_H 60

static void pad(struct strbuf *out, size_t n)
{
	static const char blanks[] = "                ";

	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		sb_printf(out, "%.*s", (int)k, blanks);
		n -= k;
	}
}

/* " 10.0.0.2" / "204.152.184.72", left-aligned in IP_COL columns. */
static void put_ip(struct strbuf *out, ikg_ip4 a)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%3u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
			 (a >> 8) & 0xff, a & 0xff);

	sb_puts(out, s);
	if (n >= 0 && (size_t)n < IP_COL)
		pad(out, IP_COL - (size_t)n);
}

/* A port centred in PORT_COL columns, or blanks. */
static void put_port(struct strbuf *out, bool shown, uint16_t port)
{
	char s[8];
	size_t n = 0;

	if (shown) {
		int k = snprintf(s, sizeof(s), "%u", port);

		n = k > 0 ? (size_t)k : 0;
	}
	size_t left = (PORT_COL - n) / 2;

	pad(out, left);
	if (shown)
		sb_puts(out, s);
	pad(out, PORT_COL - n - left);
}

static bool has_remote_port(uint8_t proto)
{
	return proto == PROTO_UDP || proto == PROTO_TCP;
}

static ikg_ms age_ms(const struct nat_entry *e, ikg_ms now)
{
	return now > e->created ? now - e->created : 0;
}

static void put_row(struct strbuf *out, const struct nat_entry *e, ikg_ms now)
{
	bool ports = nat_proto_has_ports(e->proto);
	const char *pname = nat_proto_name(e->proto);
	char num[8];
	uint64_t minutes = age_ms(e, now) / (MS_PER_S * S_PER_MIN);

	if (!pname) {
		snprintf(num, sizeof(num), "%u", e->proto);
		pname = num;
	}
	put_ip(out, e->lan_ip);
	put_port(out, ports, e->lan_port);
	pad(out, 3);
	put_ip(out, e->wan_ip);
	put_port(out, ports, e->wan_port);
	pad(out, 1);
	put_ip(out, e->rem_ip);
	put_port(out, has_remote_port(e->proto), e->rem_port);
	sb_printf(out, " %-3s  %-3s %llu:%02llu\n", nat_dir_name(e->dir), pname,
		  (unsigned long long)(minutes / MIN_PER_H),
		  (unsigned long long)(minutes % MIN_PER_H));
}

void nat_view_render(const struct nat_table *t, ikg_ms now, struct strbuf *out)
{
	sb_puts(out, NAT_VIEW_HEADER "\n");
	for (const struct nat_entry *e = nat_table_first(t); e; e = nat_table_next(t, e))
		put_row(out, e, now);
	sb_printf(out, "\nTotal entries in NAT cache: %zu\n", nat_table_count(t));
}

static void json_port(struct strbuf *out, const char *name, bool shown, uint16_t port)
{
	if (shown)
		sb_printf(out, ",\"%s\":%u", name, port);
	else
		sb_printf(out, ",\"%s\":null", name);
}

static void json_ip(struct strbuf *out, const char *name, ikg_ip4 a, bool first)
{
	char s[IKG_IP4_STRLEN];

	sb_printf(out, "%s\"%s\":", first ? "" : ",", name);
	sb_json_str(out, ikg_ip4_str(a, s));
}

static void json_entry(struct strbuf *out, const struct nat_entry *e, ikg_ms now)
{
	bool ports = nat_proto_has_ports(e->proto);
	const char *pname = nat_proto_name(e->proto);
	ikg_ms exp = nat_entry_expires_at(e);
	uint64_t left_s = exp > now ? (exp - now) / MS_PER_S : 0;

	sb_puts(out, "{");
	json_ip(out, "lan_ip", e->lan_ip, true);
	json_port(out, "lan_port", ports, e->lan_port);
	json_ip(out, "wan_ip", e->wan_ip, false);
	json_port(out, "wan_port", ports, e->wan_port);
	json_ip(out, "rem_ip", e->rem_ip, false);
	json_port(out, "rem_port", has_remote_port(e->proto), e->rem_port);
	sb_printf(out, ",\"dir\":\"%s\",\"proto\":", nat_dir_name(e->dir));
	if (pname)
		sb_json_str(out, pname);
	else
		sb_printf(out, "\"%u\"", e->proto);
	sb_printf(out, ",\"age_s\":%llu,\"expires_in_s\":%llu}",
		  (unsigned long long)(age_ms(e, now) / MS_PER_S), (unsigned long long)left_s);
}

void nat_view_json(const struct nat_table *t, ikg_ms now, struct strbuf *out)
{
	bool first = true;

	sb_puts(out, "{\"entries\":[");
	for (const struct nat_entry *e = nat_table_first(t); e; e = nat_table_next(t, e)) {
		if (!first)
			sb_puts(out, ",");
		json_entry(out, e, now);
		first = false;
	}
	sb_printf(out, "],\"total\":%zu}\n", nat_table_count(t));
}
