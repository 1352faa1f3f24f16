/* diag_diagnose_gw: facts from the gateway -> rules -> rendering. */
#include <stdlib.h>

#include "diag/facts.h"
#include "diag/render.h"

static void out_of_memory(bool json, struct strbuf *out)
{
	sb_puts(out, json ? "{\"error\":\"diagnose: out of memory\"}\n" : "diagnose: out of memory\n");
}

int diag_diagnose_gw(const struct gw *g, ikg_ms now, const char *profile,
		     const char *host_ruleset, bool json, struct strbuf *out)
{
	struct diag_facts *f = malloc(sizeof(*f));
	if (!f || diag_facts_from_gw(g, now, f) != 0) {
		free(f);
		out_of_memory(json, out);
		return -1;
	}
	if (host_ruleset)
		diag_facts_add_host_ruleset(f, host_ruleset);
	struct diag_findings l;
	diag_findings_init(&l);
	int rc = diag_run(f, profile, &l);
	if (rc == 0) {
		if (json)
			diag_render_json(&l, out);
		else
			diag_render_text(&l, out);
	} else {
		out_of_memory(json, out);
	}
	diag_findings_free(&l);
	diag_facts_free(f);
	free(f);
	return rc;
}
