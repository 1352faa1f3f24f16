/* `show ike sa` and `show ipsec sa`: algorithms, lifetimes, SPIs, never keys. */
#include <stdio.h>
#include <stdlib.h>

#include "common/addr.h"
#include "gw/gw_internal.h"
#include "view/views.h"


static const char *profile_name(const struct gw *g, size_t i)
{
	const struct ikg_config *c = gw_config(g);
	return i < c->n_ipsec ? c->ipsec[i].name : "?";
}

static void hex8(const uint8_t *c, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hx[c[i] >> 4];
		out[2 * i + 1] = hx[c[i] & 15];
	}
	out[16] = '\0';
}

/* The engine's lists have no fixed size: ask with a growing buffer until it is not full. */
typedef size_t (*list_fn)(const struct ike_engine *e, void *out, size_t max);

static size_t list_ike(const struct ike_engine *e, void *out, size_t max)
{
	return ike_sa_list(e, out, max);
}

static size_t list_child(const struct ike_engine *e, void *out, size_t max)
{
	return ike_child_list(e, out, max);
}

static int list_all(void **v, size_t elem, size_t *n, list_fn list, const struct ike_engine *e)
{
	for (size_t cap = 64;; cap *= 2) {
		void *nv = realloc(*v, cap * elem);
		if (!nv) {
			free(*v);
			*v = NULL;
			return -1;
		}
		*v = nv;
		*n = list(e, *v, cap);
		if (*n < cap)
			return 0;
	}
}

void view_ike_sa(const struct gw *g, bool json, struct strbuf *out)
{
	size_t n = 0;
	struct ike_sa_info *v = NULL;
	if (list_all((void **)&v, sizeof(*v), &n, list_ike, gw_ike(g))) {
		sb_puts(out, json ? "{\"error\":\"out of memory\"}\n" : "out of memory\n");
		return;
	}
	char peer[IKG_IP4_STRLEN], ci[17], cr[17];
	if (json)
		sb_puts(out, "{\"ike_sas\":[");
	else
		sb_printf(out, "%-16s %-15s %-5s %-11s %-9s %-8s %-7s %-9s %-33s %s\n", "Profile", "Peer",
			  "Port", "State", "Role", "Cipher", "Hash", "DH", "Cookies (i:r)", "Expires in");
	for (size_t i = 0; i < n; i++) {
		const struct ike_sa_info *s = &v[i];
		ikg_ip4_str(s->peer, peer);
		hex8(s->icookie, ci);
		hex8(s->rcookie, cr);
		bool never = s->expires == IKG_MS_NEVER;  /* phase 1 still negotiating */
		long long left = !never && s->expires > g->now ? (long long)((s->expires - g->now) / 1000) : 0;
		char left_s[24];
		if (never)
			snprintf(left_s, sizeof(left_s), "null");
		else
			snprintf(left_s, sizeof(left_s), "%lld", left);
		if (json) {
			sb_printf(out, "%s{\"profile\":", i ? "," : "");
			sb_json_str(out, profile_name(g, s->profile));
			sb_printf(out,
				  ",\"peer\":\"%s\",\"peer_port\":%u,\"established\":%s,\"initiator\":%s,"
				  "\"mode\":\"%s\",\"nat_t\":%s,\"encryption\":\"%s\",\"hash\":\"%s\","
				  "\"dh_group\":%d,\"icookie\":\"%s\",\"rcookie\":\"%s\",\"expires_in_s\":%s,"
				  "\"peer_vendor\":",
				  peer, s->peer_port, s->established ? "true" : "false",
				  s->initiator ? "true" : "false", s->aggressive ? "aggressive" : "main",
				  s->nat_t ? "true" : "false", ikg_cipher_name(s->cipher) ? ikg_cipher_name(s->cipher) : "",
				  ikg_hash_name(s->hash) ? ikg_hash_name(s->hash) : "", s->dh_group, ci, cr, left_s);
			sb_json_str(out, s->peer_vendor);
			sb_puts(out, "}");
		} else {
			sb_printf(out, "%-16s %-15s %-5u %-11s %-9s %-8s %-7s %-9s %s:%s %s%s\n",
				  profile_name(g, s->profile), peer, s->peer_port,
				  s->established ? "established" : "negotiating",
				  s->initiator ? "initiator" : "responder",
				  ikg_cipher_name(s->cipher) ? ikg_cipher_name(s->cipher) : "-",
				  ikg_hash_name(s->hash) ? ikg_hash_name(s->hash) : "-",
				  ikg_dh_group_name(s->dh_group), ci, cr, never ? "-" : left_s, never ? "" : "s");
		}
	}
	if (json)
		sb_puts(out, "]}\n");
	else if (n == 0)
		sb_puts(out, "(no IKE SAs)\n");
	free(v);
}

void view_ipsec_sa(const struct gw *g, bool json, struct strbuf *out)
{
	size_t n = 0;
	struct ike_child_info *v = NULL;
	if (list_all((void **)&v, sizeof(*v), &n, list_child, gw_ike(g))) {
		sb_puts(out, json ? "{\"error\":\"out of memory\"}\n" : "out of memory\n");
		return;
	}
	char peer[IKG_IP4_STRLEN], lts[48], rts[48];
	if (json)
		sb_puts(out, "{\"ipsec_sas\":[");
	else
		sb_printf(out, "%-16s %-15s %-5s %-12s %-7s %-8s %-10s %-10s %-20s %-20s %s\n", "Profile",
			  "Peer", "Proto", "Encryption", "Integ", "PFS", "SPI in", "SPI out", "Local",
			  "Remote", "Expires in");
	for (size_t i = 0; i < n; i++) {
		const struct ike_child_info *c = &v[i];
		ikg_ip4_str(c->peer, peer);
		ikg_range_str(&c->local_ts, lts, sizeof(lts));
		ikg_range_str(&c->remote_ts, rts, sizeof(rts));
		long long left = c->expires != IKG_MS_NEVER && c->expires > g->now
					 ? (long long)((c->expires - g->now) / 1000) : 0;
		const char *proto = c->protocol == IKG_PROTO_AH ? "ah" : "esp";
		if (json) {
			sb_printf(out, "%s{\"profile\":", i ? "," : "");
			sb_json_str(out, profile_name(g, c->profile));
			sb_printf(out,
				  ",\"peer\":\"%s\",\"protocol\":\"%s\",\"encryption\":\"%s\","
				  "\"integrity\":\"%s\",\"pfs_group\":%d,\"spi_in\":\"%08x\","
				  "\"spi_out\":\"%08x\",\"local_ts\":\"%s\",\"remote_ts\":\"%s\","
				  "\"udp_encap\":%s,\"expires_in_s\":%lld}",
				  peer, proto, ikg_esp_enc_name(c->enc), ikg_integ_name(c->integ), c->pfs_group,
				  c->spi_in, c->spi_out, lts, rts, c->udp_encap ? "true" : "false", left);
		} else {
			sb_printf(out, "%-16s %-15s %-5s %-12s %-7s %-8s %08x   %08x   %-20s %-20s %llds%s\n",
				  profile_name(g, c->profile), peer, proto, ikg_esp_enc_name(c->enc),
				  ikg_integ_name(c->integ), ikg_dh_group_name(c->pfs_group), c->spi_in,
				  c->spi_out, lts, rts, left, c->udp_encap ? " udp-encap" : "");
		}
	}
	if (json)
		sb_puts(out, "]}\n");
	else if (n == 0)
		sb_puts(out, "(no IPsec SAs)\n");
	free(v);
}
