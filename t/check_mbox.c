/* SPDX-License-Identifier: MIT */
/*
 * check_mbox - mbox bytes, status texts, and mailboxes left as they were
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver/copy.h"
#include "deliver_test.h"

#define OLD "From old@x  Thu Aug  7 09:05:03 2025\nSubject: old\n\nold\n\n"

/* hdr_len - bytes of From_ line and headers for req */
static size_t
hdr_len(const struct deliver_request *req)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	copy_headers(&b, req, COPY_MBOX, 0);
	n = b.len;
	buf_fini(&b);
	return n;
}

START_TEST(test_mbox_a1)
{
	struct dt t;
	char *want, *got;
	size_t want_len, len, in_len;
	char *in = dt_data("deliver-a1.eml", &in_len);
	struct stat sb;

	dt_setup(&t, "mbox", "box");
	dt_msg(&t.msg, in, in_len);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_str_eq(t.st.dsn, "2.0.0");
	ck_assert_str_eq(t.st.text, "delivered to mailbox");
	want = dt_data("deliver-a1-mbox.ref", &want_len);
	got = test_read_file(t.path, &len);
	dt_norm_from(got, &len);
	ck_assert_uint_eq(len, want_len);
	ck_assert(memcmp(got, want, len) == 0);
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_uid, geteuid());
	/* no lock file and no liblockfile temporary file left */
	ck_assert_int_eq(dt_count(t.base), 1);
	/* a second delivery appends the same bytes */
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	free(got);
	got = test_read_file(t.path, &len);
	dt_norm_from(got, &len);
	ck_assert_uint_eq(len, 2 * want_len);
	ck_assert(memcmp(got + want_len, want, want_len) == 0);
	free(got);
	free(want);
	free(in);
	dt_teardown(&t);
}
END_TEST

/* Envelope and message variants: the exact bytes after the From_ date. */
static const struct {
	const char *name;
	const char *sender, *orig, *msg;
	const char *want;
} mbox_cases[] = {
	{ "null sender", "", "o@x", "a\n",
	    "From MAILER-DAEMON  DATE\nReturn-Path: <>\nX-Original-To: o@x\n"
	    "Delivered-To: info@example.com\na\n\n" },
	{ "no original recipient", "s@x", NULL, "a\n",
	    "From s@x  DATE\nReturn-Path: <s@x>\n"
	    "Delivered-To: info@example.com\na\n\n" },
	{ "empty original recipient", "s@x", "", "a\n",
	    "From s@x  DATE\nReturn-Path: <s@x>\n"
	    "Delivered-To: info@example.com\na\n\n" },
	{ "empty message", "s@x", NULL, "",
	    "From s@x  DATE\nReturn-Path: <s@x>\n"
	    "Delivered-To: info@example.com\n\n" },
	{ "message starts with From", "s@x", NULL, "From me\n\nFrom you",
	    "From s@x  DATE\nReturn-Path: <s@x>\n"
	    "Delivered-To: info@example.com\n>From me\n\n>From you\n\n" },
	{ "quoted sender", "\"a b\"@x", NULL, "a\n",
	    "From \"a b\"@x  DATE\nReturn-Path: <\"a b\"@x>\n"
	    "Delivered-To: info@example.com\na\n\n" },
};

START_TEST(test_mbox_table)
{
	struct dt t;
	char *got;
	size_t len;

	dt_setup(&t, "mbox", "box");
	t.req.sender = mbox_cases[_i].sender;
	t.req.orig_rcpt = mbox_cases[_i].orig;
	dt_msg(&t.msg, mbox_cases[_i].msg, strlen(mbox_cases[_i].msg));
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	got = test_read_file(t.path, &len);
	dt_norm_from(got, &len);
	ck_assert_msg(strcmp(got, mbox_cases[_i].want) == 0, "%s: [%s]",
	    mbox_cases[_i].name, got);
	free(got);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_no_final_newline)
{
	struct dt t;
	char *got;
	size_t len;

	/* Postfix appends right after the last byte and glues the From_
	 * line to an unterminated last line (observed on Postfix 3.7);
	 * vdeliver ends that line first, so the new message stays one. */
	dt_setup(&t, "mbox", "box");
	test_write_str(t.path, "partial");
	ck_assert_int_eq(chmod(t.path, 0600), 0);
	dt_msg(&t.msg, "a\n", 2);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	got = test_read_file(t.path, &len);
	ck_assert_uint_eq(len, 8 + hdr_len(&t.req) + 2 + 1);
	ck_assert(strncmp(got, "partial\nFrom bob@example.org  ", 30) == 0);
	ck_assert_str_eq(got + 8 + 47, "Return-Path: <bob@example.org>\n"
	    "X-Original-To: Info@Example.com\n"
	    "Delivered-To: info@example.com\na\n\n");
	free(got);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_big)
{
	size_t n = 10 * 1024 * 1024, i, len;
	char *in = malloc(n), *got;
	struct dt t;

	for (i = 0; i < n; i++)
		in[i] = i % 61 == 60 ? '\n' : (char)('A' + i % 61 % 26);
	in[n - 1] = '\n';
	dt_setup(&t, "mbox", "box");
	test_write_str(t.path, OLD);
	dt_msg(&t.msg, in, n);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	got = test_read_file(t.path, &len);
	ck_assert_uint_eq(len, strlen(OLD) + hdr_len(&t.req) + n + 1);
	ck_assert(memcmp(got, OLD, strlen(OLD)) == 0);
	ck_assert(memcmp(got + len - 1 - n, in, n) == 0);
	ck_assert(got[len - 1] == '\n');
	free(got);
	free(in);
	dt_teardown(&t);
}
END_TEST

/*
 * Failure cases: setup() prepares the base, then the delivery must fail
 * with want_dsn and a text starting with want_text (after the prefix),
 * and the file named check (relative to the base) must still hold
 * exactly what setup() put there (NULL: must not exist).
 */
struct fail_case {
	const char *name;
	const char *mailbox;	/* relative to the base */
	int lock_mask;
	void (*setup)(struct dt *t);
	const char *want_dsn;
	const char *want_text;
	const char *check;	/* file that must be unchanged */
	const char *check_bytes;	/* its content; NULL: must not exist */
};

static void
setup_old(struct dt *t)
{
	test_write_str(t->path, OLD);
	ck_assert_int_eq(chmod(t->path, 0600), 0);
}

static void
setup_symlink(struct dt *t)
{
	test_write_str(test_path(t->base, "target"), "target\n");
	ck_assert_int_eq(symlink("target", t->path), 0);
}

static void
setup_symlink_outside(struct dt *t)
{
	ck_assert_int_eq(symlink("/etc/passwd", t->path), 0);
}

static void
setup_dirlink(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "real"), 0700), 0);
	ck_assert_int_eq(symlink("real", test_path(t->base, "d")), 0);
}

static void
setup_hardlink(struct dt *t)
{
	test_write_str(test_path(t->base, "other"), OLD);
	ck_assert_int_eq(link(test_path(t->base, "other"), t->path), 0);
}

static void
setup_dir(struct dt *t)
{
	ck_assert_int_eq(mkdir(t->path, 0700), 0);
}

static void
setup_fifo(struct dt *t)
{
	ck_assert_int_eq(mkfifo(t->path, 0600), 0);
}

static void
setup_limit(struct dt *t)
{
	setup_old(t);
	/* the message needs 17 + 110 bytes of headers and trailer */
	t->req.size_limit = (off_t)strlen(OLD) + 100;
}

static void
setup_limit_new(struct dt *t)
{
	t->req.size_limit = 50;
}

static void
setup_not_dir(struct dt *t)
{
	test_write_str(test_path(t->base, "f"), "x");
}

static void
setup_x(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "x"), 0700), 0);
}

static const struct fail_case fail_cases[] = {
	{ "symlinked mbox", "box", -1, setup_symlink, "4.2.0",
	    "file is a symbolic link", "target", "target\n" },
	{ "symlink to a file outside", "box", -1, setup_symlink_outside,
	    "4.2.0", "file is a symbolic link", NULL, NULL },
	{ "symlinked mbox, no dotlock", "box", LOCK_METHOD_FCNTL,
	    setup_symlink, "4.2.0", "file is a symbolic link", "target",
	    "target\n" },
	{ "symlinked directory", "d/box", -1, setup_dirlink, "4.2.0",
	    "directory ", "real/box", NULL },
	{ "hard-linked mbox", "box", -1, setup_hardlink, "4.2.0",
	    "file has 2 hard links", "other", OLD },
	{ "directory", "box", -1, setup_dir, "4.2.0", "file is a directory",
	    NULL, NULL },
	{ "FIFO", "box", -1, setup_fifo, "5.3.5",
	    "mail system configuration error", NULL, NULL },
	{ "FIFO, no locks", "box", 0, setup_fifo, "5.3.5",
	    "mail system configuration error", NULL, NULL },
	{ "missing parent", "nodir/box", -1, NULL, "4.2.0",
	    "unable to create lock file ", "nodir", NULL },
	{ "missing parent, no dotlock", "nodir/box", LOCK_METHOD_FCNTL, NULL,
	    "4.2.0", "cannot create file exclusively: No such file or directory",
	    "nodir", NULL },
	{ "parent not a directory", "f/box", LOCK_METHOD_FLOCK, setup_not_dir,
	    "4.2.0", "cannot open file: Not a directory", "f", "x" },
	{ "size limit", "box", -1, setup_limit, "5.2.2",
	    "error writing message: File too large", "box", OLD },
	{ "size limit, new file", "box", -1, setup_limit_new, "5.2.2",
	    "error writing message: File too large", "box", NULL },
	{ "dotdot below the base", "x/../box", -1, setup_x, "4.2.0",
	    "directory ", "box", NULL },
};

START_TEST(test_mbox_fail)
{
	const struct fail_case *c = &fail_cases[_i];
	struct dt t;
	char prefix[4200], *got;
	size_t len;

	dt_setup(&t, "mbox", c->mailbox);
	if (c->lock_mask >= 0)
		t.req.lock_mask = c->lock_mask;
	dt_msg(&t.msg, "Subject: x\n\nbody\n", 17);
	if (c->setup)
		c->setup(&t);
	alarm(20);	/* a FIFO must never block */
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	alarm(0);
	ck_assert_msg(strcmp(t.st.dsn, c->want_dsn) == 0, "%s: %s %s", c->name,
	    t.st.dsn, t.st.text);
	DT_FMT(prefix, "delivery failed to mailbox %s: %s",
	    t.path, c->want_text);
	ck_assert_msg(strncmp(t.st.text, prefix, strlen(prefix)) == 0,
	    "%s: [%s]", c->name, t.st.text);
	if (c->check) {
		got = dt_read(test_path(t.base, c->check), &len);
		if (c->check_bytes == NULL)
			ck_assert_msg(got == NULL, "%s: %s exists", c->name,
			    c->check);
		else
			ck_assert_msg(got && strcmp(got, c->check_bytes) == 0,
			    "%s: %s changed", c->name, c->check);
		free(got);
	}
	/* no lock file left behind */
	got = dt_read(test_path(t.base, "box.lock"), &len);
	ck_assert(got == NULL);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_fifo_warning)
{
	struct dt t;

	dt_setup(&t, "mbox", "box");
	setup_fifo(&t);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_msg(strstr(test_logged, "recipient info@example.com: destination ")
	    && strstr(test_logged, "/box is not a regular file"), "%s", test_logged);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_limit_exact)
{
	struct dt t;
	struct stat sb;
	off_t need;

	/* exactly at the limit is fine (RLIMIT_FSIZE allows limit bytes) */
	dt_setup(&t, "mbox", "box");
	setup_old(&t);
	need = (off_t)(strlen(OLD) + hdr_len(&t.req) + 17 + 1);
	t.req.size_limit = need;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_size, need);
	/* one more byte would not fit */
	test_write_str(t.path, OLD);
	t.req.size_limit = need - 1;
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "5.2.2");
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t)strlen(OLD));
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_rlimit)
{
	struct dt t;
	size_t n = 64 * 1024, len;
	char *in = malloc(n), *got;

	/* EFBIG from the kernel halfway through the message: 5.2.2, and the
	 * mbox byte-identical (SIGXFSZ must not kill the delivery) */
	memset(in, 'x', n);
	in[n - 1] = '\n';
	dt_setup(&t, "mbox", "box");
	setup_old(&t);
	dt_msg(&t.msg, in, n);
	ck_assert_int_eq(dt_deliver_fsize(&t, strlen(OLD) + 1000), -1);
	ck_assert_str_eq(t.st.dsn, "5.2.2");
	ck_assert_msg(strstr(t.st.text, ": error writing message: File too "
	    "large") != NULL, "%s", t.st.text);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	free(in);
	dt_teardown(&t);
}
END_TEST

/* write errors after some bytes: the mbox is truncated back */
START_TEST(test_mbox_write_error)
{
	struct dt t;
	char *got, want[256];
	size_t len;

	dt_setup(&t, "mbox", "box");
	setup_old(&t);
	dt_arm_write_error(dt_write_errors[_i].err, 40);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	copy_writev_hook = NULL;
	ck_assert_str_eq(t.st.dsn, dt_write_errors[_i].dsn);
	DT_FMT(want, "delivery failed to mailbox %s: error "
	    "writing message: %s", t.path, strerror(dt_write_errors[_i].err));
	ck_assert_str_eq(t.st.text, want);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	/* on a mailbox this delivery created, the file goes away again */
	ck_assert_int_eq(unlink(t.path), 0);
	dt_arm_write_error(dt_write_errors[_i].err, 40);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	copy_writev_hook = NULL;
	ck_assert_int_eq(access(t.path, F_OK), -1);
	ck_assert_int_eq(dt_count(t.base), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_eacces)
{
	struct dt t;
	char want[4200], *got;
	size_t len;
	bool as_user;

	dt_setup(&t, "mbox", "d/box");
	ck_assert_int_eq(mkdir(test_path(t.base, "d"), 0755), 0);
	setup_old(&t);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(test_path(t.base, "d"), DT_UID, DT_GID), 0);
		ck_assert_int_eq(chown(t.path, DT_UID, DT_GID), 0);
	}
	as_user = dt_become_user(&t);
	(void)as_user;
	ck_assert_int_eq(chmod(test_path(t.base, "d"), 0555), 0);
	/* existing mbox, read-only directory: the dotlock cannot be made */
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	DT_FMT(want, "delivery failed to mailbox %s: unable to "
	    "create lock file %s.lock: Permission denied", t.path, t.path);
	ck_assert_str_eq(t.st.text, want);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	/* without dotlock the existing file is written */
	t.req.lock_mask = LOCK_METHOD_FCNTL;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	/* a new mbox in a read-only directory: EACCES, defer */
	DT_FMT(t.path, "%s/d/new", t.base);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	ck_assert_msg(strstr(t.st.text, "cannot create file exclusively: "
	    "Permission denied") != NULL, "%s", t.st.text);
	ck_assert_int_eq(chmod(test_path(t.base, "d"), 0755), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_foreign_owner)
{
	struct dt t;
	char want[4200], *got;
	size_t len;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP foreign owner: needs root\n");
		return;
	}
	dt_setup(&t, "mbox", "box");
	/* the mailbox belongs to uid 4242, the delivery runs as DT_UID */
	setup_old(&t);
	ck_assert_int_eq(chown(t.path, 4242, 4242), 0);
	ck_assert_int_eq(chmod(t.path, 0666), 0);
	ck_assert_int_eq(chmod(t.base, 0777), 0);
	ck_assert(dt_become_user(&t));
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	DT_FMT(want, "delivery failed to mailbox %s: "
	    "destination %s is not owned by recipient", t.path, t.path);
	ck_assert_str_eq(t.st.text, want);
	ck_assert(strstr(test_logged, "specify \"strict_mailbox_ownership = no\" "
	    "to ignore mailbox ownership mismatch") != NULL);
	got = test_read_file(t.path, &len);
	ck_assert_str_eq(got, OLD);
	free(got);
	ck_assert_int_eq(dt_count(t.base), 1);
	t.req.strict_ownership = false;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	got = test_read_file(t.path, &len);
	ck_assert_uint_gt(len, strlen(OLD));
	free(got);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_base_symlink)
{
	struct dt t;
	char link_base[4200], real[4200];

	/* the base itself may be reached through a link: it is the admin's */
	dt_setup(&t, "mbox", "box");
	DT_FMT(real, "%s/real", t.base);
	DT_FMT(link_base, "%s/link", t.base);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	ck_assert_int_eq(symlink("real", link_base), 0);
	DT_FMT(t.path, "%s/sub/box", link_base);
	ck_assert_int_eq(mkdir(test_path(real, "sub"), 0755), 0);
	t.req.base_len = strlen(link_base);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(access(test_path(real, "sub/box"), F_OK), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_mbox_line_break)
{
	struct dt t;

	dt_setup(&t, "mbox", "box");
	t.req.sender = "a@x\nFrom evil";
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "5.1.7");
	t.req.sender = "a@x";
	t.req.rcpt = "b@x\r\nX-Evil: 1";
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "5.1.3");
	ck_assert_int_eq(access(t.path, F_OK), -1);
	dt_teardown(&t);
}
END_TEST

static Suite *
mbox_suite(void)
{
	Suite *s = suite_create("mbox");
	TCase *tc = tcase_create("mbox");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mbox_a1);
	tcase_add_loop_test(tc, test_mbox_table, 0,
	    sizeof(mbox_cases) / sizeof(mbox_cases[0]));
	tcase_add_test(tc, test_mbox_no_final_newline);
	tcase_add_test(tc, test_mbox_big);
	tcase_add_loop_test(tc, test_mbox_fail, 0,
	    sizeof(fail_cases) / sizeof(fail_cases[0]));
	tcase_add_test(tc, test_mbox_fifo_warning);
	tcase_add_test(tc, test_mbox_limit_exact);
	tcase_add_test(tc, test_mbox_rlimit);
	tcase_add_loop_test(tc, test_mbox_write_error, 0,
	    DT_N_WRITE_ERRORS);
	tcase_add_test(tc, test_mbox_eacces);
	tcase_add_test(tc, test_mbox_foreign_owner);
	tcase_add_test(tc, test_mbox_base_symlink);
	tcase_add_test(tc, test_mbox_line_break);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mbox_suite)
