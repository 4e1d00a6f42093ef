/* SPDX-License-Identifier: MIT */
/*
 * maildir - tmp/, fsync, link() into new/, fsync new/, unlink tmp/
 *
 * DESCRIPTION
 *	See maildir.h.  The sequence is Postfix's deliver_maildir() with
 *	the directories held open (safe_walk: no link followed below the
 *	base) and the names made unique even when a name is taken:
 *
 *	- one gettimeofday() per delivery gives <sec> and <usec>;
 *	- tmp/<sec>.P<pid>.<host> is created O_EXCL (a leftover of a dead
 *	  process with the same pid gets "Q<n>" after the pid); directories
 *	  are created only when the walk meets ENOENT (make_dirs(), 0700,
 *	  chgrp to the egid, the parent fsynced);
 *	- the file is written with one writev() (headers, body) and
 *	  fsynced; its st_dev/st_ino name it in new/ as Postfix does, with
 *	  ",S=<size>" (the exact file size) when req->maildir_size_in_name;
 *	- linkat() never replaces an existing name: on EEXIST the same
 *	  file under that name counts as done (Postfix's sane_link(), an
 *	  NFS retry), anything else gets "Q<n>" after the usec item; on
 *	  ENOENT cur/ and new/ are created and the link is tried again;
 *	- new/ is fsynced before success is reported: the entry, not only
 *	  the data, must survive a crash; if that fails the new/ entry is
 *	  removed again, so a retry cannot duplicate the message.
 *
 * SEE ALSO
 *	Postfix virtual/maildir.c, util/make_dirs.c, util/sane_link.c;
 *	https://cr.yp.to/proto/maildir.html; REFERENCE.md 3.1-3.3.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "deliver/copy.h"
#include "deliver/maildir.h"
#include "deliver/safe_open.h"

#define MAILDIR_TRIES 100	/* names tried before giving up (EEXIST) */

/* maildir_hostname - the host name with '/' and ':' escaped */
void
maildir_hostname(struct buf *b, const char *host)
{
	for (; *host; host++) {
		if (*host == '/')
			buf_puts(b, "\\057");
		else if (*host == ':')
			buf_puts(b, "\\072");
		else
			buf_putc(b, *host);
	}
}

/* maildir_host - the escaped host part for req */
static void
maildir_host(struct buf *b, const struct deliver_request *req)
{
	char name[HOST_NAME_MAX + 1];

	if (req->hostname && *req->hostname) {
		maildir_hostname(b, req->hostname);
		return;
	}
	if (gethostname(name, sizeof(name)) < 0)
		name[0] = 0;
	name[sizeof(name) - 1] = 0;
	maildir_hostname(b, name[0] ? name : "localhost");
}

/*
 * maildir_walk - open <maildir>/sub: from *mdfd, the maildir itself,
 * which is walked to from the base first when *mdfd is -1 (and then kept
 * for the other subdirectories); 0, or -1 with st for target
 */
static int
maildir_walk(const struct deliver_request *req, int *mdfd, const char *sub,
    int flags, const char *target, int *fd_r, struct vd_status *st)
{
	struct safe_fail f;
	struct buf dir;
	int ret;

	buf_init(&dir);
	buf_printf(&dir, "%s%s", req->path, sub);
	ret = *mdfd >= 0 ? 0
	    : safe_walk(req->path, req->base_len, flags, mdfd, &f);
	if (ret == 0)
		ret = safe_walk_at(*mdfd, dir.data, strlen(req->path), flags,
		    fd_r, &f);
	if (ret < 0 && f.why) {
		vd_status_set(st, "4.2.0", "create maildir file %s: "
		    "directory %.*s %s", target, (int)f.at_len, dir.data, f.why);
		st->errnum = f.errnum;
	} else if (ret < 0) {
		vd_status_errno(st, f.errnum, "4.2.0", "create maildir file %s",
		    target);
	}
	buf_fini(&dir);
	return ret;
}

/* maildir_create_tmp - the tmp/ file; its fd, or -1 with st */
static int
maildir_create_tmp(const struct deliver_request *req, const struct timeval *tv,
    const char *host, int *mdfd, int *tmpfd, struct buf *name,
    struct buf *path, struct vd_status *st)
{
	int fd = -1, n, e = EEXIST, rewalked = 0;

	for (n = 0; n < MAILDIR_TRIES; n++) {
		buf_reset(name);
		if (n == 0)
			buf_printf(name, "%lu.P%ld.%s",
			    (unsigned long)tv->tv_sec, (long)getpid(), host);
		else
			buf_printf(name, "%lu.P%ldQ%d.%s",
			    (unsigned long)tv->tv_sec, (long)getpid(), n, host);
		buf_reset(path);
		buf_printf(path, "%stmp/%s", req->path, name->data);
		if (*tmpfd < 0 && maildir_walk(req, mdfd, "tmp", SAFE_MKDIR,
			path->data, tmpfd, st) < 0)
			return -1;
		fd = openat(*tmpfd, name->data, O_WRONLY | O_CREAT | O_EXCL
		    | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0)
			return fd;
		e = errno;
		if (e == ENOENT && !rewalked++) {
			/* tmp/ went away after the walk: walk it again, once */
			(void)close(*tmpfd);
			*tmpfd = -1;
			(void)close(*mdfd);
			*mdfd = -1;
			n--;
			continue;
		}
		if (e != EEXIST)
			break;
	}
	return vd_status_errno(st, e, "4.2.0", "create maildir file %s",
	    path->data);
}

/* maildir_new_name - the name in new/ for try n */
static void
maildir_new_name(struct buf *name, const struct deliver_request *req,
    const struct timeval *tv, const struct stat *sb, const char *host, int n)
{
	buf_reset(name);
	buf_printf(name, "%lu.V%lxI%lxM%lu", (unsigned long)tv->tv_sec,
	    (unsigned long)sb->st_dev, (unsigned long)sb->st_ino,
	    (unsigned long)tv->tv_usec);
	if (n > 0)
		buf_printf(name, "Q%d", n);
	buf_printf(name, ".%s", host);
	if (req->maildir_size_in_name)
		buf_printf(name, ",S=%lld", (long long)sb->st_size);
}

/* maildir_same_file - name in dirfd is the file sb describes */
static bool
maildir_same_file(int dirfd, const char *name, const struct stat *sb)
{
	struct stat nb;

	return fstatat(dirfd, name, &nb, AT_SYMLINK_NOFOLLOW) == 0
	    && nb.st_dev == sb->st_dev && nb.st_ino == sb->st_ino;
}

/* maildir_make_new - create cur/ (result ignored, as Postfix) and new/ */
static int
maildir_make_new(const struct deliver_request *req, int *mdfd,
    const char *target, int *newfd, struct vd_status *st)
{
	int fd;

	if (maildir_walk(req, mdfd, "cur", SAFE_MKDIR, target, &fd, st) == 0)
		(void)close(fd);
	return maildir_walk(req, mdfd, "new", SAFE_MKDIR, target, newfd, st);
}

/* maildir_link - link the tmp/ file into new/; 0, or -1 with st */
static int
maildir_link(const struct deliver_request *req, const struct timeval *tv,
    const struct stat *sb, const char *host, int *mdfd, int tmpfd,
    const char *tmpname, int *newfd, struct buf *name, struct buf *path,
    struct vd_status *st)
{
	bool made = false;
	int n, e = 0;

	for (n = 0; n < MAILDIR_TRIES; n++) {
		maildir_new_name(name, req, tv, sb, host, n);
		buf_reset(path);
		buf_printf(path, "%snew/%s", req->path, name->data);
		if (*newfd < 0 && maildir_walk(req, mdfd, "new", 0, path->data,
			newfd, st) < 0) {
			if (st->errnum != ENOENT || made)
				return -1;
			made = true;
			if (maildir_make_new(req, mdfd, path->data, newfd,
				st) < 0)
				return -1;
		}
		if (linkat(tmpfd, tmpname, *newfd, name->data, 0) == 0)
			return 0;
		e = errno;
		/* Postfix's sane_link(): an NFS retry may report EEXIST */
		if (e == EEXIST && maildir_same_file(*newfd, name->data, sb))
			return 0;
		if (e == ENOENT && !made) {
			/* new/ went away after the walk: walk it again, once */
			made = true;
			(void)close(*newfd);
			*newfd = -1;
			(void)close(*mdfd);
			*mdfd = -1;
			if (maildir_make_new(req, mdfd, path->data, newfd,
				st) < 0)
				return -1;
			n--;
			continue;
		}
		if (e != EEXIST)
			break;
	}
	return vd_status_errno(st, e, "4.2.0", "create maildir file %s",
	    path->data);
}

/* maildir_deliver - write one message into a maildir */
int
maildir_deliver(const struct deliver_request *req, struct vd_status *st)
{
	struct buf host, hdr, tmpname, tmppath, newname, newpath;
	struct timeval tv;
	struct stat sb;
	int mdfd = -1, tmpfd = -1, newfd = -1, fd = -1;
	bool have_tmp = false, linked = false, ok = false;
	int e;

	gettimeofday(&tv, NULL);
	buf_init(&host);
	buf_init(&hdr);
	buf_init(&tmpname);
	buf_init(&tmppath);
	buf_init(&newname);
	buf_init(&newpath);
	maildir_host(&host, req);

	if ((fd = maildir_create_tmp(req, &tv, host.data, &mdfd, &tmpfd,
		 &tmpname, &tmppath, st)) < 0)
		goto out;
	have_tmp = true;
	copy_headers(&hdr, req, 0, 0);
	if (req->size_limit > 0
	    && !copy_fits(req->msg, hdr.len, 0, req->size_limit)) {
		copy_write_status(st, EFBIG);
		goto out;
	}
	if (copy_write(fd, hdr.data, hdr.len, req->msg, 0, st) < 0)
		goto out;
	if (fsync(fd) < 0 || fstat(fd, &sb) < 0) {
		copy_write_status(st, errno);
		goto out;
	}
	if (maildir_link(req, &tv, &sb, host.data, &mdfd, tmpfd, tmpname.data,
		&newfd, &newname, &newpath, st) < 0)
		goto out;
	linked = true;
	if (safe_fsync_dir(newfd, fd) < 0) {
		copy_write_status(st, errno);
		goto out;
	}
	e = close(fd) < 0 ? errno : 0;
	fd = -1;
	if (e) {
		copy_write_status(st, e);
		goto out;
	}
	ok = true;
out:
	if (fd >= 0)
		(void)close(fd);
	if (linked && !ok && unlinkat(newfd, newname.data, 0) < 0)
		log_warn("remove %s: %s", newpath.data, strerror(errno));
	if (have_tmp && unlinkat(tmpfd, tmpname.data, 0) < 0)
		log_warn("remove %s: %s", tmppath.data, strerror(errno));
	if (tmpfd >= 0)
		(void)close(tmpfd);
	if (newfd >= 0)
		(void)close(newfd);
	if (mdfd >= 0)
		(void)close(mdfd);
	buf_fini(&host);
	buf_fini(&hdr);
	buf_fini(&tmpname);
	buf_fini(&tmppath);
	buf_fini(&newname);
	buf_fini(&newpath);
	if (!ok) {
		if (st->errnum == EACCES) {
			log_warn("maildir access problem for UID/GID=%lu/%lu: %s",
			    (unsigned long)req->uid, (unsigned long)req->gid,
			    st->text);
			log_warn("perhaps you need to create the maildirs in "
			    "advance");
		}
		vd_status_prefix(st, "maildir delivery failed: ");
		return -1;
	}
	vd_status_set(st, "2.0.0", "delivered to maildir");
	return 0;
}
