/* SPDX-License-Identifier: MIT */
/*
 * lmtp_proto - LMTP command and parameter parser (pure functions)
 *
 * DESCRIPTION
 *	Everything the LMTP server needs to understand a command line, with
 *	no I/O, no configuration and no global state, so that a libFuzzer
 *	target can call each function on arbitrary bytes.  Inputs are
 *	(pointer, length) pairs and may contain any byte, NUL included;
 *	nothing here reads past len.
 *
 *	lmtp_parse_command() splits a line (without its CRLF) into a verb
 *	(case-insensitive) and its argument.  lmtp_parse_mail() and
 *	lmtp_parse_rcpt() parse what follows "MAIL" and "RCPT":
 *	"FROM:<path> [params]" and "TO:<path> [params]" (white space after
 *	the colon is tolerated, as Postfix's smtpd does; the angle brackets
 *	are required).  A path is RFC 5321 syntax: a dot-string or a quoted
 *	local part, "@", a domain or an address literal; a source route
 *	("<@a,@b:user@d>") is accepted and dropped; 8-bit bytes are accepted
 *	(SMTPUTF8).  Addresses come out in Postfix's internal form: the
 *	local part unquoted ("odd user@x" for <"odd user"@x>).
 *
 *	Parameters (keywords case-insensitive, each at most once):
 *	MAIL: SIZE=n (RFC 1870), BODY=7BIT|8BITMIME (RFC 1652), SMTPUTF8
 *	(RFC 6531), RET=FULL|HDRS and ENVID=xtext (RFC 3461).
 *	RCPT: NOTIFY=NEVER|SUCCESS,FAILURE,DELAY and ORCPT=type;value
 *	(RFC 3461): type rfc822 is xtext ("+HH"), type utf-8 is RFC 6533
 *	text with "\x{HEX}" escapes.  The decoded ORCPT address is parsed
 *	like a path without brackets; when that fails (or the type is
 *	another one) the RCPT is still accepted and orcpt stays NULL.
 *
 *	Errors come back as a ready reply: code, enhanced code and text.
 *	501 5.5.4 command syntax or a bad parameter value, 501 5.1.7 bad
 *	sender address, 501 5.1.3 bad recipient address, 555 5.5.4 an
 *	unknown parameter, 500 5.5.2 a NUL byte in the line.
 */
#ifndef VD_SRC_LMTP_PROTO_H
#define VD_SRC_LMTP_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum lmtp_verb {
	LMTP_VERB_EMPTY,	/* nothing but white space */
	LMTP_VERB_UNKNOWN,	/* not a command at all */
	LMTP_VERB_NOTIMPL,	/* an SMTP command this server does not do */
	LMTP_VERB_LHLO,
	LMTP_VERB_HELO,
	LMTP_VERB_EHLO,
	LMTP_VERB_MAIL,
	LMTP_VERB_RCPT,
	LMTP_VERB_DATA,
	LMTP_VERB_RSET,
	LMTP_VERB_NOOP,
	LMTP_VERB_QUIT,
	LMTP_VERB_VRFY,
};

struct lmtp_cmd {
	enum lmtp_verb verb;
	const char *name;	/* "MAIL" (static), or NULL when unknown */
	const char *arg;	/* borrowed from the line; trimmed */
	size_t arg_len;		/* 0: no argument */
};

/* A reply for a line that could not be used. */
struct lmtp_err {
	int code;		/* 500, 501, 555 */
	char dsn[8];		/* "5.5.4" */
	char text[160];		/* one line, no CRLF */
};

/* MAIL parameters */
#define LMTP_BODY_NONE 0
#define LMTP_BODY_7BIT 1
#define LMTP_BODY_8BITMIME 2
#define LMTP_RET_NONE 0
#define LMTP_RET_FULL 1
#define LMTP_RET_HDRS 2
/* RCPT NOTIFY= bits */
#define LMTP_NOTIFY_NEVER 0x1
#define LMTP_NOTIFY_SUCCESS 0x2
#define LMTP_NOTIFY_FAILURE 0x4
#define LMTP_NOTIFY_DELAY 0x8

/* RFC 3461 limits on the parameter values (before decoding) */
#define LMTP_ENVID_MAX 100
#define LMTP_ORCPT_MAX 500

struct lmtp_mail {
	char *sender;		/* internal form, "" = null sender; owned */
	bool has_size;
	unsigned long long size;	/* SIZE=; saturates at ULLONG_MAX */
	int body;		/* LMTP_BODY_* */
	bool smtputf8;
	int ret;		/* LMTP_RET_* */
	char *envid;		/* decoded ENVID, or NULL; owned */
};

struct lmtp_rcpt {
	char *addr;		/* internal form (resolution, Delivered-To); owned */
	char *given;		/* the path as sent, without <> and route; owned */
	char *orcpt_type;	/* "rfc822", as sent; NULL without ORCPT; owned */
	char *orcpt;		/* decoded original recipient, internal form,
				 * or NULL (absent, other type, not an
				 * address); owned */
	char *orcpt_value;	/* the decoded ORCPT value as sent, any type
				 * (for a DSN's Original-Recipient); NULL
				 * without ORCPT; owned */
	int notify;		/* LMTP_NOTIFY_* bits, 0 when not given */
};

/*
 * lmtp_parse_command - verb and argument of one line (len bytes, line
 * end removed).  Leading and trailing blanks are ignored.  Returns 0, or
 * -1 with err for a NUL byte anywhere (500 5.5.2).  cmd->arg points
 * into line.
 */
int lmtp_parse_command(const char *line, size_t len, struct lmtp_cmd *cmd,
    struct lmtp_err *err);

/* lmtp_mail_init/fini - empty, then free what a parse filled in */
void lmtp_mail_init(struct lmtp_mail *m);
void lmtp_mail_fini(struct lmtp_mail *m);
/*
 * lmtp_parse_mail - the argument of MAIL ("FROM:<s> params").  Returns 0
 * with m filled in, or -1 with err (m is then left empty).
 */
int lmtp_parse_mail(const char *arg, size_t len, struct lmtp_mail *m,
    struct lmtp_err *err);

void lmtp_rcpt_init(struct lmtp_rcpt *r);
void lmtp_rcpt_fini(struct lmtp_rcpt *r);
/* lmtp_parse_rcpt - the argument of RCPT ("TO:<r> params"); as above */
int lmtp_parse_rcpt(const char *arg, size_t len, struct lmtp_rcpt *r,
    struct lmtp_err *err);

/*
 * lmtp_parse_path - a path "<...>" at the start of s.  *used_r is the
 * number of bytes consumed.  internal gets the address in internal form,
 * given (may be NULL) the text between the brackets without a source
 * route.  "<>" is accepted only with allow_null (internal and given "").
 * Returns 0, or -1 (the bufs then hold junk).
 */
int lmtp_parse_path(const char *s, size_t len, bool allow_null,
    size_t *used_r, struct buf *internal, struct buf *given);

/*
 * lmtp_parse_mailbox - the whole of s is "local@domain" (no brackets, no
 * route); a domain is optional ("postmaster").  internal gets the
 * internal form.  Returns 0, or -1.
 */
int lmtp_parse_mailbox(const char *s, size_t len, struct buf *internal);

/*
 * lmtp_xtext_decode - RFC 3461 xtext: printable ASCII except "+" and "=",
 * and "+HH" (two hex digits) for any byte.  Appends the bytes to out.
 * Returns 0, or -1 for bad xtext (out then holds junk).
 */
int lmtp_xtext_decode(const char *s, size_t len, struct buf *out);

/*
 * lmtp_uxtext_decode - RFC 6533 utf-8-addr-unitext: printable ASCII
 * except "+", "=" and "\", UTF-8 sequences, and "\x{HEX}" (1 to 6 hex
 * digits, a Unicode scalar value other than NUL) appended as UTF-8.
 * Returns 0, or -1.
 */
int lmtp_uxtext_decode(const char *s, size_t len, struct buf *out);

#endif
