/* Loading a configuration file for the daemon and for `ikegate check-config`: read the file,
 * parse it (config/config.h), read every secret-file and hand the secret to the model. */
#ifndef IKG_CONFFILE_H
#define IKG_CONFFILE_H

#include <stdio.h>

#include "config/config.h"

#define CONFFILE_MAX (4u * 1024 * 1024)
#define SECRET_FILE_MAX 4096

/* 0 on success (*out filled, release with ikg_config_free); -1 on failure with the reasons in
 * diags (file I/O problems are diagnostics too) and *out empty. Warnings (a secret file other
 * users can read) may be added on success. */
int conffile_load(const char *path, struct ikg_config *out, struct cfg_diags *diags);

/* Prints every diagnostic ("FILE:LINE: error: ..."), one per line. */
void conffile_print_diags(FILE *f, const struct cfg_diags *d, const char *path);

/* The first error as one line ("FILE:LINE: message"), for event evidence. */
const char *conffile_first_error(const struct cfg_diags *d, const char *path, char *buf,
				 size_t len);

/* Adds a diagnostic; -1 on allocation failure. */
int conffile_diag(struct cfg_diags *d, enum cfg_severity sev, int line, const char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
