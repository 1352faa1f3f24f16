/* Rendering the troubleshooter's findings (`ikegate diagnose`), and the one call the views,
 * the daemon and the lab use: facts from the gateway -> rules -> text or JSON. */
#ifndef IKG_DIAG_RENDER_H
#define IKG_DIAG_RENDER_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "diag/rules.h"

/* Numbered ranked list:
 *   1. branch: phase1 resend timeout at main mode message 5: ... [ph1-timeout-psk-mismatch]
 *      evidence: ...
 *      fix: ...
 * ("gateway" instead of a profile name for gateway-wide findings). */
void diag_render_text(const struct diag_findings *l, struct strbuf *out);
/* {"findings":[{"rank":1,"id":"...","profile":"branch"|null,"title":"...","evidence":"...",
 *   "fix":"...","score":94}]} and a newline (docs/json-schema.md). */
void diag_render_json(const struct diag_findings *l, struct strbuf *out);

struct gw;
/* Diagnoses a gateway: profile NULL = every profile; host_ruleset: `nft list ruleset` text of
 * the host or NULL. Appends the text or JSON rendering to out. 0, or -1 when memory ran out
 * (an error line / {"error":...} is appended then). */
int diag_diagnose_gw(const struct gw *g, ikg_ms now, const char *profile,
		     const char *host_ruleset, bool json, struct strbuf *out);

#endif
