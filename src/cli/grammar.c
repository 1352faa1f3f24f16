/* The command grammar as one table, and the prefix resolution over it. */
#include "cli/grammar.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_def commands[] = {
	{ CMD_SHOW_VPN, { "show", "vpn" }, ARG_NONE, NULL, OPT_DISCARDS | OPT_JSON, RUN_DAEMON,
	  "VPN Quick View (--discards: per-reason Rx discard counters)" },
	{ CMD_SHOW_LOG, { "show", "log" }, ARG_NONE, NULL, OPT_DETAIL | OPT_JSON, RUN_DAEMON,
	  "WAN Event History (--detail: problem, causes, solution, evidence)" },
	{ CMD_SHOW_NAT, { "show", "ip", "nat", "translations" }, ARG_NONE, NULL, OPT_JSON,
	  RUN_DAEMON, "NAT translation table" },
	{ CMD_SHOW_IKE_SA, { "show", "ike", "sa" }, ARG_NONE, NULL, OPT_JSON, RUN_DAEMON,
	  "IKE (phase 1) security associations" },
	{ CMD_SHOW_IPSEC_SA, { "show", "ipsec", "sa" }, ARG_NONE, NULL, OPT_JSON, RUN_DAEMON,
	  "IPsec (phase 2) security associations" },
	{ CMD_SHOW_FILTER, { "show", "filter" }, ARG_NONE, NULL, OPT_JSON, RUN_DAEMON,
	  "filter sets and their hit counters" },
	{ CMD_DIAGNOSE, { "diagnose" }, ARG_OPTIONAL, "PROFILE", OPT_JSON, RUN_DAEMON,
	  "ranked findings with evidence and the fix" },
	{ CMD_INITIATE, { "initiate" }, ARG_REQUIRED, "PROFILE", 0, RUN_DAEMON,
	  "start phase 1 and phase 2 now" },
	{ CMD_PROFILE_ENABLE, { "profile", "enable" }, ARG_REQUIRED, "NAME", 0, RUN_DAEMON,
	  "enable a profile (traffic or initiate brings the tunnel up)" },
	{ CMD_PROFILE_DISABLE, { "profile", "disable" }, ARG_REQUIRED, "NAME", 0, RUN_DAEMON,
	  "disable a profile and tear its tunnel down" },
	{ CMD_RELOAD, { "reload" }, ARG_NONE, NULL, 0, RUN_DAEMON,
	  "re-read the configuration (a bad one is refused, the old one kept)" },
	{ CMD_CLEAR_LOG, { "clear", "log" }, ARG_NONE, NULL, 0, RUN_DAEMON,
	  "clear the WAN Event History" },
	{ CMD_CHECK_CONFIG, { "check-config" }, ARG_REQUIRED, "FILE", 0, RUN_LOCAL,
	  "lint a configuration file: errors and warnings" },
	{ CMD_MENU, { "menu" }, ARG_NONE, NULL, 0, RUN_LOCAL,
	  "the console menu (Return enters, Escape leaves, Ctrl-N command line)" },
	{ CMD_LAB_LIST, { "lab", "list" }, ARG_PASSTHROUGH, NULL, 0, RUN_LOCAL,
	  "list the lab scenarios" },
	{ CMD_LAB_RUN, { "lab", "run" }, ARG_PASSTHROUGH, "SCENARIO", 0, RUN_LOCAL,
	  "run a lab scenario on the virtual network" },
	{ CMD_LAB_GENERATE, { "lab", "generate" }, ARG_PASSTHROUGH, "PAIRS", 0, RUN_LOCAL,
	  "print a scenario of PAIRS gateway pairs, each with a tunnel (scale tests)" },
	{ CMD_DEMO, { "demo" }, ARG_PASSTHROUGH, NULL, 0, RUN_LOCAL,
	  "two gateways in network namespaces, a tunnel, pings, views (root)" },
	{ CMD_HELP, { "help" }, ARG_NONE, NULL, 0, RUN_LOCAL, "this list" },
};

static const struct {
	enum cmd_opt opt;
	const char *name;
} options[] = {
	{ OPT_DISCARDS, "--discards" },
	{ OPT_DETAIL, "--detail" },
	{ OPT_JSON, "--json" },
};

const struct cmd_def *cmd_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct cmd_def *cmd_by_id(enum cmd_id id)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].id == id)
			return &commands[i];
	return NULL;
}

const char *cmd_opt_name(enum cmd_opt o)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].opt == o)
			return options[i].name;
	return NULL;
}

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool word_matches(const char *typed, const char *full, bool exact)
{
	if (exact)
		return strcmp(typed, full) == 0;
	size_t n = strlen(typed);
	return n > 0 && strncmp(typed, full, n) == 0;
}

/* Appends "'a', 'b'" to buf. */
static void list_words(char *buf, size_t len, const char *const *words, size_t n)
{
	size_t used = strlen(buf);
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s'%s'", i ? ", " : "", words[i]);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* The words typed so far, for messages ("after 'show ip'"). */
static void prefix_text(char *buf, size_t len, const struct cmd_def *d, size_t k)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < k && i < CMD_MAX_WORDS && d->words[i] && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", d->words[i]);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Distinct keywords at position k among the live candidates. */
static size_t keywords_at(const bool *live, size_t k, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t c = 0; c < N_COMMANDS; c++) {
		if (!live[c] || k >= CMD_MAX_WORDS || !commands[c].words[k])
			continue;
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			if (strcmp(out[j], commands[c].words[k]) == 0)
				seen = true;
		if (!seen && n < cap)
			out[n++] = commands[c].words[k];
	}
	return n;
}

static const struct cmd_def *complete_at(const bool *live, size_t k)
{
	for (size_t c = 0; c < N_COMMANDS; c++)
		if (live[c] && (k >= CMD_MAX_WORDS || !commands[c].words[k]))
			return &commands[c];
	return NULL;
}

static const struct cmd_def *first_live(const bool *live)
{
	for (size_t c = 0; c < N_COMMANDS; c++)
		if (live[c])
			return &commands[c];
	return NULL;
}

/* Matches the keywords; returns the command and sets *used to the number of words consumed. */
static const struct cmd_def *resolve_keywords(int n, char **words, bool exact, int *used,
					      char *err, size_t errlen)
{
	bool live[N_COMMANDS];
	const char *kw[N_COMMANDS], *match[N_COMMANDS];
	char typed[128];
	size_t k = 0;

	for (size_t c = 0; c < N_COMMANDS; c++)
		live[c] = true;
	for (;; k++) {
		size_t nkw = keywords_at(live, k, kw, N_COMMANDS);
		const struct cmd_def *done = complete_at(live, k);
		if (nkw == 0)
			break;
		if ((int)k >= n || words[k][0] == '-') {
			if (done)
				break;
			char msg[512] = "";
			prefix_text(typed, sizeof(typed), first_live(live), k);
			list_words(msg, sizeof(msg), kw, nkw);
			fail(err, errlen, "incomplete command '%s': expected %s", typed, msg);
			return NULL;
		}
		size_t nm = 0;
		for (size_t i = 0; i < nkw; i++) {
			if (strcmp(words[k], kw[i]) == 0) {
				match[0] = kw[i];
				nm = 1;
				break;
			}
			if (word_matches(words[k], kw[i], exact))
				match[nm++] = kw[i];
		}
		if (nm == 0) {
			if (done)
				break;   /* the rest is the argument of a complete command */
			char msg[512] = "";
			list_words(msg, sizeof(msg), kw, nkw);
			if (k == 0) {
				fail(err, errlen, "unknown command '%s': expected %s", words[k], msg);
			} else {
				prefix_text(typed, sizeof(typed), first_live(live), k);
				fail(err, errlen, "unknown word '%s' after '%s': expected %s", words[k],
				     typed, msg);
			}
			return NULL;
		}
		if (nm > 1) {
			char msg[512] = "";
			list_words(msg, sizeof(msg), match, nm);
			fail(err, errlen, "ambiguous '%s': could be %s", words[k], msg);
			return NULL;
		}
		for (size_t c = 0; c < N_COMMANDS; c++)
			if (live[c] && (k >= CMD_MAX_WORDS || !commands[c].words[k] ||
					strcmp(commands[c].words[k], match[0]) != 0))
				live[c] = false;
	}
	*used = (int)k;
	return complete_at(live, k);
}

static int resolve_option(const struct cmd_def *d, const char *w, bool exact, unsigned *opts,
			  char *err, size_t errlen)
{
	const char *match[sizeof(options) / sizeof(options[0])];
	const char *accepted[sizeof(options) / sizeof(options[0])];
	size_t nm = 0, na = 0;
	enum cmd_opt found = 0;

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (!(d->opts & options[i].opt))
			continue;
		accepted[na++] = options[i].name;
		if (strcmp(w, options[i].name) == 0) {
			found = options[i].opt;
			nm = 1;
			match[0] = options[i].name;
			break;
		}
		if (strlen(w) > 2 && word_matches(w, options[i].name, exact)) {
			found = options[i].opt;
			match[nm++] = options[i].name;
		}
	}
	char typed[128], msg[256] = "";
	prefix_text(typed, sizeof(typed), d, CMD_MAX_WORDS);
	if (nm == 0) {
		if (na == 0) {
			fail(err, errlen, "'%s' takes no options (got '%s')", typed, w);
		} else {
			list_words(msg, sizeof(msg), accepted, na);
			fail(err, errlen, "unknown option '%s' for '%s': accepted %s", w, typed, msg);
		}
		return -1;
	}
	if (nm > 1) {
		list_words(msg, sizeof(msg), match, nm);
		fail(err, errlen, "ambiguous '%s': could be %s", w, msg);
		return -1;
	}
	*opts |= (unsigned)found;
	return 0;
}

int cmd_resolve(int n, char **words, bool exact, struct cmd_req *out, char *err, size_t errlen)
{
	int k = 0;
	char usage[256];

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (n <= 0) {
		fail(err, errlen, "no command given");
		return -1;
	}
	const struct cmd_def *d = resolve_keywords(n, words, exact, &k, err, errlen);
	if (!d)
		return -1;
	out->def = d;
	if (d->arg == ARG_PASSTHROUGH) {
		out->n_rest = n - k;
		out->rest = words + k;
		return 0;
	}
	cmd_usage_line(d, usage, sizeof(usage));
	for (int i = k; i < n; i++) {
		const char *w = words[i];
		if (w[0] == '-' && w[1] == '-') {
			if (resolve_option(d, w, exact, &out->opts, err, errlen) < 0)
				return -1;
			continue;
		}
		if (d->arg == ARG_NONE) {
			fail(err, errlen, "unexpected argument '%s': usage: %s", w, usage);
			return -1;
		}
		if (out->arg) {
			fail(err, errlen, "too many arguments ('%s'): usage: %s", w, usage);
			return -1;
		}
		if (w[0] == '\0') {
			fail(err, errlen, "empty %s: usage: %s", d->arg_name, usage);
			return -1;
		}
		out->arg = w;
	}
	if (d->arg == ARG_REQUIRED && !out->arg) {
		fail(err, errlen, "missing %s: usage: %s", d->arg_name, usage);
		return -1;
	}
	return 0;
}

static bool wire_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int cmd_format(const struct cmd_req *r, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	if (!r->def || len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < CMD_MAX_WORDS && r->def->words[i]; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", r->def->words[i]);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	if (r->arg) {
		if (!wire_safe(r->arg) || r->arg[0] == '-')
			return -1;
		w = snprintf(buf + used, len - used, " %s", r->arg);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (!(r->opts & options[i].opt))
			continue;
		w = snprintf(buf + used, len - used, " %s", options[i].name);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	return (int)used;
}

int cmd_usage_line(const struct cmd_def *d, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < CMD_MAX_WORDS && d->words[i] && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", d->words[i]);
		if (w < 0)
			return -1;
		used += (size_t)w;
	}
	if (d->arg_name && used < len) {
		const char *fmt = d->arg == ARG_OPTIONAL ? " [%s]" :
				  d->arg == ARG_PASSTHROUGH ? " %s [ARGS...]" : " %s";
		w = snprintf(buf + used, len - used, fmt, d->arg_name);
		if (w < 0)
			return -1;
		used += (size_t)w;
	}
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]) && used < len; i++) {
		if (!(d->opts & options[i].opt))
			continue;
		w = snprintf(buf + used, len - used, " [%s]", options[i].name);
		if (w < 0)
			return -1;
		used += (size_t)w;
	}
	return used < len ? (int)used : -1;
}
