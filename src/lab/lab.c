/* `ikegate lab list | lab run NAME|FILE [--seed N]`: the driver side of the lab (it reads the
 * scenario files; the simulation itself is pure). */
#include "lab/lab.h"

#include "lab/scenario.h"
#include "lab/sim.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAB_EXT ".lab"

/* The shipped scenarios: $IKEGATE_LAB_DIR, the source tree next to the executable, or the
 * installed copy. */
static const char *scenario_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("IKEGATE_LAB_DIR");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		const char *rel[] = {"/../../../lab/scenarios", "/../../lab/scenarios", "/../share/ikegate/lab"};
		char *d = dirname(exe);
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			struct stat st;
			snprintf(dir, sizeof(dir), "%s%s", d, rel[i]);
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
				return dir;
		}
	}
	return "/usr/share/ikegate/lab";
}

static char *read_file(const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
		if (len + 1 < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			buf = NULL;
		} else
			buf = nb;
	}
	fclose(f);
	if (!buf) {
		snprintf(err, err_len, "%s: out of memory", path);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lab_list(void)
{
	const char *dir = scenario_dir();
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "ikegate lab: no scenario directory %s\n", dir);
		return 1;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > strlen(LAB_EXT) && strcmp(e->d_name + l - strlen(LAB_EXT), LAB_EXT) == 0)
			names[n++] = strndup(e->d_name, l - strlen(LAB_EXT));
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX], err[256];
		snprintf(path, sizeof(path), "%s/%s%s", dir, names[i], LAB_EXT);
		char *text = read_file(path, err, sizeof(err));
		const char *title = "";
		char first[256] = "";
		if (text) {
			char *t = strstr(text, "title ");
			if (t) {
				sscanf(t + 6, "%255[^\n]", first);
				title = first;
			}
		}
		printf("%-28s %s\n", names[i], title);
		free(text);
		free(names[i]);
	}
	return 0;
}

static int lab_run(const char *what, uint64_t seed, bool seed_given)
{
	char path[PATH_MAX], err[2048];
	struct stat st;
	if (strchr(what, '/') || (stat(what, &st) == 0 && S_ISREG(st.st_mode)))
		snprintf(path, sizeof(path), "%s", what);
	else
		snprintf(path, sizeof(path), "%s/%s%s", scenario_dir(), what, LAB_EXT);
	char *text = read_file(path, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "ikegate lab: %s (try 'ikegate lab list')\n", err);
		return 1;
	}
	struct scenario *s = malloc(sizeof(*s));
	if (!s) {
		free(text);
		return 1;
	}
	int rc = scenario_parse(text, path, s, err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		free(s);
		return 1;
	}
	struct strbuf out;
	sb_init(&out);
	int failures = lab_simulate(s, seed_given ? seed : s->seed, &out);
	fputs(sb_str(&out), stdout);
	sb_free(&out);
	scenario_free(s);
	free(s);
	if (failures < 0) {
		fprintf(stderr, "ikegate lab: could not build the network of %s\n", path);
		return 1;
	}
	return failures ? 1 : 0;
}

/* A scenario of n gateway pairs (a_i <-> b_i), each bringing its tunnel up with three pings:
 * the scale test of the lab. Addresses are the lab's own (10.0.0.0/8), never a real network. */
static void generate_pairs(FILE *out, unsigned n)
{
	fprintf(out, "title %u gateway pairs, one tunnel each, in one process\nseed 1\n", n);
	fprintf(out, "ike-retransmit 2s 4\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned w = 2 * i + 1;
		char wa[16], wb[16], la[20], lb[20];
		snprintf(wa, sizeof(wa), "10.0.%u.%u", w >> 8, w & 255);
		snprintf(wb, sizeof(wb), "10.0.%u.%u", (w + 1) >> 8, (w + 1) & 255);
		snprintf(la, sizeof(la), "10.%u.%u.0/24", 64 + (i >> 8), i & 255);
		snprintf(lb, sizeof(lb), "10.%u.%u.0/24", 128 + (i >> 8), i & 255);
		for (int side = 0; side < 2; side++) {
			fprintf(out,
				"gateway %c%u <<END\n"
				"gateway = { wan-address = \"%s\"; };\n"
				"ike-profiles = { k = { encryption = \"aes128\"; hash = \"sha256\"; dh-group = 14;"
				" secret = \"pair %u\"; dpd = 0; }; };\n"
				"ipsec-profiles = { t = { remote-endpoint = \"%s\"; local-members = \"%s\";"
				" remote-members = \"%s\"; ike-profile = \"k\"; encryption = \"aes128gcm16\"; }; };\n"
				"END\n",
				side ? 'b' : 'a', i, side ? wb : wa, i, side ? wa : wb, side ? lb : la,
				side ? la : lb);
		}
		fprintf(out, "host ha%u on a%u 10.%u.%u.10\n", i, i, 64 + (i >> 8), i & 255);
		fprintf(out, "host hb%u on b%u 10.%u.%u.10\n", i, i, 128 + (i >> 8), i & 255);
	}
	/* spread over the first second, in time order */
	for (unsigned slot = 0; slot < 100; slot++)
		for (unsigned i = slot; i < n; i += 100)
			fprintf(out, "at %ums ping ha%u 10.%u.%u.10 count 3 interval 1s\n", 1000 + slot * 10,
				i, 128 + (i >> 8), i & 255);
	fprintf(out, "at 30s expect * counter * tx = 3\nat 30s expect * counter * discards = 0\n");
	fprintf(out, "at 30s show a0 vpn\n");
}

int lab_main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "generate") == 0) {
		char *end;
		unsigned long n = strtoul(argv[2], &end, 10);
		if (*end || n == 0 || n > LAB_MAX_NODES / 2) {
			fprintf(stderr, "ikegate lab generate: PAIRS must be 1-%d\n", LAB_MAX_NODES / 2);
			return 2;
		}
		generate_pairs(stdout, (unsigned)n);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return lab_list();
	if (argc >= 3 && strcmp(argv[1], "run") == 0) {
		uint64_t seed = 0;
		bool given = false;
		for (int i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
				char *end;
				seed = strtoull(argv[++i], &end, 0);
				if (*end) {
					fprintf(stderr, "ikegate lab: bad seed '%s'\n", argv[i]);
					return 2;
				}
				given = true;
			} else {
				fprintf(stderr, "ikegate lab: unknown option '%s'\n", argv[i]);
				return 2;
			}
		}
		return lab_run(argv[2], seed, given);
	}
	fprintf(stderr, "usage: ikegate lab list | ikegate lab run NAME|FILE [--seed N] | ikegate lab generate PAIRS\n");
	return 2;
}
