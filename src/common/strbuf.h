/* A growing text buffer for views and JSON. Allocation failure is sticky: ->failed. */
#ifndef IKG_STRBUF_H
#define IKG_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>

struct strbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap);
void sb_puts(struct strbuf *b, const char *s);
/* Appends s as a JSON string literal (with quotes and escapes). */
void sb_json_str(struct strbuf *b, const char *s);
/* Returns the text ("" if empty or failed). */
const char *sb_str(const struct strbuf *b);

#endif
