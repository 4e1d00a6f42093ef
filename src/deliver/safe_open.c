/* SPDX-License-Identifier: MIT */
/*
 * safe_open - walk below the mailbox base with openat(O_NOFOLLOW)
 *
 * DESCRIPTION
 *	See safe_open.h.  Directories are held as O_PATH descriptors: a
 *	lookup through them needs only search permission, as a path name
 *	lookup would, so a 0711 directory on the way is no obstacle.  A
 *	real descriptor is opened only where one is needed (fsync of a
 *	directory: safe_fsync_dir()).
 *
 *	The final open follows Postfix's safe_open_exist(): fstat() the
 *	open file (one link, not a directory), then look the name up again
 *	without following links and compare device, inode, link count and
 *	mode.  vdeliver also looks before it opens, so that a FIFO or a
 *	device is never opened at all; O_NONBLOCK covers a swap between the
 *	look and the open.
 *
 * SEE ALSO
 *	Postfix util/safe_open.c; REFERENCE.md 2.3.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "deliver/safe_open.h"

#define SAFE_DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* safe_fail_set - record why the walk stopped; returns -1 */
static int
safe_fail_set(struct safe_fail *f, int e, const char *why, size_t at_len)
{
	f->errnum = e;
	f->why = why;
	f->at_len = at_len;
	return -1;
}

/* safe_fsync_dir - make a directory's entries durable */
int
safe_fsync_dir(int dirfd, int fallback_fd)
{
	int fd, ret, e;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		/* A directory we may search but not read: sync its file system. */
		if (errno == EACCES && fallback_fd >= 0)
			return syncfs(fallback_fd);
		return -1;
	}
	while ((ret = fsync(fd)) < 0 && errno == EINTR)
		;
	e = errno;
	if (close(fd) < 0 && ret == 0)
		return -1;
	errno = e;
	return ret;
}

/* safe_mkdir - create comp in fd (0700); the new directory, or -1 */
static int
safe_mkdir(int fd, const char *comp, const char *path, size_t at_len)
{
	struct stat sb;
	int next, rfd, e;

	if (mkdirat(fd, comp, 0700) < 0)
		return errno == EEXIST
		    ? openat(fd, comp, SAFE_DIR_FLAGS) : -1;
	if ((next = openat(fd, comp, SAFE_DIR_FLAGS)) < 0)
		return -1;
	/* Like Postfix's make_dirs(): the group is the creator's. */
	if (fstat(next, &sb) == 0 && sb.st_gid != getegid()
	    && fchownat(next, "", (uid_t)-1, getegid(), AT_EMPTY_PATH) < 0)
		log_warn("%.*s: cannot change group to %lu: %s", (int)at_len,
		    path, (unsigned long)getegid(), strerror(errno));
	/* The new entry must be on disk before anything below it counts. */
	rfd = openat(next, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (safe_fsync_dir(fd, rfd) < 0) {
		e = errno;
		if (rfd >= 0)
			(void)close(rfd);
		(void)close(next);
		errno = e;
		return -1;
	}
	if (rfd >= 0 && close(rfd) < 0) {
		e = errno;
		(void)close(next);
		errno = e;
		return -1;
	}
	return next;
}

/*
 * safe_walk_comps - open the components of path[from..] one by one from
 * the directory start (path[0..from) names it), in a private copy of
 * path with each component NUL-terminated in turn.  With own_start,
 * start is consumed (closed, or returned when nothing is left to walk);
 * without, it stays the caller's.
 */
static int
safe_walk_comps(int start, bool own_start, const char *path, size_t from,
    int flags, int *fd_r, struct safe_fail *f)
{
	size_t len = strlen(path), i, end;
	char *copy = xstrdup(path), *comp;
	struct stat sb;
	int fd = start, next, e;

	for (i = from < len ? from : len; i < len;) {
		while (i < len && path[i] == '/')
			i++;
		if (i == len)
			break;
		for (end = i; end < len && path[end] != '/'; end++)
			;
		comp = copy + i;
		copy[end] = 0;
		i = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			safe_fail_set(f, EPERM, "is not below the mailbox base",
			    i);
			goto out;
		}
		next = openat(fd, comp, SAFE_DIR_FLAGS);
		if (next < 0 && errno == ENOENT && (flags & SAFE_MKDIR))
			next = safe_mkdir(fd, comp, path, i);
		if (next < 0) {
			e = errno;
			if ((e == ENOTDIR || e == ELOOP)
			    && fstatat(fd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0
			    && S_ISLNK(sb.st_mode))
				safe_fail_set(f, EPERM, "is a symbolic link", i);
			else
				safe_fail_set(f, e, NULL, i);
			goto out;
		}
		if (fd != start || own_start)
			(void)close(fd);
		fd = next;
	}
	if (fd == start && !own_start
	    && (fd = fcntl(start, F_DUPFD_CLOEXEC, 0)) < 0) {
		safe_fail_set(f, errno, NULL, len);
		fd = start;
		goto out;
	}
	*fd_r = fd;
	fd = -1;
out:
	if (fd >= 0 && (fd != start || own_start))
		(void)close(fd);
	free(copy);
	return f->errnum ? -1 : 0;
}

/* safe_walk - open a directory below the base without following links */
int
safe_walk(const char *path, size_t base_len, int flags, int *fd_r,
    struct safe_fail *f)
{
	size_t len = strlen(path);
	char *base;
	int fd;

	memset(f, 0, sizeof(*f));
	if (base_len > len)
		base_len = len;
	if (base_len > 0)
		base = xstrndup(path, base_len);
	else
		base = xstrdup(path[0] == '/' ? "/" : ".");
	/* The base is the administrator's: links are followed here. */
	fd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(base);
	if (fd < 0)
		return safe_fail_set(f, errno, NULL, base_len);
	return safe_walk_comps(fd, true, path, base_len, flags, fd_r, f);
}

/* safe_walk_at - safe_walk() on from a directory already walked */
int
safe_walk_at(int dirfd, const char *path, size_t dir_len, int flags,
    int *fd_r, struct safe_fail *f)
{
	memset(f, 0, sizeof(*f));
	return safe_walk_comps(dirfd, false, path, dir_len, flags, fd_r, f);
}

/* safe_refuse - st for a refused target (Postfix: EPERM/EISDIR texts) */
static int
safe_refuse(struct vd_status *st, int e, const char *text)
{
	vd_status_set(st, vd_status_dsn_for_errno(e, "4.2.0"), "%s", text);
	st->errnum = e;
	return -1;
}

/* safe_not_regular - the SAFE_NOT_REGULAR result */
static int
safe_not_regular(struct vd_status *st)
{
	vd_status_set(st, "5.3.5", "mail system configuration error");
	return SAFE_NOT_REGULAR;
}

/* safe_check_type - refuse what is not a plain regular file */
static int
safe_check_type(const struct stat *sb, struct vd_status *st)
{
	if (S_ISLNK(sb->st_mode))
		return safe_refuse(st, EPERM, "file is a symbolic link");
	if (S_ISDIR(sb->st_mode))
		return safe_refuse(st, EISDIR, "file is a directory");
	if (!S_ISREG(sb->st_mode))
		return safe_not_regular(st);
	return 0;
}

/* safe_open_exist - open an existing file; -ENOENT style: -1, errno ENOENT */
static int
safe_open_exist(int dirfd, const char *name, int flags, struct stat *sb,
    struct vd_status *st)
{
	struct stat lsb;
	int fd, ret, e;

	if (fstatat(dirfd, name, &lsb, AT_SYMLINK_NOFOLLOW) < 0) {
		e = errno;
		vd_status_errno(st, e, "4.2.0", "cannot open file");
		errno = e;
		return -1;
	}
	if ((ret = safe_check_type(&lsb, st)) < 0) {
		errno = st->errnum;
		return ret;
	}
	fd = openat(dirfd, name, (flags & ~(O_CREAT | O_EXCL)) | O_NOFOLLOW
	    | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP)
			return safe_refuse(st, EPERM, "file is a symbolic link");
		if (e == EISDIR)
			return safe_refuse(st, EISDIR, "file is a directory");
		if (e == ENXIO)	/* a FIFO without a reader */
			return safe_not_regular(st);
		vd_status_errno(st, e, "4.2.0", "cannot open file");
		errno = e;
		return -1;
	}
	if (fstat(fd, sb) < 0) {
		e = errno;
		(void)close(fd);
		vd_status_errno(st, e, "4.2.0", "cannot open file");
		errno = e;
		return -1;
	}
	if (sb->st_nlink != 1) {
		vd_status_set(st, "4.2.0", "file has %ld hard links",
		    (long)sb->st_nlink);
		st->errnum = EPERM;
		ret = -1;
	}
	else if ((ret = safe_check_type(sb, st)) < 0)
		;
	else if (fstatat(dirfd, name, &lsb, AT_SYMLINK_NOFOLLOW) < 0
	    || lsb.st_dev != sb->st_dev || lsb.st_ino != sb->st_ino
	    || lsb.st_nlink != sb->st_nlink || lsb.st_mode != sb->st_mode)
		ret = safe_refuse(st, EPERM, "file status changed unexpectedly");
	if (ret < 0) {
		(void)close(fd);
		errno = st->errnum ? st->errnum : EPERM;
		return ret;
	}
	return fd;
}

/* safe_open_file - open or create a regular file in dirfd, safely */
int
safe_open_file(int dirfd, const char *name, int flags, mode_t mode,
    struct stat *sb_r, bool *created_r, struct vd_status *st)
{
	int fd, e;

	*created_r = false;
	fd = safe_open_exist(dirfd, name, flags, sb_r, st);
	if (fd != -1 || errno != ENOENT)
		return fd;
	/* O_CREAT|O_EXCL never follows a link and never opens a FIFO. */
	fd = openat(dirfd, name, (flags & ~O_CREAT) | O_CREAT | O_EXCL
	    | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0) {
		e = errno;
		if (e == EEXIST)	/* lost a race: open it, once */
			return safe_open_exist(dirfd, name, flags, sb_r, st);
		return vd_status_errno(st, e, "4.2.0",
		    "cannot create file exclusively");
	}
	if (fstat(fd, sb_r) < 0) {
		e = errno;
		(void)close(fd);
		return vd_status_errno(st, e, "4.2.0",
		    "cannot create file exclusively");
	}
	*created_r = true;
	return fd;
}
