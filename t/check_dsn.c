/* SPDX-License-Identifier: MIT */
/*
 * check_dsn - the "delivered" notice's bytes, and its submission
 *
 * dsn_build() runs on fixed inputs (TZ=UTC, fixed times and queue id),
 * so whole notices are compared byte for byte; the other cases check
 * one property each: RET=HDRS and RET=FULL, ENVID and ORCPT present or
 * absent, the boundary never in a part, SMTPUTF8 types, and hostile
 * values (CR, LF, controls) that must never start a header or a part.
 * dsn_submit() runs small shell scripts as the sendmail command: what
 * they get on argv, stdin, fds and signals, and how exit codes, early
 * exits, a missing command and a deadline are reported.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dsn.h"
#include "testlib.h"

#define T_NOW ((time_t)1796115321)	/* Tue, 1 Dec 2026 08:55:21 UTC */
#define T_ARRIVAL ((time_t)1796115300)

static const char t_msg[] =
    "Subject: hello\n"
    "From: Alice <alice@example.org>\n"
    "Received: from x\n"
    "\tby y\n"
    "\n"
    "body line\n"
    ".\n"
    "last\n";

/* t_setup - the notices use local time: make it UTC */
static void
t_setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* t_notice - a notice for one recipient with the defaults above */
static void
t_notice(struct dsn_notice *n, struct dsn_rcpt *r)
{
	memset(n, 0, sizeof(*n));
	memset(r, 0, sizeof(*r));
	r->rcpt = "info@example.com";
	r->orcpt_type = "rfc822";
	r->orcpt = "sales@example.com";
	r->status = "2.0.0";
	r->text = "delivered to maildir";
	n->hostname = "mx.example.com";
	n->queue_id = "1xYJdx2Jtj01gd0";
	n->sender = "alice@example.org";
	n->envid = "env-42";
	n->arrival = T_ARRIVAL;
	n->now = T_NOW;
	n->rcpts = r;
	n->n_rcpts = 1;
	n->msg = t_msg;
	n->msg_len = sizeof(t_msg) - 1;
}

/* t_build - the whole notice as one string; caller frees */
static char *
t_build(const struct dsn_notice *n)
{
	struct dsn_text t;
	struct buf all;

	dsn_text_init(&t);
	dsn_build(n, &t);
	buf_init(&all);
	buf_append(&all, t.head.data, t.head.len);
	buf_append(&all, t.body, t.body_len);
	buf_append(&all, t.tail.data, t.tail.len);
	dsn_text_fini(&t);
	return buf_steal(&all);
}

/* t_boundary - the boundary parameter of the notice; caller frees */
static char *
t_boundary(const char *notice)
{
	const char *p = strstr(notice, "boundary=\""), *e;

	ck_assert_ptr_nonnull(p);
	p += strlen("boundary=\"");
	e = strchr(p, '"');
	ck_assert_ptr_nonnull(e);
	return xstrndup(p, (size_t)(e - p));
}

/* t_count_lines - lines of s that start with prefix */
static int
t_count_lines(const char *s, const char *prefix)
{
	const char *p = s;
	int n = 0;

	while (p && *p) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static const char want_hdrs[] =
    "Date: Tue, 1 Dec 2026 08:55:21 +0000\n"
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
    "Subject: Successful Mail Delivery Report\n"
    "To: alice@example.org\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"1xYJdx2Jtj01gd0.1796115321/mx.example.com\"\n"
    "Content-Transfer-Encoding: 7bit\n"
    "Message-ID: <20261201085521.1xYJdx2Jtj01gd0@mx.example.com>\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--1xYJdx2Jtj01gd0.1796115321/mx.example.com\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "This is the mail system at host mx.example.com.\n"
    "\n"
    "Your message was successfully delivered to the destination(s)\n"
    "listed below. It was delivered to the recipient's mailbox, so\n"
    "you will receive no further notifications about it from this\n"
    "system.\n"
    "\n"
    "                   The mail system\n"
    "\n"
    "<info@example.com> (expanded from <sales@example.com>): "
    "delivered to maildir\n"
    "\n"
    "--1xYJdx2Jtj01gd0.1796115321/mx.example.com\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.com\n"
    "Original-Envelope-Id: env-42\n"
    "Arrival-Date: Tue, 1 Dec 2026 08:55:00 +0000\n"
    "\n"
    "Final-Recipient: rfc822; info@example.com\n"
    "Original-Recipient: rfc822;sales@example.com\n"
    "Action: delivered\n"
    "Status: 2.0.0\n"
    "\n"
    "--1xYJdx2Jtj01gd0.1796115321/mx.example.com\n"
    "Content-Description: Message Headers\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Subject: hello\n"
    "From: Alice <alice@example.org>\n"
    "Received: from x\n"
    "\tby y\n"
    "\n"
    "--1xYJdx2Jtj01gd0.1796115321/mx.example.com--\n";

/* The whole notice, RET=HDRS (the default), byte for byte. */
START_TEST(test_golden_hdrs)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got;

	t_setup();
	t_notice(&n, &r);
	got = t_build(&n);
	ck_assert_str_eq(got, want_hdrs);
	free(got);
}
END_TEST

/* RET=FULL: the whole message as message/rfc822; the rest unchanged. */
START_TEST(test_ret_full)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	struct dsn_text t;
	const char *part;
	char *got, *want_head;
	size_t head_len;

	t_setup();
	t_notice(&n, &r);
	n.is_ret_full = true;
	dsn_text_init(&t);
	dsn_build(&n, &t);
	ck_assert_ptr_eq(t.body, t_msg);
	ck_assert_uint_eq(t.body_len, sizeof(t_msg) - 1);
	ck_assert_str_eq(t.tail.data,
	    "\n--1xYJdx2Jtj01gd0.1796115321/mx.example.com--\n");
	part = "Content-Description: Delivered Message\n"
	    "Content-Type: message/rfc822\n\n";
	ck_assert_uint_ge(t.head.len, strlen(part));
	ck_assert_str_eq(t.head.data + t.head.len - strlen(part), part);
	/* everything before the last part is the RET=HDRS notice's */
	head_len = strstr(want_hdrs, "Content-Description: Message Headers")
	    - want_hdrs;
	want_head = xstrndup(want_hdrs, head_len);
	ck_assert_int_eq(strncmp(t.head.data, want_head, head_len), 0);
	free(want_head);
	dsn_text_fini(&t);
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "\nbody line\n.\nlast\n\n--"));
	free(got);
}
END_TEST

/* Without ENVID and ORCPT their fields are absent; with another type,
 * the value is kept as it is and nothing says "expanded from". */
START_TEST(test_envid_orcpt_absent)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got;

	t_setup();
	t_notice(&n, &r);
	n.envid = NULL;
	r.orcpt_type = NULL;
	r.orcpt = NULL;
	got = t_build(&n);
	ck_assert_int_eq(t_count_lines(got, "Original-Envelope-Id:"), 0);
	ck_assert_int_eq(t_count_lines(got, "Original-Recipient:"), 0);
	ck_assert_int_eq(t_count_lines(got, "Final-Recipient: rfc822; "
	    "info@example.com"), 1);
	ck_assert_ptr_nonnull(strstr(got, "\n<info@example.com>: delivered "
	    "to maildir\n"));
	free(got);

	r.orcpt_type = "x400";
	r.orcpt = "C=us;A=att";
	got = t_build(&n);
	ck_assert_int_eq(t_count_lines(got, "Original-Recipient: "
	    "x400;C=us;A=att\n"), 1);
	ck_assert_ptr_null(strstr(got, "expanded from"));
	free(got);

	/* the same address in another case: not an expansion */
	r.orcpt_type = "rfc822";
	r.orcpt = "INFO@Example.com";
	got = t_build(&n);
	ck_assert_ptr_null(strstr(got, "expanded from"));
	ck_assert_int_eq(t_count_lines(got, "Original-Recipient: "
	    "rfc822;INFO@Example.com\n"), 1);
	free(got);
}
END_TEST

/* Several recipients: one block each, in order; quoted local parts. */
START_TEST(test_several)
{
	struct dsn_notice n;
	struct dsn_rcpt r[3];
	char *got;
	const char *a, *b, *c;

	t_setup();
	t_notice(&n, &r[0]);
	r[1] = r[0];
	r[2] = r[0];
	r[1].rcpt = "odd user@example.com";
	r[1].orcpt = "\"odd user\"@example.com";
	r[1].text = "delivered to mailbox";
	r[2].rcpt = "third@example.com";
	r[2].orcpt_type = NULL;
	n.rcpts = r;
	n.n_rcpts = 3;
	got = t_build(&n);
	ck_assert_int_eq(t_count_lines(got, "Final-Recipient:"), 3);
	ck_assert_int_eq(t_count_lines(got, "Action: delivered"), 3);
	ck_assert_int_eq(t_count_lines(got, "Status: 2.0.0"), 3);
	ck_assert_int_eq(t_count_lines(got, "Original-Recipient:"), 2);
	a = strstr(got, "Final-Recipient: rfc822; info@example.com\n");
	b = strstr(got, "Final-Recipient: rfc822; \"odd user\"@example.com\n"
	    "Original-Recipient: rfc822;\"odd user\"@example.com\n");
	c = strstr(got, "Final-Recipient: rfc822; third@example.com\n"
	    "Action: delivered\n");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert(a < b && b < c);
	ck_assert_ptr_nonnull(strstr(got, "\n<\"odd user\"@example.com>: "
	    "delivered to mailbox\n"));
	free(got);
}
END_TEST

/* The boundary occurs in no part, whatever the message holds. */
START_TEST(test_boundary_unique)
{
	static const char base[] = "1xYJdx2Jtj01gd0.1796115321/mx.example.com";
	struct dsn_notice n;
	struct dsn_rcpt r;
	struct buf msg;
	char *got, *bnd;
	int ret_full;

	t_setup();
	for (ret_full = 0; ret_full < 2; ret_full++) {
		t_notice(&n, &r);
		n.is_ret_full = ret_full;
		buf_init(&msg);
		buf_printf(&msg, "Subject: %s\nX-B: %s.1\n\n--%s.2\nbody\n",
		    base, base, base);
		n.msg = msg.data;
		n.msg_len = msg.len;
		got = t_build(&n);
		bnd = t_boundary(got);
		/* not in the part returned (RET=HDRS: the header section) */
		ck_assert_ptr_null(memmem(msg.data, ret_full ? msg.len
		    : dsn_header_len(msg.data, msg.len), bnd, strlen(bnd)));
		ck_assert_str_eq(bnd, ret_full ? "1xYJdx2Jtj01gd0.1796115321/"
		    "mx.example.com.3" : "1xYJdx2Jtj01gd0.1796115321/"
		    "mx.example.com.2");
		/* the delimiter lines: 3 parts and the close */
		ck_assert_int_eq(t_count_lines(got, "--1xYJdx2Jtj01gd0"),
		    ret_full ? 5 : 4);
		free(bnd);
		free(got);
		buf_fini(&msg);
	}
	/* an ENVID that holds the boundary changes it too */
	t_notice(&n, &r);
	n.envid = base;
	got = t_build(&n);
	bnd = t_boundary(got);
	ck_assert_str_eq(bnd, "1xYJdx2Jtj01gd0.1796115321/mx.example.com.1");
	free(bnd);
	free(got);
	/* a host name with odd bytes: only bchars in the boundary */
	t_notice(&n, &r);
	n.hostname = "mx\"; x=\n.example.com";
	got = t_build(&n);
	bnd = t_boundary(got);
	ck_assert_str_eq(bnd, "1xYJdx2Jtj01gd0.1796115321/mx___x__.example.com");
	free(bnd);
	free(got);
}
END_TEST

/*
 * Hostile values: CR, LF, NUL-free controls in every client value.
 * None may start a line of its own; each comes out as "+HH".
 */
START_TEST(test_hostile_values)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got, *p;
	size_t i, n_cr = 0;

	t_setup();
	t_notice(&n, &r);
	n.sender = "s\r\nBcc: victim@example.net@example.org";
	n.envid = "e1\r\nX-Injected: envid";
	r.rcpt = "r\nX-Injected: rcpt@example.com";
	r.orcpt_type = "rfc822";
	r.orcpt = "o\r\n\r\n--1xYJdx2Jtj01gd0.1796115321/mx.example.com--\n"
	    "X-Injected: orcpt";
	r.text = "delivered\n\nX-Injected: text";
	r.status = "2.0.0\nX-Injected: status";
	n.hostname = "mx.example.com\nX-Injected: host";
	got = t_build(&n);
	for (i = 0; got[i]; i++)
		if (got[i] == '\r')
			n_cr++;
	ck_assert_uint_eq(n_cr, 0);
	ck_assert_int_eq(t_count_lines(got, "X-Injected"), 0);
	ck_assert_int_eq(t_count_lines(got, "Bcc:"), 0);
	ck_assert_int_eq(t_count_lines(got, "To: "), 1);
	/* (address_quote() escapes the CR as RFC 5322 quoted-pair) */
	ck_assert_ptr_nonnull(strstr(got, "\nTo: \"s\\+0D+0ABcc: "
	    "victim@example.net\"@example.org\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nFinal-Recipient: rfc822; "
	    "\"r+0AX-Injected: rcpt\"@example.com\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nOriginal-Envelope-Id: "
	    "e1+0D+0AX-Injected: envid\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nOriginal-Recipient: rfc822;o+0D"
	    "+0A+0D+0A--1xYJdx2Jtj01gd0.1796115321/mx.example.com--+0A"
	    "X-Injected: orcpt\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nStatus: 2.0.0+0AX-Injected: "
	    "status\n"));
	ck_assert_ptr_nonnull(strstr(got, ": delivered+0A+0AX-Injected: "
	    "text\n"));
	/* the top header block still has exactly its nine fields */
	p = strstr(got, "\n\n");
	ck_assert_ptr_nonnull(p);
	*p = 0;
	ck_assert_int_eq(t_count_lines(got, ""), 10);	/* + folded line */
	ck_assert_int_eq(t_count_lines(got, "\t"), 1);
	free(got);
}
END_TEST

/* SMTPUTF8: RFC 6533 types and UTF-8 kept; without it, 8-bit is xtext. */
START_TEST(test_smtputf8)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got;

	t_setup();
	t_notice(&n, &r);
	r.rcpt = "gr\xc3\xbcn@example.com";
	r.orcpt_type = "utf-8";
	r.orcpt = "GR\xc3\x9cN@example.com";
	n.is_smtputf8 = true;
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Transfer-Encoding: 8bit\n"
	    "Message-ID: "));
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Type: text/plain; "
	    "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Type: message/global-"
	    "delivery-status\nContent-Transfer-Encoding: 8bit\n\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Type: "
	    "message/global-headers\n\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nFinal-Recipient: utf-8; "
	    "gr\xc3\xbcn@example.com\nOriginal-Recipient: utf-8;"
	    "GR\xc3\x9cN@example.com\n"));
	free(got);

	/* invalid UTF-8 is never copied, even with SMTPUTF8 */
	r.orcpt = "bad\xc3(\xff@example.com";
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "Original-Recipient: utf-8;"
	    "bad+C3(+FF@example.com\n"));
	free(got);

	n.is_ret_full = true;
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Type: message/global\n"));
	free(got);

	n.is_smtputf8 = false;
	n.is_ret_full = false;
	r.orcpt = "GR\xc3\x9cN@example.com";
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Transfer-Encoding: 7bit\n"
	    "Message-ID: "));
	ck_assert_ptr_nonnull(strstr(got, "\nFinal-Recipient: rfc822; "
	    "gr+C3+BCn@example.com\nOriginal-Recipient: utf-8;"
	    "GR+C3+9CN@example.com\n"));
	ck_assert_ptr_nonnull(strstr(got, "charset=us-ascii\n\n"));
	free(got);
}
END_TEST

/* An 8-bit message part gets its own Content-Transfer-Encoding. */
START_TEST(test_8bit_body)
{
	static const char msg8[] = "Subject: caf\xc3\xa9\n\nn\xc3\xa4\n";
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got;

	t_setup();
	t_notice(&n, &r);
	n.msg = msg8;
	n.msg_len = sizeof(msg8) - 1;
	n.is_ret_full = true;
	got = t_build(&n);
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Transfer-Encoding: 8bit\n"
	    "Message-ID: "));
	ck_assert_ptr_nonnull(strstr(got, "\nContent-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: 8bit\n\nSubject: caf\xc3\xa9\n"));
	ck_assert_ptr_nonnull(strstr(got, "charset=us-ascii\n\n"));
	free(got);
}
END_TEST

/* Local time: the Date: and Arrival-Date: carry the zone's offset. */
START_TEST(test_date_zone)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	char *got;

	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	t_notice(&n, &r);
	got = t_build(&n);
	ck_assert_int_eq(t_count_lines(got, "Date: Tue, 1 Dec 2026 03:55:21 "
	    "-0500\n"), 1);
	ck_assert_int_eq(t_count_lines(got, "Arrival-Date: Tue, 1 Dec 2026 "
	    "03:55:00 -0500\n"), 1);
	ck_assert_ptr_nonnull(strstr(got, "Message-ID: <20261201035521."));
	free(got);
}
END_TEST

static const struct {
	const char *msg;
	size_t want;
} hdr_cases[] = {
	{ "A: 1\nB: 2\n\nbody\n", 10 },
	{ "A: 1\n continued\n\tmore\nB: 2\n\nbody\n", 27 },
	{ "A: 1\nB: 2\n", 10 },
	{ "A: 1\nB: 2", 9 },
	{ "", 0 },
	{ "\nbody\n", 0 },
	{ "not a header\nA: 1\n", 0 },
	{ "A: 1\nnot a header\nB: 2\n", 5 },
	{ "A : 1\nB\t:2\n\n", 11 },
	{ " leading continuation\nA: 1\n", 0 },
	{ "A: 1\n\xc3\xa9: 2\n", 5 },
	{ ":x\n", 0 },
	{ "From x  Mon\nA: 1\n", 0 },
};

START_TEST(test_header_len)
{
	const char *m = hdr_cases[_i].msg;

	ck_assert_uint_eq(dsn_header_len(m, strlen(m)), hdr_cases[_i].want);
}
END_TEST

/* ---- dsn_submit ---------------------------------------------------- */

static char *t_dir;

static void
t_sub_setup(void)
{
	t_setup();
	t_dir = test_mkdtemp("dsn");
}

static void
t_sub_teardown(void)
{
	test_rmtree(t_dir);
	free(t_dir);
	t_dir = NULL;
}

/* t_script - an executable shell script NAME in the scratch dir */
static const char *
t_script(const char *name, const char *body)
{
	const char *path = test_path(t_dir, name);
	struct buf s;

	buf_init(&s);
	buf_printf(&s, "#!/bin/sh\nD='%s'\n%s", t_dir, body);
	test_write_file(path, s.data, s.len);
	buf_fini(&s);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

/* t_text - a built notice for the default inputs */
static void
t_text(struct dsn_text *t)
{
	struct dsn_notice n;
	static struct dsn_rcpt r;

	t_notice(&n, &r);
	dsn_text_init(t);
	dsn_build(&n, t);
}

/* The command gets the notice on stdin and the argv sendmail needs. */
START_TEST(test_submit_ok)
{
	struct vd_status st;
	struct dsn_text t;
	struct buf want;
	char *got, *path;
	size_t len;

	t_text(&t);
	path = xstrdup(t_script("sendmail", "printf '%s\\n' \"$@\" > \"$D/argv\"\n"
	    "cat > \"$D/stdin\"\n"));
	vd_status_clear(&st);
	ck_assert_int_eq(dsn_submit(path, "odd user@example.org", &t, 10, &st),
	    0);
	got = test_read_file(test_path(t_dir, "argv"), &len);
	ck_assert_str_eq(got, "-i\n-f\n<>\n--\n\"odd user\"@example.org\n");
	free(got);
	got = test_read_file(test_path(t_dir, "stdin"), &len);
	buf_init(&want);
	buf_append(&want, t.head.data, t.head.len);
	buf_append(&want, t.body, t.body_len);
	buf_append(&want, t.tail.data, t.tail.len);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(got, want.data, len);
	buf_fini(&want);
	free(got);
	free(path);
	dsn_text_fini(&t);
}
END_TEST

/* A fresh process: nothing blocked or ignored, no inherited fds. */
START_TEST(test_submit_clean_process)
{
	struct sigaction sa;
	struct vd_status st;
	struct dsn_text t;
	sigset_t block;
	unsigned long long blk = 1, ign = 1;
	char *got, *path;
	size_t len;
	int fd;

	t_text(&t);
	/* exec: the shell's own mask, not the one it has while it forks */
	path = xstrdup(t_script("sendmail", "cat > /dev/null\n"
	    "ls /proc/$$/fd > \"$D/fds\"\n"
	    "exec grep -E '^Sig(Blk|Ign)' /proc/self/status > \"$D/sig\"\n"));
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGHUP, &sa, NULL), 0);
	/* an ignored SIGCHLD must not lose the exit status */
	ck_assert_int_eq(sigaction(SIGCHLD, &sa, NULL), 0);
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 77), 77);
	ck_assert_int_eq(dsn_submit(path, "a@example.org", &t, 10, &st), 0);
	got = test_read_file(test_path(t_dir, "sig"), &len);
	/* signals 1-31; glibc keeps 32 and 33 to itself (the caller's
	 * dispositions, which sigaction() cannot change) */
	ck_assert_int_eq(sscanf(got, "SigBlk:\t%llx\nSigIgn:\t%llx", &blk,
	    &ign), 2);
	ck_assert_uint_eq(blk & 0x7fffffffULL, 0);
	ck_assert_uint_eq(ign & 0x7fffffffULL, 0);
	free(got);
	got = test_read_file(test_path(t_dir, "fds"), &len);
	ck_assert_ptr_null(strstr(got, "\n77\n"));
	ck_assert_int_eq(strncmp(got, "0\n1\n", 4), 0);
	free(got);
	/* our SIGPIPE disposition is back as it was */
	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_ptr_eq((void *)sa.sa_handler, (void *)SIG_DFL);
	ck_assert_int_eq(sigaction(SIGCHLD, NULL, &sa), 0);
	ck_assert_ptr_eq((void *)sa.sa_handler, (void *)SIG_IGN);
	free(path);
	dsn_text_fini(&t);
}
END_TEST

/* A non-zero exit is an error that quotes the command's output. */
START_TEST(test_submit_exit_status)
{
	struct vd_status st;
	struct dsn_text t;
	char *path;

	t_text(&t);
	path = xstrdup(t_script("sendmail", "cat > /dev/null\n"
	    "echo 'sendmail: fatal: no\tway' >&2\nexit 75\n"));
	ck_assert_int_eq(dsn_submit(path, "a@example.org", &t, 10, &st), -1);
	ck_assert_str_eq(st.dsn, "4.3.0");
	ck_assert_ptr_nonnull(strstr(st.text, ": exit status 75: sendmail: "
	    "fatal: no way"));
	ck_assert_str_eq(st.text + strlen(st.text) - 3, "way");
	free(path);
	dsn_text_fini(&t);
}
END_TEST

/* A command that exits 0 without reading a big notice has failed. */
START_TEST(test_submit_no_read)
{
	struct dsn_notice n;
	struct dsn_rcpt r;
	struct dsn_text t;
	struct vd_status st;
	struct buf big;
	char *path;
	size_t i;

	buf_init(&big);
	buf_puts(&big, "Subject: big\n\n");
	for (i = 0; i < 20000; i++)
		buf_puts(&big, "0123456789012345678901234567890123456789\n");
	t_notice(&n, &r);
	n.msg = big.data;
	n.msg_len = big.len;
	n.is_ret_full = true;
	dsn_text_init(&t);
	dsn_build(&n, &t);
	path = xstrdup(t_script("sendmail", "exit 0\n"));
	ck_assert_int_eq(dsn_submit(path, "a@example.org", &t, 10, &st), -1);
	ck_assert_ptr_nonnull(strstr(st.text, "exited before reading the "
	    "whole notice"));
	free(path);
	dsn_text_fini(&t);
	buf_fini(&big);
}
END_TEST

/* Much output before the command reads: no deadlock, still read whole. */
START_TEST(test_submit_chatty)
{
	struct vd_status st;
	struct dsn_text t;
	char *path, *got;
	size_t len;

	t_text(&t);
	path = xstrdup(t_script("sendmail", "head -c 300000 /dev/zero\n"
	    "cat > \"$D/stdin\"\n"));
	ck_assert_int_eq(dsn_submit(path, "a@example.org", &t, 30, &st), 0);
	got = test_read_file(test_path(t_dir, "stdin"), &len);
	ck_assert_uint_eq(len, t.head.len + t.body_len + t.tail.len);
	free(got);
	free(path);
	dsn_text_fini(&t);
}
END_TEST

/* Missing or relative commands are errors, never a crash or a hang. */
START_TEST(test_submit_missing)
{
	struct vd_status st;
	struct dsn_text t;

	t_text(&t);
	ck_assert_int_eq(dsn_submit(test_path(t_dir, "nonexistent"),
	    "a@example.org", &t, 10, &st), -1);
	ck_assert_ptr_nonnull(strstr(st.text, ": exit status 127: execute "));
	ck_assert_ptr_nonnull(strstr(st.text, "No such file or directory"));
	ck_assert_int_eq(dsn_submit("sendmail", "a@example.org", &t, 10, &st),
	    -1);
	ck_assert_str_eq(st.text, "sendmail_path is not an absolute pathname: "
	    "\"sendmail\"");
	ck_assert_int_eq(dsn_submit(NULL, "a@example.org", &t, 10, &st), -1);
	dsn_text_fini(&t);
}
END_TEST

/* t_is_dead - pid has exited (no process, or a zombie) */
static bool
t_is_dead(pid_t pid)
{
	char path[64], *stat, *p;
	size_t len;
	bool dead;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	fclose(f);
	stat = test_read_file(path, &len);
	p = strrchr(stat, ')');
	dead = p == NULL || (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
	free(stat);
	return dead;
}

/* A command that never exits is killed at the deadline, group and all. */
START_TEST(test_submit_deadline)
{
	struct vd_status st;
	struct dsn_text t;
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	char *path, *pid_s;
	size_t len;
	long pid;
	int i;

	t_text(&t);
	path = xstrdup(t_script("sendmail", "cat > /dev/null\n"
	    "sleep 60 &\necho $! > \"$D/pid\"\nwait\n"));
	ck_assert_int_eq(dsn_submit(path, "a@example.org", &t, 2, &st), -1);
	ck_assert_ptr_nonnull(strstr(st.text, ": no exit within 2 s: killed"));
	pid_s = test_read_file(test_path(t_dir, "pid"), &len);
	pid = strtol(pid_s, NULL, 10);
	ck_assert_int_gt(pid, 0);
	/* the background sleep was in the group: it dies (SIGKILL is
	 * delivered asynchronously; the wait is a deadline, not a measure) */
	for (i = 0; i < 3000 && !t_is_dead((pid_t)pid); i++)
		(void)nanosleep(&tick, NULL);
	ck_assert(t_is_dead((pid_t)pid));
	free(pid_s);
	free(path);
	dsn_text_fini(&t);
}
END_TEST

static Suite *
dsn_suite(void)
{
	Suite *s = suite_create("dsn");
	TCase *tc = tcase_create("build");
	TCase *ts = tcase_create("submit");

	tcase_add_test(tc, test_golden_hdrs);
	tcase_add_test(tc, test_ret_full);
	tcase_add_test(tc, test_envid_orcpt_absent);
	tcase_add_test(tc, test_several);
	tcase_add_test(tc, test_boundary_unique);
	tcase_add_test(tc, test_hostile_values);
	tcase_add_test(tc, test_smtputf8);
	tcase_add_test(tc, test_8bit_body);
	tcase_add_test(tc, test_date_zone);
	tcase_add_loop_test(tc, test_header_len, 0,
	    sizeof(hdr_cases) / sizeof(hdr_cases[0]));
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, t_sub_setup, t_sub_teardown);
	tcase_set_timeout(ts, 30);
	tcase_add_test(ts, test_submit_ok);
	tcase_add_test(ts, test_submit_clean_process);
	tcase_add_test(ts, test_submit_exit_status);
	tcase_add_test(ts, test_submit_no_read);
	tcase_add_test(ts, test_submit_chatty);
	tcase_add_test(ts, test_submit_missing);
	tcase_add_test(ts, test_submit_deadline);
	suite_add_tcase(s, ts);
	return s;
}

TEST_MAIN(dsn_suite)
