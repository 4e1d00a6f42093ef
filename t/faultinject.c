/* SPDX-License-Identifier: MIT */
/*
 * faultinject - an LD_PRELOAD shim that makes the Nth file system call fail
 *
 * SYNOPSIS
 *	FI_STATE=file FI_SCOPE=/base FI_FAIL=N FI_ERRNO=EIO FI_LOG=log \
 *	    LD_PRELOAD=t/faultinject.so vdeliver ...
 *
 * DESCRIPTION
 *	The shim wraps the calls that a delivery makes to put a message on
 *	disk, in eleven groups:
 *
 *	    write      write pwrite pwrite64 writev pwritev pwritev64
 *	               copy_file_range
 *	    fsync      fsync
 *	    fdatasync  fdatasync
 *	    open       open open64 openat openat64 creat creat64 and the
 *	               _FORTIFY_SOURCE forms __open_2 ... (glibc's open()
 *	               is openat(2); both are here)
 *	    link       link linkat
 *	    rename     rename renameat renameat2
 *	    mkdir      mkdir mkdirat
 *	    ftruncate  ftruncate ftruncate64 truncate truncate64
 *	    close      close
 *	    fallocate  fallocate fallocate64 posix_fallocate[64]
 *
 *	A call is counted when it is "in scope": its path (an openat()
 *	name is taken relative to its directory fd, a relative name to the
 *	working directory), or for a call on an fd the file the fd is open
 *	on (/proc/self/fd), lies under one of the colon-separated
 *	prefixes of FI_SCOPE.  Without FI_SCOPE every call counts.  So with
 *	FI_SCOPE = virtual_mailbox_base, call N enumerates the calls of the
 *	delivery path only (mailbox, lock files, maildir), not the log
 *	file, standard output or the message spool, and the same N picks
 *	the same call on every run.
 *
 *	The counters live in a shared mapping of the file FI_STATE (made
 *	if missing), so the processes of one vdeliver run (the delivery
 *	runs in a forked child when vdeliver is root) count in one
 *	sequence; without FI_STATE an anonymous shared mapping serves for
 *	fork() but not exec().  The test removes the state file between
 *	runs.
 *
 *	FI_FAIL is a comma-separated list of [GROUP:]N[-[M]]: without a
 *	group N counts all counted calls, with one only the calls of that
 *	group; "N-" is N and every later call, "N-M" a range.  A matching
 *	call gets FI_ACTION:
 *
 *	    fail       (default) return -1 with FI_ERRNO (EIO, ENOSPC,
 *	               EDQUOT, EFBIG, EINTR, or a number); close() still
 *	               closes, as Linux does
 *	    short      a write of n > 1 bytes writes n/2 and returns that
 *	               (other calls are done normally)
 *	    eintr      return -1 with EINTR (close() still closes)
 *	    torn       the first matching call, if a write, is short, and
 *	               every later matching call fails (a disk that fills
 *	               up in the middle of a write: "write:N-" with ENOSPC)
 *	    kill       SIGKILL before the call is made
 *	    killafter  SIGKILL after the call returned
 *
 *	With FI_KILL=tree (the default) a kill takes every process of the
 *	run: the one that is hit kills itself, and the others die at their
 *	next wrapped call or waitpid() (so a root vdeliver's parent never
 *	reports for a killed delivery child).  FI_KILL=self kills only the
 *	process that made the call.
 *
 *	FI_LOG names a file that gets one tab-separated line per counted
 *	call:
 *	    seq pid group func ret errno flag arg path [path2]
 *	flag is "-", FAIL, SHORT, EINTR, KILL or KILLAFTER; arg is the byte
 *	count of a write, the length of a truncate, "creat" for an open or
 *	open with O_CREAT that made a new file, "-" otherwise.  Paths are
 *	absolute, with symlinks in directory fds resolved by the kernel.
 *	The shim's own I/O goes through syscall(2) and is never counted.
 *
 * SEE ALSO
 *	t/faultrun.py (the fault suites), t/fault-selftest.sh
 */
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FI_MAX_SPECS 32
#define FI_MAX_SCOPES 8
#define FI_LOG_FD_MIN 900

enum fi_group {
	FI_G_ANY = -1,
	FI_G_WRITE,
	FI_G_FSYNC,
	FI_G_FDATASYNC,
	FI_G_OPEN,
	FI_G_LINK,
	FI_G_RENAME,
	FI_G_MKDIR,
	FI_G_FTRUNCATE,
	FI_G_CLOSE,
	FI_G_FALLOCATE,
	FI_N_GROUPS
};

static const char *const fi_group_names[FI_N_GROUPS] = {
	"write", "fsync", "fdatasync", "open", "link", "rename", "mkdir",
	"ftruncate", "close", "fallocate",
};

enum fi_action {
	FI_A_FAIL,
	FI_A_SHORT,
	FI_A_EINTR,
	FI_A_TORN,
	FI_A_KILL,
	FI_A_KILLAFTER
};

/* What every process of one run shares (the FI_STATE mapping). */
struct fi_shared {
	uint64_t total;
	uint64_t group[FI_N_GROUPS];
	int kill_pending;
	int n_injected;
};

struct fi_spec {
	int group;		/* FI_G_ANY or a group */
	uint64_t lo, hi;	/* inclusive; hi == UINT64_MAX: open-ended */
};

/* Per process, set up once (and inherited by fork). */
static struct {
	bool ready;
	bool active;		/* any FI_ variable set */
	struct fi_shared *sh;
	int log_fd;
	int n_specs;
	struct fi_spec specs[FI_MAX_SPECS];
	int n_scopes;
	char scopes[FI_MAX_SCOPES * 2][PATH_MAX];
	enum fi_action action;
	int err;
	bool kill_tree;
} fi;

/* One call in progress. */
struct fi_call {
	bool counted;
	bool hit;
	enum fi_action action;	/* what a hit does (FI_ACTION, torn resolved) */
	uint64_t seq;
	int group;
	const char *func;
	char path[PATH_MAX];
	char path2[PATH_MAX];
	char arg[32];
};

/* The real functions. */
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off64_t);
static ssize_t (*real_copy_file_range)(int, off64_t *, int, off64_t *,
    size_t, unsigned int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *,
    unsigned int);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off64_t);
static int (*real_truncate)(const char *, off_t);
static int (*real_truncate64)(const char *, off64_t);
static int (*real_close)(int);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_fallocate64)(int, int, off64_t, off64_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static int (*real_posix_fallocate64)(int, off64_t, off64_t);
static pid_t (*real_waitpid)(pid_t, int *, int);
static pid_t (*real_wait)(int *);
static ssize_t (*real_read)(int, void *, size_t);

/* The glibc entry points that fortified open() calls; no header has them. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off);

/* fi_sym - the next definition of name (NULL if the C library has none) */
static void *
fi_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define FI_SYM(name) (*(void **)&real_##name = fi_sym(#name))

/* fi_normalize - drop "//" and "/./" from an absolute path, in place */
static void
fi_normalize(char *p)
{
	char *r = p, *w = p;

	while (*r) {
		if (r[0] == '/' && r[1] == '/') {
			r++;
			continue;
		}
		if (r[0] == '/' && r[1] == '.' && (r[2] == '/' || r[2] == 0)) {
			r += 2;
			if (*r == 0 && w == p)
				*w++ = '/';
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
	if (w > p + 1 && w[-1] == '/')
		w[-1] = 0;
}

/* fi_add_scope - one FI_SCOPE prefix, as given and with links resolved */
static void
fi_add_scope(const char *s, size_t len)
{
	char raw[PATH_MAX], *canon;

	if (len == 0 || len >= sizeof(raw) || fi.n_scopes + 2 > FI_MAX_SCOPES * 2)
		return;
	memcpy(raw, s, len);
	raw[len] = 0;
	fi_normalize(raw);
	snprintf(fi.scopes[fi.n_scopes++], PATH_MAX, "%s", raw);
	if ((canon = realpath(raw, NULL)) != NULL) {
		if (strcmp(canon, raw) != 0)
			snprintf(fi.scopes[fi.n_scopes++], PATH_MAX, "%s", canon);
		free(canon);
	}
}

/* fi_parse_specs - FI_FAIL into fi.specs */
static void
fi_parse_specs(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL, *colon, *dash, *end;
	struct fi_spec *sp;
	int g;

	if (copy == NULL)
		return;
	for (tok = strtok_r(copy, ", ", &save); tok && fi.n_specs < FI_MAX_SPECS;
	    tok = strtok_r(NULL, ", ", &save)) {
		sp = &fi.specs[fi.n_specs];
		sp->group = FI_G_ANY;
		if ((colon = strchr(tok, ':')) != NULL) {
			*colon = 0;
			for (g = 0; g < FI_N_GROUPS; g++)
				if (strcmp(tok, fi_group_names[g]) == 0)
					sp->group = g;
			if (sp->group == FI_G_ANY) {
				fprintf(stderr, "faultinject: unknown group %s\n", tok);
				abort();
			}
			tok = colon + 1;
		}
		sp->lo = strtoull(tok, &end, 10);
		sp->hi = sp->lo;
		if ((dash = strchr(tok, '-')) != NULL)
			sp->hi = dash[1] ? strtoull(dash + 1, NULL, 10) : UINT64_MAX;
		if (sp->lo == 0 || end == tok) {
			fprintf(stderr, "faultinject: bad FI_FAIL item %s\n", tok);
			abort();
		}
		fi.n_specs++;
	}
	free(copy);
}

/* fi_parse_errno - a name or a number */
static int
fi_parse_errno(const char *s)
{
	static const struct {
		const char *name;
		int num;
	} names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
		{ "EFBIG", EFBIG }, { "EINTR", EINTR }, { "EACCES", EACCES },
		{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EEXIST", EEXIST },
		{ "EROFS", EROFS }, { "ENOMEM", ENOMEM }, { "EAGAIN", EAGAIN },
		{ "ESTALE", ESTALE },
	};
	size_t i;

	if (s == NULL || *s == 0)
		return EIO;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].num;
	return atoi(s) > 0 ? atoi(s) : EIO;
}

/* fi_map_state - the shared counters: FI_STATE's file, or anonymous */
static struct fi_shared *
fi_map_state(const char *path)
{
	struct fi_shared *sh;
	struct stat sb;
	long fd;

	if (path && *path) {
		fd = syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_CLOEXEC,
		    0666);
		if (fd < 0)
			return NULL;
		if (fstat((int)fd, &sb) == 0 && sb.st_size < (off_t)sizeof(*sh)
		    && syscall(SYS_ftruncate, fd, (off_t)sizeof(*sh)) < 0) {
			syscall(SYS_close, fd);
			return NULL;
		}
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED,
		    (int)fd, 0);
		syscall(SYS_close, fd);
	} else {
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	return sh == MAP_FAILED ? NULL : sh;
}

/* fi_init - read the environment and find the real functions (once) */
static void
fi_init(void)
{
	const char *v, *p, *colon;
	long fd;

	if (fi.ready)
		return;
	fi.ready = true;
	fi.log_fd = -1;
	FI_SYM(write);
	FI_SYM(pwrite);
	FI_SYM(pwrite64);
	FI_SYM(writev);
	FI_SYM(pwritev);
	FI_SYM(pwritev64);
	FI_SYM(copy_file_range);
	FI_SYM(fsync);
	FI_SYM(fdatasync);
	FI_SYM(openat);
	FI_SYM(openat64);
	FI_SYM(link);
	FI_SYM(linkat);
	FI_SYM(rename);
	FI_SYM(renameat);
	FI_SYM(renameat2);
	FI_SYM(mkdir);
	FI_SYM(mkdirat);
	FI_SYM(ftruncate);
	FI_SYM(ftruncate64);
	FI_SYM(truncate);
	FI_SYM(truncate64);
	FI_SYM(close);
	FI_SYM(fallocate);
	FI_SYM(fallocate64);
	FI_SYM(posix_fallocate);
	FI_SYM(posix_fallocate64);
	FI_SYM(waitpid);
	FI_SYM(wait);
	FI_SYM(read);

	fi.active = getenv("FI_STATE") || getenv("FI_FAIL") || getenv("FI_LOG");
	if (!fi.active)
		return;
	if ((v = getenv("FI_SCOPE")) != NULL)
		for (p = v; *p; p = *colon ? colon + 1 : colon) {
			colon = strchr(p, ':');
			if (colon == NULL)
				colon = p + strlen(p);
			fi_add_scope(p, (size_t)(colon - p));
		}
	if ((v = getenv("FI_FAIL")) != NULL)
		fi_parse_specs(v);
	fi.err = fi_parse_errno(getenv("FI_ERRNO"));
	v = getenv("FI_ACTION");
	fi.action = FI_A_FAIL;
	if (v && strcmp(v, "short") == 0)
		fi.action = FI_A_SHORT;
	else if (v && strcmp(v, "eintr") == 0)
		fi.action = FI_A_EINTR;
	else if (v && strcmp(v, "torn") == 0)
		fi.action = FI_A_TORN;
	else if (v && strcmp(v, "kill") == 0)
		fi.action = FI_A_KILL;
	else if (v && strcmp(v, "killafter") == 0)
		fi.action = FI_A_KILLAFTER;
	else if (v && *v && strcmp(v, "fail") != 0) {
		fprintf(stderr, "faultinject: unknown FI_ACTION %s\n", v);
		abort();
	}
	v = getenv("FI_KILL");
	fi.kill_tree = !(v && strcmp(v, "self") == 0);
	fi.sh = fi_map_state(getenv("FI_STATE"));
	if (fi.sh == NULL) {
		fprintf(stderr, "faultinject: cannot map FI_STATE\n");
		abort();
	}
	if ((v = getenv("FI_LOG")) != NULL && *v) {
		fd = syscall(SYS_openat, AT_FDCWD, v,
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		if (fd >= 0) {
			/* Out of the way of the fds the program uses. */
			fi.log_fd = fcntl((int)fd, F_DUPFD_CLOEXEC, FI_LOG_FD_MIN);
			syscall(SYS_close, fd);
		}
	}
}

/* fi_ctor - set up before main() */
__attribute__((constructor)) static void
fi_ctor(void)
{
	fi_init();
}

/* fi_die - SIGKILL this process, now */
static void
fi_die(void)
{
	syscall(SYS_kill, (long)getpid(), (long)SIGKILL);
	for (;;)
		pause();
}

/* fi_check_kill - another process of the run was killed: follow it */
static void
fi_check_kill(void)
{
	if (fi.active && fi.sh && fi.kill_tree
	    && __atomic_load_n(&fi.sh->kill_pending, __ATOMIC_SEQ_CST))
		fi_die();
}

/* fi_fd_path - the file fd is open on, " (deleted)" removed; 0 or -1 */
static int
fi_fd_path(int fd, char *out, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, out, len - 1);
	if (n < 0)
		return -1;
	out[n] = 0;
	if (n > 10 && strcmp(out + n - 10, " (deleted)") == 0)
		out[n - 10] = 0;
	return 0;
}

/* fi_join - out = a "/" b (b may be empty); 0, or -1 when it does not fit */
static int
fi_join(char *out, size_t len, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + 1 + lb + 1 > len)
		return -1;
	memcpy(out, a, la);
	if (lb) {
		out[la] = '/';
		memcpy(out + la + 1, b, lb);
		la += 1 + lb;
	}
	out[la] = 0;
	return 0;
}

/*
 * fi_canon_parent - resolve the links in the directory part of an
 * absolute path, in place, when that directory exists: a name like
 * /proc/self/fd/7/box.mbox.lock (liblockfile pinned to a directory fd)
 * becomes the real directory's path.  The last component is kept as it
 * is (it may be a symlink, or not exist yet).
 */
static void
fi_canon_parent(char *path, size_t len)
{
	char dir[PATH_MAX], *slash, *canon;
	char last[PATH_MAX];

	slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return;
	if ((size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	snprintf(last, sizeof(last), "%s", slash + 1);
	if ((canon = realpath(dir, NULL)) == NULL)
		return;
	if (strcmp(canon, dir) != 0)
		(void)fi_join(path, len, canon, last);
	free(canon);
}

/* fi_at_path - the absolute path of (dirfd, name) */
static int
fi_at_path(int dirfd, const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];

	if (name == NULL)
		return -1;
	if (*name == '/') {
		if (fi_join(out, len, name, "") < 0)
			return -1;
	} else if (dirfd == AT_FDCWD) {
		if (getcwd(dir, sizeof(dir)) == NULL
		    || fi_join(out, len, dir, name) < 0)
			return -1;
	} else {
		if (fi_fd_path(dirfd, dir, sizeof(dir)) < 0
		    || fi_join(out, len, dir, name) < 0)
			return -1;
	}
	fi_normalize(out);
	fi_canon_parent(out, len);
	return 0;
}

/* fi_in_scope - the path is under one of the FI_SCOPE prefixes */
static bool
fi_in_scope(const char *path)
{
	size_t len;
	int i;

	if (fi.n_scopes == 0)
		return true;
	for (i = 0; i < fi.n_scopes; i++) {
		len = strlen(fi.scopes[i]);
		if (strncmp(path, fi.scopes[i], len) == 0
		    && (path[len] == 0 || path[len] == '/'))
			return true;
	}
	return false;
}

/* fi_match - whether the call with these counters is one to hit */
static bool
fi_match(uint64_t total, int group, uint64_t gcount)
{
	const struct fi_spec *sp;
	uint64_t n;
	int i;

	for (i = 0; i < fi.n_specs; i++) {
		sp = &fi.specs[i];
		if (sp->group != FI_G_ANY && sp->group != group)
			continue;
		n = sp->group == FI_G_ANY ? total : gcount;
		if (n >= sp->lo && n <= sp->hi)
			return true;
	}
	return false;
}

/* fi_begin - count the call if it is in scope; c->path must be set */
static void
fi_begin(struct fi_call *c, int group, const char *func)
{
	uint64_t g;

	c->group = group;
	c->func = func;
	c->counted = false;
	c->hit = false;
	if (!c->arg[0])
		snprintf(c->arg, sizeof(c->arg), "-");
	if (!fi.active || !c->path[0] || !fi_in_scope(c->path))
		return;
	c->counted = true;
	c->seq = __atomic_add_fetch(&fi.sh->total, 1, __ATOMIC_SEQ_CST);
	g = __atomic_add_fetch(&fi.sh->group[group], 1, __ATOMIC_SEQ_CST);
	c->hit = fi_match(c->seq, group, g);
	c->action = fi.action;
	if (c->hit && __atomic_add_fetch(&fi.sh->n_injected, 1,
		__ATOMIC_SEQ_CST) == 1 && fi.action == FI_A_TORN
	    && group == FI_G_WRITE)
		c->action = FI_A_SHORT;
	else if (fi.action == FI_A_TORN)
		c->action = FI_A_FAIL;
}

/* fi_log - one line for a counted call */
static void
fi_log(const struct fi_call *c, long ret, int err, const char *flag)
{
	char line[3 * PATH_MAX];
	int n;

	if (fi.log_fd < 0 || !c->counted)
		return;
	n = snprintf(line, sizeof(line), "%llu\t%ld\t%s\t%s\t%ld\t%d\t%s\t%s\t%s%s%s\n",
	    (unsigned long long)c->seq, (long)getpid(), fi_group_names[c->group],
	    c->func, ret, ret < 0 ? err : 0, flag, c->arg, c->path,
	    c->path2[0] ? "\t" : "", c->path2);
	if (n > 0 && (size_t)n < sizeof(line))
		syscall(SYS_write, (long)fi.log_fd, line, (size_t)n);
}

/* fi_kill_now - log the kill and die (the whole run with FI_KILL=tree) */
static void
fi_kill_now(const struct fi_call *c, long ret, int err, const char *flag)
{
	fi_log(c, ret, err, flag);
	if (fi.kill_tree)
		__atomic_store_n(&fi.sh->kill_pending, 1, __ATOMIC_SEQ_CST);
	fi_die();
}

/*
 * fi_pre - before the real call: returns true when the call must not be
 * made, with *ret_r and errno set (injected failure).  Kills happen here.
 */
static bool
fi_pre(struct fi_call *c, long *ret_r)
{
	if (!c->hit)
		return false;
	switch (c->action) {
	case FI_A_KILL:
		fi_kill_now(c, 0, 0, "KILL");
		return true;
	case FI_A_FAIL:
	case FI_A_EINTR:
		if (c->group == FI_G_CLOSE)
			return false;	/* closed anyway, in fi_post */
		*ret_r = -1;
		errno = c->action == FI_A_EINTR ? EINTR : fi.err;
		fi_log(c, -1, errno, c->action == FI_A_EINTR ? "EINTR" : "FAIL");
		return true;
	default:
		return false;
	}
}

/* fi_post - after the real call: log, and turn a hit close into an error */
static long
fi_post(struct fi_call *c, long ret, int err)
{
	const char *flag = "-";

	if (c->hit && c->group == FI_G_CLOSE
	    && (c->action == FI_A_FAIL || c->action == FI_A_EINTR)) {
		ret = -1;
		err = c->action == FI_A_EINTR ? EINTR : fi.err;
		flag = c->action == FI_A_EINTR ? "EINTR" : "FAIL";
	} else if (c->hit && c->action == FI_A_SHORT && c->group == FI_G_WRITE) {
		flag = "SHORT";
	}
	if (c->hit && c->action == FI_A_KILLAFTER)
		fi_kill_now(c, ret, err, "KILLAFTER");
	fi_log(c, ret, err, flag);
	errno = err;
	return ret;
}

/* fi_call_fd - set up a call on an fd */
static void
fi_call_fd(struct fi_call *c, int fd, int group, const char *func)
{
	fi_init();
	fi_check_kill();
	memset(c, 0, sizeof(*c));
	if (fi.active && fi_fd_path(fd, c->path, sizeof(c->path)) < 0)
		c->path[0] = 0;
	fi_begin(c, group, func);
}

/* fi_call_at - set up a call on (dirfd, name) */
static void
fi_call_at(struct fi_call *c, int dirfd, const char *name)
{
	fi_init();
	fi_check_kill();
	memset(c, 0, sizeof(*c));
	if (fi.active && fi_at_path(dirfd, name, c->path, sizeof(c->path)) < 0)
		c->path[0] = 0;
}

/* fi_short_len - how much a short write writes */
static size_t
fi_short_len(const struct fi_call *c, size_t n)
{
	if (c->hit && c->action == FI_A_SHORT && n > 1)
		return n / 2;
	return n;
}

/* fi_short_iov - shorten an iovec array to half its bytes; new count */
static int
fi_short_iov(const struct fi_call *c, const struct iovec *iov, int n,
    struct iovec *out, int max)
{
	size_t total = 0, want, left;
	int i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	want = fi_short_len(c, total);
	left = want;
	for (i = 0; i < n && left > 0; i++) {
		out[i] = iov[i];
		if (out[i].iov_len > left)
			out[i].iov_len = left;
		left -= out[i].iov_len;
	}
	return i;
}

/* ---- write group ---- */

ssize_t
write(int fd, const void *p, size_t n)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "write");
	snprintf(c.arg, sizeof(c.arg), "%zu", n);
	if (fi_pre(&c, &ret))
		return ret;
	ret = real_write(fd, p, fi_short_len(&c, n));
	return fi_post(&c, ret, errno);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "pwrite");
	snprintf(c.arg, sizeof(c.arg), "%zu", n);
	if (fi_pre(&c, &ret))
		return ret;
	ret = real_pwrite(fd, p, fi_short_len(&c, n), off);
	return fi_post(&c, ret, errno);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off64_t off)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "pwrite64");
	snprintf(c.arg, sizeof(c.arg), "%zu", n);
	if (fi_pre(&c, &ret))
		return ret;
	ret = real_pwrite64(fd, p, fi_short_len(&c, n), off);
	return fi_post(&c, ret, errno);
}

/* fi_iov_len - total bytes of an iovec array */
static size_t
fi_iov_len(const struct iovec *iov, int n)
{
	size_t t = 0;
	int i;

	for (i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	struct iovec shorter[IOV_MAX];
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "writev");
	snprintf(c.arg, sizeof(c.arg), "%zu", n > 0 ? fi_iov_len(iov, n) : 0);
	if (fi_pre(&c, &ret))
		return ret;
	if (c.hit && c.action == FI_A_SHORT && n > 0)
		ret = real_writev(fd, shorter, fi_short_iov(&c, iov, n, shorter,
		    IOV_MAX));
	else
		ret = real_writev(fd, iov, n);
	return fi_post(&c, ret, errno);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	struct iovec shorter[IOV_MAX];
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "pwritev");
	snprintf(c.arg, sizeof(c.arg), "%zu", n > 0 ? fi_iov_len(iov, n) : 0);
	if (fi_pre(&c, &ret))
		return ret;
	if (c.hit && c.action == FI_A_SHORT && n > 0)
		ret = real_pwritev(fd, shorter, fi_short_iov(&c, iov, n, shorter,
		    IOV_MAX), off);
	else
		ret = real_pwritev(fd, iov, n, off);
	return fi_post(&c, ret, errno);
}

ssize_t
pwritev64(int fd, const struct iovec *iov, int n, off64_t off)
{
	struct iovec shorter[IOV_MAX];
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_WRITE, "pwritev64");
	snprintf(c.arg, sizeof(c.arg), "%zu", n > 0 ? fi_iov_len(iov, n) : 0);
	if (fi_pre(&c, &ret))
		return ret;
	if (c.hit && c.action == FI_A_SHORT && n > 0)
		ret = real_pwritev64(fd, shorter, fi_short_iov(&c, iov, n,
		    shorter, IOV_MAX), off);
	else
		ret = real_pwritev64(fd, iov, n, off);
	return fi_post(&c, ret, errno);
}

ssize_t
copy_file_range(int in, off64_t *in_off, int out, off64_t *out_off,
    size_t n, unsigned int flags)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, out, FI_G_WRITE, "copy_file_range");
	snprintf(c.arg, sizeof(c.arg), "%zu", n);
	if (fi_pre(&c, &ret))
		return ret;
	ret = real_copy_file_range(in, in_off, out, out_off,
	    fi_short_len(&c, n), flags);
	return fi_post(&c, ret, errno);
}

/* ---- fsync, fdatasync ---- */

int
fsync(int fd)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FSYNC, "fsync");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_fsync(fd);
	return (int)fi_post(&c, ret, errno);
}

int
fdatasync(int fd)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FDATASYNC, "fdatasync");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_fdatasync(fd);
	return (int)fi_post(&c, ret, errno);
}

/* ---- open ---- */

/* fi_exists - (dirfd, name) names something, links not followed */
static bool
fi_exists(int dirfd, const char *name)
{
	struct stat sb;

	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* fi_open_common - every open variant ends here */
static int
fi_open_common(const char *func, int dirfd, const char *path, int flags,
    mode_t mode, int (*fn)(int, const char *, int, ...))
{
	struct fi_call c;
	bool existed = false, creating;
	long ret;

	fi_call_at(&c, dirfd, path);
	creating = (flags & O_CREAT) != 0;
	if (fi.active && creating)
		existed = fi_exists(dirfd, path);
	fi_begin(&c, FI_G_OPEN, func);
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = fn(dirfd, path, flags, mode);
	if (ret >= 0 && creating && !existed)
		snprintf(c.arg, sizeof(c.arg), "creat");
	return (int)fi_post(&c, ret, errno);
}

/* fi_mode - the mode argument, present only with O_CREAT or O_TMPFILE */
#define FI_MODE(flags, ap, mode)                                        \
	do {                                                            \
		mode = 0;                                               \
		if (((flags) & O_CREAT)                                 \
		    || ((flags) & O_TMPFILE) == O_TMPFILE) {            \
			va_start(ap, flags);                            \
			mode = (mode_t)va_arg(ap, int);                 \
			va_end(ap);                                     \
		}                                                       \
	} while (0)

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	FI_MODE(flags, ap, mode);
	fi_init();
	return fi_open_common("open", AT_FDCWD, path, flags, mode, real_openat);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	FI_MODE(flags, ap, mode);
	fi_init();
	return fi_open_common("open64", AT_FDCWD, path, flags, mode,
	    real_openat64 ? real_openat64 : real_openat);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	FI_MODE(flags, ap, mode);
	fi_init();
	return fi_open_common("openat", dirfd, path, flags, mode, real_openat);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	FI_MODE(flags, ap, mode);
	fi_init();
	return fi_open_common("openat64", dirfd, path, flags, mode,
	    real_openat64 ? real_openat64 : real_openat);
}

int
__open_2(const char *path, int flags)
{
	fi_init();
	return fi_open_common("__open_2", AT_FDCWD, path, flags, 0, real_openat);
}

int
__open64_2(const char *path, int flags)
{
	fi_init();
	return fi_open_common("__open64_2", AT_FDCWD, path, flags, 0,
	    real_openat);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	fi_init();
	return fi_open_common("__openat_2", dirfd, path, flags, 0, real_openat);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	fi_init();
	return fi_open_common("__openat64_2", dirfd, path, flags, 0,
	    real_openat);
}

int
creat(const char *path, mode_t mode)
{
	fi_init();
	return fi_open_common("creat", AT_FDCWD, path,
	    O_CREAT | O_WRONLY | O_TRUNC, mode, real_openat);
}

int
creat64(const char *path, mode_t mode)
{
	fi_init();
	return fi_open_common("creat64", AT_FDCWD, path,
	    O_CREAT | O_WRONLY | O_TRUNC, mode, real_openat);
}

/* ---- link, rename ---- */

/* fi_two - set up a call with two paths (the counted one is the new name) */
static void
fi_two(struct fi_call *c, int olddir, const char *oldp, int newdir,
    const char *newp, int group, const char *func)
{
	char p1[PATH_MAX];

	fi_call_at(c, olddir, oldp);
	if (!fi.active)
		return;
	snprintf(p1, sizeof(p1), "%s", c->path);
	if (fi_at_path(newdir, newp, c->path2, sizeof(c->path2)) < 0)
		c->path2[0] = 0;
	/* In scope when either name is; the log keeps the order old, new. */
	if (!fi_in_scope(p1) && c->path2[0] && fi_in_scope(c->path2)) {
		snprintf(c->path, sizeof(c->path), "%s", c->path2);
		snprintf(c->path2, sizeof(c->path2), "%s", p1);
		snprintf(c->arg, sizeof(c->arg), "swapped");
	}
	fi_begin(c, group, func);
}

int
link(const char *oldp, const char *newp)
{
	struct fi_call c;
	long ret;

	fi_two(&c, AT_FDCWD, oldp, AT_FDCWD, newp, FI_G_LINK, "link");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_link(oldp, newp);
	return (int)fi_post(&c, ret, errno);
}

int
linkat(int od, const char *oldp, int nd, const char *newp, int flags)
{
	struct fi_call c;
	long ret;

	fi_two(&c, od, oldp, nd, newp, FI_G_LINK, "linkat");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_linkat(od, oldp, nd, newp, flags);
	return (int)fi_post(&c, ret, errno);
}

int
rename(const char *oldp, const char *newp)
{
	struct fi_call c;
	long ret;

	fi_two(&c, AT_FDCWD, oldp, AT_FDCWD, newp, FI_G_RENAME, "rename");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_rename(oldp, newp);
	return (int)fi_post(&c, ret, errno);
}

int
renameat(int od, const char *oldp, int nd, const char *newp)
{
	struct fi_call c;
	long ret;

	fi_two(&c, od, oldp, nd, newp, FI_G_RENAME, "renameat");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_renameat(od, oldp, nd, newp);
	return (int)fi_post(&c, ret, errno);
}

int
renameat2(int od, const char *oldp, int nd, const char *newp,
    unsigned int flags)
{
	struct fi_call c;
	long ret;

	fi_two(&c, od, oldp, nd, newp, FI_G_RENAME, "renameat2");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_renameat2(od, oldp, nd, newp, flags);
	return (int)fi_post(&c, ret, errno);
}

/* ---- mkdir ---- */

int
mkdir(const char *path, mode_t mode)
{
	struct fi_call c;
	long ret;

	fi_call_at(&c, AT_FDCWD, path);
	fi_begin(&c, FI_G_MKDIR, "mkdir");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_mkdir(path, mode);
	return (int)fi_post(&c, ret, errno);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	struct fi_call c;
	long ret;

	fi_call_at(&c, dirfd, path);
	fi_begin(&c, FI_G_MKDIR, "mkdirat");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_mkdirat(dirfd, path, mode);
	return (int)fi_post(&c, ret, errno);
}

/* ---- ftruncate, truncate ---- */

int
ftruncate(int fd, off_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FTRUNCATE, "ftruncate");
	snprintf(c.arg, sizeof(c.arg), "%lld", (long long)len);
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_ftruncate(fd, len);
	return (int)fi_post(&c, ret, errno);
}

int
ftruncate64(int fd, off64_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FTRUNCATE, "ftruncate64");
	snprintf(c.arg, sizeof(c.arg), "%lld", (long long)len);
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_ftruncate64(fd, len);
	return (int)fi_post(&c, ret, errno);
}

int
truncate(const char *path, off_t len)
{
	struct fi_call c;
	long ret;

	fi_call_at(&c, AT_FDCWD, path);
	snprintf(c.arg, sizeof(c.arg), "%lld", (long long)len);
	fi_begin(&c, FI_G_FTRUNCATE, "truncate");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_truncate(path, len);
	return (int)fi_post(&c, ret, errno);
}

int
truncate64(const char *path, off64_t len)
{
	struct fi_call c;
	long ret;

	fi_call_at(&c, AT_FDCWD, path);
	snprintf(c.arg, sizeof(c.arg), "%lld", (long long)len);
	fi_begin(&c, FI_G_FTRUNCATE, "truncate64");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_truncate64(path, len);
	return (int)fi_post(&c, ret, errno);
}

/* ---- close ---- */

int
close(int fd)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_CLOSE, "close");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_close(fd);
	return (int)fi_post(&c, ret, errno);
}

/* ---- fallocate ---- */

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FALLOCATE, "fallocate");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_fallocate(fd, mode, off, len);
	return (int)fi_post(&c, ret, errno);
}

int
fallocate64(int fd, int mode, off64_t off, off64_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FALLOCATE, "fallocate64");
	if (fi_pre(&c, &ret))
		return (int)ret;
	ret = real_fallocate64(fd, mode, off, len);
	return (int)fi_post(&c, ret, errno);
}

/* posix_fallocate returns the error number instead of setting errno. */
int
posix_fallocate(int fd, off_t off, off_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FALLOCATE, "posix_fallocate");
	if (fi_pre(&c, &ret))
		return errno;
	ret = real_posix_fallocate(fd, off, len);
	fi_post(&c, ret ? -1 : 0, (int)ret);
	return (int)ret;
}

int
posix_fallocate64(int fd, off64_t off, off64_t len)
{
	struct fi_call c;
	long ret;

	fi_call_fd(&c, fd, FI_G_FALLOCATE, "posix_fallocate64");
	if (fi_pre(&c, &ret))
		return errno;
	ret = real_posix_fallocate64(fd, off, len);
	fi_post(&c, ret ? -1 : 0, (int)ret);
	return (int)ret;
}

/* ---- kill points: a parent waiting for a killed child follows it ---- */

pid_t
waitpid(pid_t pid, int *status, int options)
{
	pid_t r;
	int e;

	fi_init();
	fi_check_kill();
	r = real_waitpid(pid, status, options);
	e = errno;
	fi_check_kill();
	errno = e;
	return r;
}

pid_t
wait(int *status)
{
	pid_t r;
	int e;

	fi_init();
	fi_check_kill();
	r = real_wait(status);
	e = errno;
	fi_check_kill();
	errno = e;
	return r;
}

ssize_t
read(int fd, void *p, size_t n)
{
	ssize_t r;
	int e;

	fi_init();
	fi_check_kill();
	r = real_read(fd, p, n);
	e = errno;
	fi_check_kill();
	errno = e;
	return r;
}
