/* ikegate check-config FILE: the loader's errors and the lint's warnings. */
#include <stdio.h>

#include "cli/local.h"
#include "config/lint.h"
#include "daemon/conffile.h"

int check_config_main(const char *path)
{
	struct ikg_config cfg;
	struct cfg_diags diags = { 0 };

	if (conffile_load(path, &cfg, &diags) < 0) {
		conffile_print_diags(stdout, &diags, path);
		printf("%s: %zu error(s)\n", path, cfg_diags_errors(&diags));
		cfg_diags_free(&diags);
		return 1;
	}
	ikg_config_lint(&cfg, &diags);
	conffile_print_diags(stdout, &diags, path);
	size_t errors = cfg_diags_errors(&diags);
	size_t warnings = diags.n - errors;
	if (errors)
		printf("%s: %zu error(s), %zu warning(s)\n", path, errors, warnings);
	else if (warnings)
		printf("%s: OK with %zu warning(s)\n", path, warnings);
	else
		printf("%s: OK\n", path);
	cfg_diags_free(&diags);
	ikg_config_free(&cfg);
	return errors ? 1 : 0;
}
