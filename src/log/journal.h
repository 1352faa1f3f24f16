/* The on-disk event journal: a pure record codec (the daemon does the file I/O).
 *
 * One record, all integers big-endian:
 *   magic "IKGJ" (4) | version (1) = 1 | flags (1) = 0 | payload length (2)
 *   payload: when (8) | code (2) | peer (4) | profile len (1) + bytes | text len (1) + bytes |
 *            evidence len (2) + bytes
 *   CRC-32 (IEEE 802.3, as zlib's crc32) over everything before it (4)
 * A journal is records back to back. Decoding stops at the first torn or corrupt record; the
 * bytes before it are valid and the daemon truncates the file there. */
#ifndef IKG_JOURNAL_H
#define IKG_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "log/event.h"

#define JOURNAL_MAGIC "IKGJ"
#define JOURNAL_VERSION 1
#define JOURNAL_HEADER_LEN 8
#define JOURNAL_TRAILER_LEN 4
/* The largest record journal_encode produces. */
#define JOURNAL_RECORD_MAX                                                                         \
	(JOURNAL_HEADER_LEN + 8 + 2 + 4 + 1 + (IKG_NAME_MAX - 1) + 1 + (96 - 1) + 2 +               \
	 (IKG_EVIDENCE_MAX - 1) + JOURNAL_TRAILER_LEN)

/* Encodes one record into buf. Returns its length, or 0 when cap is too small. Strings are
 * taken up to their terminator (or their field size). */
size_t journal_encode(const struct ikg_event *ev, uint8_t *buf, size_t cap);

/* Decodes the records of buf in order, calling cb for each valid one (the event is valid only
 * during the call). Stops at the first torn or corrupt record. Returns the number of records
 * decoded; *valid_len (may be NULL) receives the length of the valid prefix. */
size_t journal_decode_all(const uint8_t *buf, size_t len,
			  void (*cb)(void *ctx, const struct ikg_event *ev), void *ctx,
			  size_t *valid_len);

/* CRC-32 (reflected polynomial 0xEDB88320, initial and final xor 0xFFFFFFFF). */
uint32_t journal_crc32(const uint8_t *p, size_t len);

#endif
