/* Text and JSON renderings of the ranked findings. */
#include "diag/render.h"


void diag_render_text(const struct diag_findings *l, struct strbuf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct diag_finding *d = &l->v[i];
		sb_printf(out, "%zu. %s: %s [%s]\n", i + 1, d->profile ? d->profile : "gateway",
			  d->title, d->id);
		sb_printf(out, "   evidence: %s\n", d->evidence);
		sb_printf(out, "   fix: %s\n", d->fix);
	}
}

void diag_render_json(const struct diag_findings *l, struct strbuf *out)
{
	sb_puts(out, "{\"findings\":[");
	for (size_t i = 0; i < l->n; i++) {
		const struct diag_finding *d = &l->v[i];
		sb_printf(out, "%s{\"rank\":%zu,\"id\":", i ? "," : "", i + 1);
		sb_json_str(out, d->id);
		sb_puts(out, ",\"profile\":");
		if (d->profile)
			sb_json_str(out, d->profile);
		else
			sb_puts(out, "null");
		sb_puts(out, ",\"title\":");
		sb_json_str(out, d->title);
		sb_puts(out, ",\"evidence\":");
		sb_json_str(out, d->evidence);
		sb_puts(out, ",\"fix\":");
		sb_json_str(out, d->fix);
		sb_printf(out, ",\"score\":%d}", d->rank_score);
	}
	sb_puts(out, "]}\n");
}
