/* SPDX-License-Identifier: MIT */
/*
 * mbox - append one message to an mbox file, as virtual(8) does
 *
 * DESCRIPTION
 *	mbox_deliver() locks the mailbox as req->lock_mask says (dotlock
 *	first, then the safe open, then flock and fcntl), checks the link
 *	count again and the owner (strict_mailbox_ownership), appends the
 *	From_ line, the envelope headers and the >From-quoted message
 *	(copy.h), and fsyncs the file (and its directory when the file is
 *	new).  On any failure after the mailbox was opened the file is
 *	truncated back to its old length and fsynced before any lock is
 *	released, and a file this call created is removed again.
 *
 *	Returns 0 with 2.0.0 "delivered to mailbox", or -1 with st, text
 *	prefixed "delivery failed to mailbox <path>: ": 4.2.0 (locks,
 *	open, links, owner), 5.3.5 (not a regular file), 5.2.2 (EDQUOT,
 *	EFBIG, virtual_mailbox_limit), 4.3.0 (ENOSPC and other I/O errors).
 */
#ifndef VD_DELIVER_MBOX_H
#define VD_DELIVER_MBOX_H

#include "deliver/deliver.h"
#include "status.h"

/* mbox_deliver - see above; the process already runs as the recipient */
int mbox_deliver(const struct deliver_request *req, struct vd_status *st);

#endif
