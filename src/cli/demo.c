/* ikegate demo: execs scripts/demo.sh, found next to the build tree
 * (build/src/cli/ -> ../../../scripts/demo.sh), in $IKEGATE_SHARE or in /usr/share/ikegate. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/local.h"

static int exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

static int find_script(char *out, size_t len, const char *dir)
{
	const char *share = getenv("IKEGATE_SHARE");
	if (dir[0]) {
		snprintf(out, len, "%s/../../../scripts/demo.sh", dir);
		if (access(out, R_OK) == 0)
			return 0;
	}
	if (share && share[0]) {
		snprintf(out, len, "%s/demo.sh", share);
		if (access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, len, "/usr/share/ikegate/demo.sh");
	return access(out, R_OK) == 0 ? 0 : -1;
}

int demo_main(int argc, char **argv)
{
	char dir[PATH_MAX] = "", script[PATH_MAX + 64], self[PATH_MAX + 16], daemon[PATH_MAX + 32];

	if (exe_dir(dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	if (find_script(script, sizeof(script), dir) < 0) {
		fprintf(stderr, "ikegate: demo.sh not found (looked in %s/../../../scripts, "
			"$IKEGATE_SHARE, /usr/share/ikegate)\n", dir[0] ? dir : "?");
		return 1;
	}
	/* tell the script which binaries to use: this one and the daemon next to it */
	if (dir[0]) {
		snprintf(self, sizeof(self), "%s/ikegate", dir);
		setenv("IKEGATE", self, 0);
		snprintf(daemon, sizeof(daemon), "%s/../daemon/ikegated", dir);
		if (access(daemon, X_OK) == 0)
			setenv("IKEGATED", daemon, 0);
	}
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	if (!args) {
		fprintf(stderr, "ikegate: out of memory\n");
		return 1;
	}
	args[0] = "bash";
	args[1] = script;
	for (int i = 0; i < argc; i++)
		args[i + 2] = argv[i];
	execv("/bin/bash", args);
	fprintf(stderr, "ikegate: cannot run /bin/bash %s: %s\n", script, strerror(errno));
	free(args);
	return 1;
}
