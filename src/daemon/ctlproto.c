/* Framing of the control protocol (ctlproto.h). */
#include "daemon/ctlproto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_parse_request(char *line, char **words, int max)
{
	size_t ml = strlen(CTL_MAGIC);
	int n = 0;

	if (strncmp(line, CTL_MAGIC, ml) != 0 || (line[ml] != ' ' && line[ml] != '\0'))
		return -1;
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			return -1;
	char *p = line + ml;
	while (*p) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}

int ctl_format_request(char *buf, size_t len, const char *words)
{
	int w = snprintf(buf, len, "%s %s\n", CTL_MAGIC, words);
	if (w < 0 || (size_t)w >= len || (size_t)w > CTL_REQUEST_MAX)
		return -1;
	return w;
}

int ctl_format_header(char *buf, size_t len, int status, size_t body_len)
{
	int w = snprintf(buf, len, "%s %d %zu\n", CTL_MAGIC, status, body_len);
	if (w < 0 || (size_t)w >= len)
		return -1;
	return w;
}

static int parse_uint(const char *s, const char **end, unsigned long long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *e;
	*out = strtoull(s, &e, 10);
	if (errno)
		return -1;
	*end = e;
	return 0;
}

int ctl_parse_header(const char *line, int *status, size_t *body_len)
{
	size_t ml = strlen(CTL_MAGIC);
	unsigned long long st, len;
	const char *p;

	if (strncmp(line, CTL_MAGIC, ml) != 0 || line[ml] != ' ')
		return -1;
	if (parse_uint(line + ml + 1, &p, &st) < 0 || st > CTL_USAGE || *p != ' ')
		return -1;
	if (parse_uint(p + 1, &p, &len) < 0 || *p != '\0' || len > CTL_BODY_MAX)
		return -1;
	*status = (int)st;
	*body_len = (size_t)len;
	return 0;
}

bool ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, uid_t self,
		      bool have_group, gid_t group, const char *group_name, char *why,
		      size_t len)
{
	if (uid == 0 || uid == self)
		return true;
	if (have_group) {
		if (gid == group)
			return true;
		for (size_t i = 0; i < n_groups; i++)
			if (groups[i] == group)
				return true;
		snprintf(why, len, "permission denied: uid %u is neither root nor in group '%s'",
			 (unsigned)uid, group_name);
	} else {
		snprintf(why, len,
			 "permission denied: uid %u is not root (create group '%s' to delegate "
			 "access)", (unsigned)uid, group_name);
	}
	return false;
}
