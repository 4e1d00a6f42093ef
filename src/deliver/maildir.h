/* SPDX-License-Identifier: MIT */
/*
 * maildir - write one message into a maildir, as virtual(8) does
 *
 * DESCRIPTION
 *	maildir_deliver() writes the envelope headers and the message
 *	(unchanged: no From_ line, no quoting, no trailing blank line) into
 *	tmp/<sec>.P<pid>.<host>, fsyncs it, link()s it into
 *	new/<sec>.V<dev>I<ino>M<usec>.<host>[,S=<size>], fsyncs new/, and
 *	removes the tmp/ name.  Missing directories (the maildir and its
 *	ancestors below the base, tmp/, then cur/ and new/) are created on
 *	ENOENT, mode 0700, as the recipient.  No name is ever reused: an
 *	existing tmp/ or new/ name gets a counter item (Q<n>) instead.
 *
 *	The host part is req->hostname or gethostname(), with '/' written
 *	as "\057" and ':' as "\072" (the maildir specification; Postfix
 *	writes it raw, and a '/' there would name another directory).
 *
 *	Returns 0 with 2.0.0 "delivered to maildir", or -1 with st, text
 *	prefixed "maildir delivery failed: ": mbox_dsn(errno, "4.2.0") for
 *	"create maildir file <path>: ...", 5.2.2 for EDQUOT, EFBIG and
 *	virtual_mailbox_limit, 4.3.0 for ENOSPC and other write errors.
 *	On failure nothing is left in new/ and the tmp/ file is removed.
 */
#ifndef VD_DELIVER_MAILDIR_H
#define VD_DELIVER_MAILDIR_H

#include <stddef.h>

#include "buf.h"
#include "deliver/deliver.h"
#include "status.h"

/* maildir_deliver - see above; the process already runs as the recipient */
int maildir_deliver(const struct deliver_request *req, struct vd_status *st);

/* maildir_hostname - append host to b with '/' and ':' escaped */
void maildir_hostname(struct buf *b, const char *host);

#endif
