/* SPDX-License-Identifier: MIT */
/*
 * mbox - lock, safe open, append, fsync, truncate back on failure
 *
 * DESCRIPTION
 *	mbox_deliver() follows Postfix's mbox_open() and virtual(8)'s
 *	deliver_mailbox_file() (see mbox.h for the contract):
 *
 *	1. walk to the mailbox directory without following links below the
 *	   base (safe_walk); no directory is ever created for an mbox;
 *	2. dotlock, only when the target is missing or a regular file;
 *	3. open or create the file (safe_open_file: O_APPEND|O_WRONLY,
 *	   close-on-exec, mode 0600, owned by the recipient's uid/gid);
 *	4. flock and/or fcntl lock; then the link count must still be 1
 *	   (a mailbox replaced by a POP server between open and lock);
 *	5. strict_mailbox_ownership: the file must belong to req->uid;
 *	6. remember the end offset; refuse (5.2.2, "File too large", as
 *	   RLIMIT_FSIZE would make it) when the file would grow past
 *	   virtual_mailbox_limit; write; fsync; fsync the directory when
 *	   the file is new;
 *	7. on any failure after the write began: ftruncate to the old end
 *	   and fsync that, while every lock is still held; a file created
 *	   by this call is removed again (Postfix leaves it, empty);
 *	8. close (drops the kernel locks), then remove the dotlock.
 *
 *	fsync() rather than fdatasync(): when the size changes, fdatasync()
 *	must write the inode anyway, so it saves nothing, and fsync() also
 *	keeps the mtime that mail readers use to see new mail.
 *
 *	An existing mbox whose last byte is not a newline gets the From_
 *	line glued to its last line, byte for byte what Postfix does.
 *
 * SEE ALSO
 *	Postfix virtual/mailbox.c, global/mbox_open.c, global/mail_copy.c;
 *	REFERENCE.md 1.10, 1.11, 1.13, 2.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "deliver/copy.h"
#include "deliver/lock.h"
#include "deliver/mbox.h"
#include "deliver/safe_open.h"

/* mbox_walk_status - st for a failed walk, in Postfix's words */
static int
mbox_walk_status(const struct deliver_request *req, const char *dir,
    const struct safe_fail *f, struct vd_status *st)
{
	if (f->why) {
		vd_status_set(st, "4.2.0", "directory %.*s %s", (int)f->at_len,
		    dir, f->why);
		st->errnum = f->errnum;
		return -1;
	}
	/* Postfix dotlocks before it opens: the lock file fails first. */
	if (req->lock_mask & LOCK_METHOD_DOTLOCK)
		return vd_status_errno(st, f->errnum, "4.2.0",
		    "unable to create lock file %s.lock", req->path);
	if (f->errnum == ENOENT)
		return vd_status_errno(st, f->errnum, "4.2.0",
		    "cannot create file exclusively");
	return vd_status_errno(st, f->errnum, "4.2.0", "cannot open file");
}

/* mbox_undo - truncate back to orig and make that durable */
static void
mbox_undo(int fd, const char *path, off_t orig)
{
	if (ftruncate(fd, orig) < 0)
		log_warn("%s: cannot truncate to %lld bytes: %s", path,
		    (long long)orig, strerror(errno));
	else if (fsync(fd) < 0)
		log_warn("%s: fsync after truncation: %s", path,
		    strerror(errno));
}

/* mbox_unlink_created - remove the file this delivery created */
static void
mbox_unlink_created(int dirfd, const char *name, int fd, const char *path)
{
	struct stat a, b;

	if (fstat(fd, &a) == 0
	    && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0
	    && a.st_dev == b.st_dev && a.st_ino == b.st_ino
	    && unlinkat(dirfd, name, 0) < 0)
		log_warn("remove %s: %s", path, strerror(errno));
}

/* mbox_deliver - append one message to an mbox file */
int
mbox_deliver(const struct deliver_request *req, struct vd_status *st)
{
	const char *path = req->path, *slash = strrchr(path, '/');
	struct safe_fail f;
	struct lock_dot dot;
	struct stat sb;
	struct buf hdr;
	char *dir = NULL;
	const char *name;
	bool created = false, locked = false, wrote = false, ok = false;
	int dirfd = -1, fd = -1;
	off_t orig = 0;

	lock_dot_init(&dot);
	buf_init(&hdr);
	if (slash == NULL || slash[1] == 0
	    || (size_t)(slash - path) < req->base_len) {
		log_warn("mailbox %s: not a file below the mailbox base", path);
		vd_status_set(st, "4.3.5", "mail system configuration error");
		goto out;
	}
	name = slash + 1;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	if (safe_walk(dir, req->base_len, 0, &dirfd, &f) < 0) {
		mbox_walk_status(req, dir, &f, st);
		goto out;
	}

	/* Dotlock first, unless the target exists and is not a file. */
	if ((req->lock_mask & LOCK_METHOD_DOTLOCK)
	    && (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0
		|| S_ISREG(sb.st_mode))
	    && lock_dot_acquire(&dot, dirfd, name, path, req, st) < 0)
		goto out;

	fd = safe_open_file(dirfd, name, O_WRONLY | O_APPEND, 0600, &sb,
	    &created, st);
	if (fd == SAFE_NOT_REGULAR)
		log_warn("recipient %s: destination %s is not a regular file",
		    req->rcpt ? req->rcpt : "", path);
	if (fd < 0) {
		fd = -1;
		goto out;
	}
	if ((req->lock_mask & (LOCK_METHOD_FLOCK | LOCK_METHOD_FCNTL))
	    && lock_kernel(fd, req, st) < 0)
		goto out;
	locked = true;

	/* A mailbox unlinked or replaced while we waited for the lock. */
	if (fstat(fd, &sb) < 0 || sb.st_nlink != 1) {
		vd_status_set(st, "4.2.0",
		    "target file status changed unexpectedly");
		log_warn("%s: file status changed unexpectedly", path);
		goto out;
	}
	if (req->strict_ownership && sb.st_uid != req->uid) {
		vd_status_set(st, "4.2.0",
		    "destination %s is not owned by recipient", path);
		log_warn("specify \"strict_mailbox_ownership = no\" to ignore "
		    "mailbox ownership mismatch");
		goto out;
	}
	if ((orig = lseek(fd, 0, SEEK_END)) < 0) {
		copy_write_status(st, errno);
		goto out;
	}

	copy_headers(&hdr, req, COPY_MBOX, time(NULL));
	if (req->size_limit > 0
	    && !copy_fits(req->msg, hdr.len, COPY_MBOX, req->size_limit - orig)) {
		copy_write_status(st, EFBIG);
		goto out;
	}
	wrote = true;
	if (copy_write(fd, hdr.data, hdr.len, req->msg, COPY_MBOX, st) < 0)
		goto out;
	if (fsync(fd) < 0) {
		copy_write_status(st, errno);
		goto out;
	}
	/* A new file exists only once its directory entry is on disk. */
	if (created && safe_fsync_dir(dirfd, fd) < 0) {
		copy_write_status(st, errno);
		goto out;
	}
	ok = true;
out:
	if (fd >= 0 && !ok) {
		if (wrote)
			mbox_undo(fd, path, orig);
		if (created && locked)
			mbox_unlink_created(dirfd, name, fd, path);
	}
	if (fd >= 0 && close(fd) < 0 && ok) {
		/* Data and entry are on disk (fsync); it cannot be undone. */
		log_warn("%s: close after fsync: %s", path, strerror(errno));
		copy_write_status(st, errno);
		ok = false;
	}
	lock_dot_release(&dot);
	if (dirfd >= 0)
		(void)close(dirfd);
	free(dir);
	buf_fini(&hdr);
	if (!ok) {
		vd_status_prefix(st, "delivery failed to mailbox %s: ", path);
		return -1;
	}
	vd_status_set(st, "2.0.0", "delivered to mailbox");
	return 0;
}
