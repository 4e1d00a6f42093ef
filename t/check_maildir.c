/* SPDX-License-Identifier: MIT */
/*
 * check_maildir - maildir bytes and names; nothing partial in new/
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deliver/copy.h"
#include "deliver/maildir.h"
#include "deliver_test.h"

/* md_sub - <maildir>/<sub> in a static rotating buffer */
static const char *
md_sub(const struct dt *t, const char *sub)
{
	return test_path(t->path, sub);
}

/* md_matches - name matches the extended regular expression re */
static bool
md_matches(const char *name, const char *re)
{
	regex_t r;
	bool ok;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&r, name, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

START_TEST(test_maildir_a2)
{
	struct dt t;
	char *want, *got, *in, file[8192], re[256];
	size_t want_len, len, in_len;
	struct stat sb;
	const char *name;

	dt_setup(&t, "maildir", "Maildir/");
	in = dt_data("deliver-a1.eml", &in_len);
	dt_msg(&t.msg, in, in_len);
	t.req.maildir_size_in_name = true;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_str_eq(t.st.dsn, "2.0.0");
	ck_assert_str_eq(t.st.text, "delivered to maildir");
	ck_assert_int_eq(dt_count(md_sub(&t, "new")), 1);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "cur")), 0);
	name = dt_first(md_sub(&t, "new"));
	/* REFERENCE.md A.2: 141 bytes */
	ck_assert_msg(md_matches(name, "^[0-9]+\\.V[0-9a-f]+I[0-9a-f]+M[0-9]+"
	    "\\.mx\\.example\\.com,S=141$"), "%s", name);
	DT_FMT(file, "%s/%s", md_sub(&t, "new"), name);
	want = dt_data("deliver-a1-maildir.ref", &want_len);
	got = test_read_file(file, &len);
	ck_assert_uint_eq(len, want_len);
	ck_assert(memcmp(got, want, len) == 0);
	/* the name carries the inode and device of the file */
	ck_assert_int_eq(stat(file, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_nlink, 1);
	DT_FMT(re, "^[0-9]+\\.V%lxI%lxM[0-9]+\\.", (unsigned long)sb.st_dev,
	    (unsigned long)sb.st_ino);
	ck_assert_msg(md_matches(name, re), "%s vs %s", name, re);
	/* directories made on demand, 0700 */
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(md_sub(&t, "tmp"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(md_sub(&t, "new"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(md_sub(&t, "cur"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	free(got);
	free(want);
	free(in);
	dt_teardown(&t);
}
END_TEST

/* Message variants: the maildir file holds headers + message, unchanged. */
static const struct {
	const char *sender, *orig, *msg, *want;
} md_cases[] = {
	{ "", NULL, "From x\n", "Return-Path: <>\n"
	    "Delivered-To: info@example.com\nFrom x\n" },
	{ "s@x", "o@x", "", "Return-Path: <s@x>\nX-Original-To: o@x\n"
	    "Delivered-To: info@example.com\n" },
	{ "s@x", "", "a\n\nFrom b", "Return-Path: <s@x>\n"
	    "Delivered-To: info@example.com\na\n\nFrom b\n" },
};

START_TEST(test_maildir_table)
{
	struct dt t;
	char file[8192], size[32], *got;
	size_t len;
	struct stat sb;
	const char *name;

	dt_setup(&t, "maildir", "a/b/c/Maildir/");
	t.req.sender = md_cases[_i].sender;
	t.req.orig_rcpt = md_cases[_i].orig;
	t.req.maildir_size_in_name = true;
	dt_msg(&t.msg, md_cases[_i].msg, strlen(md_cases[_i].msg));
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	name = dt_first(md_sub(&t, "new"));
	DT_FMT(file, "%s/%s", md_sub(&t, "new"), name);
	got = test_read_file(file, &len);
	ck_assert_str_eq(got, md_cases[_i].want);
	/* ,S= is the exact size of the file */
	ck_assert_int_eq(stat(file, &sb), 0);
	DT_FMT(size, "%lld", (long long)sb.st_size);
	ck_assert_str_eq(strstr(name, ",S=") + 3, size);
	/* all missing parents, as the recipient, 0700 */
	ck_assert_int_eq(stat(test_path(t.base, "a/b"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	ck_assert_int_eq(sb.st_uid, geteuid());
	free(got);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_hostname)
{
	struct dt t;
	struct buf b;
	const char *name;

	buf_init(&b);
	maildir_hostname(&b, "a/b:c.example");
	ck_assert_str_eq(b.data, "a\\057b\\072c.example");
	buf_fini(&b);
	dt_setup(&t, "maildir", "Maildir/");
	t.req.hostname = "evil/../x:1";
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	name = dt_first(md_sub(&t, "new"));
	ck_assert_msg(md_matches(name, "\\.evil\\\\057\\.\\.\\\\057x\\\\0721$"),
	    "%s", name);
	ck_assert_int_eq(dt_count(t.base), 1);
	/* no hostname given: gethostname() */
	t.req.hostname = NULL;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "new")), 2);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_unique)
{
	struct dt t;
	int i, n = 1000;

	/* 1000 deliveries from one process, mostly in the same second */
	dt_setup(&t, "maildir", "Maildir/");
	for (i = 0; i < n; i++)
		ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "new")), n);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_tmp_taken)
{
	struct dt t;
	char name[256], *got;
	size_t len;
	time_t now = time(NULL), s;

	/* tmp/ names of a dead process with our pid: never overwritten */
	dt_setup(&t, "maildir", "Maildir/");
	ck_assert_int_eq(mkdir(t.path, 0700), 0);
	ck_assert_int_eq(mkdir(md_sub(&t, "tmp"), 0700), 0);
	for (s = now; s < now + 5; s++) {
		DT_FMT(name, "tmp/%lu.P%ld.mx.example.com", (unsigned long)s,
		    (long)getpid());
		test_write_str(md_sub(&t, name), "leftover\n");
	}
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "new")), 1);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 5);
	DT_FMT(name, "tmp/%lu.P%ld.mx.example.com", (unsigned long)now + 1,
	    (long)getpid());
	got = test_read_file(md_sub(&t, name), &len);
	ck_assert_str_eq(got, "leftover\n");
	free(got);
	dt_teardown(&t);
}
END_TEST

/* Failure cases: nothing in new/, tmp/ empty afterwards. */
START_TEST(test_maildir_write_error)
{
	struct dt t;
	char want[256];

	dt_setup(&t, "maildir", "Maildir/");
	dt_arm_write_error(dt_write_errors[_i].err, 30);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	copy_writev_hook = NULL;
	ck_assert_str_eq(t.st.dsn, dt_write_errors[_i].dsn);
	DT_FMT(want, "maildir delivery failed: error writing message: %s",
	    strerror(dt_write_errors[_i].err));
	ck_assert_str_eq(t.st.text, want);
	ck_assert_int_le(dt_count(md_sub(&t, "new")), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_limit)
{
	struct dt t;
	struct stat sb;
	char file[8192];

	dt_setup(&t, "maildir", "Maildir/");
	/* 94 bytes of headers + 17 bytes of message */
	t.req.size_limit = 110;
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "5.2.2");
	ck_assert_str_eq(t.st.text, "maildir delivery failed: error writing "
	    "message: File too large");
	ck_assert_int_le(dt_count(md_sub(&t, "new")), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	t.req.size_limit = 111;
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	DT_FMT(file, "%s/%s", md_sub(&t, "new"), dt_first(md_sub(&t, "new")));
	ck_assert_int_eq(stat(file, &sb), 0);
	ck_assert_int_eq(sb.st_size, 111);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_rlimit)
{
	struct dt t;
	size_t n = 64 * 1024;
	char *in = malloc(n);

	memset(in, 'x', n);
	in[n - 1] = '\n';
	dt_setup(&t, "maildir", "Maildir/");
	dt_msg(&t.msg, in, n);
	ck_assert_int_eq(dt_deliver_fsize(&t, 1000), -1);
	ck_assert_str_eq(t.st.dsn, "5.2.2");
	ck_assert_str_eq(t.st.text, "maildir delivery failed: error writing "
	    "message: File too large");
	ck_assert_int_le(dt_count(md_sub(&t, "new")), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	free(in);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_eacces)
{
	struct dt t;
	char want[8192];

	/* the recipient cannot create its maildir: defer, and say why */
	dt_setup(&t, "maildir", "d/Maildir/");
	ck_assert_int_eq(mkdir(test_path(t.base, "d"), 0755), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(test_path(t.base, "d"), DT_UID, DT_GID),
		    0);
	dt_become_user(&t);
	ck_assert_int_eq(chmod(test_path(t.base, "d"), 0555), 0);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_str_eq(t.st.dsn, "4.2.0");
	DT_FMT(want, "maildir delivery failed: create maildir file %stmp/%lu.P",
	    t.path, (unsigned long)time(NULL));
	ck_assert_msg(strncmp(t.st.text, want, strlen(want) - 3) == 0, "%s",
	    t.st.text);
	ck_assert_msg(strstr(t.st.text, ": Permission denied") != NULL, "%s",
	    t.st.text);
	DT_FMT(want, "maildir access problem for UID/GID=%lu/%lu: create "
	    "maildir file ", (unsigned long)t.req.uid, (unsigned long)t.req.gid);
	ck_assert_msg(strstr(test_logged, want) != NULL, "%s", test_logged);
	ck_assert(strstr(test_logged, "perhaps you need to create the maildirs in "
	    "advance") != NULL);
	ck_assert_int_eq(dt_count(test_path(t.base, "d")), 0);
	ck_assert_int_eq(chmod(test_path(t.base, "d"), 0755), 0);
	dt_teardown(&t);
}
END_TEST

static void
md_setup_dirlink(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "real"), 0700), 0);
	ck_assert_int_eq(symlink("real", test_path(t->base, "d")), 0);
}

static void
md_setup_tmplink(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "d"), 0700), 0);
	ck_assert_int_eq(mkdir(t->path, 0700), 0);
	ck_assert_int_eq(mkdir(test_path(t->base, "real"), 0700), 0);
	ck_assert_int_eq(symlink("../../real", md_sub(t, "tmp")), 0);
}

static void
md_setup_newlink(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "d"), 0700), 0);
	ck_assert_int_eq(mkdir(t->path, 0700), 0);
	ck_assert_int_eq(mkdir(md_sub(t, "tmp"), 0700), 0);
	ck_assert_int_eq(mkdir(test_path(t->base, "real"), 0700), 0);
	ck_assert_int_eq(symlink("../../real", md_sub(t, "new")), 0);
}

static void
md_setup_tmpfile(struct dt *t)
{
	ck_assert_int_eq(mkdir(test_path(t->base, "d"), 0700), 0);
	ck_assert_int_eq(mkdir(t->path, 0700), 0);
	test_write_str(md_sub(t, "tmp"), "x");
}

static const struct {
	const char *name;
	void (*setup)(struct dt *t);
	const char *why;	/* in the text */
	bool has_tmp;		/* tmp/ is a real directory: must end empty */
} md_fail[] = {
	{ "symlinked parent", md_setup_dirlink, "/d is a symbolic link", false },
	{ "symlinked tmp", md_setup_tmplink, "/tmp is a symbolic link", false },
	{ "symlinked new", md_setup_newlink, "/new is a symbolic link", true },
	{ "tmp is a file", md_setup_tmpfile, ": Not a directory", false },
};

START_TEST(test_maildir_refused)
{
	struct dt t;
	const char *real;

	dt_setup(&t, "maildir", "d/Maildir/");
	md_fail[_i].setup(&t);
	ck_assert_int_eq(deliver(&t.req, &t.st), -1);
	ck_assert_msg(strcmp(t.st.dsn, "4.2.0") == 0, "%s: %s %s",
	    md_fail[_i].name, t.st.dsn, t.st.text);
	ck_assert_msg(strncmp(t.st.text, "maildir delivery failed: create "
	    "maildir file ", 45) == 0, "%s", t.st.text);
	real = test_path(t.base, "real");
	ck_assert_msg(dt_count(real) <= 0, "%s: written through the link",
	    md_fail[_i].name);
	ck_assert_msg(strstr(t.st.text, md_fail[_i].why) != NULL, "%s: %s",
	    md_fail[_i].name, t.st.text);
	if (md_fail[_i].has_tmp)
		ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_new_missing)
{
	struct dt t;

	/* tmp/ exists, new/ and cur/ do not: made when the link fails */
	dt_setup(&t, "maildir", "Maildir/");
	ck_assert_int_eq(mkdir(t.path, 0700), 0);
	ck_assert_int_eq(mkdir(md_sub(&t, "tmp"), 0700), 0);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "new")), 1);
	ck_assert_int_eq(dt_count(md_sub(&t, "cur")), 0);
	ck_assert_int_eq(dt_count(md_sub(&t, "tmp")), 0);
	dt_teardown(&t);
}
END_TEST

START_TEST(test_maildir_setgid_parent)
{
	struct dt t;
	struct stat sb;

	/* a new directory gets the creator's group, as Postfix's make_dirs() */
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP setgid parent: needs root\n");
		return;
	}
	dt_setup(&t, "maildir", "d/Maildir/");
	ck_assert_int_eq(mkdir(test_path(t.base, "d"), 0777), 0);
	ck_assert_int_eq(chown(test_path(t.base, "d"), 0, 4242), 0);
	ck_assert_int_eq(chmod(test_path(t.base, "d"), 02777), 0);
	ck_assert_int_eq(chmod(t.base, 0755), 0);
	dt_become_user(&t);
	ck_assert_int_eq(deliver(&t.req, &t.st), 0);
	ck_assert_int_eq(stat(t.path, &sb), 0);
	ck_assert_int_eq(sb.st_gid, DT_GID);
	ck_assert_int_eq(sb.st_uid, DT_UID);
	ck_assert_int_eq(stat(md_sub(&t, "new"), &sb), 0);
	ck_assert_int_eq(sb.st_gid, DT_GID);
	dt_teardown(&t);
}
END_TEST

static Suite *
maildir_suite(void)
{
	Suite *s = suite_create("maildir");
	TCase *tc = tcase_create("maildir");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_maildir_a2);
	tcase_add_loop_test(tc, test_maildir_table, 0,
	    sizeof(md_cases) / sizeof(md_cases[0]));
	tcase_add_test(tc, test_maildir_hostname);
	tcase_add_test(tc, test_maildir_unique);
	tcase_add_test(tc, test_maildir_tmp_taken);
	tcase_add_loop_test(tc, test_maildir_write_error, 0,
	    DT_N_WRITE_ERRORS);
	tcase_add_test(tc, test_maildir_limit);
	tcase_add_test(tc, test_maildir_rlimit);
	tcase_add_test(tc, test_maildir_eacces);
	tcase_add_loop_test(tc, test_maildir_refused, 0,
	    sizeof(md_fail) / sizeof(md_fail[0]));
	tcase_add_test(tc, test_maildir_new_missing);
	tcase_add_test(tc, test_maildir_setgid_parent);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(maildir_suite)
