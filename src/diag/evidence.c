/* Reading an event's evidence ("key=value; key: value; ...") and comparing proposal texts. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/algs.h"
#include "diag/rules_internal.h"

static bool at_field_start(const char *ev, const char *p)
{
	if (p == ev)
		return true;
	while (p > ev && p[-1] == ' ')
		p--;
	return p == ev || p[-1] == ';';
}

bool ev_field(const char *ev, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	if (len)
		out[0] = 0;
	for (const char *p = ev; ev && (p = strstr(p, key)) != NULL; p += kl) {
		if (!at_field_start(ev, p))
			continue;
		const char *v = p + kl;
		if (*v == '=')
			v++;
		else if (*v == ':' && v[1] == ' ')
			v += 2;
		else
			continue;
		const char *end = strstr(v, "; ");
		if (!end)
			end = v + strlen(v);
		while (end > v && (end[-1] == ';' || end[-1] == ' '))
			end--;
		size_t n = (size_t)(end - v);
		if (len == 0)
			return true;
		if (n >= len)
			n = len - 1;
		memcpy(out, v, n);
		out[n] = 0;
		return true;
	}
	return false;
}

bool ev_has(const char *ev, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = ev; p && *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* The number right after one of the markers. */
int ev_message_number(const char *ev)
{
	static const char *const marks[] = {"message ", "message=", "msg ", "msg=", "msg", "message #"};
	int found = 0;
	for (const char *p = ev; p && *p; p++) {
		for (size_t m = 0; m < IKG_ARRAY_LEN(marks); m++) {
			size_t n = strlen(marks[m]);
			if (strncasecmp(p, marks[m], n) != 0 || !isdigit((unsigned char)p[n]))
				continue;
			if (p > ev && isalpha((unsigned char)p[-1]))
				continue;
			found = atoi(p + n);
			break;
		}
		if (found)
			return found;
	}
	return 0;
}

static int group_from_name(const char *s)
{
	static const int groups[] = {1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21};
	if (strcmp(s, "nopfs") == 0 || strcmp(s, "none") == 0)
		return 0;
	if (strncmp(s, "group", 5) == 0 && isdigit((unsigned char)s[5]))
		return atoi(s + 5);
	for (size_t i = 0; i < IKG_ARRAY_LEN(groups); i++) {
		const char *n = ikg_dh_group_name(groups[i]);
		if (n && strcmp(n, s) == 0)
			return groups[i];
	}
	return -1;
}

static enum prop_field classify(const char *w, bool first)
{
	if (first && (strcmp(w, "esp") == 0 || strcmp(w, "ah") == 0))
		return PF_PROTO;
	if (ikg_cipher_from_name(w) || ikg_esp_enc_from_name(w) || strncmp(w, "enc", 3) == 0)
		return PF_ENC;
	if (ikg_hash_from_name(w) || ikg_integ_from_name(w) || strncmp(w, "hash", 4) == 0)
		return PF_INTEG;
	if (group_from_name(w) >= 0 || strcmp(w, "group?") == 0)
		return PF_GROUP;
	return PF_OTHER;
}

void proposal_parse(const char *text, struct proposal *p)
{
	memset(p, 0, sizeof(*p));
	char buf[128];
	snprintf(buf, sizeof buf, "%s", text ? text : "");
	char *save = NULL;
	bool first = true;
	for (char *w = strtok_r(buf, "- ", &save); w; w = strtok_r(NULL, "- ", &save)) {
		enum prop_field fld = classify(w, first);
		first = false;
		char *dst = p->f[fld];
		if (dst[0])
			dg_cat(dst, sizeof p->f[fld], "-%s", w);
		else
			dg_set(dst, sizeof p->f[fld], "%s", w);
	}
}

unsigned proposal_diff(const struct proposal *a, const struct proposal *b)
{
	unsigned m = 0;
	for (int i = 0; i < PF__COUNT; i++)
		if (strcmp(a->f[i], b->f[i]) != 0)
			m |= 1u << i;
	return m;
}

const char *prop_field_key(enum prop_field fld, bool phase2)
{
	switch (fld) {
	case PF_PROTO: return "protocol";
	case PF_ENC: return "encryption";
	case PF_INTEG: return phase2 ? "integrity" : "hash";
	case PF_GROUP: return phase2 ? "pfs-group" : "dh-group";
	default: return phase2 ? "mode/other" : "authentication";
	}
}

void prop_config_value(enum prop_field fld, const char *v, char *out, size_t len)
{
	if (fld == PF_GROUP) {
		int g = group_from_name(v);
		if (g >= 0) {
			dg_set(out, len, "%d", g);
			return;
		}
	}
	if (fld == PF_PROTO || fld == PF_ENC || fld == PF_INTEG)
		dg_set(out, len, "\"%s\"", v[0] ? v : "none");
	else
		dg_set(out, len, "%s", v[0] ? v : "none");
}
