/* SPDX-License-Identifier: MIT */
/*
 * check_safe_open - walking below the base, opening the last component
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver/safe_open.h"
#include "deliver_test.h"

/* so_tree - the fixture: dirs, files, links below base */
static void
so_tree(const char *base)
{
	ck_assert_int_eq(mkdir(test_path(base, "d"), 0700), 0);
	ck_assert_int_eq(mkdir(test_path(base, "d/e"), 0700), 0);
	ck_assert_int_eq(mkdir(test_path(base, "x"), 0711), 0);
	ck_assert_int_eq(mkdir(test_path(base, "x/y"), 0700), 0);
	test_write_str(test_path(base, "d/file"), "file\n");
	ck_assert_int_eq(symlink("d", test_path(base, "dlink")), 0);
	ck_assert_int_eq(symlink("file", test_path(base, "d/flink")), 0);
	ck_assert_int_eq(symlink("/", test_path(base, "d/root")), 0);
	ck_assert_int_eq(link(test_path(base, "d/file"),
	    test_path(base, "d/hard")), 0);
	test_write_str(test_path(base, "d/one"), "one\n");
	ck_assert_int_eq(mkfifo(test_path(base, "d/fifo"), 0600), 0);
}

static const struct {
	const char *dir;	/* below the base */
	int flags;
	int want_errno;		/* 0: success */
	const char *want_why;
	const char *want_at;	/* the failing prefix, below the base */
} walks[] = {
	{ "", 0, 0, NULL, NULL },
	{ "/d", 0, 0, NULL, NULL },
	{ "//d///e/", 0, 0, NULL, NULL },
	{ "/d/./e", 0, 0, NULL, NULL },
	{ "/x/y", 0, 0, NULL, NULL },	/* 0711 on the way: search only */
	{ "/dlink", 0, EPERM, "is a symbolic link", "/dlink" },
	{ "/dlink/e", 0, EPERM, "is a symbolic link", "/dlink" },
	{ "/d/root/etc", 0, EPERM, "is a symbolic link", "/d/root" },
	{ "/d/file", 0, ENOTDIR, NULL, "/d/file" },
	{ "/d/file/x", SAFE_MKDIR, ENOTDIR, NULL, "/d/file" },
	{ "/nope", 0, ENOENT, NULL, "/nope" },
	{ "/nope/a", 0, ENOENT, NULL, "/nope" },
	{ "/d/..", 0, EPERM, "is not below the mailbox base", "/d/.." },
	{ "/n1/n2/n3", SAFE_MKDIR, 0, NULL, NULL },
	{ "/d/e/n1", SAFE_MKDIR, 0, NULL, NULL },
	{ "/dlink/n1", SAFE_MKDIR, EPERM, "is a symbolic link", "/dlink" },
};

START_TEST(test_safe_walk)
{
	char *base = test_mkdtemp("safe"), path[8192], at[8192];
	struct safe_fail f;
	struct stat a, b;
	int fd = -1, ret;

	so_tree(base);
	DT_FMT(path, "%s%s", base, walks[_i].dir);
	ret = safe_walk(path, strlen(base), walks[_i].flags, &fd, &f);
	if (walks[_i].want_errno == 0) {
		ck_assert_msg(ret == 0, "%s: errno %d", walks[_i].dir, f.errnum);
		ck_assert_int_eq(fstat(fd, &a), 0);
		ck_assert_int_eq(stat(path, &b), 0);
		ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
		ck_assert(S_ISDIR(b.st_mode));
		if (walks[_i].flags & SAFE_MKDIR)
			ck_assert_int_eq(b.st_mode & 07777, 0700);
		ck_assert_int_eq(close(fd), 0);
	} else {
		ck_assert_int_eq(ret, -1);
		ck_assert_msg(f.errnum == walks[_i].want_errno, "%s: errno %d",
		    walks[_i].dir, f.errnum);
		if (walks[_i].want_why)
			ck_assert_str_eq(f.why, walks[_i].want_why);
		else
			ck_assert_ptr_null(f.why);
		DT_FMT(at, "%s%s", base, walks[_i].want_at);
		ck_assert_msg(f.at_len == strlen(at)
		    && strncmp(path, at, f.at_len) == 0, "%s: at %.*s",
		    walks[_i].dir, (int)f.at_len, path);
	}
	/* nothing was created through a link */
	ck_assert_int_eq(dt_count(test_path(base, "d/e")),
	    strcmp(walks[_i].dir, "/d/e/n1") == 0);
	test_rmtree(base);
	free(base);
}
END_TEST

static const struct {
	const char *name;	/* in base/d */
	int want;		/* 1 fd, 0 created, -1 error, -2 not regular */
	const char *dsn;
	const char *text;
} opens[] = {
	{ "one", 1, NULL, NULL },
	{ "new", 0, NULL, NULL },
	{ "flink", -1, "4.2.0", "file is a symbolic link" },
	{ "root", -1, "4.2.0", "file is a symbolic link" },
	{ "e", -1, "4.2.0", "file is a directory" },
	{ "hard", -1, "4.2.0", "file has 2 hard links" },
	{ "fifo", -2, "5.3.5", "mail system configuration error" },
};

START_TEST(test_safe_open_file)
{
	char *base = test_mkdtemp("safe");
	struct vd_status st;
	struct stat sb;
	bool created;
	int dirfd, fd;

	so_tree(base);
	dirfd = open(test_path(base, "d"), O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	umask(022);
	vd_status_clear(&st);
	alarm(20);	/* a FIFO must never block */
	fd = safe_open_file(dirfd, opens[_i].name, O_WRONLY | O_APPEND, 0600,
	    &sb, &created, &st);
	alarm(0);
	if (opens[_i].want >= 0) {
		ck_assert_msg(fd >= 0, "%s: %s", opens[_i].name, st.text);
		ck_assert_int_eq(created, opens[_i].want == 0);
		ck_assert(S_ISREG(sb.st_mode) && sb.st_nlink == 1);
		ck_assert_int_eq(write(fd, "x", 1), 1);
		ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		ck_assert_int_eq(close(fd), 0);
		if (created)
			ck_assert_int_eq(sb.st_mode & 07777, 0600);
	} else {
		ck_assert_int_eq(fd, opens[_i].want);
		ck_assert_str_eq(st.dsn, opens[_i].dsn);
		ck_assert_str_eq(st.text, opens[_i].text);
	}
	/* link targets untouched */
	{
		size_t len;
		char *got = test_read_file(test_path(base, "d/file"), &len);

		ck_assert_str_eq(got, "file\n");
		free(got);
	}
	close(dirfd);
	test_rmtree(base);
	free(base);
}
END_TEST

START_TEST(test_safe_fsync_dir)
{
	char *base = test_mkdtemp("safe");
	int dirfd, fd;

	dirfd = open(base, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	ck_assert_int_eq(safe_fsync_dir(dirfd, -1), 0);
	/* search-only directory: the fallback descriptor's file system */
	ck_assert_int_eq(mkdir(test_path(base, "x"), 0711), 0);
	fd = open(test_path(base, "f"), O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(base, DT_UID, DT_GID), 0);
		ck_assert_int_eq(chown(test_path(base, "x"), 0, 0), 0);
		ck_assert_int_eq(setgid(DT_GID), 0);
		ck_assert_int_eq(setuid(DT_UID), 0);
	} else {
		ck_assert_int_eq(chmod(test_path(base, "x"), 0311), 0);
	}
	close(dirfd);
	dirfd = open(test_path(base, "x"), O_PATH | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	ck_assert_int_eq(safe_fsync_dir(dirfd, -1), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(safe_fsync_dir(dirfd, fd), 0);
	close(dirfd);
	close(fd);
	test_rmtree(base);
	free(base);
}
END_TEST

static Suite *
safe_open_suite(void)
{
	Suite *s = suite_create("safe_open");
	TCase *tc = tcase_create("safe_open");

	tcase_add_loop_test(tc, test_safe_walk, 0,
	    sizeof(walks) / sizeof(walks[0]));
	tcase_add_loop_test(tc, test_safe_open_file, 0,
	    sizeof(opens) / sizeof(opens[0]));
	tcase_add_test(tc, test_safe_fsync_dir);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(safe_open_suite)
