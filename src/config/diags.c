/* Diagnostics of the loader and the lint: the list, its text form, typo suggestions. */
#include "config/diags.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

struct cfg_diag *cfg_diag_new(struct cfg_diags *d, enum cfg_severity sev, int line)
{
	static struct cfg_diag scratch;
	struct cfg_diag *g = &scratch;
	if (d && d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct cfg_diag *v = realloc(d->v, cap * sizeof(*v));
		if (v) {
			d->v = v;
			d->cap = cap;
		}
	}
	if (d && d->n < d->cap)
		g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	g->line = line;
	return g;
}

void cfg_diag_msg(struct cfg_diag *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->message, sizeof(g->message), fmt, ap);
	va_end(ap);
}

void cfg_diag_fix(struct cfg_diag *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->fix, sizeof(g->fix), fmt, ap);
	va_end(ap);
}

void cfg_diags_free(struct cfg_diags *d)
{
	if (!d)
		return;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

size_t cfg_diags_errors(const struct cfg_diags *d)
{
	size_t n = 0;
	for (size_t i = 0; d && i < d->n; i++)
		if (d->v[i].severity == CFG_ERROR)
			n++;
	return n;
}

char *cfg_diags_format(const struct cfg_diags *d, const char *source)
{
	struct strbuf b;
	sb_init(&b);
	const char *src = source && *source ? source : "config";
	for (size_t i = 0; d && i < d->n; i++) {
		const struct cfg_diag *g = &d->v[i];
		const char *sev = g->severity == CFG_ERROR ? "error" : "warning";
		if (g->line > 0)
			sb_printf(&b, "%s:%d: %s: %s\n", src, g->line, sev, g->message);
		else
			sb_printf(&b, "%s: %s: %s\n", src, sev, g->message);
		if (g->fix[0])
			sb_printf(&b, "  fix: %s\n", g->fix);
	}
	if (b.failed) {
		sb_free(&b);
		return NULL;
	}
	if (!b.s)
		return calloc(1, 1);
	return b.s;
}

/* Optimal string alignment distance, bounded to short words (keys and names). */
static size_t edit_distance(const char *a, const char *b)
{
	enum { MAXW = 64 };
	size_t la = strlen(a), lb = strlen(b);
	if (la >= MAXW || lb >= MAXW)
		return (size_t)-1;
	size_t dist[MAXW + 1][MAXW + 1];
	for (size_t i = 0; i <= la; i++)
		dist[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		dist[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = dist[i - 1][j] + 1;
			if (dist[i][j - 1] + 1 < best)
				best = dist[i][j - 1] + 1;
			if (dist[i - 1][j - 1] + cost < best)
				best = dist[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    dist[i - 2][j - 2] + 1 < best)
				best = dist[i - 2][j - 2] + 1;
			dist[i][j] = best;
		}
	}
	return dist[la][lb];
}

const char *cfg_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; word && i < n; i++) {
		size_t dd = edit_distance(word, candidates[i]);
		if (dd < best_d) {
			best_d = dd;
			best = candidates[i];
		}
	}
	if (!best || best_d == 0)
		return best;
	size_t len = strlen(word);
	size_t limit = len <= 3 ? 1 : len <= 8 ? 2 : 3;
	if (best_d <= limit)
		return best;
	/* a prefix of a name ("initiate" for "initiate-only", "prot" for "protocol") */
	for (size_t i = 0; len >= 3 && i < n; i++)
		if (strncmp(candidates[i], word, len) == 0)
			return candidates[i];
	return NULL;
}

const char *cfg_join(const char *const *candidates, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", candidates[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}
