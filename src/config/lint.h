/* The lint of `ikegate check-config`: warnings about a configuration that loads but will not
 * work as expected (the technote's pitfalls, weak algorithms, overlapping member ranges). */
#ifndef IKG_CONFIG_LINT_H
#define IKG_CONFIG_LINT_H

#include "config/config.h"

/* Appends one CFG_WARNING per problem (line and fix) to *out. Returns the number added. */
int ikg_config_lint(const struct ikg_config *c, struct cfg_diags *out);

/* The caller stats the secret file (the core touches no files) and passes its mode bits and
 * the line of the IKE profile that names it: warns when group or others may read or write it.
 * Returns the number of warnings added (0 or 1). */
int ikg_lint_secret_mode(const char *path, unsigned mode, int line, struct cfg_diags *out);

#endif
