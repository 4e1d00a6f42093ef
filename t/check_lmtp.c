/* SPDX-License-Identifier: MIT */
/*
 * check_lmtp - the LMTP parser (table-driven) and the session engine
 *
 * The parser tables cover every command, case, address form and
 * parameter; the session tests run lmtp_serve() in a child on one end
 * of a socketpair and check the replies byte for byte.  The sessions use
 * a fail: table, so they need no real lookup or delivery code: every
 * RCPT is deferred (451 4.3.5), which is enough for the protocol rules.
 * Sessions that deliver are in t/lmtp-session.sh.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lmtp.h"
#include "lmtp_proto.h"
#include "log.h"
#include "testlib.h"

/* ---- lmtp_parse_command ------------------------------------------------ */

static const struct {
	const char *line;
	size_t len;		/* 0: strlen */
	int rc;
	enum lmtp_verb verb;
	const char *arg;
} cmd_cases[] = {
	{ "LHLO mx.example.com", 0, 0, LMTP_VERB_LHLO, "mx.example.com" },
	{ "lhlo  mx  ", 0, 0, LMTP_VERB_LHLO, "mx" },
	{ "LhLo x", 0, 0, LMTP_VERB_LHLO, "x" },
	{ "  NOOP", 0, 0, LMTP_VERB_NOOP, "" },
	{ "noop anything", 0, 0, LMTP_VERB_NOOP, "anything" },
	{ "MAIL FROM:<a@b> SIZE=1", 0, 0, LMTP_VERB_MAIL, "FROM:<a@b> SIZE=1" },
	{ "mail from:<a@b>", 0, 0, LMTP_VERB_MAIL, "from:<a@b>" },
	{ "RCPT TO:<a@b>", 0, 0, LMTP_VERB_RCPT, "TO:<a@b>" },
	{ "DATA", 0, 0, LMTP_VERB_DATA, "" },
	{ "data\t", 0, 0, LMTP_VERB_DATA, "" },
	{ "RSET", 0, 0, LMTP_VERB_RSET, "" },
	{ "QUIT", 0, 0, LMTP_VERB_QUIT, "" },
	{ "quit", 0, 0, LMTP_VERB_QUIT, "" },
	{ "VRFY bob", 0, 0, LMTP_VERB_VRFY, "bob" },
	{ "HELO x", 0, 0, LMTP_VERB_HELO, "x" },
	{ "EHLO x", 0, 0, LMTP_VERB_EHLO, "x" },
	{ "EXPN list", 0, 0, LMTP_VERB_NOTIMPL, "list" },
	{ "STARTTLS", 0, 0, LMTP_VERB_NOTIMPL, "" },
	{ "BDAT 10 LAST", 0, 0, LMTP_VERB_NOTIMPL, "10 LAST" },
	{ "XFORWARD NAME=x", 0, 0, LMTP_VERB_NOTIMPL, "NAME=x" },
	{ "XYZZY", 0, 0, LMTP_VERB_UNKNOWN, "" },
	{ "MAILFROM:<a@b>", 0, 0, LMTP_VERB_UNKNOWN, "" },
	{ "LHLOx", 0, 0, LMTP_VERB_UNKNOWN, "" },
	{ "\xc3\xa9", 0, 0, LMTP_VERB_UNKNOWN, "" },
	{ "", 0, 0, LMTP_VERB_EMPTY, "" },
	{ "   \t ", 0, 0, LMTP_VERB_EMPTY, "" },
	{ "NO\0OP", 5, -1, LMTP_VERB_UNKNOWN, "" },
	{ "\0", 1, -1, LMTP_VERB_UNKNOWN, "" },
	{ "MAIL FROM:<a@b>\0", 16, -1, LMTP_VERB_UNKNOWN, "" },
};

START_TEST(test_command)
{
	struct lmtp_cmd cmd;
	struct lmtp_err err;
	size_t len = cmd_cases[_i].len ? cmd_cases[_i].len
	    : strlen(cmd_cases[_i].line);
	int rc = lmtp_parse_command(cmd_cases[_i].line, len, &cmd, &err);

	ck_assert_int_eq(rc, cmd_cases[_i].rc);
	ck_assert_int_eq(cmd.verb, cmd_cases[_i].verb);
	if (rc < 0) {
		ck_assert_int_eq(err.code, 500);
		ck_assert_str_eq(err.dsn, "5.5.2");
		return;
	}
	if (cmd.verb != LMTP_VERB_UNKNOWN)
		ck_assert_int_eq((int)cmd.arg_len,
		    (int)strlen(cmd_cases[_i].arg));
	if (cmd.verb != LMTP_VERB_UNKNOWN)
		ck_assert(memcmp(cmd.arg, cmd_cases[_i].arg, cmd.arg_len) == 0);
}
END_TEST

/* ---- lmtp_parse_mail --------------------------------------------------- */

static const struct {
	const char *arg;
	const char *sender;
	int has_size;
	unsigned long long size;
	int body;
	int smtputf8;
	int ret;
	const char *envid;
} mail_cases[] = {
	{ "FROM:<bob@example.org>", "bob@example.org", 0, 0, 0, 0, 0, NULL },
	{ "from:<bob@example.org>", "bob@example.org", 0, 0, 0, 0, 0, NULL },
	{ "FROM: <a@b>", "a@b", 0, 0, 0, 0, 0, NULL },
	{ "FROM:\t <a@b>", "a@b", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<>", "", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<> SIZE=10", "", 1, 10, 0, 0, 0, NULL },
	{ "FROM:<\"odd user\"@x.org>", "odd user@x.org", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<\"q\\\"x\\\\y\"@y>", "q\"x\\y@y", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<\"a>b\"@c>", "a>b@c", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<\"\"@c>", "@c", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<@r1,@r2.x:u@d>", "u@d", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<a@[192.0.2.1]>", "a@[192.0.2.1]", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<caf\xc3\xa9@\xc3\xa9.x> SMTPUTF8", "caf\xc3\xa9@\xc3\xa9.x", 0, 0, 0, 1, 0, NULL },
	{ "FROM:<a.b-c+d=e@x-y.z>", "a.b-c+d=e@x-y.z", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<a..b.@x>", "a..b.@x", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<MAILER-DAEMON>", "MAILER-DAEMON", 0, 0, 0, 0, 0, NULL },
	{ "FROM:<a@b> SIZE=1234 BODY=8BITMIME", "a@b", 1, 1234, LMTP_BODY_8BITMIME, 0, 0, NULL },
	{ "FROM:<a@b> size=0 body=7bit", "a@b", 1, 0, LMTP_BODY_7BIT, 0, 0, NULL },
	{ "FROM:<a@b>  SIZE=1   BODY=7BIT  ", "a@b", 1, 1, LMTP_BODY_7BIT, 0, 0, NULL },
	{ "FROM:<a@b> SIZE=99999999999999999999999", "a@b", 1, 18446744073709551615ULL, 0, 0, 0, NULL },
	{ "FROM:<a@b> RET=HDRS ENVID=QQ+2Bx", "a@b", 0, 0, 0, 0, LMTP_RET_HDRS, "QQ+x" },
	{ "FROM:<a@b> ret=full envid=abc", "a@b", 0, 0, 0, 0, LMTP_RET_FULL, "abc" },
	{ "FROM:<a@b> SIZE=1 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x", "a@b", 1, 1, LMTP_BODY_8BITMIME, 1, LMTP_RET_FULL, "x" },
};

START_TEST(test_mail)
{
	struct lmtp_mail m;
	struct lmtp_err err;
	int rc = lmtp_parse_mail(mail_cases[_i].arg, strlen(mail_cases[_i].arg),
	    &m, &err);

	ck_assert_msg(rc == 0, "%s: %d %s %s", mail_cases[_i].arg, err.code,
	    err.dsn, err.text);
	ck_assert_str_eq(m.sender, mail_cases[_i].sender);
	ck_assert_int_eq(m.has_size, mail_cases[_i].has_size);
	ck_assert(m.size == mail_cases[_i].size);
	ck_assert_int_eq(m.body, mail_cases[_i].body);
	ck_assert_int_eq(m.smtputf8, mail_cases[_i].smtputf8);
	ck_assert_int_eq(m.ret, mail_cases[_i].ret);
	if (mail_cases[_i].envid)
		ck_assert_str_eq(m.envid, mail_cases[_i].envid);
	else
		ck_assert_ptr_null(m.envid);
	lmtp_mail_fini(&m);
}
END_TEST

/* MAIL arguments that are refused, and the reply */
static const struct {
	const char *arg;
	int code;
	const char *dsn;
} mail_err_cases[] = {
	{ "", 501, "5.5.4" },
	{ "FROM:", 501, "5.5.4" },
	{ "FROM:a@b", 501, "5.5.4" },
	{ "FROM <a@b>", 501, "5.5.4" },
	{ "FROM<a@b>", 501, "5.5.4" },
	{ "TO:<a@b>", 501, "5.5.4" },
	{ "FROM:<a@b", 501, "5.1.7" },
	{ "FROM:<a b@c>", 501, "5.1.7" },
	{ "FROM:< a@b>", 501, "5.1.7" },
	{ "FROM:<a@>", 501, "5.1.7" },
	{ "FROM:<@b>", 501, "5.1.7" },
	{ "FROM:<a@b c>", 501, "5.1.7" },
	{ "FROM:<a@b>x", 501, "5.1.7" },
	{ "FROM:<a@b>>", 501, "5.1.7" },
	{ "FROM:<\"unterminated@b>", 501, "5.1.7" },
	{ "FROM:<\"a\x01\"@b>", 501, "5.1.7" },
	{ "FROM:<a\x7f@b>", 501, "5.1.7" },
	{ "FROM:<a@[1.2.3.4>", 501, "5.1.7" },
	{ "FROM:<a@[]>", 501, "5.1.7" },
	{ "FROM:<@r1:>", 501, "5.1.7" },
	{ "FROM:<@r1,u@d>", 501, "5.1.7" },
	{ "FROM:<a@b@c>", 501, "5.1.7" },
	{ "FROM:<a(comment)@b>", 501, "5.1.7" },
	{ "FROM:<a@b> SIZE=", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE=12x", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE=-1", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE=1 SIZE=2", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE=1=2", 501, "5.5.4" },
	{ "FROM:<a@b> BODY=BINARYMIME", 501, "5.5.4" },
	{ "FROM:<a@b> BODY=7BIT BODY=7BIT", 501, "5.5.4" },
	{ "FROM:<a@b> SMTPUTF8=yes", 501, "5.5.4" },
	{ "FROM:<a@b> SMTPUTF8 SMTPUTF8", 501, "5.5.4" },
	{ "FROM:<a@b> RET=ALL", 501, "5.5.4" },
	{ "FROM:<a@b> ENVID=a+zz", 501, "5.5.4" },
	{ "FROM:<a@b> ENVID=a+2", 501, "5.5.4" },
	{ "FROM:<a@b> ENVID=x ENVID=y", 501, "5.5.4" },
	{ "FROM:<a@b> ENVID=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789X", 501, "5.5.4" },
	{ "FROM:<a@b> =x", 501, "5.5.4" },
	{ "FROM:<a@b> -X", 501, "5.5.4" },
	{ "FROM:<a@b> SIZE=1\x01", 501, "5.5.4" },
	{ "FROM:<a@b> AUTH=<>", 555, "5.5.4" },
	{ "FROM:<a@b> X-FOO", 555, "5.5.4" },
	{ "FROM:<a@b> NOTIFY=NEVER", 555, "5.5.4" },
};

START_TEST(test_mail_err)
{
	struct lmtp_mail m;
	struct lmtp_err err;
	int rc = lmtp_parse_mail(mail_err_cases[_i].arg,
	    strlen(mail_err_cases[_i].arg), &m, &err);

	ck_assert_msg(rc == -1, "%s accepted", mail_err_cases[_i].arg);
	ck_assert_int_eq(err.code, mail_err_cases[_i].code);
	ck_assert_str_eq(err.dsn, mail_err_cases[_i].dsn);
	ck_assert_ptr_null(m.sender);
	ck_assert_ptr_null(m.envid);
}
END_TEST

START_TEST(test_mail_texts)
{
	struct lmtp_mail m;
	struct lmtp_err err;

	ck_assert_int_eq(lmtp_parse_mail("FROM:<a@b> x-foo=1", 18, &m, &err), -1);
	ck_assert_str_eq(err.text, "Unsupported option: X-FOO");
	ck_assert_int_eq(lmtp_parse_mail("FROM:<a@b> size=1 Size=2", 24, &m,
	    &err), -1);
	ck_assert_str_eq(err.text, "Duplicate SIZE parameter");
	ck_assert_int_eq(lmtp_parse_mail("FROM:<a@b> body=x", 17, &m, &err), -1);
	ck_assert_str_eq(err.text, "Bad BODY parameter value");
	/* a NUL byte ends nothing early: the length decides */
	ck_assert_int_eq(lmtp_parse_mail("FROM:<a\0b@c>", 12, &m, &err), -1);
	ck_assert_str_eq(err.dsn, "5.1.7");
}
END_TEST

/* ---- lmtp_parse_rcpt --------------------------------------------------- */

static const struct {
	const char *arg;
	const char *addr;
	const char *given;
	const char *orcpt_type;
	const char *orcpt;
	int notify;
} rcpt_cases[] = {
	{ "TO:<info@example.com>", "info@example.com", "info@example.com", NULL, NULL, 0 },
	{ "to: <Info@Example.COM>", "Info@Example.COM", "Info@Example.COM", NULL, NULL, 0 },
	{ "TO:<\"odd user\"@x.org>", "odd user@x.org", "\"odd user\"@x.org", NULL, NULL, 0 },
	{ "TO:<@relay.x:u@d>", "u@d", "u@d", NULL, NULL, 0 },
	{ "TO:<postmaster>", "postmaster", "postmaster", NULL, NULL, 0 },
	{ "TO:<a+ext@x>", "a+ext@x", "a+ext@x", NULL, NULL, 0 },
	{ "TO:<a@b> NOTIFY=SUCCESS,FAILURE", "a@b", "a@b", NULL, NULL, LMTP_NOTIFY_SUCCESS | LMTP_NOTIFY_FAILURE },
	{ "TO:<a@b> notify=delay", "a@b", "a@b", NULL, NULL, LMTP_NOTIFY_DELAY },
	{ "TO:<a@b> NOTIFY=NEVER", "a@b", "a@b", NULL, NULL, LMTP_NOTIFY_NEVER },
	{ "TO:<a@b> ORCPT=rfc822;Info@Example.com", "a@b", "a@b", "rfc822", "Info@Example.com", 0 },
	{ "TO:<a@b> ORCPT=RFC822;+22odd+20user+22@x.org NOTIFY=FAILURE", "a@b", "a@b", "RFC822", "odd user@x.org", LMTP_NOTIFY_FAILURE },
	{ "TO:<a@b> ORCPT=rfc822;a+2Bb@x", "a@b", "a@b", "rfc822", "a+b@x", 0 },
	{ "TO:<a@b> ORCPT=rfc822;a+3Db@x", "a@b", "a@b", "rfc822", "a=b@x", 0 },
	{ "TO:<a@b> ORCPT=rfc822;caf+C3+A9@x", "a@b", "a@b", "rfc822", "caf\xc3\xa9@x", 0 },
	{ "TO:<a@b> ORCPT=utf-8;caf\\x{E9}@x", "a@b", "a@b", "utf-8", "caf\xc3\xa9@x", 0 },
	{ "TO:<a@b> ORCPT=UTF-8;caf\xc3\xa9@x", "a@b", "a@b", "UTF-8", "caf\xc3\xa9@x", 0 },
	{ "TO:<a@b> ORCPT=utf-8;a\\x{2B}b@x", "a@b", "a@b", "utf-8", "a+b@x", 0 },
	{ "TO:<a@b> ORCPT=x400;abc", "a@b", "a@b", "x400", NULL, 0 },
	{ "TO:<a@b> ORCPT=rfc822;not+20an+20address", "a@b", "a@b", "rfc822", NULL, 0 },
	{ "TO:<a@b> ORCPT=rfc822;+0Aevil@x", "a@b", "a@b", "rfc822", NULL, 0 },
	{ "TO:<a@b> ORCPT=rfc822;<a@b>", "a@b", "a@b", "rfc822", NULL, 0 },
};

START_TEST(test_rcpt)
{
	struct lmtp_rcpt r;
	struct lmtp_err err;
	int rc = lmtp_parse_rcpt(rcpt_cases[_i].arg, strlen(rcpt_cases[_i].arg),
	    &r, &err);

	ck_assert_msg(rc == 0, "%s: %d %s %s", rcpt_cases[_i].arg, err.code,
	    err.dsn, err.text);
	ck_assert_str_eq(r.addr, rcpt_cases[_i].addr);
	ck_assert_str_eq(r.given, rcpt_cases[_i].given);
	if (rcpt_cases[_i].orcpt_type)
		ck_assert_str_eq(r.orcpt_type, rcpt_cases[_i].orcpt_type);
	else
		ck_assert_ptr_null(r.orcpt_type);
	if (rcpt_cases[_i].orcpt)
		ck_assert_str_eq(r.orcpt, rcpt_cases[_i].orcpt);
	else
		ck_assert_ptr_null(r.orcpt);
	ck_assert_int_eq(r.notify, rcpt_cases[_i].notify);
	lmtp_rcpt_fini(&r);
}
END_TEST

/* RCPT arguments that are refused, and the reply */
static const struct {
	const char *arg;
	int code;
	const char *dsn;
} rcpt_err_cases[] = {
	{ "TO:<>", 501, "5.1.3" },
	{ "TO:<a@b", 501, "5.1.3" },
	{ "TO:<a@b>>", 501, "5.1.3" },
	{ "TO:<a@b>\x80", 501, "5.1.3" },
	{ "TO:a@b", 501, "5.5.4" },
	{ "TO:", 501, "5.5.4" },
	{ "FROM:<a@b>", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY=NEVER,SUCCESS", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY=", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY=SUCCESS,", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY=BOGUS", 501, "5.5.4" },
	{ "TO:<a@b> NOTIFY=DELAY NOTIFY=DELAY", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=rfc822", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=rfc822;", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=;a@b", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=rfc822;a+2", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=rfc822;a+GG@x", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=utf-8;a\\x{0}@x", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=utf-8;a+b@x", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=utf-8;a\\x41@x", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=utf-8;\xc3", 501, "5.5.4" },
	{ "TO:<a@b> ORCPT=rfc822;a@b ORCPT=rfc822;c@d", 501, "5.5.4" },
	{ "TO:<a@b> SIZE=1", 555, "5.5.4" },
	{ "TO:<a@b> BODY=8BITMIME", 555, "5.5.4" },
};

START_TEST(test_rcpt_err)
{
	struct lmtp_rcpt r;
	struct lmtp_err err;
	int rc = lmtp_parse_rcpt(rcpt_err_cases[_i].arg,
	    strlen(rcpt_err_cases[_i].arg), &r, &err);

	ck_assert_msg(rc == -1, "%s accepted", rcpt_err_cases[_i].arg);
	ck_assert_int_eq(err.code, rcpt_err_cases[_i].code);
	ck_assert_str_eq(err.dsn, rcpt_err_cases[_i].dsn);
	ck_assert_ptr_null(r.addr);
	ck_assert_ptr_null(r.orcpt_type);
	ck_assert_ptr_null(r.orcpt);
}
END_TEST

/* ---- xtext ------------------------------------------------------------- */

static const struct {
	const char *in;
	int rc;
	const char *out;
} xtext_cases[] = {
	{ "", 0, "" },
	{ "abc", 0, "abc" },
	{ "a+2Bb", 0, "a+b" },
	{ "+41+42", 0, "AB" },
	{ "a+2bb", 0, "a+b" },	/* lower-case hex is accepted when reading */
	{ "+3D", 0, "=" },
	{ "!~;", 0, "!~;" },
	{ "a+", -1, NULL },
	{ "a+4", -1, NULL },
	{ "a+4G", -1, NULL },
	{ "a=b", -1, NULL },
	{ "a b", -1, NULL },
	{ "\x80", -1, NULL },
	{ "\x7f", -1, NULL },
};

START_TEST(test_xtext)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = lmtp_xtext_decode(xtext_cases[_i].in, strlen(xtext_cases[_i].in),
	    &b);
	ck_assert_int_eq(rc, xtext_cases[_i].rc);
	if (rc == 0)
		ck_assert_str_eq(b.data, xtext_cases[_i].out);
	buf_fini(&b);
}
END_TEST

START_TEST(test_xtext_nul)
{
	struct buf b;

	buf_init(&b);
	ck_assert_int_eq(lmtp_xtext_decode("a+00b", 5, &b), 0);
	ck_assert_int_eq((int)b.len, 3);
	ck_assert(memcmp(b.data, "a\0b", 3) == 0);
	buf_reset(&b);
	ck_assert_int_eq(lmtp_xtext_decode("a\0b", 3, &b), -1);
	buf_fini(&b);
}
END_TEST

static const struct {
	const char *in;
	int rc;
	const char *out;
} uxtext_cases[] = {
	{ "", 0, "" },
	{ "abc;x@y", 0, "abc;x@y" },
	{ "a\\x{41}", 0, "aA" },
	{ "\\x{e9}", 0, "\xc3\xa9" },
	{ "\\x{20AC}", 0, "\xe2\x82\xac" },
	{ "\\x{1F600}", 0, "\xf0\x9f\x98\x80" },
	{ "\\x{10FFFF}", 0, "\xf4\x8f\xbf\xbf" },
	{ "\xc3\xa9", 0, "\xc3\xa9" },
	{ "\\x{}", -1, NULL },
	{ "\\x{0}", -1, NULL },
	{ "\\x{110000}", -1, NULL },
	{ "\\x{D800}", -1, NULL },
	{ "\\x{0000041}", -1, NULL },
	{ "\\x{41", -1, NULL },
	{ "\\x41", -1, NULL },
	{ "\\y{41}", -1, NULL },
	{ "\\", -1, NULL },
	{ "a+b", -1, NULL },
	{ "a=b", -1, NULL },
	{ "a b", -1, NULL },
	{ "\xc3", -1, NULL },
	{ "\xc3(", -1, NULL },
	{ "\xe0\x80\x80", -1, NULL },
	{ "\xed\xa0\x80", -1, NULL },
	{ "\xf5\x80\x80\x80", -1, NULL },
	{ "\xc0\xaf", -1, NULL },
};

START_TEST(test_uxtext)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = lmtp_uxtext_decode(uxtext_cases[_i].in,
	    strlen(uxtext_cases[_i].in), &b);
	ck_assert_msg(rc == uxtext_cases[_i].rc, "%s", uxtext_cases[_i].in);
	if (rc == 0)
		ck_assert_str_eq(b.data, uxtext_cases[_i].out);
	buf_fini(&b);
}
END_TEST

/* ---- paths and mailboxes ----------------------------------------------- */

START_TEST(test_paths)
{
	struct buf in, given;
	size_t used = 0;

	buf_init(&in);
	buf_init(&given);
	ck_assert_int_eq(lmtp_parse_path("<a@b> rest", 10, false, &used, &in,
	    &given), 0);
	ck_assert_int_eq((int)used, 5);
	ck_assert_str_eq(in.data, "a@b");
	ck_assert_int_eq(lmtp_parse_path("<>", 2, false, &used, &in, &given),
	    -1);
	ck_assert_int_eq(lmtp_parse_path("<>", 2, true, &used, &in, &given), 0);
	ck_assert_str_eq(in.data, "");
	ck_assert_str_eq(given.data, "");
	ck_assert_int_eq(lmtp_parse_path("<", 1, true, &used, &in, &given), -1);
	ck_assert_int_eq(lmtp_parse_path("", 0, true, &used, &in, &given), -1);
	ck_assert_int_eq(lmtp_parse_path("<\"a\\", 4, true, &used, &in,
	    &given), -1);
	ck_assert_int_eq(lmtp_parse_path("<@a,@b:\"x y\"@[1.2.3.4]>", 23, false,
	    &used, &in, NULL), 0);
	ck_assert_str_eq(in.data, "x y@[1.2.3.4]");
	ck_assert_int_eq(lmtp_parse_mailbox("a@b", 3, &in), 0);
	ck_assert_int_eq(lmtp_parse_mailbox("a@b ", 4, &in), -1);
	ck_assert_int_eq(lmtp_parse_mailbox("", 0, &in), -1);
	ck_assert_int_eq(lmtp_parse_mailbox("\"\"", 2, &in), 0);
	ck_assert_str_eq(in.data, "");
	buf_fini(&in);
	buf_fini(&given);
}
END_TEST

/* ---- sessions ---------------------------------------------------------- */

static struct vd_config test_cfg;

/* test_cfg_init - what the sessions need, without the config reader */
static void
test_cfg_init(unsigned timeout, int error_limit, int rcpt_limit)
{
	memset(&test_cfg, 0, sizeof(test_cfg));
	test_cfg.virtual_mailbox_base = (char *)"/nonexistent";
	test_cfg.virtual_mailbox_maps = (char *)"fail:test";
	test_cfg.virtual_uid_maps = (char *)"static:1000";
	test_cfg.virtual_gid_maps = (char *)"static:1000";
	test_cfg.virtual_minimum_uid = 100;
	test_cfg.virtual_mailbox_limit = 51200000;
	test_cfg.myhostname = (char *)"mx.example.com";
	test_cfg.recipient_delimiter = (char *)"";
	test_cfg.double_bounce_sender = (char *)"double-bounce";
	test_cfg.vdeliver_lmtp_process_limit = 2;
	test_cfg.vdeliver_lmtp_recipient_limit = rcpt_limit;
	test_cfg.vdeliver_lmtp_timeout = timeout;
	test_cfg.vdeliver_lmtp_error_limit = error_limit;
	test_cfg.vdeliver_lmtp_line_length_limit = 4096;
	test_cfg.vdeliver_lmtp_message_size_limit = 51200000;
	test_cfg.vdeliver_lmtp_dsn = true;
}

static void
test_log_hook(int prio, const char *text)
{
	(void)prio;
	(void)text;
}

/*
 * test_session - run a session on input; the whole output comes back
 * (caller frees).  With close_input, the client closes its sending side
 * after the input (as a pipelining client that waits).  Without
 * code_r, the session must exit 0.
 */
static char *
test_session(const char *input, size_t len, bool close_input, int *code_r)
{
	struct buf out;
	char chunk[4096];
	int sv[2], status;
	pid_t pid;
	ssize_t n;
	size_t off = 0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void)close(sv[0]);
		log_set_hook(test_log_hook);
		/* exit(), not _exit(): the sanitizers check for leaks */
		exit(lmtp_serve(&test_cfg, sv[1], sv[1]));
	}
	(void)close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		n = write(sv[0], input + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (close_input)
		(void)shutdown(sv[0], SHUT_WR);
	buf_init(&out);
	while ((n = read(sv[0], chunk, sizeof(chunk))) > 0)
		buf_append(&out, chunk, (size_t)n);
	(void)close(sv[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* a crash, or a leak under the sanitizers, is a failed test */
	if (code_r)
		*code_r = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	else
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "session exit status %d", status);
	return buf_steal(&out);
}

#define GREETING "220 mx.example.com LMTP vdeliver ready\r\n"
#define LHLO_REPLY "250-mx.example.com\r\n250-PIPELINING\r\n" \
	"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE 51200000\r\n" \
	"250-SMTPUTF8\r\n250 DSN\r\n"

static const struct {
	const char *name;
	const char *in;
	const char *want;
} session_cases[] = {
	{ "lhlo and quit", "LHLO client.example\r\nQUIT\r\n",
	    GREETING LHLO_REPLY "221 2.0.0 Bye\r\n" },
	{ "bare LF line ends", "LHLO c\nNOOP\nQUIT\n",
	    GREETING LHLO_REPLY "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n" },
	{ "helo and ehlo refused", "HELO c\r\nEHLO c\r\nQUIT\r\n",
	    GREETING "500 5.5.1 Error: this is LMTP, send LHLO (RFC 2033)\r\n"
	    "500 5.5.1 Error: this is LMTP, send LHLO (RFC 2033)\r\n"
	    "221 2.0.0 Bye\r\n" },
	{ "lhlo needs a name", "LHLO\r\nQUIT\r\n",
	    GREETING "501 5.5.4 Syntax: LHLO hostname\r\n221 2.0.0 Bye\r\n" },
	{ "mail before lhlo", "MAIL FROM:<a@b>\r\nQUIT\r\n",
	    GREETING "503 5.5.1 Error: send LHLO first\r\n221 2.0.0 Bye\r\n" },
	{ "order", "LHLO c\r\nRCPT TO:<a@b>\r\nDATA\r\nMAIL FROM:<a@b>\r\n"
	    "MAIL FROM:<a@b>\r\nDATA\r\nRSET\r\nDATA\r\nQUIT\r\n",
	    GREETING LHLO_REPLY "503 5.5.1 Error: need MAIL command\r\n"
	    "503 5.5.1 Error: need RCPT command\r\n250 2.1.0 Ok\r\n"
	    "503 5.5.1 Error: nested MAIL command\r\n"
	    "503 5.5.1 Error: no valid recipients\r\n250 2.0.0 Ok\r\n"
	    "503 5.5.1 Error: need RCPT command\r\n221 2.0.0 Bye\r\n" },
	{ "size over the limit", "LHLO c\r\nMAIL FROM:<a@b> SIZE=51200001\r\n"
	    "MAIL FROM:<a@b> SIZE=51200000\r\nQUIT\r\n",
	    GREETING LHLO_REPLY "552 5.3.4 Message size exceeds fixed limit "
	    "of 51200000 bytes\r\n250 2.1.0 Ok\r\n221 2.0.0 Bye\r\n" },
	{ "parameters", "LHLO c\r\nMAIL FROM:<a@b> FOO=1\r\n"
	    "MAIL FROM:<a@b SIZE=1\r\nMAIL FROM:<> BODY=8BITMIME SMTPUTF8 "
	    "RET=HDRS ENVID=x+2By\r\nRCPT TO:<>\r\nRCPT TO:<a@b> BAR\r\n"
	    "QUIT\r\n",
	    GREETING LHLO_REPLY "555 5.5.4 Unsupported option: FOO\r\n"
	    "501 5.1.7 Bad sender address syntax\r\n250 2.1.0 Ok\r\n"
	    "501 5.1.3 Bad recipient address syntax\r\n"
	    "555 5.5.4 Unsupported option: BAR\r\n221 2.0.0 Bye\r\n" },
	{ "misc commands", "NOOP\r\nVRFY bob\r\nVRFY\r\nRSET x\r\nEXPN x\r\n"
	    "FOO\r\n\r\nDATA x\r\nQUIT\r\n",
	    GREETING "250 2.0.0 Ok\r\n"
	    "252 2.0.0 Cannot VRFY; send RCPT TO to find out\r\n"
	    "501 5.5.4 Syntax: VRFY address\r\n501 5.5.4 Syntax: RSET\r\n"
	    "502 5.5.1 Error: command not implemented\r\n"
	    "500 5.5.1 Error: command not recognized\r\n"
	    "500 5.5.2 Error: bad syntax\r\n501 5.5.4 Syntax: DATA\r\n"
	    "221 2.0.0 Bye\r\n" },
	{ "nul byte", "NO\0OP\r\nQUIT\r\n",
	    GREETING "500 5.5.2 Error: NUL character in command\r\n"
	    "221 2.0.0 Bye\r\n" },
	{ "disconnect without quit", "LHLO c\r\nMAIL FROM:<a@b>\r\n",
	    GREETING LHLO_REPLY "250 2.1.0 Ok\r\n" },
	{ "commands after quit are not read", "QUIT\r\nNOOP\r\n",
	    GREETING "221 2.0.0 Bye\r\n" },
};

START_TEST(test_session_table)
{
	const char *in = session_cases[_i].in;
	size_t len = strlen(in);
	char *out;

	/* the NUL case: its input is written with the NUL */
	if (strcmp(session_cases[_i].name, "nul byte") == 0)
		len = 13;
	test_cfg_init(5, 20, 1000);
	out = test_session(in, len, true, NULL);
	ck_assert_msg(strcmp(out, session_cases[_i].want) == 0,
	    "%s: got\n%s", session_cases[_i].name, out);
	free(out);
}
END_TEST

/* RCPT against a table that fails: 451 4.3.5, with the address */
START_TEST(test_session_rcpt_defer)
{
	static const char in[] = "LHLO c\r\nMAIL FROM:<a@b>\r\n"
	    "RCPT TO:<\"odd user\"@x.org>\r\nDATA\r\nQUIT\r\n";
	char *out, *p;

	test_cfg_init(5, 20, 1000);
	out = test_session(in, sizeof(in) - 1, true, NULL);
	p = strstr(out, "250 2.1.0 Ok\r\n");
	ck_assert_ptr_nonnull(p);
	p += strlen("250 2.1.0 Ok\r\n");
	ck_assert_msg(strncmp(p, "451 4.3.5 <\"odd user\"@x.org>: ",
	    strlen("451 4.3.5 <\"odd user\"@x.org>: ")) == 0, "got %s", p);
	ck_assert_ptr_nonnull(strstr(p, "\r\n503 5.5.1 Error: no valid "
	    "recipients\r\n221 2.0.0 Bye\r\n"));
	free(out);
}
END_TEST

/* a command line over the limit: 500 5.5.2, the rest of it dropped */
START_TEST(test_session_long_line)
{
	size_t big = 1024 * 1024, i;
	char *in = xmalloc(big + 64), *out;
	size_t n = 0;

	memcpy(in, "NOOP ", 5);
	n = 5;
	for (i = 0; i < big; i++)
		in[n++] = 'x';
	memcpy(in + n, "\r\nNOOP\r\nQUIT\r\n", 14);
	n += 14;
	test_cfg_init(5, 20, 1000);
	out = test_session(in, n, true, NULL);
	ck_assert_str_eq(out, GREETING "500 5.5.2 Error: line too long\r\n"
	    "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
	free(out);
	free(in);
}
END_TEST

START_TEST(test_session_error_limit)
{
	static const char in[] = "FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n";
	char *out;

	test_cfg_init(5, 3, 1000);
	out = test_session(in, sizeof(in) - 1, true, NULL);
	ck_assert_str_eq(out, GREETING
	    "500 5.5.1 Error: command not recognized\r\n"
	    "500 5.5.1 Error: command not recognized\r\n"
	    "500 5.5.1 Error: command not recognized\r\n"
	    "421 4.7.0 mx.example.com Error: too many errors\r\n");
	free(out);
}
END_TEST

/* the client sends nothing more and does not close: 421 after 1 s */
START_TEST(test_session_timeout)
{
	static const char in[] = "LHLO c\r\n";
	char *out;

	test_cfg_init(1, 20, 1000);
	out = test_session(in, sizeof(in) - 1, false, NULL);
	ck_assert_str_eq(out, GREETING LHLO_REPLY
	    "421 4.4.2 mx.example.com Error: timeout exceeded\r\n");
	free(out);
}
END_TEST

/* the tables cannot be opened: 421 instead of the greeting */
START_TEST(test_session_no_base)
{
	char *out;
	int code;

	test_cfg_init(5, 20, 1000);
	test_cfg.virtual_mailbox_base = (char *)"relative/path";
	out = test_session("LHLO c\r\n", 8, true, &code);
	ck_assert_msg(strncmp(out, "421 4.3.5 mx.example.com mail system "
	    "configuration error", strlen("421 4.3.5 mx.example.com mail "
	    "system configuration error")) == 0, "got %s", out);
	ck_assert_int_eq(code, 75);
	free(out);
}
END_TEST

static Suite *
lmtp_suite(void)
{
	Suite *s = suite_create("lmtp");
	TCase *tc = tcase_create("parser");
	TCase *ts = tcase_create("session");

	tcase_add_loop_test(tc, test_command, 0,
	    sizeof(cmd_cases) / sizeof(cmd_cases[0]));
	tcase_add_loop_test(tc, test_mail, 0,
	    sizeof(mail_cases) / sizeof(mail_cases[0]));
	tcase_add_loop_test(tc, test_mail_err, 0,
	    sizeof(mail_err_cases) / sizeof(mail_err_cases[0]));
	tcase_add_test(tc, test_mail_texts);
	tcase_add_loop_test(tc, test_rcpt, 0,
	    sizeof(rcpt_cases) / sizeof(rcpt_cases[0]));
	tcase_add_loop_test(tc, test_rcpt_err, 0,
	    sizeof(rcpt_err_cases) / sizeof(rcpt_err_cases[0]));
	tcase_add_loop_test(tc, test_xtext, 0,
	    sizeof(xtext_cases) / sizeof(xtext_cases[0]));
	tcase_add_test(tc, test_xtext_nul);
	tcase_add_loop_test(tc, test_uxtext, 0,
	    sizeof(uxtext_cases) / sizeof(uxtext_cases[0]));
	tcase_add_test(tc, test_paths);
	suite_add_tcase(s, tc);
	tcase_set_timeout(ts, 20);
	tcase_add_loop_test(ts, test_session_table, 0,
	    sizeof(session_cases) / sizeof(session_cases[0]));
	tcase_add_test(ts, test_session_rcpt_defer);
	tcase_add_test(ts, test_session_long_line);
	tcase_add_test(ts, test_session_error_limit);
	tcase_add_test(ts, test_session_timeout);
	tcase_add_test(ts, test_session_no_base);
	suite_add_tcase(s, ts);
	return s;
}

TEST_MAIN(lmtp_suite)
