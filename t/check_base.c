/* SPDX-License-Identifier: MIT */
/*
 * check_base - status codes, buffers, message spooling
 */
#include <sys/types.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "message.h"
#include "status.h"
#include "testlib.h"

START_TEST(test_status_errno_map)
{
	static const struct {
		int err;
		const char *dsn;
	} cases[] = {
		{ EAGAIN, "4.2.0" }, { ESTALE, "4.2.0" }, { ENOSPC, "4.3.0" },
		{ EDQUOT, "5.2.2" }, { EFBIG, "5.2.2" }, { EIO, "9.9.9" },
	};
	struct vd_status st;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(vd_status_errno(&st, cases[i].err, "9.9.9",
				     "write %s", "x"), -1);
		ck_assert_str_eq(st.dsn, cases[i].dsn);
		ck_assert_int_eq(st.errnum, cases[i].err);
		ck_assert_msg(strncmp(st.text, "write x: ", 9) == 0, "%s",
		    st.text);
	}
}
END_TEST

START_TEST(test_status_exit)
{
	static const struct {
		const char *dsn;
		int code;
	} cases[] = {
		{ "2.0.0", EX_OK }, { "4.3.5", EX_TEMPFAIL },
		{ "4.2.0", EX_TEMPFAIL }, { "5.1.1", EX_NOUSER },
		{ "5.2.2", EX_CANTCREAT }, { "5.3.5", EX_CONFIG },
		{ "5.3.0", EX_UNAVAILABLE }, { "5.7.1", EX_NOPERM },
		{ "5.6.0", EX_DATAERR }, { "", EX_TEMPFAIL },
	};
	struct vd_status st;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vd_status_set(&st, cases[i].dsn, "x");
		ck_assert_int_eq(vd_status_exit(&st), cases[i].code);
	}
}
END_TEST

START_TEST(test_status_worse)
{
	struct vd_status ok, defer, bounce;

	vd_status_set(&ok, "2.0.0", "ok");
	vd_status_set(&defer, "4.2.0", "locked");
	vd_status_set(&bounce, "5.1.1", "unknown");
	ck_assert(vd_status_worse(&defer, &bounce));
	ck_assert(vd_status_worse(&bounce, &ok));
	ck_assert(!vd_status_worse(&ok, &defer));
	/* one line, whatever the input */
	vd_status_set(&ok, "4.3.5", "a\nb\rc");
	ck_assert_str_eq(ok.text, "a b c");
	vd_status_prefix(&ok, "pre %d: ", 1);
	ck_assert_str_eq(ok.text, "pre 1: a b c");
}
END_TEST

START_TEST(test_buf)
{
	struct buf b;
	int i;

	buf_init(&b);
	ck_assert_str_eq(b.data, "");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.data));
	ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	buf_reset(&b);
	buf_append(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.data, "a\0b", 4), 0);
	buf_fini(&b);
}
END_TEST

/* Spooling: CRLF to LF (also across chunk edges), final newline added. */
static const struct {
	const char *name;
	const char *chunks[4];
	const char *want;
} spool_cases[] = {
	{ "plain", { "a\nb\n" }, "a\nb\n" },
	{ "no final newline", { "a\nb" }, "a\nb\n" },
	{ "crlf", { "a\r\nb\r\n" }, "a\nb\n" },
	{ "crlf split", { "a\r", "\nb\r", "\n" }, "a\nb\n" },
	{ "bare cr kept", { "a\rb\n" }, "a\rb\n" },
	{ "trailing cr", { "a\r" }, "a\r\n" },
	{ "cr at chunk end then text", { "a\r", "b" }, "a\rb\n" },
	{ "empty", { "" }, "" },
};

START_TEST(test_message_chunks)
{
	struct vd_message msg;
	struct vd_status st;
	size_t i;

	message_init(&msg, 0);
	for (i = 0; spool_cases[_i].chunks[i]; i++)
		ck_assert_int_eq(message_add(&msg, spool_cases[_i].chunks[i],
				     strlen(spool_cases[_i].chunks[i]), true,
				     &st), 0);
	ck_assert_int_eq(message_finish(&msg, &st), 0);
	ck_assert_msg(msg.len == strlen(spool_cases[_i].want)
		&& memcmp(msg.data, spool_cases[_i].want, msg.len) == 0,
	    "%s: got %zu bytes", spool_cases[_i].name, msg.len);
	message_fini(&msg);
}
END_TEST

/* A large message goes through the spool file and comes back intact. */
START_TEST(test_message_large)
{
	size_t n = 3 * 1024 * 1024 + 17, i;
	char *big = malloc(n);
	struct vd_message msg;
	struct vd_status st;
	int p[2];
	pid_t pid;

	for (i = 0; i < n; i++)
		big[i] = (i % 79 == 78) ? '\n' : (char)('a' + i % 26);
	big[n - 1] = 'z';
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		size_t off = 0;
		close(p[0]);
		while (off < n) {
			ssize_t w = write(p[1], big + off, n - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(message_spool(&msg, p[0], 0, &st), 0);
	ck_assert_uint_eq(msg.len, n + 1);
	ck_assert_int_eq(memcmp(msg.data, big, n), 0);
	ck_assert_int_eq(msg.data[n], '\n');
	ck_assert_int_ge(msg.fd, 0);
	message_fini(&msg);
	close(p[0]);
	free(big);
}
END_TEST

START_TEST(test_message_limit)
{
	struct vd_message msg;
	struct vd_status st;

	message_init(&msg, 10);
	ck_assert_int_eq(message_add(&msg, "0123456789abc", 13, true, &st), 0);
	ck_assert_int_eq(message_finish(&msg, &st), -1);
	ck_assert_str_eq(st.dsn, "5.3.4");
	message_fini(&msg);
}
END_TEST

/* The Delivered-To scan of Postfix's delivered_hdr.c. */
START_TEST(test_delivered_to)
{
	static const struct {
		const char *msg;
		const char *addr;
		bool want;
	} cases[] = {
		{ "Delivered-To: a@x\n\nbody\n", "a@x", true },
		{ "delivered-to:A@X\n\n", "a@x", true },
		{ "Delivered-To :  a@x\n", "a@x", true },
		{ "Delivered-To: b@x\nDelivered-To: a@x\n", "a@x", true },
		{ "Subject: x\n  folded\nDelivered-To: a@x\n", "a@x", true },
		{ "Delivered-To: a@x.org\n", "a@x", false },
		{ "Delivered-To: a@x trailing\n", "a@x", false },
		{ "Subject: x\n\nDelivered-To: a@x\n", "a@x", false },
		{ "not a header\nDelivered-To: a@x\n", "a@x", false },
		{ "X-Delivered-To: a@x\n", "a@x", false },
		{ "Delivered-To: \"j d\"@x\n", "\"j d\"@x", true },
		{ "", "a@x", false },
		{ "Delivered-To: a@x", "a@x", true },
	};
	struct vd_message msg;
	struct vd_status st;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(message_from_mem(&msg, cases[i].msg,
				     strlen(cases[i].msg), &st), 0);
		ck_assert_msg(message_has_delivered_to(&msg, cases[i].addr)
			== cases[i].want, "case %zu", i);
		message_fini(&msg);
	}
}
END_TEST

/* Only the first 1000 Delivered-To headers count, as in Postfix. */
START_TEST(test_delivered_to_limit)
{
	struct vd_message msg;
	struct vd_status st;
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "Delivered-To: u%d@x\n", i);
	buf_puts(&b, "Delivered-To: a@x\n\nbody\n");
	ck_assert_int_eq(message_from_mem(&msg, b.data, b.len, &st), 0);
	ck_assert(!message_has_delivered_to(&msg, "a@x"));
	ck_assert(message_has_delivered_to(&msg, "u999@x"));
	message_fini(&msg);
	buf_fini(&b);
}
END_TEST

static Suite *
base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_status_errno_map);
	tcase_add_test(tc, test_status_exit);
	tcase_add_test(tc, test_status_worse);
	tcase_add_test(tc, test_buf);
	tcase_add_loop_test(tc, test_message_chunks, 0,
	    sizeof(spool_cases) / sizeof(spool_cases[0]));
	tcase_add_test(tc, test_message_large);
	tcase_add_test(tc, test_message_limit);
	tcase_add_test(tc, test_delivered_to);
	tcase_add_test(tc, test_delivered_to_limit);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(base_suite)
