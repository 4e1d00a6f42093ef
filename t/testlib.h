/* SPDX-License-Identifier: MIT */
/*
 * testlib - helpers shared by the Check programs in t/
 *
 * DESCRIPTION
 *	Each t/check_<module>.c defines Suite *<module>_suite(void) and ends
 *	with TEST_MAIN(<module>_suite).  Check forks each test, so a crash
 *	is a failed test, not a dead runner.  Scratch directories live in
 *	$TMPDIR (or /tmp) and are removed by test_rmtree().
 */
#ifndef VD_T_TESTLIB_H
#define VD_T_TESTLIB_H

#include <sys/types.h>
#include <check.h>
#include <stdbool.h>
#include <stddef.h>

/* test_main - run one suite, print the summary, return the exit code */
int test_main(Suite *s);

#define TEST_MAIN(fn)                                                   \
	int main(void)                                                  \
	{                                                               \
		return test_main(fn());                                 \
	}

/* test_mkdtemp - a new scratch directory; caller frees the string */
char *test_mkdtemp(const char *tag);
/* test_rmtree - remove a directory tree (no symlinks followed) */
void test_rmtree(const char *path);
/* test_path - dir + "/" + name in a static rotating buffer */
const char *test_path(const char *dir, const char *name);
/* test_write_file - create/replace path with the bytes; aborts the test on error */
void test_write_file(const char *path, const void *data, size_t len);
/* test_write_str - test_write_file with a string */
void test_write_str(const char *path, const char *s);
/* test_read_file - whole file, NUL-terminated; *len_r = length; caller frees */
char *test_read_file(const char *path, size_t *len_r);
/* test_srcdir - $top_srcdir, or "." */
const char *test_srcdir(void);
/* test_is_root - euid 0 */
bool test_is_root(void);
/*
 * test_log_capture - from now on every log record is appended to
 * test_logged, one per line, instead of being written (emptied here)
 */
extern char test_logged[16384];
void test_log_capture(void);

#endif
