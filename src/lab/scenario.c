/* The scenario parser: a line-based format (docs/lab.md). Every error names the file, the line
 * and what was expected. */
#include "lab/scenario.h"

#include "common/addr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 24

struct pstate {
	struct scenario *s;
	const char *src;
	int line;
	char *err;
	size_t err_len;
	ikg_ms last_at;
};

static int fail(struct pstate *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct pstate *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->err_len, "%s:%d: error: %s", p->src, p->line, msg);
	return -1;
}

/* Splits a line into words; "quoted strings" are one word. A '#' outside quotes ends it. */
static int tokenize(struct pstate *p, char *line, char **tok, size_t *n)
{
	*n = 0;
	char *c = line;
	while (*c) {
		while (isspace((unsigned char)*c))
			c++;
		if (!*c || *c == '#')
			break;
		if (*n >= MAX_TOK)
			return fail(p, "too many words on one line (at most %d)", MAX_TOK);
		if (*c == '"') {
			char *end = strchr(c + 1, '"');
			if (!end)
				return fail(p, "unterminated string (expected a closing '\"')");
			*end = '\0';
			tok[(*n)++] = c + 1;
			c = end + 1;
			continue;
		}
		tok[(*n)++] = c;
		while (*c && !isspace((unsigned char)*c))
			c++;
		if (*c)
			*c++ = '\0';
	}
	return 0;
}

/* Words joined by single spaces into buf, truncated to fit. */
static void join_words(char *buf, size_t len, char **words, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off + 1 < len; i++) {
		int k = snprintf(buf + off, len - off, "%s%s", i ? " " : "", words[i]);
		if (k < 0)
			break;
		off += (size_t)k < len - off ? (size_t)k : len - off - 1;
	}
}

/* "1500ms", "5s", "2m", "1h", "13m10s", "10" (seconds). */
static int parse_duration(const char *t, ikg_ms *out)
{
	ikg_ms total = 0;
	if (!*t)
		return -1;
	while (*t) {
		char *end;
		unsigned long long v = strtoull(t, &end, 10);
		if (end == t)
			return -1;
		uint64_t mul;
		if (strncmp(end, "ms", 2) == 0) {
			mul = 1;
			end += 2;
		} else if (*end == 's' || *end == '\0') {
			mul = 1000;
			end += *end == 's';
		} else if (*end == 'm') {
			mul = 60000;
			end++;
		} else if (*end == 'h') {
			mul = 3600000;
			end++;
		} else {
			return -1;
		}
		total += v * mul;
		t = end;
	}
	*out = total;
	return 0;
}

static int parse_pct(const char *t, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(t, &end, 10);
	if (end == t || (strcmp(end, "%") != 0 && *end) || v > 100)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_u32(const char *t, uint32_t *out)
{
	char *end;
	unsigned long long v = strtoull(t, &end, 0);
	if (end == t || *end || v > 0xffffffffull)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static ssize_t find_gw(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_gws; i++)
		if (strcmp(s->gws[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static ssize_t find_host(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_hosts; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static int need_gw(struct pstate *p, const char *name, size_t *out)
{
	ssize_t i = find_gw(p->s, name);
	if (i < 0)
		return fail(p, "unknown gateway '%s' (expected a name declared with 'gateway')", name);
	*out = (size_t)i;
	return 0;
}

static int name_ok(struct pstate *p, const char *n)
{
	if (!*n || strlen(n) >= IKG_NAME_MAX)
		return fail(p, "bad name '%s' (expected 1-%d characters)", n, IKG_NAME_MAX - 1);
	return 0;
}

/* "2003-06-17 15:46:00" -> ms since the epoch (UTC). */
static int parse_clock(const char *d, const char *t, ikg_ms *out)
{
	int y, mo, da, h, mi, se;
	if (sscanf(d, "%d-%d-%d", &y, &mo, &da) != 3 || sscanf(t, "%d:%d:%d", &h, &mi, &se) != 3)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 59)
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	y -= mo <= 2;
	long era = y / 400;
	long yoe = y - era * 400;
	long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + da - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long days = era * 146097 + doe - 719468;
	*out = ((ikg_ms)days * 86400 + (ikg_ms)(h * 3600 + mi * 60 + se)) * 1000;
	return 0;
}

static int gateway_block(struct pstate *p, char **tok, size_t n, const char **cursor)
{
	if (n != 3 || strncmp(tok[2], "<<", 2) != 0 || !tok[2][2])
		return fail(p, "expected 'gateway NAME <<END', then the configuration, then END");
	if (name_ok(p, tok[1]))
		return -1;
	if (find_gw(p->s, tok[1]) >= 0)
		return fail(p, "gateway '%s' declared twice", tok[1]);
	if (p->s->n_gws >= LAB_MAX_NODES)
		return fail(p, "too many gateways (at most %d)", LAB_MAX_NODES);
	const char *marker = tok[2] + 2;
	int start = p->line;
	const char *body = *cursor, *c = *cursor;
	size_t mlen = strlen(marker);
	for (;;) {
		if (!*c) {
			p->line = start;
			return fail(p, "configuration of gateway '%s' has no closing '%s' line", tok[1], marker);
		}
		const char *eol = strchr(c, '\n');
		size_t len = eol ? (size_t)(eol - c) : strlen(c);
		p->line++;
		if (len == mlen && strncmp(c, marker, mlen) == 0) {
			struct lab_gateway *g = &p->s->gws[p->s->n_gws];
			size_t blen = (size_t)(c - body);
			char *text = malloc(blen + (size_t)start + 1);
			if (!text)
				return fail(p, "out of memory");
			/* Pad with newlines so the configuration's line numbers are the file's. */
			memset(text, '\n', (size_t)start);
			memcpy(text + start, body, blen);
			text[start + blen] = '\0';
			struct cfg_diags d = {0};
			int rc = ikg_config_parse(text, p->src, &g->cfg, &d);
			free(text);
			if (rc) {
				char *msg = cfg_diags_format(&d, p->src);
				snprintf(p->err, p->err_len, "%s", msg ? msg : "configuration error");
				free(msg);
				cfg_diags_free(&d);
				return -1;
			}
			cfg_diags_free(&d);
			snprintf(g->name, sizeof(g->name), "%s", tok[1]);
			g->line = start;
			p->s->links[p->s->n_gws].latency_ms = 5;
			p->s->n_gws++;
			*cursor = eol ? eol + 1 : c + len;
			return 0;
		}
		c = eol ? eol + 1 : c + len;
	}
}

static int host_line(struct pstate *p, char **tok, size_t n)
{
	if (n < 4 || strcmp(tok[2], "on") != 0)
		return fail(p, "expected 'host NAME on GATEWAY ADDRESS [no-route-back] [ignore-icmp]'");
	if (name_ok(p, tok[1]) || p->s->n_hosts >= LAB_MAX_NODES)
		return p->s->n_hosts >= LAB_MAX_NODES ? fail(p, "too many hosts") : -1;
	struct lab_host *h = &p->s->hosts[p->s->n_hosts];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", tok[1]);
	if (need_gw(p, tok[3], &h->gw))
		return -1;
	if (n < 5 || ikg_ip4_parse(tok[4], &h->addr))
		return fail(p, "expected an IPv4 address after the gateway, got '%s'", n < 5 ? "" : tok[4]);
	for (size_t i = 5; i < n; i++) {
		if (strcmp(tok[i], "no-route-back") == 0)
			h->no_route_back = true;
		else if (strcmp(tok[i], "ignore-icmp") == 0)
			h->ignore_icmp = true;
		else
			return fail(p, "unknown host option '%s' (expected no-route-back or ignore-icmp)", tok[i]);
	}
	p->s->n_hosts++;
	return 0;
}

static int wan_line(struct pstate *p, char **tok, size_t n)
{
	size_t g = 0;
	if (n < 2 || need_gw(p, tok[1], &g))
		return n < 2 ? fail(p, "expected 'wan GATEWAY [latency MS] [loss PCT] [reorder PCT] [tamper PCT]'") : -1;
	struct lab_link *l = &p->s->links[g];
	for (size_t i = 2; i + 1 < n + 1; i += 2) {
		if (i + 1 >= n)
			return fail(p, "option '%s' needs a value", tok[i]);
		ikg_ms d;
		int bad = 0;
		if (strcmp(tok[i], "latency") == 0) {
			bad = parse_duration(tok[i + 1], &d);
			l->latency_ms = (uint32_t)d;
		} else if (strcmp(tok[i], "loss") == 0)
			bad = parse_pct(tok[i + 1], &l->loss_pct);
		else if (strcmp(tok[i], "reorder") == 0)
			bad = parse_pct(tok[i + 1], &l->reorder_pct);
		else if (strcmp(tok[i], "tamper") == 0)
			bad = parse_pct(tok[i + 1], &l->tamper_pct);
		else if (strcmp(tok[i], "tamper-qm") == 0)
			bad = parse_pct(tok[i + 1], &l->tamper_qm_pct);
		else
			return fail(p, "unknown link option '%s' (expected latency, loss, reorder, tamper or tamper-qm)", tok[i]);
		if (bad)
			return fail(p, "bad value '%s' for %s (expected e.g. 20ms or 30%%)", tok[i + 1], tok[i]);
	}
	return 0;
}

static int nat_line(struct pstate *p, char **tok, size_t n)
{
	if (n < 6 || strcmp(tok[2], "outside") != 0 || strcmp(tok[4], "for") != 0)
		return fail(p, "expected 'nat NAME outside ADDRESS for GATEWAY [random-ports]'");
	if (p->s->n_nats >= LAB_MAX_NODES || name_ok(p, tok[1]))
		return -1;
	struct lab_nat *x = &p->s->nats[p->s->n_nats];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", tok[1]);
	if (ikg_ip4_parse(tok[3], &x->outside))
		return fail(p, "bad address '%s' (expected an IPv4 address)", tok[3]);
	if (need_gw(p, tok[5], &x->gw))
		return -1;
	for (size_t i = 6; i < n; i++) {
		if (strcmp(tok[i], "random-ports") == 0)
			x->random_ports = true;
		else
			return fail(p, "unknown nat option '%s' (expected random-ports)", tok[i]);
	}
	p->s->n_nats++;
	return 0;
}

static int proto_of(const char *t, uint8_t *out)
{
	static const struct { const char *n; uint8_t v; } m[] = {
		{"any", 0}, {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"esp", 50}, {"ah", 51}};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(t, m[i].n) == 0) {
			*out = m[i].v;
			return 0;
		}
	uint32_t v;
	if (parse_u32(t, &v) || v > 255)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

/* firewall NAME for GATEWAY deny|permit PROTO [PORT] [, deny PROTO [PORT] ...] */
static int firewall_line(struct pstate *p, char **tok, size_t n)
{
	if (n < 5 || strcmp(tok[2], "for") != 0)
		return fail(p, "expected 'firewall NAME for GATEWAY deny|permit PROTOCOL [PORT] ...'");
	if (p->s->n_fws >= LAB_MAX_NODES || name_ok(p, tok[1]))
		return -1;
	struct lab_firewall *f = &p->s->fws[p->s->n_fws];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", tok[1]);
	if (need_gw(p, tok[3], &f->gw))
		return -1;
	for (size_t i = 4; i < n;) {
		if (f->n_rules >= 16)
			return fail(p, "too many firewall rules (at most 16)");
		struct lab_fw_rule *r = &f->rules[f->n_rules];
		if (strcmp(tok[i], "deny") && strcmp(tok[i], "permit"))
			return fail(p, "expected deny or permit, got '%s'", tok[i]);
		r->deny = strcmp(tok[i], "deny") == 0;
		if (i + 1 < n && strcmp(tok[i + 1], "ike-info") == 0) {
			r->ike_info = true;
			r->proto = 17;
		} else if (i + 1 >= n || proto_of(tok[i + 1], &r->proto))
			return fail(p, "expected a protocol (any, icmp, tcp, udp, esp, ah, ike-info or a number)");
		i += 2;
		uint32_t port;
		if (i < n && parse_u32(tok[i], &port) == 0) {
			if (port > 65535)
				return fail(p, "port %u out of range", port);
			r->port = (uint16_t)port;
			i++;
		}
		f->n_rules++;
	}
	p->s->n_fws++;
	return 0;
}

static int need_node(struct pstate *p, const char *name, size_t *out, bool host)
{
	ssize_t i = host ? find_host(p->s, name) : find_gw(p->s, name);
	if (i < 0)
		return fail(p, "unknown %s '%s'", host ? "host" : "gateway", name);
	*out = (size_t)i;
	return 0;
}

static const char *const views[] = {"log", "log-detail", "vpn", "vpn-discards", "nat", "ike-sa",
				     "ipsec-sa", "diagnose", "diagnose-top", "filter", "ping"};

static int view_ok(const char *v)
{
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (strcmp(v, views[i]) == 0)
			return 1;
	return 0;
}

static int step_view(struct pstate *p, struct lab_step *st, char **tok, size_t n, size_t i)
{
	if (i >= n || !view_ok(tok[i]))
		return fail(p, "expected a view: log, log-detail, vpn, vpn-discards, nat, ike-sa, ipsec-sa, diagnose, diagnose-top, filter or ping");
	snprintf(st->view, sizeof(st->view), "%s", tok[i]);
	return 0;
}

static int ping_step(struct pstate *p, struct lab_step *st, char **tok, size_t n)
{
	/* ping HOST DST [count N] [interval D] */
	if (n < 3 || need_node(p, tok[1], &st->node, true))
		return n < 3 ? fail(p, "expected 'ping HOST ADDRESS [count N] [interval D]'") : -1;
	if (ikg_ip4_parse(tok[2], &st->dst))
		return fail(p, "bad address '%s'", tok[2]);
	st->count = 1;
	st->interval_ms = 1000;
	for (size_t i = 3; i < n; i += 2) {
		ikg_ms d;
		if (i + 1 >= n)
			return fail(p, "'%s' needs a value", tok[i]);
		if (strcmp(tok[i], "count") == 0) {
			if (parse_u32(tok[i + 1], &st->count) || st->count == 0 || st->count > 100000)
				return fail(p, "bad count '%s' (expected 1-100000)", tok[i + 1]);
		} else if (strcmp(tok[i], "interval") == 0) {
			if (parse_duration(tok[i + 1], &d) || d == 0)
				return fail(p, "bad interval '%s' (expected e.g. 1s)", tok[i + 1]);
			st->interval_ms = (uint32_t)d;
		} else
			return fail(p, "unknown ping option '%s' (expected count or interval)", tok[i]);
	}
	return 0;
}

/* expect GW counter PROFILE NAME = N | expect GW VIEW [ARG] "TEXT" */
static int expect_step(struct pstate *p, struct lab_step *st, char **tok, size_t n, bool negate)
{
	if (n < 4)
		return fail(p, "expected 'expect GATEWAY VIEW \"TEXT\"' or 'expect GATEWAY counter PROFILE NAME = N'");
	bool host = find_host(p->s, tok[1]) >= 0 && find_gw(p->s, tok[1]) < 0;
	if (strcmp(tok[1], "*") == 0 && strcmp(tok[2], "counter") == 0 && n == 7 && strcmp(tok[3], "*") == 0)
		st->all = true;
	else if (need_node(p, tok[1], &st->node, host))
		return -1;
	if (strcmp(tok[2], "counter") == 0) {
		uint32_t v;
		if (n != 7 || strcmp(tok[5], "=") || parse_u32(tok[6], &v))
			return fail(p, "expected 'expect GATEWAY counter PROFILE NAME = N' (NAME: tx, rx, discards or a discard reason; 'expect * counter * NAME = N' checks every profile of every gateway)");
		st->action = LAB_EXPECT_COUNTER;
		snprintf(st->arg, sizeof(st->arg), "%s", tok[3]);
		snprintf(st->text, sizeof(st->text), "%s", tok[4]);
		st->value = v;
		return 0;
	}
	st->action = negate ? LAB_EXPECT_NOT : LAB_EXPECT;
	if (step_view(p, st, tok, n, 2))
		return -1;
	if (n == 5)
		snprintf(st->arg, sizeof(st->arg), "%s", tok[3]);
	else if (n != 4)
		return fail(p, "expected 'expect GATEWAY VIEW [PROFILE] \"TEXT\"'");
	snprintf(st->text, sizeof(st->text), "%s", tok[n - 1]);
	st->host = host;
	return 0;
}

static int at_line(struct pstate *p, char **tok, size_t n)
{
	if (n < 3)
		return fail(p, "expected 'at TIME ACTION ...'");
	if (p->s->n_steps >= LAB_MAX_STEPS)
		return fail(p, "too many steps (at most %d)", LAB_MAX_STEPS);
	struct lab_step *st = &p->s->steps[p->s->n_steps];
	memset(st, 0, sizeof(*st));
	st->line = p->line;
	ikg_ms t;
	bool rel = tok[1][0] == '+';
	if (parse_duration(tok[1] + rel, &t))
		return fail(p, "bad time '%s' (expected e.g. 90s, 2m, 1500ms or +5s)", tok[1]);
	st->at = rel ? p->last_at + t : t;
	if (st->at < p->last_at)
		return fail(p, "time goes backwards (steps must be in order)");
	p->last_at = st->at;
	char **a = tok + 2;
	size_t an = n - 2;
	const char *verb = a[0];
	int rc = 0;
	if (strcmp(verb, "wan-up") == 0) {
		st->action = LAB_WAN_UP;
		if (an < 3 || need_node(p, a[1], &st->node, false))
			return an < 3 ? fail(p, "expected 'wan-up GATEWAY TEXT...'") : -1;
		join_words(st->text, sizeof(st->text), a + 2, an - 2);
	} else if (strcmp(verb, "ping") == 0) {
		st->action = LAB_PING;
		rc = ping_step(p, st, a, an);
	} else if (strcmp(verb, "show") == 0) {
		st->action = LAB_SHOW;
		if (an < 3)
			return fail(p, "expected 'show GATEWAY VIEW [PROFILE]'");
		bool host = strcmp(a[2], "ping") == 0;
		rc = need_node(p, a[1], &st->node, host) || step_view(p, st, a, an, 2);
		st->host = host;
		if (!rc && an == 4)
			snprintf(st->arg, sizeof(st->arg), "%s", a[3]);
	} else if (!strcmp(verb, "enable") || !strcmp(verb, "disable") || !strcmp(verb, "initiate")) {
		st->action = !strcmp(verb, "enable") ? LAB_ENABLE : !strcmp(verb, "disable") ? LAB_DISABLE : LAB_INITIATE;
		if (an != 3 || need_node(p, a[1], &st->node, false))
			return an != 3 ? fail(p, "expected '%s GATEWAY PROFILE'", verb) : -1;
		snprintf(st->arg, sizeof(st->arg), "%s", a[2]);
	} else if (!strcmp(verb, "cut") || !strcmp(verb, "restore") || !strcmp(verb, "clear-log")) {
		st->action = !strcmp(verb, "cut") ? LAB_CUT : !strcmp(verb, "restore") ? LAB_RESTORE : LAB_CLEAR_LOG;
		if (an != 2 || need_node(p, a[1], &st->node, false))
			return an != 2 ? fail(p, "expected '%s GATEWAY'", verb) : -1;
	} else if (strcmp(verb, "secret") == 0) {
		st->action = LAB_SECRET;
		if (an != 4 || need_node(p, a[1], &st->node, false))
			return an != 4 ? fail(p, "expected 'secret GATEWAY IKE-PROFILE \"NEW SECRET\"'") : -1;
		snprintf(st->arg, sizeof(st->arg), "%s", a[2]);
		snprintf(st->text, sizeof(st->text), "%s", a[3]);
	} else if (strcmp(verb, "route-back") == 0) {
		st->action = LAB_ROUTE_BACK;
		if (an != 2 || need_node(p, a[1], &st->node, true))
			return an != 2 ? fail(p, "expected 'route-back HOST'") : -1;
	} else if (strcmp(verb, "expect") == 0 || strcmp(verb, "expect-not") == 0) {
		rc = expect_step(p, st, a, an, strcmp(verb, "expect-not") == 0);
	} else if (strcmp(verb, "print") == 0) {
		st->action = LAB_PRINT;
		snprintf(st->text, sizeof(st->text), "%s", an > 1 ? a[1] : "");
	} else {
		return fail(p, "unknown action '%s' (expected wan-up, ping, show, enable, disable, initiate, cut, restore, secret, route-back, clear-log, expect, expect-not or print)", verb);
	}
	if (rc)
		return -1;
	p->s->n_steps++;
	return 0;
}

static int directive(struct pstate *p, char **tok, size_t n, const char **cursor)
{
	const char *d = tok[0];
	if (strcmp(d, "title") == 0) {
		join_words(p->s->title, sizeof(p->s->title), tok + 1, n - 1);
		return 0;
	}
	if (strcmp(d, "seed") == 0) {
		char *end;
		if (n != 2 || (p->s->seed = strtoull(tok[1], &end, 0), *end))
			return fail(p, "expected 'seed NUMBER'");
		return 0;
	}
	if (strcmp(d, "clock") == 0) {
		if (n != 3 || parse_clock(tok[1], tok[2], &p->s->clock0))
			return fail(p, "expected 'clock YYYY-MM-DD HH:MM:SS' (UTC)");
		return 0;
	}
	if (strcmp(d, "ike-retransmit") == 0) {
		ikg_ms t;
		if (n != 3 || parse_duration(tok[1], &t) || parse_u32(tok[2], &p->s->retransmit_tries))
			return fail(p, "expected 'ike-retransmit INTERVAL TRIES' (e.g. 5s 4)");
		p->s->retransmit_ms = (uint32_t)t;
		return 0;
	}
	if (strcmp(d, "gateway") == 0)
		return gateway_block(p, tok, n, cursor);
	if (strcmp(d, "host") == 0)
		return host_line(p, tok, n);
	if (strcmp(d, "wan") == 0)
		return wan_line(p, tok, n);
	if (strcmp(d, "nat") == 0)
		return nat_line(p, tok, n);
	if (strcmp(d, "firewall") == 0)
		return firewall_line(p, tok, n);
	if (strcmp(d, "dns") == 0) {
		if (n != 3 || p->s->n_dns >= LAB_MAX_NODES)
			return fail(p, "expected 'dns HOSTNAME ADDRESS'");
		struct lab_dns *e = &p->s->dns[p->s->n_dns];
		snprintf(e->host, sizeof(e->host), "%s", tok[1]);
		if (ikg_ip4_parse(tok[2], &e->addr))
			return fail(p, "bad address '%s'", tok[2]);
		p->s->n_dns++;
		return 0;
	}
	if (strcmp(d, "at") == 0)
		return at_line(p, tok, n);
	return fail(p, "unknown directive '%s' (expected title, seed, clock, ike-retransmit, gateway, host, wan, nat, firewall, dns or at)", d);
}

int scenario_parse(const char *text, const char *source, struct scenario *s, char *err,
		   size_t err_len)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->source, sizeof(s->source), "%s", source);
	s->seed = 1;
	parse_clock("2003-06-17", "15:46:00", &s->clock0);
	struct pstate p = {.s = s, .src = source, .line = 0, .err = err, .err_len = err_len};
	const char *c = text;
	char line[1024];
	while (*c) {
		const char *eol = strchr(c, '\n');
		size_t len = eol ? (size_t)(eol - c) : strlen(c);
		p.line++;
		const char *next = eol ? eol + 1 : c + len;
		if (len >= sizeof(line)) {
			fail(&p, "line too long (at most %zu characters)", sizeof(line) - 1);
			scenario_free(s);
			return -1;
		}
		memcpy(line, c, len);
		line[len] = '\0';
		char *tok[MAX_TOK];
		size_t n;
		if (tokenize(&p, line, tok, &n) || (n && directive(&p, tok, n, &next))) {
			scenario_free(s);
			return -1;
		}
		c = next;
	}
	if (s->n_gws == 0) {
		fail(&p, "no gateway declared (expected at least one 'gateway NAME <<END' block)");
		scenario_free(s);
		return -1;
	}
	return 0;
}

void scenario_free(struct scenario *s)
{
	for (size_t i = 0; i < s->n_gws; i++)
		ikg_config_free(&s->gws[i].cfg);
	s->n_gws = 0;
}
