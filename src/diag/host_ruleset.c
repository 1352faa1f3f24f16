/* diag_facts_add_host_ruleset: rules of the host firewall (`nft list ruleset` text) that stop
 * IKE (UDP 500), NAT-T (UDP 4500), ESP or AH. The daemon runs nft and passes the text in. */
#include "diag/facts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 512
#define TOKENS_MAX 96
#define ALL_IPSEC (DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT | DIAG_BLOCKS_ESP | DIAG_BLOCKS_AH)

struct tokens {
	char buf[LINE_MAX_LEN];
	const char *v[TOKENS_MAX];
	size_t n;
};

/* Splits a rule line into words; braces are words of their own, commas and quoted strings
 * (comments, log prefixes) are dropped. */
static void tokenize(const char *line, size_t len, struct tokens *t)
{
	size_t o = 0;
	bool quoted = false;
	for (size_t i = 0; i < len && o + 3 < sizeof t->buf; i++) {
		char c = line[i];
		if (c == '"') {
			quoted = !quoted;
			t->buf[o++] = ' ';
			continue;
		}
		if (quoted || c == ',' || c == ';' || isspace((unsigned char)c))
			t->buf[o++] = ' ';
		else if (c == '{' || c == '}') {
			t->buf[o++] = ' ';
			t->buf[o++] = c;
			t->buf[o++] = ' ';
		} else
			t->buf[o++] = c;
	}
	t->buf[o] = 0;
	t->n = 0;
	char *save = NULL;
	for (char *w = strtok_r(t->buf, " ", &save); w && t->n < TOKENS_MAX;
	     w = strtok_r(NULL, " ", &save))
		t->v[t->n++] = w;
}

static bool tok_is(const struct tokens *t, size_t i, const char *s)
{
	return i < t->n && strcmp(t->v[i], s) == 0;
}

static bool has_word(const struct tokens *t, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i], s) == 0)
			return true;
	return false;
}

/* A port word: number, range "a-b" or service name. Returns the bits for 500/4500 it covers. */
static unsigned port_word_blocks(const char *w)
{
	if (strcmp(w, "isakmp") == 0)
		return DIAG_BLOCKS_IKE;
	if (strcmp(w, "ipsec-nat-t") == 0)
		return DIAG_BLOCKS_NATT;
	char *end;
	long lo = strtol(w, &end, 10), hi = lo;
	if (end == w)
		return 0;
	if (*end == '-') {
		const char *h = end + 1;
		hi = strtol(h, &end, 10);
		if (end == h)
			return 0;
	}
	if (*end)
		return 0;
	unsigned b = 0;
	if (lo <= 500 && 500 <= hi)
		b |= DIAG_BLOCKS_IKE;
	if (lo <= 4500 && 4500 <= hi)
		b |= DIAG_BLOCKS_NATT;
	return b;
}

static unsigned proto_word_blocks(const char *w)
{
	if (strcmp(w, "esp") == 0 || strcmp(w, "50") == 0)
		return DIAG_BLOCKS_ESP;
	if (strcmp(w, "ah") == 0 || strcmp(w, "51") == 0)
		return DIAG_BLOCKS_AH;
	if (strcmp(w, "udp") == 0 || strcmp(w, "17") == 0)
		return DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT;
	return 0;
}

/* The value after a selector: one word, or a { ... } set. Returns the OR of fn over it. */
static unsigned value_blocks(const struct tokens *t, size_t i, unsigned (*fn)(const char *))
{
	unsigned b = 0;
	if (tok_is(t, i, "{")) {
		for (size_t k = i + 1; k < t->n && !tok_is(t, k, "}"); k++)
			b |= fn(t->v[k]);
		return b;
	}
	return i < t->n ? fn(t->v[i]) : 0;
}

/* What IPsec traffic a rule line matches. *selective: the rule has a protocol or port selector
 * (a rule without any is "everything"). */
static unsigned rule_matches(const struct tokens *t, bool *selective)
{
	unsigned ports = 0, protos = 0;
	bool has_ports = false, has_proto = false, udp_only = false;
	for (size_t i = 0; i + 1 < t->n; i++) {
		const char *w = t->v[i];
		if ((strcmp(w, "udp") == 0 || strcmp(w, "th") == 0) &&
		    (tok_is(t, i + 1, "dport") || tok_is(t, i + 1, "sport"))) {
			has_ports = true;
			ports |= value_blocks(t, i + 2, port_word_blocks);
		} else if ((strcmp(w, "tcp") == 0 || strcmp(w, "sctp") == 0) &&
			   (tok_is(t, i + 1, "dport") || tok_is(t, i + 1, "sport"))) {
			has_ports = true;        /* TCP/SCTP ports: never IPsec */
		} else if ((strcmp(w, "ip") == 0 && tok_is(t, i + 1, "protocol")) ||
			   (strcmp(w, "meta") == 0 && tok_is(t, i + 1, "l4proto")) ||
			   (strcmp(w, "ip6") == 0 && tok_is(t, i + 1, "nexthdr"))) {
			has_proto = true;
			unsigned b = value_blocks(t, i + 2, proto_word_blocks);
			protos |= b;
			if (b & DIAG_BLOCKS_IKE)
				udp_only = true;
		}
	}
	*selective = has_ports || has_proto;
	if (has_ports)
		return ports;           /* "udp dport 500" (a protocol word, if any, is udp) */
	if (has_proto)
		return udp_only ? (protos | DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT) : protos;
	return ALL_IPSEC;
}

static bool parse_counter(const struct tokens *t, uint64_t *hits)
{
	for (size_t i = 0; i + 2 < t->n; i++)
		if (strcmp(t->v[i], "counter") == 0 && tok_is(t, i + 1, "packets")) {
			*hits = strtoull(t->v[i + 2], NULL, 10);
			return true;
		}
	return false;
}

struct chain_ctx {
	char table[64], chain[64], hook[16];
	bool policy_drop;
	int header_line;
	unsigned accepted;           /* traffic some rule of the chain accepts */
};

static void add_host_blocker(struct diag_facts *f, const struct chain_ctx *c, int line,
			     const char *rule, size_t rule_len, unsigned blocks, bool hits_known,
			     uint64_t hits)
{
	if (f->n_host_blockers >= DIAG_MAX_HOST_BLOCKERS || !blocks)
		return;
	struct diag_blocker *b = &f->host_blockers[f->n_host_blockers++];
	memset(b, 0, sizeof(*b));
	b->source = DIAG_SRC_HOST_FIREWALL;
	b->outbound = strcmp(c->hook, "output") == 0 || strcmp(c->hook, "postrouting") == 0;
	b->blocks = blocks;
	b->hits_known = hits_known;
	b->hits = hits;
	if (snprintf(b->where, sizeof b->where, "nft table %s chain %s, line %d", c->table, c->chain,
		     line) < 0)
		b->where[0] = 0;
	if (rule_len >= sizeof b->rule)
		rule_len = sizeof b->rule - 1;
	memcpy(b->rule, rule, rule_len);
	b->rule[rule_len] = 0;
}

static void rule_line(struct diag_facts *f, struct chain_ctx *c, int line, const char *s,
		      size_t len)
{
	struct tokens t;
	tokenize(s, len, &t);
	if (t.n == 0 || has_word(&t, "!="))
		return;
	bool selective;
	unsigned m = rule_matches(&t, &selective);
	if (has_word(&t, "accept")) {
		bool new_conns = !has_word(&t, "ct");   /* ct state established: not a first packet */
		if (new_conns)
			c->accepted |= m;
		return;
	}
	if (!(has_word(&t, "drop") || has_word(&t, "reject")) || !selective)
		return;
	if (strcmp(c->hook, "forward") == 0)
		return;                 /* routed traffic, not the gateway's own IKE/ESP */
	uint64_t hits = 0;
	bool known = parse_counter(&t, &hits);
	add_host_blocker(f, c, line, s, len, m & ALL_IPSEC, known, hits);
}

static void chain_end(struct diag_facts *f, const struct chain_ctx *c)
{
	if (!c->policy_drop ||
	    (strcmp(c->hook, "input") != 0 && strcmp(c->hook, "output") != 0))
		return;
	unsigned blocked = (DIAG_BLOCKS_IKE | DIAG_BLOCKS_NATT | DIAG_BLOCKS_ESP) & ~c->accepted;
	if (!(blocked & DIAG_BLOCKS_IKE))
		return;                 /* IKE is let in: say nothing about the rest */
	char text[96];
	int n = snprintf(text, sizeof text, "policy drop (no rule accepts udp dport 500)");
	add_host_blocker(f, c, c->header_line, text, n > 0 ? (size_t)n : 0, blocked, false, 0);
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

/* "table inet fw {" -> "inet fw"; "chain input {" -> "input". */
static void header_name(const char *s, const char *end, size_t skip, char *out, size_t cap)
{
	s = skip_space(s + skip, end);
	const char *e = end;
	while (e > s && (e[-1] == '{' || isspace((unsigned char)e[-1])))
		e--;
	size_t n = (size_t)(e - s) < cap - 1 ? (size_t)(e - s) : cap - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

static bool starts(const char *s, const char *end, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(end - s) > n && memcmp(s, w, n) == 0 && isspace((unsigned char)s[n]);
}

static void chain_header(struct chain_ctx *c, const char *s, const char *end)
{
	struct tokens t;
	tokenize(s, (size_t)(end - s), &t);
	for (size_t i = 0; i + 1 < t.n; i++) {
		if (strcmp(t.v[i], "hook") == 0)
			snprintf(c->hook, sizeof c->hook, "%s", t.v[i + 1]);
		if (strcmp(t.v[i], "policy") == 0)
			c->policy_drop = strcmp(t.v[i + 1], "drop") == 0;
	}
}

size_t diag_facts_add_host_ruleset(struct diag_facts *f, const char *text)
{
	if (!f || !text)
		return 0;
	size_t before = f->n_host_blockers;
	struct chain_ctx c;
	memset(&c, 0, sizeof c);
	int depth = 0, line = 0;
	bool in_chain = false;
	int other_depth = 0;            /* inside a set/map/flowtable block of a table */
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		const char *end = nl ? nl : s + strlen(s);
		line++;
		const char *b = skip_space(s, end);
		const char *e = end;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		bool opens = e > b && e[-1] == '{';
		if (b == e || *b == '#') {
			/* blank or comment */
		} else if (*b == '}') {
			if (other_depth > 0)
				other_depth--;
			else if (in_chain && depth == 2) {
				chain_end(f, &c);
				in_chain = false;
				depth = 1;
			} else if (depth > 0)
				depth--;
		} else if (other_depth > 0) {
			if (opens)
				other_depth++;
		} else if (depth == 0 && starts(b, e, "table")) {
			memset(&c, 0, sizeof c);
			header_name(b, e, 5, c.table, sizeof c.table);
			depth = opens ? 1 : 0;
		} else if (depth == 1 && starts(b, e, "chain")) {
			header_name(b, e, 5, c.chain, sizeof c.chain);
			c.hook[0] = 0;
			c.policy_drop = false;
			c.accepted = 0;
			c.header_line = line;
			in_chain = opens;
			depth = opens ? 2 : 1;
		} else if (depth == 1) {
			if (opens)
				other_depth = 1;        /* set, map, flowtable, ... */
		} else if (in_chain && depth == 2) {
			if (starts(b, e, "type"))
				chain_header(&c, b, e);
			else if (opens)
				other_depth = 1;        /* a multi-line anonymous set: skip */
			else
				rule_line(f, &c, line, b, (size_t)(e - b));
		}
		s = nl ? nl + 1 : end;
	}
	return f->n_host_blockers - before;
}
