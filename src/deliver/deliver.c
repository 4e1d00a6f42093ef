/* SPDX-License-Identifier: MIT */
/*
 * deliver - choose mbox or maildir by the trailing '/'
 *
 * DESCRIPTION
 *	See deliver.h.  Two things are settled here for both kinds of
 *	mailbox:
 *
 *	- SIGXFSZ is ignored while the mailbox is written, so that a file
 *	  size limit inherited from the caller (pipe(8) children get
 *	  Postfix's) gives EFBIG, a 5.2.2 bounce with the file truncated
 *	  back, rather than a signal that kills the process halfway through
 *	  a write and leaves a partial message behind;
 *	- an envelope address that contains a line break is refused (5.1.7
 *	  sender, 5.1.3 recipient): written verbatim it would forge header
 *	  lines or, in an mbox, a message boundary.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"
#include "deliver/deliver.h"
#include "deliver/maildir.h"
#include "deliver/mbox.h"

/* deliver_has_break - s contains CR or LF */
static bool
deliver_has_break(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* deliver - refuse broken envelopes, then mbox or maildir */
int
deliver(const struct deliver_request *req, struct vd_status *st)
{
	struct sigaction ign, old;
	size_t len;
	bool restore;
	int ret;

	vd_status_clear(st);
	if (req->path == NULL || (len = strlen(req->path)) == 0
	    || req->msg == NULL) {
		log_warn("deliver: no mailbox path or no message");
		return vd_status_set(st, "4.3.5",
		    "mail system configuration error");
	}
	if (deliver_has_break(req->sender))
		return vd_status_set(st, "5.1.7",
		    "sender address contains a line break");
	if (deliver_has_break(req->rcpt) || deliver_has_break(req->orig_rcpt))
		return vd_status_set(st, "5.1.3",
		    "recipient address contains a line break");

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	restore = sigaction(SIGXFSZ, &ign, &old) == 0;
	if (req->path[len - 1] == '/')
		ret = maildir_deliver(req, st);
	else
		ret = mbox_deliver(req, st);
	if (restore)
		(void)sigaction(SIGXFSZ, &old, NULL);
	return ret;
}
