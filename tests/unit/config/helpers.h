/* Shared by the config tests: data files (the tests may read files; the core may not). */
#ifndef TEST_CONFIG_HELPERS_H
#define TEST_CONFIG_HELPERS_H

#include <stddef.h>

#include "config/config.h"

/* Set from argv[1] by main. */
extern const char *data_dir;
/* Reads data_dir/name; fails the test when it cannot. Caller frees. */
char *read_data(const char *name);
/* Parses data_dir/name; returns the parse result. */
int parse_data(const char *name, struct ikg_config *c, struct cfg_diags *d);
/* The first diagnostic whose message contains needle, or NULL. */
const struct cfg_diag *find_diag(const struct cfg_diags *d, const char *needle);
/* Prints all diagnostics (for failing tests). */
void dump_diags(const struct cfg_diags *d);
#define IP(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))

#endif
