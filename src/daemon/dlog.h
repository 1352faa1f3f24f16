/* The daemon's own diagnostics ("ikegated: ..." on stderr; journald keeps them under systemd). */
#ifndef IKG_DLOG_H
#define IKG_DLOG_H

void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
