/* SPDX-License-Identifier: MIT */
/*
 * lock - dotlock through liblockfile, flock() and fcntl() locks
 *
 * DESCRIPTION
 *	See lock.h.  Postfix's dot_lockfile() and deliver_flock() give the
 *	rules: a fixed number of tries with a random pause between them,
 *	stale dotlocks removed by ctime.  The dotlock itself is liblockfile's
 *	(link() of a unique temporary file, safe on NFS), called with
 *	retries = 0 so that it never sleeps on its own.
 *
 *	liblockfile adds its own stale test on each call: a lock holding
 *	the pid of a process that does not exist here (kill(pid, 0) gives
 *	ESRCH) is removed at once, and a lock without a readable pid (as
 *	Postfix writes them: empty, mode 0) is removed when its mtime is
 *	300 s old, earlier than Postfix's 500 s ctime rule.
 *
 *	Pinning: liblockfile takes a path name and makes its temporary file
 *	next to it, so it is given "/proc/self/fd/<dirfd>/<name>.lock": the
 *	kernel resolves /proc/self/fd/<dirfd> to the very directory that
 *	safe_walk() opened without following links, whatever happens to
 *	the path meanwhile.  That needs /proc (Linux); without it, the
 *	dotlock fails (4.2.0) rather than use an unpinned path.
 *
 *	liblockfile (Debian builds it with MAILGROUP) runs the setgid
 *	helper dotlockfile(1) when the directory is not writable by the
 *	caller; vdeliver checks writability first with the same rule and
 *	reports EACCES instead, as Postfix would.
 *
 * SEE ALSO
 *	Postfix global/dot_lockfile.c, global/deliver_flock.c,
 *	util/myflock.c, util/rand_sleep.c; lockfile_create(3); REFERENCE.md
 *	2.2, 9.3.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <lockfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "creds.h"
#include "log.h"
#include "deliver/lock.h"

/* lock_rand - xorshift64*, seeded once from the clock and the pid */
static uint64_t
lock_rand(void)
{
	static uint64_t state;
	struct timeval tv;

	if (state == 0) {
		gettimeofday(&tv, NULL);
		state = ((uint64_t)tv.tv_sec << 32) ^ (uint64_t)tv.tv_usec
		    ^ ((uint64_t)getpid() << 16) ^ 0x9e3779b97f4a7c15ULL;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dULL;
}

/* lock_sleep_us - a random pause in [0.75 us, 1.25 us] microseconds */
void
lock_sleep_us(uint64_t us)
{
	uint64_t t;
	struct timespec ts, rem;

	if (us == 0)
		return;
	t = us * 3 / 4 + lock_rand() % (us / 2 + 1);
	ts.tv_sec = (time_t)(t / 1000000);
	ts.tv_nsec = (long)(t % 1000000) * 1000;
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

/*
 * Waiting for a busy lock.  Postfix tries deliver_lock_attempts times,
 * deliver_lock_delay apart, so a lock released just after a try costs
 * a whole delay, and writers queued on one mbox run at about one
 * delivery a second.  vdeliver keeps Postfix's bound on the wait,
 * (attempts - 1) x delay of sleep and then a last try, but tries again
 * after a short pause that doubles up to the delay (2, 4, 8 ... ms, with
 * the same random spread), so it takes a released lock at once.
 */
#define LOCK_FIRST_PAUSE_US 2000

struct lock_wait {
	uint64_t budget_us;	/* sleep left before the last try */
	uint64_t step_us;	/* the next pause */
	uint64_t cap_us;	/* deliver_lock_delay */
};

/* lock_wait_init - the budget of req */
static void
lock_wait_init(struct lock_wait *w, const struct deliver_request *req)
{
	int attempts = req->lock_attempts > 0 ? req->lock_attempts : 1;

	w->cap_us = (uint64_t)req->lock_delay_ms * 1000;
	w->budget_us = (uint64_t)(attempts - 1) * w->cap_us;
	w->step_us = LOCK_FIRST_PAUSE_US < w->cap_us ? LOCK_FIRST_PAUSE_US
	    : w->cap_us;
}

/* lock_wait_next - pause before another try; false when none is left */
static bool
lock_wait_next(struct lock_wait *w)
{
	uint64_t us = w->step_us;

	if (w->budget_us == 0)
		return false;
	if (us > w->budget_us)
		us = w->budget_us;
	w->budget_us -= us;
	if (w->step_us < w->cap_us)
		w->step_us = w->step_us * 2 < w->cap_us ? w->step_us * 2
		    : w->cap_us;
	lock_sleep_us(us);
	return true;
}

/* lock_dot_init - nothing held */
void
lock_dot_init(struct lock_dot *d)
{
	d->dirfd = -1;
	d->name = NULL;
	d->pinned = NULL;
	d->is_held = false;
}

/* lock_dir_writable - liblockfile's eaccess_write() rule, on sb */
static bool
lock_dir_writable(const struct stat *sb)
{
	uid_t uid = geteuid();

	if (uid == 0)
		return true;
	if (sb->st_uid == uid)
		return (sb->st_mode & S_IWUSR) != 0;
	if (vd_has_group(sb->st_gid))
		return (sb->st_mode & S_IWGRP) != 0;
	return (sb->st_mode & S_IWOTH) != 0;
}

/* lock_dot_pin - the /proc/self/fd name; -1 when /proc cannot pin it */
static int
lock_dot_pin(struct lock_dot *d, const struct stat *dir_sb)
{
	struct stat sb;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "/proc/self/fd/%d", d->dirfd);
	if (stat(b.data, &sb) < 0 || sb.st_dev != dir_sb->st_dev
	    || sb.st_ino != dir_sb->st_ino) {
		buf_fini(&b);
		return -1;
	}
	buf_printf(&b, "/%s", d->name);
	d->pinned = buf_steal(&b);
	return 0;
}

/* lock_dot_stale - remove a lock older than stale_lock_time (by ctime) */
static int
lock_dot_stale(const struct lock_dot *d, const char *path,
    unsigned stale_lock_time)
{
	struct stat sb;

	if (fstatat(d->dirfd, d->name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (time(NULL) <= sb.st_ctime + (time_t)stale_lock_time)
		return 0;
	if (unlinkat(d->dirfd, d->name, 0) < 0)
		return errno == ENOENT ? 0 : -1;
	log_info("%s.lock: removed stale lock file", path);
	return 0;
}

/* lock_dot_acquire - take <name>.lock with liblockfile, Postfix's retries */
int
lock_dot_acquire(struct lock_dot *d, int dirfd, const char *name,
    const char *path, const struct deliver_request *req,
    struct vd_status *st)
{
	struct stat dir_sb;
	struct buf b;
	struct lock_wait w;
	int r, e = 0;

	lock_dot_init(d);
	d->dirfd = dirfd;
	buf_init(&b);
	buf_printf(&b, "%s.lock", name);
	d->name = buf_steal(&b);
	if (fstat(dirfd, &dir_sb) < 0) {
		e = errno;
		goto fail;
	}
	if (!lock_dir_writable(&dir_sb)) {
		e = EACCES;
		goto fail;
	}
	if (lock_dot_pin(d, &dir_sb) < 0) {
		vd_status_set(st, "4.2.0",
		    "unable to create lock file %s.lock: "
		    "cannot pin the directory through /proc/self/fd", path);
		st->errnum = ENOENT;
		goto out;
	}
	lock_wait_init(&w, req);
	for (;;) {
		if (lock_dot_stale(d, path, req->stale_lock_time) < 0) {
			e = errno;
			break;
		}
		errno = 0;
		r = lockfile_create(d->pinned, 0, L_PID);
		if (r == L_SUCCESS) {
			d->is_held = true;
			return 0;
		}
		/* L_MAXTRYS: the lock exists (liblockfile says EAGAIN) */
		e = r == L_MAXTRYS ? EEXIST : errno ? errno : EIO;
		if (e != EEXIST || !lock_wait_next(&w))
			break;
	}
fail:
	vd_status_errno(st, e, "4.2.0", "unable to create lock file %s.lock",
	    path);
out:
	lock_dot_release(d);
	return -1;
}

/* lock_dot_release - remove the dotlock if held */
void
lock_dot_release(struct lock_dot *d)
{
	if (d->is_held && lockfile_remove(d->pinned) < 0)
		log_warn("remove lock file %s: %s", d->name, strerror(errno));
	free(d->name);
	free(d->pinned);
	lock_dot_init(d);
}

/* lock_try - one non-blocking attempt of one kernel lock method */
static int
lock_try(int fd, int method)
{
	struct flock fl;

	if (method == LOCK_METHOD_FLOCK)
		return flock(fd, LOCK_EX | LOCK_NB);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	return fcntl(fd, F_SETLK, &fl);
}

/* lock_method - take one kernel lock, with retries; 0 or -1 with errno */
static int
lock_method(int fd, int method, const struct deliver_request *req)
{
	struct lock_wait w;
	int r, e;

	lock_wait_init(&w, req);
	for (;;) {
		do
			r = lock_try(fd, method);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return 0;
		e = errno;
		if (e == EWOULDBLOCK || e == EACCES)
			e = EAGAIN;
		if (!lock_wait_next(&w)) {
			errno = e;
			return -1;
		}
	}
}

/* lock_kernel - flock and fcntl locks as the mask says */
int
lock_kernel(int fd, const struct deliver_request *req, struct vd_status *st)
{
	if ((req->lock_mask & LOCK_METHOD_FLOCK)
	    && lock_method(fd, LOCK_METHOD_FLOCK, req) < 0)
		goto fail;
	if ((req->lock_mask & LOCK_METHOD_FCNTL)
	    && lock_method(fd, LOCK_METHOD_FCNTL, req) < 0)
		goto fail;
	return 0;
fail:
	return vd_status_errno(st, errno, "4.2.0",
	    "unable to lock for exclusive access");
}
