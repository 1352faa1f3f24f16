/* The event journal file STATE_DIR/events.journal (records from log/journal.h). Every event
 * is appended; error events are made durable at once (fdatasync), others within
 * EVJ_SYNC_MS. At EVJ_ROTATE bytes the file becomes events.journal.1 (one old file kept). On
 * start both are replayed into the history and a torn tail is cut off. */
#ifndef IKG_EVJOURNAL_H
#define IKG_EVJOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/types.h"
#include "log/event.h"

#define EVJ_ROTATE (1024u * 1024u)
#define EVJ_SYNC_MS 1000
#define EVJ_FILE "events.journal"

struct evjournal {
	int fd;                     /* -1: journaling off */
	char path[512], old_path[512];
	size_t size;
	bool dirty;
	ikg_ms dirty_since;
	uint64_t write_errors;
};

/* Creates the state directory (0750) if needed and opens the journal. 0, or -1 with err. */
int evj_open(struct evjournal *j, const char *state_dir, char *err, size_t errlen);
/* Replays events.journal.1 then events.journal through cb, oldest first; cuts a torn tail off
 * the current file. Returns the number of events. */
size_t evj_load(struct evjournal *j, void (*cb)(void *ctx, const struct ikg_event *ev),
		void *ctx);
/* Appends one event; durable now when sync (error events). */
void evj_append(struct evjournal *j, const struct ikg_event *ev, bool sync, ikg_ms now);
/* Makes pending records durable once they are EVJ_SYNC_MS old (or always when force). */
void evj_flush(struct evjournal *j, ikg_ms now, bool force);
/* When evj_flush wants to run, IKG_MS_NEVER if nothing is pending. */
ikg_ms evj_next_flush(const struct evjournal *j);
/* Empties the journal (clear log). */
void evj_clear(struct evjournal *j);
void evj_close(struct evjournal *j);

/* mkdir -p with mode for the missing components. 0 or -1 (errno set). */
int mkdir_p(const char *path, unsigned mode);

#endif
