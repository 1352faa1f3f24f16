/* The control commands: the grammar's daemon-side commands dispatched to the views and to
 * the gateway's operator calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/grammar.h"
#include "daemon/ctlproto.h"
#include "daemon/daemon.h"
#include "daemon/hostfw.h"
#include "diag/render.h"
#include "view/views.h"

static int no_such_profile(struct daemon *d, const char *name, struct strbuf *out)
{
	const struct ikg_config *cfg = gw_config(d->gw);
	sb_printf(out, "no such profile '%s'", name);
	if (cfg->n_ipsec) {
		sb_puts(out, " (profiles:");
		for (size_t i = 0; i < cfg->n_ipsec; i++)
			sb_printf(out, " %s", cfg->ipsec[i].name);
		sb_puts(out, ")");
	}
	sb_puts(out, "\n");
	return CTL_ERROR;
}

static int cmd_initiate(struct daemon *d, const char *name, ikg_ms now, struct strbuf *out)
{
	const char *why = NULL;
	if (!ikg_config_ipsec(gw_config(d->gw), name))
		return no_such_profile(d, name, out);
	if (gw_initiate(d->gw, now, name, &why) < 0) {
		sb_printf(out, "cannot initiate '%s': %s\n", name, why ? why : "refused");
		return CTL_ERROR;
	}
	sb_printf(out, "initiating '%s': phase 1 started (watch: ikegate show log)\n", name);
	return CTL_OK;
}

static int cmd_profile(struct daemon *d, const char *name, bool on, ikg_ms now,
		       struct strbuf *out)
{
	const char *why = NULL;
	if (!ikg_config_ipsec(gw_config(d->gw), name))
		return no_such_profile(d, name, out);
	if (gw_profile_enable(d->gw, now, name, on, &why) < 0) {
		sb_printf(out, "cannot %s '%s': %s\n", on ? "enable" : "disable", name,
			  why ? why : "refused");
		return CTL_ERROR;
	}
	daemon_sync_routes(d);
	sb_printf(out, "profile '%s' %s\n", name,
		  on ? "enabled" : "disabled (tunnel torn down, peer notified)");
	return CTL_OK;
}

int daemon_execute(void *ctx, int n, char **words, struct strbuf *out)
{
	struct daemon *d = ctx;
	struct cmd_req r;
	char err[512];

	if (cmd_resolve(n, words, true, &r, err, sizeof(err)) < 0) {
		sb_printf(out, "%s\n", err);
		return CTL_USAGE;
	}
	if (r.def->where != RUN_DAEMON) {
		sb_printf(out, "'%s' runs in the ikegate client, not in the daemon\n", words[0]);
		return CTL_USAGE;
	}
	bool json = r.opts & OPT_JSON;
	ikg_ms now = now_ms();
	switch (r.def->id) {
	case CMD_SHOW_VPN:
		view_quick(d->gw, r.opts & OPT_DISCARDS, json, out);
		return CTL_OK;
	case CMD_SHOW_LOG:
		view_log(d->gw, r.opts & OPT_DETAIL, json, out);
		return CTL_OK;
	case CMD_SHOW_NAT:
		view_nat(d->gw, now, json, out);
		return CTL_OK;
	case CMD_SHOW_IKE_SA:
		view_ike_sa(d->gw, json, out);
		return CTL_OK;
	case CMD_SHOW_IPSEC_SA:
		view_ipsec_sa(d->gw, json, out);
		return CTL_OK;
	case CMD_SHOW_FILTER:
		view_filter(d->gw, json, out);
		return CTL_OK;
	case CMD_DIAGNOSE:
		if (r.arg && !ikg_config_ipsec(gw_config(d->gw), r.arg))
			return no_such_profile(d, r.arg, out);
		{
			/* the host's nftables rules are evidence too (design: read the ruleset) */
			char *ruleset = hostfw_ruleset();
			diag_diagnose_gw(d->gw, now, r.arg, ruleset, json, out);
			free(ruleset);
		}
		return CTL_OK;
	case CMD_INITIATE:
		return cmd_initiate(d, r.arg, now, out);
	case CMD_PROFILE_ENABLE:
	case CMD_PROFILE_DISABLE:
		return cmd_profile(d, r.arg, r.def->id == CMD_PROFILE_ENABLE, now, out);
	case CMD_RELOAD:
		return daemon_reload(d, out) == 0 ? CTL_OK : CTL_ERROR;
	case CMD_CLEAR_LOG:
		gw_clear_log(d->gw);
		evj_clear(&d->journal);
		sb_puts(out, "WAN Event History cleared\n");
		return CTL_OK;
	default:
		sb_puts(out, "command not handled by the daemon\n");
		return CTL_USAGE;
	}
}
