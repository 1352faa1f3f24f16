/* The WAN Event History: a bounded in-memory ring, oldest first. */
#ifndef IKG_HISTORY_H
#define IKG_HISTORY_H

#include "log/event.h"

struct history;
struct history *history_new(size_t capacity);  /* NULL on allocation failure */
void history_free(struct history *h);
/* Appends (dropping the oldest when full). */
void history_add(struct history *h, const struct ikg_event *ev);
size_t history_count(const struct history *h);
/* i = 0 is the oldest kept; NULL when out of range. */
const struct ikg_event *history_get(const struct history *h, size_t i);
void history_clear(struct history *h);
/* Total ever added (monotonic; clients use it to ask for "new since"). */
uint64_t history_seq(const struct history *h);

#endif
