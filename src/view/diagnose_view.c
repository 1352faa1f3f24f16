/* Troubleshooter (`ikegate diagnose [PROFILE]`): a thin wrapper; the facts, the rules and the
 * rendering live in src/diag (diag/render.h). Time: the gateway's last input time. */
#include "diag/render.h"
#include "gw/gw_internal.h"
#include "view/views.h"

void view_diagnose(const struct gw *g, const char *profile, bool json, struct strbuf *out)
{
	diag_diagnose_gw(g, g->now, profile, NULL, json, out);
}
