/* Internal to src/config: building diagnostics and "did you mean" suggestions. */
#ifndef IKG_CONFIG_DIAGS_H
#define IKG_CONFIG_DIAGS_H

#include "config/config.h"

/* Appends an empty diagnostic and returns it for cfg_diag_msg / cfg_diag_fix. On allocation
 * failure returns a scratch entry that is not kept (callers count errors themselves). The
 * pointer is valid until the next cfg_diag_new on the same list. */
struct cfg_diag *cfg_diag_new(struct cfg_diags *d, enum cfg_severity sev, int line);
void cfg_diag_msg(struct cfg_diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfg_diag_fix(struct cfg_diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The candidate closest to word by edit distance (a transposition counts one), or NULL when
 * none is close enough to be a plausible typo. */
const char *cfg_suggest(const char *word, const char *const *candidates, size_t n);

/* "a, b, c" of the candidates into buf; returns buf. */
const char *cfg_join(const char *const *candidates, size_t n, char *buf, size_t len);

#endif
