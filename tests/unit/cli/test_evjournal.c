/* The daemon's event journal file: append and replay in order, a torn tail is cut off,
 * rotation at 1 MiB keeps one old file and both are replayed, clear empties both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/evjournal.h"
#include "log/journal.h"

struct seen {
	size_t n;
	ikg_ms first, last;
	bool ordered;
};

static void count(void *ctx, const struct ikg_event *ev)
{
	struct seen *s = ctx;
	if (s->n == 0)
		s->first = ev->when;
	else if (ev->when < s->last)
		s->ordered = false;
	s->last = ev->when;
	s->n++;
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ikg-evj-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void event(struct ikg_event *ev, ikg_ms when, enum ikg_msg code)
{
	ikg_event_make(ev, when, code, "branch", 0xc0000202, "n=%llu; pad=%0300d",
		       (unsigned long long)when, 0);
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void append_replay_torn_tail(void **state)
{
	(void)state;
	struct evjournal j;
	char err[256], sub[128];
	struct ikg_event ev;

	snprintf(sub, sizeof(sub), "%s/state/deeper", dir);   /* created on the way */
	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), 0);
	for (ikg_ms t = 1; t <= 10; t++) {
		event(&ev, t, t == 5 ? MSG_PH1_AUTH_FAILURE : MSG_PH2_COMPLETE);
		evj_append(&j, &ev, t == 5, 1000 + t);
	}
	assert_true(evj_next_flush(&j) != IKG_MS_NEVER);
	evj_flush(&j, 0, true);
	assert_true(evj_next_flush(&j) == IKG_MS_NEVER);
	off_t good = file_size(j.path);
	evj_close(&j);

	/* a torn record at the end */
	int fd = open(j.path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "IKGJ\001\000\377", 7), 7);
	close(fd);
	assert_int_equal(file_size(j.path), good + 7);

	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), 0);
	struct seen s = { .ordered = true };
	assert_int_equal(evj_load(&j, count, &s), 10);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.first, 1);
	assert_int_equal(s.last, 10);
	assert_true(s.ordered);
	assert_int_equal(file_size(j.path), good);   /* cut at the last complete record */
	/* appending after the cut continues a valid journal */
	event(&ev, 11, MSG_PH2_COMPLETE);
	evj_append(&j, &ev, true, 2000);
	evj_close(&j);
	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), 0);
	memset(&s, 0, sizeof(s));
	s.ordered = true;
	assert_int_equal(evj_load(&j, count, &s), 11);
	evj_clear(&j);
	assert_int_equal(file_size(j.path), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(evj_load(&j, count, &s), 0);
	evj_close(&j);
}

static void rotation_keeps_one_old_file(void **state)
{
	(void)state;
	struct evjournal j;
	char err[256], sub[128];
	struct ikg_event ev;
	uint8_t rec[JOURNAL_RECORD_MAX];

	snprintf(sub, sizeof(sub), "%s/rot", dir);
	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), 0);
	event(&ev, 1, MSG_PH2_COMPLETE);
	size_t rec_len = journal_encode(&ev, rec, sizeof(rec));
	assert_true(rec_len > 300);
	/* enough records for two and a half rotations */
	size_t per_file = EVJ_ROTATE / rec_len;
	size_t total = per_file * 5 / 2;
	for (size_t i = 1; i <= total; i++) {
		event(&ev, i, MSG_PH2_COMPLETE);
		evj_append(&j, &ev, false, i);
		assert_true(j.size <= EVJ_ROTATE);
	}
	evj_close(&j);
	assert_true(file_size(j.old_path) > 0);
	assert_true(file_size(j.old_path) <= (off_t)EVJ_ROTATE);
	assert_true(file_size(j.path) <= (off_t)EVJ_ROTATE);

	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), 0);
	struct seen s = { .ordered = true };
	size_t n = evj_load(&j, count, &s);
	/* the old file and the current one: the newest records, in order, ending at the last */
	assert_int_equal(n, s.n);
	assert_true(n > per_file);
	assert_true(n <= 2 * per_file);
	assert_int_equal(s.last, total);
	assert_int_equal(s.first, total - n + 1);
	assert_true(s.ordered);
	evj_clear(&j);
	assert_int_equal(file_size(j.old_path), -1);
	evj_close(&j);
}

static void unusable_state_dir_is_an_error(void **state)
{
	(void)state;
	struct evjournal j;
	char err[256], file[128], sub[160];
	snprintf(file, sizeof(file), "%s/plainfile", dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(sub, sizeof(sub), "%s/below", file);
	assert_int_equal(evj_open(&j, sub, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create state-dir"));
	assert_int_equal(j.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_replay_torn_tail),
		cmocka_unit_test(rotation_keeps_one_old_file),
		cmocka_unit_test(unusable_state_dir_is_an_error),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
