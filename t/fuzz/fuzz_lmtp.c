/* SPDX-License-Identifier: MIT */
/*
 * fuzz_lmtp - the LMTP command parser (src/lmtp_proto.h)
 *
 * DESCRIPTION
 *	Input: one or more command lines separated by LF (a CR before the
 *	LF is dropped, as the server does).  Each line goes through
 *	lmtp_parse_command(); MAIL and RCPT arguments through
 *	lmtp_parse_mail()/lmtp_parse_rcpt(); the line (and its argument)
 *	also through the path, mailbox, xtext and unitext decoders.  The
 *	checks: a NUL anywhere is a 500 5.5.2; an error reply has a 5xx code
 *	and a one-line text; a parsed argument lies inside the line; parsed
 *	addresses contain no NUL, CR or LF (they end up in headers and the
 *	From_ line).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lmtp_proto.h"
#include "fuzz.h"

/* fuzz_lmtp_err - the shape of an error reply */
static void
fuzz_lmtp_err(const struct lmtp_err *e)
{
	fuzz_check(e->code >= 500 && e->code <= 599);
	fuzz_check(e->dsn[0] == '5' && memchr(e->dsn, 0, sizeof(e->dsn)));
	fuzz_check(memchr(e->text, 0, sizeof(e->text)) != NULL);
	fuzz_check(strchr(e->text, '\n') == NULL && strchr(e->text, '\r') == NULL);
}

/* fuzz_lmtp_addr - an address that reaches headers is one clean line */
static void
fuzz_lmtp_addr(const char *a)
{
	if (a == NULL)
		return;
	fuzz_check(strchr(a, '\n') == NULL && strchr(a, '\r') == NULL);
}

/* fuzz_lmtp_line - everything that can be asked of one line */
static void
fuzz_lmtp_line(const char *line, size_t len)
{
	struct lmtp_cmd cmd;
	struct lmtp_err err;
	struct lmtp_mail m;
	struct lmtp_rcpt r;
	struct buf a, b;
	size_t used;

	memset(&err, 0, sizeof(err));
	if (lmtp_parse_command(line, len, &cmd, &err) < 0) {
		fuzz_lmtp_err(&err);
		fuzz_check(memchr(line, 0, len) != NULL);
		fuzz_check(err.code == 500 && strcmp(err.dsn, "5.5.2") == 0);
		return;
	}
	fuzz_check(memchr(line, 0, len) == NULL);
	if (cmd.arg_len > 0)
		fuzz_check(cmd.arg >= line && cmd.arg + cmd.arg_len <= line + len);
	if (cmd.verb == LMTP_VERB_MAIL) {
		lmtp_mail_init(&m);
		memset(&err, 0, sizeof(err));
		if (lmtp_parse_mail(cmd.arg, cmd.arg_len, &m, &err) < 0)
			fuzz_lmtp_err(&err);
		else
			fuzz_lmtp_addr(m.sender);
		lmtp_mail_fini(&m);
	}
	if (cmd.verb == LMTP_VERB_RCPT) {
		lmtp_rcpt_init(&r);
		memset(&err, 0, sizeof(err));
		if (lmtp_parse_rcpt(cmd.arg, cmd.arg_len, &r, &err) < 0) {
			fuzz_lmtp_err(&err);
		} else {
			fuzz_check(r.addr != NULL);
			fuzz_lmtp_addr(r.addr);
			fuzz_lmtp_addr(r.orcpt);
		}
		lmtp_rcpt_fini(&r);
	}
	/* the decoders on their own, over the raw line */
	buf_init(&a);
	buf_init(&b);
	if (lmtp_parse_path(line, len, true, &used, &a, &b) == 0)
		fuzz_check(used <= len);
	buf_reset(&a);
	(void)lmtp_parse_mailbox(line, len, &a);
	buf_reset(&a);
	(void)lmtp_xtext_decode(line, len, &a);
	buf_reset(&a);
	(void)lmtp_uxtext_decode(line, len, &a);
	buf_fini(&a);
	buf_fini(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	char *line;
	size_t len;

	fuzz_setup();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		/* an exact-size copy, so a read past the line is caught */
		line = malloc(len ? len : 1);
		if (line == NULL)
			abort();
		memcpy(line, p, len);
		fuzz_lmtp_line(line, len);
		free(line);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
