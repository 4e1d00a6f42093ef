/* SPDX-License-Identifier: MIT */
/*
 * floor - the least a durable delivery must do, as a yardstick
 *
 * SYNOPSIS
 *	floor maildir DIR/ RCPT < message
 *	floor mbox FILE RCPT < message
 *
 * DESCRIPTION
 *	maildir: create DIR/tmp/<sec>.<usec>.P<pid>.floor (O_EXCL), write
 *	the Return-Path, X-Original-To and Delivered-To lines and copy standard input in
 *	1 MiB blocks, fsync the file, link it into DIR/new/, fsync new/,
 *	unlink the tmp/ name.
 *
 *	mbox: open FILE (O_APPEND, created 0600 if missing), take an fcntl
 *	write lock, write a From_ line, Return-Path, X-Original-To and
 *	Delivered-To, copy
 *	standard input in 1 MiB blocks and an empty line, fsync, unlock.
 *	A created file also gets its directory fsynced.
 *
 *	Those are the steps, and the fsyncs, that vdeliver does too: the
 *	same bytes go to the disk in the same number of syncs.  What the
 *	floor leaves out is everything else: no configuration, no table, no
 *	spooling of the message before the mailbox is touched, no ">From "
 *	quoting scan, no dotlock, no check of links, owners or sizes, no
 *	undo on failure, no log.  Exit 0, or 75 with a message on stderr.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_BLOCK (1024 * 1024)

static char block[FLOOR_BLOCK];

/* fail - report and exit 75 (temporary failure) */
static void
fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(75);
}

/* write_all - all of p[0..n) to fd */
static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail("write");
		p += w;
		n -= (size_t)w;
	}
}

/* copy_stdin - standard input to fd in large blocks */
static void
copy_stdin(int fd)
{
	ssize_t n;

	for (;;) {
		if ((n = read(0, block, sizeof(block))) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("read");
		if (n == 0)
			return;
		write_all(fd, block, (size_t)n);
	}
}

/* fsync_dir - fsync the directory path */
static void
fsync_dir(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) < 0 || fsync(fd) < 0
	    || close(fd) < 0)
		fail(path);
}

/* floor_maildir - tmp/, fsync, link into new/, fsync new/ */
static void
floor_maildir(const char *dir, const char *hdr, size_t hdr_len)
{
	char tmp[4096], new[4096], newdir[4096];
	struct timeval tv;
	int fd;

	gettimeofday(&tv, NULL);
	snprintf(tmp, sizeof(tmp), "%stmp/%ld.M%ldP%ld.floor", dir,
	    (long)tv.tv_sec, (long)tv.tv_usec, (long)getpid());
	snprintf(new, sizeof(new), "%snew/%ld.M%ldP%ld.floor", dir,
	    (long)tv.tv_sec, (long)tv.tv_usec, (long)getpid());
	snprintf(newdir, sizeof(newdir), "%snew", dir);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		fail(tmp);
	write_all(fd, hdr, hdr_len);
	copy_stdin(fd);
	if (fsync(fd) < 0 || close(fd) < 0)
		fail("fsync");
	if (link(tmp, new) < 0)
		fail(new);
	fsync_dir(newdir);
	if (unlink(tmp) < 0)
		fail(tmp);
}

/* floor_mbox - lock, append, fsync, unlock */
static void
floor_mbox(const char *path, const char *hdr, size_t hdr_len)
{
	struct flock fl;
	char dir[4096], *slash;
	int fd, created = 0;

	if ((fd = open(path, O_WRONLY | O_APPEND)) < 0 && errno == ENOENT) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0600);
		created = 1;
	}
	if (fd < 0)
		fail(path);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR)
			fail("fcntl lock");
	write_all(fd, hdr, hdr_len);
	copy_stdin(fd);
	write_all(fd, "\n", 1);
	if (fsync(fd) < 0)
		fail("fsync");
	if (created) {
		snprintf(dir, sizeof(dir), "%s", path);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = 0;
		fsync_dir(slash ? dir : ".");
	}
	fl.l_type = F_UNLCK;
	if (fcntl(fd, F_SETLK, &fl) < 0 || close(fd) < 0)
		fail("unlock");
}

int
main(int argc, char **argv)
{
	char hdr[1024], date[64];
	time_t now = time(NULL);
	int n;

	if (argc != 4) {
		fprintf(stderr, "usage: floor maildir DIR/|mbox FILE RCPT\n");
		return 64;
	}
	if (strcmp(argv[1], "maildir") == 0) {
		n = snprintf(hdr, sizeof(hdr), "Return-Path: <bench@example.org>\n"
		    "X-Original-To: %s\nDelivered-To: %s\n", argv[3], argv[3]);
		floor_maildir(argv[2], hdr, (size_t)n);
	} else {
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
		    localtime(&now));
		n = snprintf(hdr, sizeof(hdr), "From bench@example.org  %s\n"
		    "Return-Path: <bench@example.org>\nX-Original-To: %s\n"
		    "Delivered-To: %s\n", date, argv[3], argv[3]);
		floor_mbox(argv[2], hdr, (size_t)n);
	}
	return 0;
}
