/* SPDX-License-Identifier: MIT */
/*
 * testlib - helpers for the Check programs (see testlib.h)
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testlib.h"

int
test_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *
test_mkdtemp(const char *tag)
{
	const char *dir = getenv("TMPDIR");
	char *path;

	if (dir == NULL || *dir == 0)
		dir = "/tmp";
	if (asprintf(&path, "%s/vd-%s.XXXXXX", dir, tag) < 0)
		abort();
	if (mkdtemp(path) == NULL)
		ck_abort_msg("mkdtemp %s: %s", path, strerror(errno));
	return path;
}

void
test_rmtree(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	char *sub;

	if (lstat(path, &sb) < 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		(void)unlink(path);
		return;
	}
	(void)chmod(path, 0700);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0
			    || strcmp(de->d_name, "..") == 0)
				continue;
			if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
				abort();
			test_rmtree(sub);
			free(sub);
		}
		closedir(d);
	}
	(void)rmdir(path);
}

const char *
test_path(const char *dir, const char *name)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

void
test_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *p = data;
	ssize_t n;

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(close(fd), 0);
}

void
test_write_str(const char *path, const char *s)
{
	test_write_file(path, s, strlen(s));
}

char *
test_read_file(const char *path, size_t *len_r)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0, cap = 4096;
	char *data;
	ssize_t n;

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	data = malloc(cap + 1);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			data = realloc(data, cap + 1);
		}
		n = read(fd, data + len, cap - len);
		ck_assert_msg(n >= 0, "read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	data[len] = 0;
	if (len_r)
		*len_r = len;
	return data;
}

const char *
test_srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && *s ? s : ".";
}

bool
test_is_root(void)
{
	return geteuid() == 0;
}

char test_logged[16384];

/* test_logged_hook - one record, one line */
static void
test_logged_hook(int prio, const char *text)
{
	size_t n = strlen(test_logged);

	(void)prio;
	snprintf(test_logged + n, sizeof(test_logged) - n, "%s\n", text);
}

void
test_log_capture(void)
{
	test_logged[0] = 0;
	log_set_hook(test_logged_hook);
}
