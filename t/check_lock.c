/* SPDX-License-Identifier: MIT */
/*
 * check_lock - dotlock, flock, fcntl: held, stale, released, pinned
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver/lock.h"
#include "deliver_test.h"

#define OLD "From old@x  Thu Aug  7 09:05:03 2025\nSubject: old\n\nold\n\n"

/* ms_since - milliseconds since *t0 */
static long
ms_since(const struct timeval *t0)
{
	struct timeval t;

	gettimeofday(&t, NULL);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_usec - t0->tv_usec) / 1000;
}

static const struct {
	const char *name;
	int mask;
} masks[] = {
	{ "none", 0 },
	{ "flock", LOCK_METHOD_FLOCK },
	{ "fcntl", LOCK_METHOD_FCNTL },
	{ "dotlock", LOCK_METHOD_DOTLOCK },
	{ "fcntl, dotlock (Postfix default)",
	    LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK },
	{ "flock, fcntl, dotlock",
	    LOCK_METHOD_FLOCK | LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK },
};

START_TEST(test_lock_methods)
{
	struct dt t;
	size_t len;
	char *got;

	dt_setup(&t, "lock", "box");
	t.req.lock_mask = masks[_i].mask;
	test_write_str(t.path, OLD);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	got = test_read_file(t.path, &len);
	ck_assert_uint_gt(len, strlen(OLD) + 2 * 17);
	free(got);
	/* no box.lock and no liblockfile temporary .lk* file left */
	ck_assert_msg(dt_count(t.base) == 1, "%s: %s", masks[_i].name,
	    dt_first(t.base));
	dt_teardown(&t);
}
END_TEST

/* holder - a child that holds a lock on path until told (or ms pass) */
struct holder {
	pid_t pid;
	int go;		/* write end: closing it releases the lock */
};

enum { HOLD_FLOCK, HOLD_FCNTL, HOLD_SLEEP };

static void
holder_start(struct holder *h, const char *path, int how, int ms,
    const char *link_to)
{
	int ready[2], go[2];
	char c;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		struct flock fl;
		int fd = open(path, O_RDWR);

		if (fd < 0)
			_exit(1);
		if (how == HOLD_FLOCK && flock(fd, LOCK_EX) < 0)
			_exit(2);
		if (how == HOLD_FCNTL) {
			memset(&fl, 0, sizeof(fl));
			fl.l_type = F_WRLCK;
			fl.l_whence = SEEK_SET;
			if (fcntl(fd, F_SETLKW, &fl) < 0)
				_exit(3);
		}
		close(ready[0]);
		close(go[1]);
		if (write(ready[1], "x", 1) != 1)
			_exit(4);
		if (ms > 0)
			usleep((useconds_t)ms * 1000);
		else if (read(go[0], &c, 1) < 0)
			_exit(5);
		/* e.g. a POP server that replaces the mailbox meanwhile */
		if (link_to && link(path, link_to) < 0)
			_exit(6);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	h->go = go[1];
}

static void
holder_stop(struct holder *h)
{
	int status;

	close(h->go);
	ck_assert_int_eq(waitpid(h->pid, &status, 0), h->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "holder status %d", status);
}

static const struct {
	const char *name;
	int hold;
	int mask;
	const char *text;
} held[] = {
	{ "flock held", HOLD_FLOCK, LOCK_METHOD_FLOCK,
	    "unable to lock for exclusive access: Resource temporarily "
	    "unavailable" },
	{ "fcntl held", HOLD_FCNTL, LOCK_METHOD_FCNTL,
	    "unable to lock for exclusive access: Resource temporarily "
	    "unavailable" },
	{ "fcntl held, default methods", HOLD_FCNTL,
	    LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK,
	    "unable to lock for exclusive access: Resource temporarily "
	    "unavailable" },
	{ "flock held, all methods", HOLD_FLOCK,
	    LOCK_METHOD_FLOCK | LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK,
	    "unable to lock for exclusive access: Resource temporarily "
	    "unavailable" },
};

START_TEST(test_lock_held)
{
	struct dt t;
	struct holder h;
	struct timeval t0;
	char want[8192], *got;
	size_t len;

	dt_setup(&t, "lock", "box");
	t.req.lock_mask = held[_i].mask;
	t.req.lock_attempts = 5;
	t.req.lock_delay_ms = 20;
	test_write_str(t.path, OLD);
	holder_start(&h, t.path, held[_i].hold, 0, NULL);
	gettimeofday(&t0, NULL);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	/* four pauses of at least 0.75 * 20 ms between five tries */
	ck_assert_int_ge(ms_since(&t0), 4 * 15);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	DT_FMT(want, "delivery failed to mailbox %s: %s", t.path,
	    held[_i].text);
	ck_assert_str_eq(t.st.text, want);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	/* our dotlock was removed again */
	ck_assert_int_eq(dt_count(t.base), 1);
	/* a method the holder does not use is not blocked */
	t.req.lock_mask = held[_i].hold == HOLD_FLOCK ? LOCK_METHOD_FCNTL
	    : LOCK_METHOD_FLOCK;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	holder_stop(&h);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_released)
{
	struct dt t;

	/* the lock goes away while we retry: delivered */
	dt_setup(&t, "lock", "box");
	t.req.lock_attempts = 200;
	t.req.lock_delay_ms = 10;
	test_write_str(t.path, OLD);
	{
		struct holder h;

		holder_start(&h, t.path, HOLD_FCNTL, 100, NULL);
		ck_assert_int_eq(deliver(&t.req, &t.st), 0);
		holder_stop(&h);
	}
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_nlink_changed)
{
	struct dt t;
	struct holder h;
	char *got;
	size_t len;

	/* while we wait for the lock, the holder adds a hard link */
	dt_setup(&t, "lock", "box");
	t.req.lock_attempts = 200;
	t.req.lock_delay_ms = 10;
	test_write_str(t.path, OLD);
	holder_start(&h, t.path, HOLD_FCNTL, 100, test_path(t.base, "box2"));
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	holder_stop(&h);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	ck_assert_msg(strstr(t.st.text, ": target file status changed "
	    "unexpectedly") != NULL, "%s", t.st.text);
	ck_assert(strstr(test_logged, "/box: file status changed unexpectedly"));
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	dt_teardown(&t);
}
END_TEST

/* Dotlock contents: how liblockfile and the stale rule treat them. */
START_TEST(test_lock_dot_held)
{
	struct dt t;
	char lock[8192], want[8192], *got;
	size_t len;
	struct timeval t0;

	dt_setup(&t, "lock", "box");
	t.req.lock_attempts = 4;
	t.req.lock_delay_ms = 20;
	test_write_str(t.path, OLD);
	DT_FMT(lock, "%s.lock", t.path);
	/* an empty, fresh lock as Postfix makes it: busy */
	test_write_str(lock, "");
	gettimeofday(&t0, NULL);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_int_ge(ms_since(&t0), 3 * 15);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	DT_FMT(want, "delivery failed to mailbox %s: unable to create lock "
	    "file %s.lock: File exists", t.path, t.path);
	ck_assert_str_eq(t.st.text, want);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	/* the other party's lock stays; no temporary file is left */
	ck_assert_int_eq(access(lock, F_OK), 0);
	ck_assert_int_eq(dt_count(t.base), 2);
	/* a lock holding the pid of a live process: busy too */
	DT_FMT(want, "%ld\n", (long)getppid());
	test_write_str(lock, want);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	ck_assert_int_eq(access(lock, F_OK), 0);
	/* without dotlock in the mask the lock file is not looked at */
	t.req.lock_mask = LOCK_METHOD_FCNTL;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(access(lock, F_OK), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_dot_dead_pid)
{
	struct dt t;
	char lock[8192], pid[32];
	pid_t child;
	int status;

	/* liblockfile's own stale test: the pid in the lock is gone */
	dt_setup(&t, "lock", "box");
	DT_FMT(lock, "%s.lock", t.path);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	DT_FMT(pid, "%ld\n", (long)child);
	test_write_str(lock, pid);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(access(lock, F_OK), -1);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_dot_stale)
{
	struct dt t;
	char lock[8192];

	/* ctime older than stale_lock_time: removed, then delivered */
	dt_setup(&t, "lock", "box");
	DT_FMT(lock, "%s.lock", t.path);
	test_write_str(lock, "");
	t.req.stale_lock_time = 1;
	t.req.lock_attempts = 1;
	sleep(2);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(access(lock, F_OK), -1);
	ck_assert_msg(strstr(test_logged, "box.lock: removed stale lock file"),
	    "%s", test_logged);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_dot_as_user)
{
	struct dt t;

	/* after setuid() from root, /proc/self/fd still pins the directory */
	dt_setup(&t, "lock", "d/box");
	ck_assert_int_eq(mkdir(test_path(t.base, "d"), 0700), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(test_path(t.base, "d"), DT_UID, DT_GID),
		    0);
	dt_become_user(&t);
	t.req.lock_mask = LOCK_METHOD_DOTLOCK;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(dt_count(test_path(t.base, "d")), 1);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_dot_pinned)
{
	struct dt t;
	struct lock_dot d;
	int dirfd;

	/* the lock lands in the directory of the descriptor, whatever the
	 * path name says (it is used for messages only) */
	dt_setup(&t, "lock", "box");
	ck_assert_int_eq(mkdir(test_path(t.base, "a"), 0700), 0);
	ck_assert_int_eq(mkdir(test_path(t.base, "b"), 0700), 0);
	dirfd = open(test_path(t.base, "a"), O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	/* swap: a is renamed away, a symlink named a points to b */
	ck_assert_int_eq(rename(test_path(t.base, "a"), test_path(t.base,
	    "a.old")), 0);
	ck_assert_int_eq(symlink("b", test_path(t.base, "a")), 0);
	ck_assert_int_eq(lock_dot_acquire(&d, dirfd, "box", "/x/a/box", &t.req,
	    &t.st), 0);
	ck_assert_int_eq(access(test_path(t.base, "a.old/box.lock"), F_OK), 0);
	ck_assert_int_eq(dt_count(test_path(t.base, "b")), 0);
	ck_assert_int_eq(dt_count(test_path(t.base, "a.old")), 1);
	/* a second acquire of the same lock is busy */
	t.req.lock_attempts = 2;
	{
		struct lock_dot d2;

		ck_assert_int_eq(lock_dot_acquire(&d2, dirfd, "box", "/x/a/box",
		    &t.req, &t.st), -1);
		ck_assert_str_eq(t.st.text, "unable to create lock file "
		    "/x/a/box.lock: File exists");
	}
	lock_dot_release(&d);
	ck_assert_int_eq(dt_count(test_path(t.base, "a.old")), 0);
	close(dirfd);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_lock_sleep)
{
	struct timeval t0;
	int i;

	/* each pause is at least 0.75 d (no upper bound is asserted) */
	gettimeofday(&t0, NULL);
	for (i = 0; i < 10; i++)
		lock_sleep_us(20000);
	ck_assert_int_ge(ms_since(&t0), 10 * 15);
}
END_TEST

static Suite *
lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("lock");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_lock_methods, 0,
	    sizeof(masks) / sizeof(masks[0]));
	tcase_add_loop_test(tc, test_lock_held, 0,
	    sizeof(held) / sizeof(held[0]));
	tcase_add_test(tc, test_lock_released);
	tcase_add_test(tc, test_lock_nlink_changed);
	tcase_add_test(tc, test_lock_dot_held);
	tcase_add_test(tc, test_lock_dot_dead_pid);
	tcase_add_test(tc, test_lock_dot_stale);
	tcase_add_test(tc, test_lock_dot_as_user);
	tcase_add_test(tc, test_lock_dot_pinned);
	tcase_add_test(tc, test_lock_sleep);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(lock_suite)
