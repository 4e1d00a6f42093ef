/* SPDX-License-Identifier: MIT */
/*
 * check_copy - header lines, >From quoting, sizes, the write loop
 */
#include <sys/types.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deliver/copy.h"
#include "deliver_test.h"

/* One copy case: input bytes and both expected outputs (headers apart). */
static const struct {
	const char *name;
	const char *in;
	size_t in_len;	/* 0: strlen(in) */
	const char *mbox;	/* body part of the mbox output */
	const char *maildir;
} copy_cases[] = {
	{ "A.1", "Subject: hi\n\nFrom here\n>From there\n.\nlast line", 0,
	    "Subject: hi\n\n>From here\n>From there\n.\nlast line\n\n",
	    "Subject: hi\n\nFrom here\n>From there\n.\nlast line\n" },
	{ "starts with From", "From x\nb\n", 0, ">From x\nb\n\n",
	    "From x\nb\n" },
	{ "From without space", "From\nFromage\nFrom:\n", 0,
	    "From\nFromage\nFrom:\n\n", "From\nFromage\nFrom:\n" },
	{ "lower case", "from x\n from x\nFROM x\n", 0,
	    "from x\n from x\nFROM x\n\n", "from x\n from x\nFROM x\n" },
	{ ">From and >>From", ">From a\n>>From b\n", 0,
	    ">From a\n>>From b\n\n", ">From a\n>>From b\n" },
	{ "consecutive", "a\nFrom 1\nFrom 2\nFrom 3", 0,
	    "a\n>From 1\n>From 2\n>From 3\n\n", "a\nFrom 1\nFrom 2\nFrom 3\n" },
	{ "From at the very end", "a\nFrom ", 0, "a\n>From \n\n",
	    "a\nFrom \n" },
	{ "short last line", "a\nFrom", 0, "a\nFrom\n\n", "a\nFrom\n" },
	{ "empty message", "", 0, "\n", "" },
	{ "one newline", "\n", 0, "\n\n", "\n" },
	{ "ends in blank line", "a\n\n", 0, "a\n\n\n", "a\n\n" },
	{ "bare CR kept", "a\rFrom x\r\nFrom y\n", 0, "a\rFrom x\r\n>From y\n\n",
	    "a\rFrom x\r\nFrom y\n" },
	{ "NUL byte", "a\0From x\n\nFrom y", 16, "a\0From x\n\n>From y\n\n",
	    "a\0From x\n\nFrom y\n" },
};

/* copy_to_file - run copy_write into a fresh file; returns its bytes */
static char *
copy_to_file(const char *dir, const char *hdr, const struct vd_message *m,
    int flags, size_t *len, struct vd_status *st, int *ret)
{
	const char *path = test_path(dir, "out");
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	*ret = copy_write(fd, hdr, strlen(hdr), m, flags, st);
	ck_assert_int_eq(close(fd), 0);
	return test_read_file(path, len);
}

START_TEST(test_copy_table)
{
	const char *in = copy_cases[_i].in;
	size_t in_len = copy_cases[_i].in_len ? copy_cases[_i].in_len
	    : strlen(in);
	const char *hdr = "H: x\n";
	char *dir = test_mkdtemp("copy"), *got, *want;
	struct vd_message m;
	struct vd_status st;
	size_t len, want_len;
	int ret, pass;

	dt_msg(&m, in, in_len);
	for (pass = 0; pass < 2; pass++) {
		const char *body = pass ? copy_cases[_i].maildir
		    : copy_cases[_i].mbox;
		int flags = pass ? 0 : COPY_MBOX;
		size_t body_len = copy_cases[_i].in_len
		    ? in_len + (pass ? 1 : 3) : strlen(body);

		got = copy_to_file(dir, hdr, &m, flags, &len, &st, &ret);
		ck_assert_int_eq(ret, 0);
		want_len = strlen(hdr) + body_len;
		want = malloc(want_len + 1);
		memcpy(want, hdr, strlen(hdr));
		memcpy(want + strlen(hdr), body, body_len);
		ck_assert_msg(len == want_len && memcmp(got, want, len) == 0,
		    "%s (%s): got [%.*s]", copy_cases[_i].name,
		    pass ? "maildir" : "mbox", (int)len, got);
		/* the size is exact, and copy_fits() agrees at the edge */
		ck_assert_int_eq(copy_size(&m, strlen(hdr), flags), (off_t)len);
		ck_assert(copy_fits(&m, strlen(hdr), flags, (off_t)len));
		ck_assert(!copy_fits(&m, strlen(hdr), flags, (off_t)len - 1));
		free(got);
		free(want);
	}
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_copy_headers)
{
	struct deliver_request req;
	struct buf b;
	char date[25];
	time_t t = 1754557503;	/* Thu Aug  7 09:05:03 2025 UTC */

	setenv("TZ", "UTC0", 1);
	tzset();
	copy_from_date(date, t);
	ck_assert_str_eq(date, "Thu Aug  7 09:05:03 2025");
	copy_from_date(date, t + 10 * 86400);
	ck_assert_str_eq(date, "Sun Aug 17 09:05:03 2025");

	memset(&req, 0, sizeof(req));
	req.sender = "bob@example.org";
	req.orig_rcpt = "Info@Example.com";
	req.rcpt = "info@example.com";
	buf_init(&b);
	copy_headers(&b, &req, COPY_MBOX, t);
	ck_assert_str_eq(b.data, "From bob@example.org  Thu Aug  7 09:05:03 2025\n"
	    "Return-Path: <bob@example.org>\n"
	    "X-Original-To: Info@Example.com\n"
	    "Delivered-To: info@example.com\n");
	/* null sender, no original recipient */
	buf_reset(&b);
	req.sender = "";
	req.orig_rcpt = "";
	copy_headers(&b, &req, COPY_MBOX, t);
	ck_assert_str_eq(b.data, "From MAILER-DAEMON  Thu Aug  7 09:05:03 2025\n"
	    "Return-Path: <>\nDelivered-To: info@example.com\n");
	buf_reset(&b);
	req.orig_rcpt = NULL;
	req.sender = "\"odd user\"@example.org";
	copy_headers(&b, &req, 0, t);
	ck_assert_str_eq(b.data, "Return-Path: <\"odd user\"@example.org>\n"
	    "Delivered-To: info@example.com\n");
	buf_fini(&b);
}
END_TEST

/* naive_mbox - the reference: a per-line loop, obviously right */
static char *
naive_mbox(const char *p, size_t n, size_t *len)
{
	char *out = malloc(n + n / 6 + 8), *o = out;
	size_t i = 0;

	while (i < n) {
		if (n - i >= 5 && memcmp(p + i, "From ", 5) == 0)
			*o++ = '>';
		while (i < n && p[i] != '\n')
			*o++ = p[i++];
		*o++ = '\n';
		i++;
	}
	*o++ = '\n';
	*len = (size_t)(o - out);
	return out;
}

START_TEST(test_copy_big)
{
	size_t n = 10 * 1024 * 1024 + 17, i, len, want_len;
	char *in = malloc(n), *dir = test_mkdtemp("copy"), *got, *want;
	struct vd_message m;
	struct vd_status st;
	unsigned seed = 12345;
	int ret;

	/* random lines of 0..200 bytes, a quarter of them starting "From " */
	for (i = 0; i < n;) {
		size_t ll = (seed = seed * 1103515245 + 12345) >> 16 & 0xff;

		if ((seed >> 8 & 3) == 0 && n - i > 5) {
			memcpy(in + i, "From ", 5);
			i += 5;
		}
		while (ll-- > 0 && i < n)
			in[i++] = (char)('a' + (seed = seed * 69069 + 1) % 26);
		if (i < n)
			in[i++] = '\n';
	}
	dt_msg(&m, in, n);
	got = copy_to_file(dir, "", &m, COPY_MBOX, &len, &st, &ret);
	ck_assert_int_eq(ret, 0);
	want = naive_mbox(in, n, &want_len);
	ck_assert_uint_eq(len, want_len);
	ck_assert(memcmp(got, want, len) == 0);
	ck_assert_int_eq(copy_size(&m, 0, COPY_MBOX), (off_t)len);
	free(got);
	/* maildir: the buffer unchanged */
	got = copy_to_file(dir, "", &m, 0, &len, &st, &ret);
	ck_assert_uint_eq(len, n + (in[n - 1] != '\n'));
	ck_assert(memcmp(got, in, n) == 0);
	free(got);
	free(want);
	free(in);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_copy_long_line)
{
	size_t n = 3 * 1024 * 1024, len;
	char *in = malloc(n), *dir = test_mkdtemp("copy"), *got;
	struct vd_message m;
	struct vd_status st;
	int ret;

	/* one line of 3 MiB: "From " only at its start counts */
	memset(in, 'x', n);
	memcpy(in, "From ", 5);
	memcpy(in + n / 2, "From ", 5);
	dt_msg(&m, in, n);
	got = copy_to_file(dir, "", &m, COPY_MBOX, &len, &st, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(len, n + 3);
	ck_assert(got[0] == '>' && memcmp(got + 1, in, n) == 0);
	ck_assert(got[n + 1] == '\n' && got[n + 2] == '\n');
	free(got);
	free(in);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A writev() that writes at most 7 bytes and fails with EINTR every
 * third call; or fails with hook_errno after hook_budget bytes. */
static int hook_calls;
static int hook_errno;
static size_t hook_budget;

static ssize_t
hook_short(int fd, const struct iovec *iov, int n)
{
	size_t len;

	(void)n;
	if (++hook_calls % 3 == 0) {
		errno = EINTR;
		return -1;
	}
	len = iov[0].iov_len < 7 ? iov[0].iov_len : 7;
	return write(fd, iov[0].iov_base, len);
}

static ssize_t
hook_fail(int fd, const struct iovec *iov, int n)
{
	size_t len;

	(void)n;
	if (hook_budget == 0) {
		errno = hook_errno;
		return -1;
	}
	len = iov[0].iov_len < hook_budget ? iov[0].iov_len : hook_budget;
	hook_budget -= len;
	return write(fd, iov[0].iov_base, len);
}

START_TEST(test_copy_short_writes)
{
	const char *in = "From a\nb\nFrom c\n>From d\nlast";
	char *dir = test_mkdtemp("copy"), *ref, *got;
	struct vd_message m;
	struct vd_status st;
	size_t ref_len, len;
	int ret, flags;

	dt_msg(&m, in, strlen(in));
	for (flags = 0; flags <= COPY_MBOX; flags++) {
		copy_writev_hook = NULL;
		ref = copy_to_file(dir, "Hdr: 1\n", &m, flags, &ref_len, &st,
		    &ret);
		copy_writev_hook = hook_short;
		got = copy_to_file(dir, "Hdr: 1\n", &m, flags, &len, &st, &ret);
		copy_writev_hook = NULL;
		ck_assert_int_eq(ret, 0);
		ck_assert_uint_eq(len, ref_len);
		ck_assert(memcmp(got, ref, len) == 0);
		ck_assert_int_gt(hook_calls, 6);
		free(ref);
		free(got);
	}
	test_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	int err;
	const char *dsn;
} copy_errors[] = {
	{ EIO, "4.3.0" },	/* Postfix bounces 5.3.0: vdeliver defers */
	{ ENOSPC, "4.3.0" }, { EDQUOT, "5.2.2" }, { EFBIG, "5.2.2" },
	{ EAGAIN, "4.2.0" }, { EBADF, "4.3.0" },
};

START_TEST(test_copy_errors)
{
	char *dir = test_mkdtemp("copy"), *got, want[256];
	struct vd_message m;
	struct vd_status st;
	size_t len;
	int ret;

	dt_msg(&m, "a\nb\n", 4);
	hook_errno = copy_errors[_i].err;
	hook_budget = 3;
	copy_writev_hook = hook_fail;
	got = copy_to_file(dir, "H: 1\n", &m, COPY_MBOX, &len, &st, &ret);
	copy_writev_hook = NULL;
	ck_assert_int_eq(ret, -1);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(st.dsn, copy_errors[_i].dsn);
	snprintf(want, sizeof(want), "error writing message: %s",
	    strerror(copy_errors[_i].err));
	ck_assert_str_eq(st.text, want);
	ck_assert_int_eq(st.errnum, copy_errors[_i].err);
	free(got);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_copy_many_pieces)
{
	/* more "From " lines than one iovec array holds */
	size_t n = 5000, i, len, want_len;
	char *in = malloc(n * 7), *dir = test_mkdtemp("copy"), *got, *want;
	struct vd_message m;
	struct vd_status st;
	int ret;

	for (i = 0; i < n; i++)
		memcpy(in + 7 * i, "From x\n", 7);
	dt_msg(&m, in, 7 * n);
	got = copy_to_file(dir, "", &m, COPY_MBOX, &len, &st, &ret);
	ck_assert_int_eq(ret, 0);
	want = naive_mbox(in, 7 * n, &want_len);
	ck_assert_uint_eq(len, want_len);
	ck_assert(memcmp(got, want, len) == 0);
	free(got);
	free(want);
	free(in);
	test_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
copy_suite(void)
{
	Suite *s = suite_create("copy");
	TCase *tc = tcase_create("copy");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_copy_table, 0,
	    sizeof(copy_cases) / sizeof(copy_cases[0]));
	tcase_add_test(tc, test_copy_headers);
	tcase_add_test(tc, test_copy_big);
	tcase_add_test(tc, test_copy_long_line);
	tcase_add_test(tc, test_copy_short_writes);
	tcase_add_loop_test(tc, test_copy_errors, 0,
	    sizeof(copy_errors) / sizeof(copy_errors[0]));
	tcase_add_test(tc, test_copy_many_pieces);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(copy_suite)
