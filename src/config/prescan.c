/* What libconfig 1.5 cannot be trusted with, checked on the raw text before it parses:
 * - "@include" makes it open files (the core never touches files);
 * - a decimal integer beyond 32 bits is silently truncated (5000000000 becomes 705032704);
 * - a string left open runs on to the next quote, lines later;
 * - a string where no value may stand ("key "value";" without '=') is a syntax error whose
 *   string it never frees.
 * Each is reported at its line, with a fix, and the text is not parsed. */
#include <string.h>

#include "config/diags.h"
#include "config/load_util.h"

struct scan {
	struct pctx *p;
	const char *text;
	const char *q;       /* current character */
	int line;
	char prev;           /* last significant character outside comments ('"' after a string) */
	bool found;
	char open[64];       /* the brackets { ( [ enclosing q, innermost last */
	size_t depth;
};

static void track_bracket(struct scan *s, char ch)
{
	if (strchr("{([", ch)) {
		if (s->depth < sizeof(s->open))
			s->open[s->depth] = ch;
		s->depth++;
	} else if (strchr("})]", ch) && s->depth > 0) {
		s->depth--;
	}
}

/* May a string stand here? After '=' or ':' (a value), after another string (concatenation),
 * after '(' or '[' (first element), or after ',' inside a list or array (next element). */
static bool string_allowed(const struct scan *s)
{
	if (!s->prev || !strchr("=:,([\"", s->prev))
		return false;
	if (s->prev != ',')
		return true;
	if (s->depth == 0)
		return false;
	if (s->depth > sizeof(s->open))
		return true; /* too deep to know: leave it to libconfig */
	char in = s->open[s->depth - 1];
	return in == '(' || in == '[';
}

static struct cfg_diag *scan_error(struct scan *s)
{
	s->found = true;
	return pctx_error(s->p, s->line);
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '*' || ch == '.';
}

/* "@include" at the start of a line (after blanks), as libconfig's rule matches it: reported,
 * and q moved to the end of that line. q is at the start of a line. */
static void check_include(struct scan *s)
{
	const char *t = s->q;
	while (*t == ' ' || *t == '\t')
		t++;
	if (strncmp(t, "@include", 8) != 0)
		return;
	struct cfg_diag *e = scan_error(s);
	cfg_diag_msg(e, "@include is not supported");
	cfg_diag_fix(e, "copy the included settings into this file");
	const char *nl = strchr(t, '\n');
	s->q = nl ? nl : t + strlen(t);
}

/* A string: it must stand where a value may, and end on its own line. Leaves q on the closing
 * quote, or before the newline / on the terminator when it is not closed. */
static void scan_string(struct scan *s)
{
	if (!string_allowed(s)) {
		struct cfg_diag *e = scan_error(s);
		cfg_diag_msg(e, "syntax error: a string where a setting name or '=' is expected");
		cfg_diag_fix(e, "write key = \"value\"; (is the '=' missing before the string?)");
	}
	const char *r = s->q + 1;
	for (; *r && *r != '"' && *r != '\n'; r++)
		if (*r == '\\' && r[1] && r[1] != '\n')
			r++;
	s->prev = '"';
	if (*r == '"') {
		s->q = r;
		return;
	}
	struct cfg_diag *e = scan_error(s);
	cfg_diag_msg(e, "string not closed on this line");
	cfg_diag_fix(e, "add the closing \" before the end of the line");
	s->q = *r ? r - 1 : r; /* the newline is counted by the caller */
}

/* A comment: leaves q on its last character (or on the terminator). */
static void scan_comment(struct scan *s)
{
	const char *r = s->q;
	if (*r == '#' || r[1] == '/') {
		while (r[1] && r[1] != '\n')
			r++;
	} else {
		for (r += 2; *r && !(r[0] == '*' && r[1] == '/'); r++)
			if (*r == '\n')
				s->line++;
		if (*r)
			r++;
	}
	s->q = r;
}

/* Is the digit at q the start of a number (not inside a name like "branch-2")? */
static bool starts_number(const struct scan *s)
{
	const char *q = s->q;
	if (q == s->text)
		return true;
	if (q[-1] == '-')
		return q - 1 == s->text || !is_name_char(q[-2]);
	return !is_name_char(q[-1]);
}

/* A decimal number: leaves q on its last digit. */
static void scan_number(struct scan *s)
{
	const char *start = s->q, *r = s->q;
	uint64_t v = 0;
	bool big = false;
	for (; *r >= '0' && *r <= '9'; r++)
		if (!big && (v = v * 10 + (uint64_t)(*r - '0')) > 0x7FFFFFFFu)
			big = true;
	s->q = r - 1;
	/* floats, hex and 64-bit literals (L suffix) are libconfig's own business */
	if (!big || (*r && strchr(".eExXL", *r)))
		return;
	int len = (int)(r - start);
	struct cfg_diag *e = scan_error(s);
	cfg_diag_msg(e, "number %.*s is too large", len > 24 ? 24 : len, start);
	cfg_diag_fix(e, "use a value below 2147483648");
}

bool cfg_prescan(struct pctx *p, const char *text)
{
	struct scan s = {.p = p, .text = text, .q = text, .line = 1};
	bool line_start = true;
	for (; *s.q; s.q++) {
		if (line_start) {
			line_start = false;
			check_include(&s);
			if (!*s.q)
				break;
		}
		char ch = *s.q;
		if (ch == '\n') {
			s.line++;
			line_start = true;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ch == '"')
			scan_string(&s);
		else if (ch == '#' || (ch == '/' && (s.q[1] == '/' || s.q[1] == '*')))
			scan_comment(&s);
		else if (ch >= '0' && ch <= '9' && starts_number(&s)) {
			scan_number(&s);
			s.prev = '0';
		} else {
			s.prev = ch;
			track_bracket(&s, ch);
		}
		if (!*s.q)
			break;
	}
	return s.found;
}
