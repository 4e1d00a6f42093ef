/* SPDX-License-Identifier: MIT */
/*
 * deliver_test - fixtures shared by the src/deliver/ Check programs
 *
 * DESCRIPTION
 *	A scratch directory is the mailbox base.  dt_setup() fills a
 *	request with the envelope of REFERENCE.md A.1 and small lock
 *	delays; dt_msg() makes a message from raw bytes (no final newline
 *	added, unlike message_from_mem()).  dt_become_user() lets a test
 *	that is run as root continue as an unprivileged uid (65534), so
 *	permission checks apply; Check forks every test, so the switch
 *	ends with the test (under CK_FORK=no, the valgrind run, the rest
 *	of the program runs unprivileged and root-only cases skip).
 *	dt_deliver_fsize() delivers under a lowered RLIMIT_FSIZE.  Log
 *	records are collected in test_logged.
 */
#ifndef VD_T_DELIVER_TEST_H
#define VD_T_DELIVER_TEST_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "message.h"
#include "deliver/copy.h"
#include "deliver/deliver.h"
#include "testlib.h"

#define DT_UID 65534
#define DT_GID 65534

/* DT_FMT - snprintf into an array; the test fails if it is cut */
#define DT_FMT(buf, ...)                                                \
	ck_assert((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__)      \
	    < sizeof(buf))

struct dt {
	char *base;			/* scratch directory = mailbox base */
	char path[4096];		/* mailbox path */
	struct vd_message msg;
	struct deliver_request req;
	struct vd_status st;
};

/* dt_msg - a message with exactly these bytes */
static inline void
dt_msg(struct vd_message *m, const char *p, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->data = p;
	m->len = n;
}

/* dt_setup - scratch base, A.1 envelope, mailbox base/name */
static inline void
dt_setup(struct dt *t, const char *tag, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->base = test_mkdtemp(tag);
	snprintf(t->path, sizeof(t->path), "%s/%s", t->base, name);
	dt_msg(&t->msg, "Subject: x\n\nbody\n", 17);
	t->req.path = t->path;
	t->req.base_len = strlen(t->base);
	t->req.uid = geteuid();
	t->req.gid = getegid();
	t->req.sender = "bob@example.org";
	t->req.orig_rcpt = "Info@Example.com";
	t->req.rcpt = "info@example.com";
	t->req.msg = &t->msg;
	t->req.lock_mask = LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK;
	t->req.lock_attempts = 3;
	t->req.lock_delay_ms = 10;
	t->req.stale_lock_time = 500;
	t->req.strict_ownership = true;
	t->req.hostname = "mx.example.com";
	test_log_capture();
	umask(022);
}

/* dt_teardown - remove the scratch directory */
static inline void
dt_teardown(struct dt *t)
{
	test_rmtree(t->base);
	free(t->base);
}

/* dt_become_user - as root: continue as DT_UID, owning the base */
static inline bool
dt_become_user(struct dt *t)
{
	gid_t g = DT_GID;

	if (geteuid() != 0)
		return false;
	ck_assert_int_eq(chown(t->base, DT_UID, DT_GID), 0);
	ck_assert_int_eq(setgroups(1, &g), 0);
	ck_assert_int_eq(setgid(DT_GID), 0);
	ck_assert_int_eq(setuid(DT_UID), 0);
	t->req.uid = DT_UID;
	t->req.gid = DT_GID;
	return true;
}

/* dt_norm_from - replace the asctime dates of From_ lines with DATE */
static inline void
dt_norm_from(char *s, size_t *len)
{
	char *p = s, *sp, *d;
	size_t rest;

	while ((p = strstr(p, "From ")) != NULL) {
		if ((p != s && p[-1] != '\n')
		    || (sp = strstr(p + 5, "  ")) == NULL
		    || memchr(p, '\n', (size_t)(sp - p)) != NULL
		    || strlen(sp + 2) < 25 || sp[2 + 24] != '\n'
		    || sp[2 + 3] != ' ' || sp[2 + 7] != ' ' || sp[2 + 13] != ':'
		    || sp[2 + 16] != ':' || sp[2 + 19] != ' ') {
			p += 5;
			continue;
		}
		d = sp + 2;
		memcpy(d, "DATE", 4);
		rest = strlen(d + 24);
		memmove(d + 4, d + 24, rest + 1);
		*len -= 20;
		p = d + 4;
	}
}

/* dt_read - the file, or NULL when missing */
static inline char *
dt_read(const char *path, size_t *len)
{
	if (access(path, F_OK) < 0)
		return NULL;
	return test_read_file(path, len);
}

/* dt_data - a file from t/data; caller frees */
static inline char *
dt_data(const char *name, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/t/data/%s", test_srcdir(), name);
	return test_read_file(path, len);
}

/* dt_count - entries in a directory (without . and ..), -1 if missing */
static inline int
dt_count(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* dt_first - the name of some entry in dir (static buffer), or "" */
static inline const char *
dt_first(const char *dir)
{
	static char name[1024];
	struct dirent *de;
	DIR *d = opendir(dir);

	name[0] = 0;
	if (d == NULL)
		return name;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			break;
		}
	closedir(d);
	return name;
}

/*
 * Write failures: dt_arm_write_error(e, budget) makes copy_write() write
 * budget bytes, then fail with errno e; dt_write_errors are the errors
 * a mailbox write is tested with, and the status each must give.
 */
static int dt_hook_errno;
static size_t dt_hook_budget;

static inline ssize_t
dt_hook_fail(int fd, const struct iovec *iov, int n)
{
	size_t len;

	(void)n;
	if (dt_hook_budget == 0) {
		errno = dt_hook_errno;
		return -1;
	}
	len = iov[0].iov_len < dt_hook_budget ? iov[0].iov_len : dt_hook_budget;
	dt_hook_budget -= len;
	return write(fd, iov[0].iov_base, len);
}

static inline void
dt_arm_write_error(int e, size_t budget)
{
	dt_hook_errno = e;
	dt_hook_budget = budget;
	copy_writev_hook = dt_hook_fail;
}

/*
 * dt_deliver_fsize - deliver() with RLIMIT_FSIZE lowered to LIMIT bytes and
 * SIGXFSZ at its default (deliver() must ignore it itself).  Only the soft
 * limit is lowered, and both are put back before anything else is written:
 * when Check does not fork (CK_FORK=no, the valgrind run), its own message
 * file and the test's later files would otherwise meet the limit.  There is
 * no assertion inside the window; -2 means the limit could not be set.
 */
static inline int
dt_deliver_fsize(struct dt *t, rlim_t limit)
{
	struct rlimit old, rl;
	struct sigaction dfl, osa;
	int ret;

	if (getrlimit(RLIMIT_FSIZE, &old) != 0)
		return -2;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	if (sigaction(SIGXFSZ, &dfl, &osa) != 0)
		return -2;
	rl = old;
	rl.rlim_cur = limit;
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		ret = -2;
	else
		ret = deliver(&t->req, &t->st);
	(void)setrlimit(RLIMIT_FSIZE, &old);
	(void)sigaction(SIGXFSZ, &osa, NULL);
	return ret;
}

static const struct {
	int err;
	const char *dsn;
} dt_write_errors[] = {
	{ EIO, "4.3.0" }, { ENOSPC, "4.3.0" }, { EDQUOT, "5.2.2" },
	{ EFBIG, "5.2.2" },
};
#define DT_N_WRITE_ERRORS (sizeof(dt_write_errors) / sizeof(dt_write_errors[0]))

#endif
