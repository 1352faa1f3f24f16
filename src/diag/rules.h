/* The troubleshooter's rules (design.md §1 diag/, the technote's error table, its Phase-1
 * resend-timeout walkthrough, its Tx-without-Rx causes and Rx discard reasons) over a facts
 * snapshot. Each rule that applies produces a finding; findings are ranked by how likely they
 * are the true cause, most likely first. */
#ifndef IKG_DIAG_RULES_H
#define IKG_DIAG_RULES_H

#include "diag/facts.h"

struct diag_finding {
	int rank_score;              /* 0..100: higher = more likely the true cause */
	const char *id;              /* stable machine name, e.g. "ph1-timeout-psk-mismatch" */
	char title[160];
	char evidence[512];          /* the facts that point at it */
	char fix[512];               /* what to change, in configuration terms */
	const char *profile;         /* points into the facts; NULL = gateway-wide */
};

struct diag_findings {
	struct diag_finding *v;      /* ranked: v[0] is the most likely cause */
	size_t n, cap;
	bool failed;                 /* an allocation failed: the list may be incomplete */
};

void diag_findings_init(struct diag_findings *l);
void diag_findings_free(struct diag_findings *l);

/* Runs every rule over f for one profile (NULL = every profile; gateway-wide findings are
 * always included) and ranks the findings, highest score first (ties keep rule order). The
 * list is never empty: a healthy tunnel gives "tunnel-up", an unknown profile name
 * "unknown-profile". Findings point into f: keep f until l is freed. 0, or -1 on allocation
 * failure. */
int diag_run(const struct diag_facts *f, const char *profile, struct diag_findings *l);

#endif
