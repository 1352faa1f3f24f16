/* One WAN Event History entry. */
#ifndef IKG_EVENT_H
#define IKG_EVENT_H

#include <stdarg.h>

#include "common/types.h"
#include "log/catalogue.h"

#define IKG_EVIDENCE_MAX 480

struct ikg_event {
	ikg_ms when;
	enum ikg_msg code;
	ikg_ip4 peer;                 /* 0 when the event has no peer ("sg" part left out) */
	char profile[IKG_NAME_MAX];   /* "" when none */
	char text[96];                /* variable text for events whose text is not fixed (">>WAN") */
	char evidence[IKG_EVIDENCE_MAX]; /* "key=value; key=value" facts of this occurrence; no secrets */
};

/* Formats the history line, e.g. "06/17/03 15:47:51   IKE: phase 2 complete sg 10.0.0.2".
 * Time is shown in UTC. Returns buf. */
const char *ikg_event_line(const struct ikg_event *ev, char *buf, size_t len);

/* Fills *ev (zeroed first): time, code, profile (may be NULL), peer (0 = none) and the evidence,
 * printf-style ("received=aes128-sha1-modp1024; configured=3des-md5-modp1024"), truncated
 * safely to IKG_EVIDENCE_MAX - 1 characters. evidence_fmt may be NULL. Never pass secrets. */
void ikg_event_make(struct ikg_event *ev, ikg_ms when, enum ikg_msg code, const char *profile,
		    ikg_ip4 peer, const char *evidence_fmt, ...)
	__attribute__((format(printf, 6, 7)));
void ikg_event_vmake(struct ikg_event *ev, ikg_ms when, enum ikg_msg code, const char *profile,
		     ikg_ip4 peer, const char *evidence_fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
/* Sets the variable text (">>WAN: <text>"), truncated to fit. */
void ikg_event_set_text(struct ikg_event *ev, const char *text);

#endif
