/* Shared basic types of the ikegate core. No I/O, no clock: time is passed in. */
#ifndef IKG_TYPES_H
#define IKG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch. The daemon passes the wall clock, the lab a virtual one. */
typedef uint64_t ikg_ms;
#define IKG_MS_NEVER UINT64_MAX

/* An IPv4 address in host byte order. */
typedef uint32_t ikg_ip4;

/* An inclusive address range: a member range of the technote (CIDR is a special case). */
struct ikg_range {
	ikg_ip4 lo, hi;
};

/* A read-only byte slice. */
struct ikg_bytes {
	const uint8_t *p;
	size_t len;
};

#define IKG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define IKG_NAME_MAX 32

#endif
