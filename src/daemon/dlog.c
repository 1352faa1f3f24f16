#include "daemon/dlog.h"

#include <stdarg.h>
#include <stdio.h>

void dlog(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ikegated: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
}
