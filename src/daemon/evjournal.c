/* Event journal file (evjournal.h). */
#include "daemon/evjournal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "log/journal.h"

#define EVJ_LOAD_MAX (4u * EVJ_ROTATE)

int mkdir_p(const char *path, unsigned mode)
{
	char buf[512];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
			return -1;
		*p = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int open_current(struct evjournal *j)
{
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0)
		return -1;
	struct stat st;
	j->size = fstat(j->fd, &st) == 0 ? (size_t)st.st_size : 0;
	return 0;
}

int evj_open(struct evjournal *j, const char *state_dir, char *err, size_t errlen)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (mkdir_p(state_dir, 0750) < 0) {
		snprintf(err, errlen, "cannot create state-dir '%s': %s", state_dir, strerror(errno));
		return -1;
	}
	int w1 = snprintf(j->path, sizeof(j->path), "%s/%s", state_dir, EVJ_FILE);
	int w2 = snprintf(j->old_path, sizeof(j->old_path), "%s/%s.1", state_dir, EVJ_FILE);
	if (w1 < 0 || w2 < 0 || (size_t)w2 >= sizeof(j->old_path)) {
		snprintf(err, errlen, "state-dir path too long");
		return -1;
	}
	if (open_current(j) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", j->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads a file into a heap buffer (NULL when missing or empty). */
static uint8_t *slurp(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0)
		return NULL;
	size_t want = (size_t)st.st_size > EVJ_LOAD_MAX ? EVJ_LOAD_MAX : (size_t)st.st_size;
	uint8_t *buf = malloc(want);
	if (!buf)
		return NULL;
	size_t n = 0;
	while (n < want) {
		ssize_t r = pread(fd, buf + n, want - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

static size_t load_one(int fd, const char *path, bool cut_tail,
		       void (*cb)(void *ctx, const struct ikg_event *ev), void *ctx)
{
	size_t len = 0, valid = 0;
	uint8_t *buf = slurp(fd, &len);
	if (!buf)
		return 0;
	size_t n = journal_decode_all(buf, len, cb, ctx, &valid);
	free(buf);
	if (valid < len) {
		dlog("%s: %zu bytes after the last complete record %s", path, len - valid,
		     cut_tail ? "cut off (torn write)" : "ignored");
		if (cut_tail && ftruncate(fd, (off_t)valid) < 0)
			dlog("%s: cannot truncate: %s", path, strerror(errno));
	}
	return n;
}

size_t evj_load(struct evjournal *j, void (*cb)(void *ctx, const struct ikg_event *ev),
		void *ctx)
{
	size_t n = 0;
	int old = open(j->old_path, O_RDONLY | O_CLOEXEC);
	if (old >= 0) {
		n += load_one(old, j->old_path, false, cb, ctx);
		close(old);
	}
	if (j->fd >= 0) {
		n += load_one(j->fd, j->path, true, cb, ctx);
		struct stat st;
		j->size = fstat(j->fd, &st) == 0 ? (size_t)st.st_size : 0;
	}
	return n;
}

static void sync_now(struct evjournal *j)
{
	if (j->fd >= 0 && j->dirty && fdatasync(j->fd) < 0)
		j->write_errors++;
	j->dirty = false;
}

static void rotate(struct evjournal *j)
{
	sync_now(j);
	close(j->fd);
	j->fd = -1;
	if (rename(j->path, j->old_path) < 0)
		dlog("cannot rotate %s: %s", j->path, strerror(errno));
	if (open_current(j) < 0)
		dlog("cannot reopen %s: %s; events are no longer journaled", j->path,
		     strerror(errno));
}

void evj_append(struct evjournal *j, const struct ikg_event *ev, bool sync, ikg_ms now)
{
	uint8_t rec[JOURNAL_RECORD_MAX];
	if (j->fd < 0)
		return;
	size_t len = journal_encode(ev, rec, sizeof(rec));
	if (len == 0)
		return;
	if (j->size + len > EVJ_ROTATE && j->size > 0)
		rotate(j);
	if (j->fd < 0)
		return;
	ssize_t w;
	do
		w = write(j->fd, rec, len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len) {
		/* never leave half a record in the middle of the file */
		if (w > 0 && ftruncate(j->fd, (off_t)j->size) < 0)
			dlog("%s: cannot undo a partial write: %s", j->path, strerror(errno));
		if (j->write_errors++ == 0)
			dlog("cannot write %s: %s", j->path, w < 0 ? strerror(errno) : "short write");
		return;
	}
	j->size += len;
	if (!j->dirty)
		j->dirty_since = now;
	j->dirty = true;
	if (sync)
		sync_now(j);
}

void evj_flush(struct evjournal *j, ikg_ms now, bool force)
{
	if (j->dirty && (force || now >= j->dirty_since + EVJ_SYNC_MS))
		sync_now(j);
}

ikg_ms evj_next_flush(const struct evjournal *j)
{
	return j->dirty ? j->dirty_since + EVJ_SYNC_MS : IKG_MS_NEVER;
}

void evj_clear(struct evjournal *j)
{
	if (unlink(j->old_path) < 0 && errno != ENOENT)
		dlog("cannot remove %s: %s", j->old_path, strerror(errno));
	if (j->fd < 0)
		return;
	if (ftruncate(j->fd, 0) < 0)
		dlog("cannot truncate %s: %s", j->path, strerror(errno));
	j->size = 0;
	j->dirty = true;
	sync_now(j);
}

void evj_close(struct evjournal *j)
{
	if (j->fd < 0)
		return;
	sync_now(j);
	close(j->fd);
	j->fd = -1;
}
