/* The command grammar of `ikegate` (design.md §8), as one table. The client resolves
 * abbreviations against it (`sh ip nat trans`, `sh vpn --disc`); the daemon matches the
 * full words it receives on the control socket against the same table. */
#ifndef IKG_CLI_GRAMMAR_H
#define IKG_CLI_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>

enum cmd_id {
	CMD_SHOW_VPN = 0,
	CMD_SHOW_LOG,
	CMD_SHOW_NAT,
	CMD_SHOW_IKE_SA,
	CMD_SHOW_IPSEC_SA,
	CMD_SHOW_FILTER,
	CMD_DIAGNOSE,
	CMD_INITIATE,
	CMD_PROFILE_ENABLE,
	CMD_PROFILE_DISABLE,
	CMD_RELOAD,
	CMD_CLEAR_LOG,
	CMD_CHECK_CONFIG,
	CMD_MENU,
	CMD_LAB_LIST,
	CMD_LAB_RUN,
	CMD_LAB_GENERATE,
	CMD_DEMO,
	CMD_HELP,
	CMD__COUNT
};

/* Options a command accepts (bit set). */
enum cmd_opt {
	OPT_JSON = 1u << 0,
	OPT_DISCARDS = 1u << 1,
	OPT_DETAIL = 1u << 2,
};

enum cmd_arg {
	ARG_NONE = 0,
	ARG_OPTIONAL,     /* zero or one positional argument */
	ARG_REQUIRED,     /* exactly one */
	ARG_PASSTHROUGH,  /* everything after the keywords is passed on unchanged (lab, demo) */
};

/* Where a command runs. */
enum cmd_where { RUN_DAEMON = 0, RUN_LOCAL };

#define CMD_MAX_WORDS 4

struct cmd_def {
	enum cmd_id id;
	const char *words[CMD_MAX_WORDS]; /* keywords, NULL-terminated */
	enum cmd_arg arg;
	const char *arg_name;             /* "PROFILE", "NAME", "FILE", "SCENARIO" */
	unsigned opts;                    /* accepted enum cmd_opt bits */
	enum cmd_where where;
	const char *help;
};

/* A resolved command line. arg / rest point into the caller's argv. */
struct cmd_req {
	const struct cmd_def *def;
	unsigned opts;
	const char *arg;                  /* positional argument or NULL */
	int n_rest;                       /* ARG_PASSTHROUGH: remaining words */
	char **rest;
};

/* The table and its size. */
const struct cmd_def *cmd_table(size_t *n);
const struct cmd_def *cmd_by_id(enum cmd_id id);
const char *cmd_opt_name(enum cmd_opt o);  /* "--json" */

/* Resolves words[0..n) against the grammar. exact: only full words (the daemon); otherwise any
 * unambiguous prefix is accepted (an exact match wins over longer candidates: "ip" is "ip",
 * not "ipsec"). Returns 0 and fills *out, or -1 with a one-line explanation in err, e.g.
 * "ambiguous 'p': could be 'profile', 'ping'". */
int cmd_resolve(int n, char **words, bool exact, struct cmd_req *out, char *err, size_t errlen);

/* The canonical (full-word) form, e.g. "show vpn --discards --json". Returns the length, or -1
 * when it does not fit. */
int cmd_format(const struct cmd_req *r, char *buf, size_t len);

/* "show vpn [--discards] [--json]" */
int cmd_usage_line(const struct cmd_def *d, char *buf, size_t len);

#endif
