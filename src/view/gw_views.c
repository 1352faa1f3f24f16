/* The gateway-level entry points of the NAT and filter views. */
#include "gw/gw_internal.h"
#include "view/filter_view.h"
#include "view/nat_view.h"
#include "view/views.h"

void view_nat(const struct gw *g, ikg_ms now, bool json, struct strbuf *out)
{
	if (json)
		nat_view_json(gw_nat_table(g), now, out);
	else
		nat_view_render(gw_nat_table(g), now, out);
}

void view_filter(const struct gw *g, bool json, struct strbuf *out)
{
	const struct ikg_config *c = gw_config(g);
	if (json)
		filter_view_json(c->filters, g->filters, c->n_filters, out);
	else
		filter_view_render(c->filters, g->filters, c->n_filters, out);
}
