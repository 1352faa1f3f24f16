/* WAN Event History lines: "06/17/03 15:47:51   IKE: phase 2 complete sg 10.0.0.2". The date is
 * computed from the millisecond timestamp with plain arithmetic (UTC), no libc time functions. */
#include "log/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"

struct civil {
	unsigned year, month, day, hour, minute, second;
};

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil inverse). */
static void civil_from_days(uint64_t days, struct civil *c)
{
	uint64_t z = days + 719468;
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	uint64_t d = doy - (153 * mp + 2) / 5 + 1;
	uint64_t m = mp < 10 ? mp + 3 : mp - 9;
	uint64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	c->year = (unsigned)y;
	c->month = (unsigned)m;
	c->day = (unsigned)d;
}

static void civil_from_ms(ikg_ms when, struct civil *c)
{
	uint64_t secs = when / 1000;
	civil_from_days(secs / 86400, c);
	uint64_t sod = secs % 86400;
	c->hour = (unsigned)(sod / 3600);
	c->minute = (unsigned)(sod % 3600 / 60);
	c->second = (unsigned)(sod % 60);
}

const char *ikg_event_line(const struct ikg_event *ev, char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	struct civil c;
	civil_from_ms(ev->when, &c);
	char stamp[32];
	snprintf(stamp, sizeof(stamp), "%02u/%02u/%02u %02u:%02u:%02u", c.month, c.day, c.year % 100,
		 c.hour, c.minute, c.second);

	if (ev->code == MSG_WAN_UP) {
		snprintf(buf, len, "%s >>WAN: %s", stamp, ev->text);
		return buf;
	}
	const struct ikg_msg_info *mi = ikg_msg_info(ev->code);
	char unknown[32];
	const char *facility = mi ? mi->facility : "IKE";
	const char *text = mi ? mi->text : unknown;
	if (!mi)
		snprintf(unknown, sizeof(unknown), "event %d", (int)ev->code);
	if (ev->peer) {
		char ip[IKG_IP4_STRLEN];
		snprintf(buf, len, "%s   %s: %s sg %s", stamp, facility, text, ikg_ip4_str(ev->peer, ip));
	} else {
		snprintf(buf, len, "%s   %s: %s", stamp, facility, text);
	}
	return buf;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void ikg_event_vmake(struct ikg_event *ev, ikg_ms when, enum ikg_msg code, const char *profile,
		     ikg_ip4 peer, const char *evidence_fmt, va_list ap)
{
	memset(ev, 0, sizeof(*ev));
	ev->when = when;
	ev->code = code;
	ev->peer = peer;
	copy_str(ev->profile, sizeof(ev->profile), profile);
	if (evidence_fmt)
		vsnprintf(ev->evidence, sizeof(ev->evidence), evidence_fmt, ap);
}

void ikg_event_make(struct ikg_event *ev, ikg_ms when, enum ikg_msg code, const char *profile,
		    ikg_ip4 peer, const char *evidence_fmt, ...)
{
	va_list ap;
	va_start(ap, evidence_fmt);
	ikg_event_vmake(ev, when, code, profile, peer, evidence_fmt, ap);
	va_end(ap);
}

void ikg_event_set_text(struct ikg_event *ev, const char *text)
{
	copy_str(ev->text, sizeof(ev->text), text);
}
