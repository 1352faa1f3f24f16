/* The host's own firewall as evidence for `diagnose`: the text of `nft list ruleset` in the
 * daemon's network namespace (the core reads it; only the daemon runs commands). */
#ifndef IKG_HOSTFW_H
#define IKG_HOSTFW_H

/* Runs `nft list ruleset` with a 2-second limit; the text (caller frees) or NULL when nft is
 * missing, fails or is too slow. At most 512 KiB is kept. */
char *hostfw_ruleset(void);

#endif
