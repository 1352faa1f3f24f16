#include "helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *data_dir = "data";

char *read_data(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

int parse_data(const char *name, struct ikg_config *c, struct cfg_diags *d)
{
	char *text = read_data(name);
	int r = ikg_config_parse(text, name, c, d);
	free(text);
	return r;
}

const struct cfg_diag *find_diag(const struct cfg_diags *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].message, needle))
			return &d->v[i];
	return NULL;
}

void dump_diags(const struct cfg_diags *d)
{
	char *s = cfg_diags_format(d, "test");
	if (s)
		fprintf(stderr, "%s", s);
	free(s);
}
