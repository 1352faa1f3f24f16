/* ikegate [-s SOCKET] COMMAND...: the operator's command line (design.md §8). Every word may be
 * abbreviated to an unambiguous prefix of the grammar (grammar.c).
 * Exit codes: 0 ok, 1 command failed, 2 usage, 3 cannot reach the daemon. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/grammar.h"
#include "cli/local.h"
#include "daemon/ctlproto.h"
#include "lab/lab.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static void help(FILE *f)
{
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	char line[160];

	fputs("usage: ikegate [-s SOCKET] COMMAND...\n"
	      "Every word may be abbreviated (sh ip nat trans). Commands:\n", f);
	for (size_t i = 0; i < n; i++) {
		cmd_usage_line(&t[i], line, sizeof(line));
		fprintf(f, "  %-38s %s\n", line, t[i].help);
	}
	fprintf(f, "Options:\n  -s SOCKET   control socket (default $IKEGATE_SOCKET or %s)\n"
		"Exit codes: 0 ok, 1 command failed, 2 usage, 3 cannot reach the daemon\n",
		CTL_DEFAULT_SOCKET);
}

/* Sends a resolved daemon command; the body goes to out (stdout/stderr when out is NULL). */
static int run_remote(const char *sock, const struct cmd_req *r, struct strbuf *out)
{
	char words[CTL_REQUEST_MAX], err[512];
	struct strbuf body;
	int status = 0;

	if (cmd_format(r, words, sizeof(words)) < 0) {
		snprintf(err, sizeof(err), "argument not allowed (spaces, control characters or a "
			 "leading '-'): %s", r->arg ? r->arg : "");
		if (out)
			sb_printf(out, "%s\n", err);
		else
			fprintf(stderr, "ikegate: %s\n", err);
		return EXIT_USAGE;
	}
	sb_init(&body);
	int rc = client_call(sock, words, &status, &body, err, sizeof(err));
	if (rc != CLIENT_OK) {
		if (out)
			sb_printf(out, "%s\n", err);
		else
			fprintf(stderr, "ikegate: %s\n", err);
		sb_free(&body);
		return rc == CLIENT_UNREACHABLE ? EXIT_UNREACHABLE : EXIT_FAILED;
	}
	if (out)
		sb_puts(out, sb_str(&body));
	else
		fputs(sb_str(&body), status == CTL_OK ? stdout : stderr);
	sb_free(&body);
	return status == CTL_OK ? EXIT_OK : status == CTL_USAGE ? EXIT_USAGE : EXIT_FAILED;
}

static int run_lab(const struct cmd_req *r)
{
	char **argv = calloc((size_t)r->n_rest + 3, sizeof(*argv));
	if (!argv) {
		fprintf(stderr, "ikegate: out of memory\n");
		return EXIT_FAILED;
	}
	argv[0] = "lab";
	argv[1] = r->def->id == CMD_LAB_LIST ? "list" : r->def->id == CMD_LAB_GENERATE ? "generate" : "run";
	for (int i = 0; i < r->n_rest; i++)
		argv[i + 2] = r->rest[i];
	int rc = lab_main(r->n_rest + 2, argv);
	free(argv);
	return rc;
}

#define LINE_MAX_WORDS 32

int cli_run_line(const char *sock, const char *line, struct strbuf *out)
{
	char buf[CTL_REQUEST_MAX], err[512];
	char *words[LINE_MAX_WORDS];
	int n = 0;
	struct cmd_req r;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == LINE_MAX_WORDS) {
			sb_puts(out, "too many words\n");
			return EXIT_USAGE;
		}
		words[n++] = tok;
	}
	if (n == 0)
		return EXIT_OK;
	if (cmd_resolve(n, words, false, &r, err, sizeof(err)) < 0) {
		sb_printf(out, "%s\n", err);
		return EXIT_USAGE;
	}
	if (r.def->id == CMD_HELP) {
		size_t nt;
		const struct cmd_def *t = cmd_table(&nt);
		char u[160];
		for (size_t i = 0; i < nt; i++) {
			if (t[i].where != RUN_DAEMON)
				continue;
			cmd_usage_line(&t[i], u, sizeof(u));
			sb_printf(out, "%-38s %s\n", u, t[i].help);
		}
		return EXIT_OK;
	}
	if (r.def->where != RUN_DAEMON) {
		sb_printf(out, "'%s' is not available here: run it from the shell\n",
			  r.def->words[0]);
		return EXIT_USAGE;
	}
	return run_remote(sock, &r, out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv("IKEGATE_SOCKET");
	char err[512];
	int c;

	if (!sock || !sock[0])
		sock = CTL_DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	struct cmd_req r;
	if (cmd_resolve(argc - optind, argv + optind, false, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "ikegate: %s\n(ikegate help lists the commands)\n", err);
		return EXIT_USAGE;
	}
	if (r.def->where == RUN_DAEMON)
		return run_remote(sock, &r, NULL);
	switch (r.def->id) {
	case CMD_CHECK_CONFIG:
		return check_config_main(r.arg);
	case CMD_MENU:
		return menu_main(sock);
	case CMD_LAB_LIST:
	case CMD_LAB_RUN:
	case CMD_LAB_GENERATE:
		return run_lab(&r);
	case CMD_DEMO:
		return demo_main(r.n_rest, r.rest);
	case CMD_HELP:
		help(stdout);
		return EXIT_OK;
	default:   /* a local command of the grammar table without a case here: a build defect */
		fprintf(stderr, "ikegate: internal error: '%s' has no local handler\n",
			r.def->words[0]);
		return EXIT_FAILED;
	}
}
