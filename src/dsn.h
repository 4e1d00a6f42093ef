/* SPDX-License-Identifier: MIT */
/*
 * dsn - "delivered" delivery status notifications (RFC 3461, 3464)
 *
 * DESCRIPTION
 *	A final delivery agent that offers DSN to its client must itself
 *	send the success notices that RCPT ... NOTIFY=SUCCESS asks for
 *	(RFC 3461 section 6.2): Postfix's LMTP client leaves them to a
 *	server that advertises DSN.  dsn_build() writes one notice for one
 *	message and the recipients it lists; dsn_submit() hands it to the
 *	MTA's sendmail command with the null envelope sender.
 *
 *	The notice is RFC 6522 multipart/report; report-type=
 *	delivery-status, shaped like Postfix bounce(8)'s "Successful Mail
 *	Delivery Report": a text/plain part for people, a
 *	message/delivery-status part (Reporting-MTA, Original-Envelope-Id
 *	when ENVID was given, Arrival-Date; per recipient Final-Recipient,
 *	Original-Recipient when ORCPT was given, Action: delivered, Status),
 *	then the original message's header section (text/rfc822-headers),
 *	or the whole message (message/rfc822) with RET=FULL.  With
 *	SMTPUTF8 the RFC 6533 types are used (message/global-delivery-
 *	status, message/global-headers, message/global) and UTF-8 in
 *	values is kept.  The boundary occurs in no part.
 *
 *	Every value that comes from the client (sender, recipients, ENVID,
 *	ORCPT, texts) is written on one line: a byte that is not printable
 *	ASCII (or, with SMTPUTF8, part of valid UTF-8) is written as xtext
 *	"+HH", so a hostile value never starts a header or a MIME part.
 *	Lines end in LF, as sendmail(1) reads them.
 */
#ifndef VD_SRC_DSN_H
#define VD_SRC_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "status.h"

struct dsn_rcpt {
	const char *rcpt;	/* Final-Recipient, internal form */
	const char *orcpt_type;	/* ORCPT's address type, or NULL: none */
	const char *orcpt;	/* ORCPT's decoded value (with orcpt_type) */
	const char *status;	/* "2.0.0" */
	const char *text;	/* "delivered to maildir" */
};

struct dsn_notice {
	const char *hostname;	/* Reporting-MTA, From:, Message-ID */
	const char *queue_id;	/* Message-ID and boundary */
	const char *sender;	/* internal form, not "": the notice's To: */
	const char *envid;	/* decoded ENVID, or NULL */
	bool is_ret_full;	/* RET=FULL: the whole message */
	bool is_smtputf8;	/* MAIL had SMTPUTF8 */
	time_t arrival;		/* Arrival-Date */
	time_t now;		/* Date:, Message-ID, boundary */
	const struct dsn_rcpt *rcpts;	/* borrowed, n_rcpts >= 1 */
	size_t n_rcpts;
	const char *msg;	/* the original message, LF line ends */
	size_t msg_len;
};

/*
 * The notice is head + body + tail: body points into the original
 * message (its header section, or all of it), so a big message is
 * never copied.
 */
struct dsn_text {
	struct buf head;
	const char *body;	/* borrowed from dsn_notice.msg */
	size_t body_len;
	struct buf tail;
};

/* dsn_text_init/fini - an empty notice; free what dsn_build() made */
void dsn_text_init(struct dsn_text *t);
void dsn_text_fini(struct dsn_text *t);

/*
 * dsn_build - the notice for n into t (which must be empty).  The bytes
 * depend on n alone: the Date: and Message-ID come from n->now (local
 * time, as TZ says), the boundary from queue_id, now and hostname.
 */
void dsn_build(const struct dsn_notice *n, struct dsn_text *t);

/*
 * dsn_header_len - the length of msg's header section: its header
 * lines ("name:" with a name of printable ASCII except ':') and their
 * continuation lines, up to the first other line (the empty line is
 * not included).
 */
size_t dsn_header_len(const char *msg, size_t len);

/*
 * dsn_submit - run "sendmail_path -i -f <> -- <sender>" (sender in
 * external, quoted form) with the notice on its standard input, in a
 * process group of its own, with the signal mask and dispositions of
 * a fresh process and nothing open but stdin and stdout/stderr (a pipe
 * whose first bytes go into a failure's text); the environment is
 * inherited.  Waits at most timeout seconds (0: no limit), then kills
 * the group.  sendmail_path must be absolute.  Returns 0 when the
 * command read the notice and exited 0, or -1 with st (4.3.0: cannot
 * run it, killed, timed out, or exit status N, with its output).
 */
int dsn_submit(const char *sendmail_path, const char *sender,
    const struct dsn_text *t, unsigned timeout, struct vd_status *st);

#endif
