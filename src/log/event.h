/* One WAN Event History entry. */
#ifndef IKG_EVENT_H
#define IKG_EVENT_H

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

#endif
