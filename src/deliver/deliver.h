/* SPDX-License-Identifier: MIT */
/*
 * deliver - write one message into one mailbox (mbox file or maildir)
 *
 * DESCRIPTION
 *	deliver() looks at req->path: a path ending in '/' is a maildir,
 *	anything else an mbox file.  The caller has already resolved the
 *	recipient and switched to its uid/gid (privs.c); this layer knows
 *	nothing about tables or configuration files.
 *
 *	Everything below the mailbox base is opened without following
 *	symbolic links (req->base_len tells where the base ends).  Success
 *	(0, status 2.0.0 "delivered to mailbox|maildir") is returned only
 *	after the data and the directory entry are on disk (fsync).  On
 *	failure (-1) the mailbox is as it was: an mbox is truncated back to
 *	its old length before the lock is released; a maildir gets no file
 *	in new/, and the tmp/ file is removed.  Status codes follow
 *	virtual(8) (REFERENCE.md 1.13), with the prefix "delivery failed
 *	to mailbox <path>: " or "maildir delivery failed: ".
 */
#ifndef VD_DELIVER_DELIVER_H
#define VD_DELIVER_DELIVER_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "status.h"

/* Lock methods, a bitmask (virtual_mailbox_lock). */
#define LOCK_METHOD_FLOCK 0x1
#define LOCK_METHOD_FCNTL 0x2
#define LOCK_METHOD_DOTLOCK 0x4

struct deliver_request {
	const char *path;	/* base + "/" + table result; '/' at end: maildir */
	size_t base_len;	/* strlen(virtual_mailbox_base): not checked for links */
	uid_t uid;		/* recipient; the process already runs as it */
	gid_t gid;
	const char *sender;	/* envelope sender, "" = null sender */
	/* The three addresses are written verbatim: the caller has put them
	 * in their external (RFC 822 quoted) form. */
	const char *orig_rcpt;	/* X-Original-To value, NULL or "" = none */
	const char *rcpt;	/* Delivered-To value */
	const struct vd_message *msg;
	/* mbox */
	int lock_mask;		/* LOCK_METHOD_* */
	int lock_attempts;	/* deliver_lock_attempts */
	unsigned lock_delay_ms;	/* deliver_lock_delay */
	unsigned stale_lock_time;	/* seconds, compared with the lock's ctime */
	bool strict_ownership;	/* strict_mailbox_ownership */
	off_t size_limit;	/* virtual_mailbox_limit (per file), 0 = none */
	/* maildir */
	bool maildir_size_in_name;	/* append ",S=<size>" to the new/ name */
	const char *hostname;	/* for maildir names; NULL = gethostname() */
};

/* deliver - mbox_deliver() or maildir_deliver(); 0, or -1; st always set */
int deliver(const struct deliver_request *req, struct vd_status *st);

#endif
