/* SPDX-License-Identifier: MIT */
/*
 * safe_open - open below the mailbox base without following links
 *
 * DESCRIPTION
 *	The mailbox base (virtual_mailbox_base) is the administrator's and
 *	is opened as named, symbolic links included.  Every component below
 *	it is opened with openat(O_NOFOLLOW) from the directory above, so a
 *	symbolic link anywhere below the base is refused, as is a component
 *	"..".  Postfix's safe_open() accepts a root-owned symlink in a
 *	root-owned directory (for Solaris /dev); vdeliver never follows a
 *	link below the base.
 *
 *	safe_open_file() applies Postfix's safe_open() rules to the last
 *	component: not a symbolic link, not a directory, a regular file
 *	(FIFOs and devices are never opened for writing: the type is
 *	checked with fstatat() first and the open is O_NONBLOCK), exactly
 *	one hard link, and the same file before and after the open.  A
 *	missing file is created with O_CREAT|O_EXCL as the current uid.
 */
#ifndef VD_DELIVER_SAFE_OPEN_H
#define VD_DELIVER_SAFE_OPEN_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Why safe_walk() failed, for the caller's message. */
struct safe_fail {
	int errnum;		/* errno of the failed step */
	const char *why;	/* NULL (errnum says it all), or a reason:
				 * "is a symbolic link" */
	size_t at_len;		/* failed directory: path[0..at_len) */
};

#define SAFE_MKDIR 0x1	/* create missing directories, mode 0700 */

/*
 * safe_walk - open the directory path (absolute; path[0..base_len) is the
 * base) for reading, close-on-exec; *fd_r is the caller's to close.
 * With SAFE_MKDIR a missing component is created (mkdirat 0700, EEXIST
 * races tolerated), given the effective gid when the kernel chose
 * another group, and its parent fsync()ed.  Returns 0, or -1 with f.
 */
int safe_walk(const char *path, size_t base_len, int flags, int *fd_r,
    struct safe_fail *f);
/*
 * safe_walk_at - the same for the rest of path, path[dir_len..], from
 * dirfd, a directory safe_walk() opened for path[0..dir_len) (not
 * closed; *fd_r is a new descriptor even when nothing is left to walk)
 */
int safe_walk_at(int dirfd, const char *path, size_t dir_len, int flags,
    int *fd_r, struct safe_fail *f);

/*
 * safe_fsync_dir - make the entries of directory dirfd (any descriptor,
 * O_PATH included) durable: fsync() of a descriptor opened for reading,
 * or, for a directory that may be searched but not read, syncfs() of
 * fallback_fd (any descriptor on the same file system; -1 = none).
 * Returns 0, or -1 with errno.
 */
int safe_fsync_dir(int dirfd, int fallback_fd);

/* safe_open_file() result when the target is not a regular file */
#define SAFE_NOT_REGULAR (-2)

/*
 * safe_open_file - open name in dirfd (flags: O_WRONLY, O_APPEND...;
 * O_NOFOLLOW, O_NONBLOCK and O_CLOEXEC are added), creating it with mode
 * when missing.  *sb_r is the file's status, *created_r tells whether
 * this call created it.  Returns the fd; -1 with st (Postfix's texts
 * "cannot open file: ...", "cannot create file exclusively: ...", "file
 * is a symbolic link", "file is a directory", "file has N hard links",
 * "file status changed unexpectedly"; DSN mbox_dsn(errno, "4.2.0"));
 * or SAFE_NOT_REGULAR (st: 5.3.5 "mail system configuration error").
 */
int safe_open_file(int dirfd, const char *name, int flags, mode_t mode,
    struct stat *sb_r, bool *created_r, struct vd_status *st);

#endif
