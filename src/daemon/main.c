/* ikegated -c FILE [-f] | --check */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/conffile.h"
#include "daemon/daemon.h"
#include "daemon/privdrop.h"

static void usage(FILE *f)
{
	fputs("usage: ikegated -c FILE [-f] [--ike-retransmit MS,TRIES]\n"
	      "                                  run the gateway (-f: every event on stderr;\n"
	      "                                  IKE retransmission: first interval MS, doubling,\n"
	      "                                  TRIES retransmissions; default 5000,4)\n"
	      "       ikegated -c FILE --check   validate the configuration and exit\n"
	      "                                  (0 ok, 1 errors printed as FILE:LINE: error: ...)\n",
	      f);
}

static int check(const char *path)
{
	struct ikg_config cfg;
	struct cfg_diags diags = { 0 };
	int rc = conffile_load(path, &cfg, &diags);
	conffile_print_diags(stderr, &diags, path);
	cfg_diags_free(&diags);
	if (rc < 0)
		return 1;
	printf("%s: configuration OK (%zu IKE profile(s), %zu IPsec profile(s))\n", path, cfg.n_ike,
	       cfg.n_ipsec);
	ikg_config_free(&cfg);
	return 0;
}

/* "MS,TRIES" -> daemon_tuning. */
static int parse_retransmit(const char *s)
{
	char *end;
	unsigned long ms = strtoul(s, &end, 10);
	if (end == s || *end != ',' || ms < 10 || ms > 600000)
		return -1;
	const char *t = end + 1;
	unsigned long tries = strtoul(t, &end, 10);
	if (end == t || *end || tries < 1 || tries > 20)
		return -1;
	daemon_tuning.retransmit_ms = (uint32_t)ms;
	daemon_tuning.retransmit_tries = (uint32_t)tries;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "ike-retransmit", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	bool foreground = false, check_only = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'R':
			if (parse_retransmit(optarg)) {
				fprintf(stderr, "ikegated: --ike-retransmit wants MS,TRIES (e.g. 500,3), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check_only)
		return check(config);
	if (privdrop_before_setup(config) < 0)   /* least privilege: docs/security.md */
		return 1;
	return daemon_run(config, foreground);
}
