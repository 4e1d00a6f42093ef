/* SPDX-License-Identifier: MIT */
/*
 * message - the message to deliver, read completely before delivery
 *
 * DESCRIPTION
 *	A message is spooled once (from stdin, or chunk by chunk from the
 *	LMTP DATA phase) into memory, or past a threshold into an unlinked
 *	temporary file that is then mapped, so every delivery sees one
 *	read-only contiguous buffer: data[0..len).  The spooled form has LF
 *	line ends (CRLF becomes LF, a bare CR is kept) and ends with LF
 *	unless it is empty.  No mailbox is touched while spooling, so a
 *	slow writer never holds a mailbox lock.
 */
#ifndef VD_SRC_MESSAGE_H
#define VD_SRC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "status.h"

struct vd_message {
	const char *data;	/* borrowed; valid until message_fini() */
	size_t len;
	/* private */
	struct buf mem;
	int fd;			/* spool file, or -1; read by deliver/copy.c */
	void *map;
	size_t map_len;
	size_t max_size;	/* 0 = no limit */
	bool pending_cr;
	bool too_big;
	bool finished;
};

/* message_init - an empty message that chunks can be added to */
void message_init(struct vd_message *msg, size_t max_size);
/*
 * message_add - append raw bytes; with crlf true, CRLF pairs (also split
 * across calls) become LF.  Returns 0, or -1 with st (4.3.0 spool write
 * error; 5.3.4 "message too large" once max_size is passed: the rest is
 * then read and dropped so the caller can still report it).
 */
int message_add(struct vd_message *msg, const void *p, size_t n, bool crlf,
    struct vd_status *st);
/* message_finish - add the final LF, map the spool; 0 or -1 with st */
int message_finish(struct vd_message *msg, struct vd_status *st);
/* message_spool - init + read fd to EOF with CRLF conversion + finish */
int message_spool(struct vd_message *msg, int fd, size_t max_size,
    struct vd_status *st);
/* message_from_mem - tests: a finished message with these bytes */
int message_from_mem(struct vd_message *msg, const char *p, size_t n,
    struct vd_status *st);
/*
 * message_has_delivered_to - the primary header block has a
 * "Delivered-To:" header whose value (leading white space skipped,
 * ASCII case-folded) equals addr, which the caller gives in external
 * (RFC 822 quoted) form, already folded.  The rules of Postfix's
 * delivered_hdr.c: a header line is "name[ \t]*:" with a name of
 * printable ASCII except ':'; continuation lines are skipped; the scan
 * stops at the first other line; at most 1000 Delivered-To headers
 * are looked at.
 */
bool message_has_delivered_to(const struct vd_message *msg,
    const char *addr);
/* message_fini - release memory, mapping and spool file */
void message_fini(struct vd_message *msg);

#endif
