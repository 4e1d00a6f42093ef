/* SPDX-License-Identifier: MIT */
/*
 * copy - the one copy routine: envelope headers plus the message
 *
 * DESCRIPTION
 *	copy_headers() builds the lines Postfix's mail_copy() puts in front
 *	of a message: for an mbox the From_ line ("From <sender or
 *	MAILER-DAEMON>  <asctime, 24 characters, local time>"), then
 *	Return-Path (<> for the null sender), X-Original-To (only when the
 *	original recipient is not empty) and Delivered-To.  The addresses
 *	are written verbatim (the caller quoted them).
 *
 *	copy_write() writes the headers and the message to a file in large
 *	blocks (writev), straight from the message buffer.  With COPY_MBOX
 *	a line whose first five bytes are "From " gets one '>' (mboxo:
 *	">From " is left alone), and one empty line follows the message.
 *	Either way a missing final newline is supplied.  Short writes and
 *	EINTR are handled; a write error e gives "error writing message:
 *	<strerror>" with mbox_dsn(e), except that unexpected errors (EIO
 *	and the like) defer with 4.3.0 instead of Postfix's 5.3.0 bounce.
 */
#ifndef VD_DELIVER_COPY_H
#define VD_DELIVER_COPY_H

#include <sys/types.h>
#include <sys/uio.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "deliver/deliver.h"
#include "status.h"

#define COPY_MBOX 0x1	/* From_ line, >From quoting, final empty line */

/* The default DSN of a write error (Postfix: 5.3.0; vdeliver defers). */
#define COPY_WRITE_DSN "4.3.0"

/*
 * copy_headers - append the header lines for req to b (caller owns b).
 * now is the time for the From_ line (COPY_MBOX only).
 */
void copy_headers(struct buf *b, const struct deliver_request *req,
    int flags, time_t now);

/* copy_from_date - the 24 characters of asctime(localtime(now)) into out */
void copy_from_date(char out[25], time_t now);

/* copy_size - exact number of bytes copy_write() writes for msg */
off_t copy_size(const struct vd_message *msg, size_t hdr_len, int flags);

/*
 * copy_fits - true when copy_write() would write at most room bytes.
 * Cheap: the exact count (a scan for "\nFrom ") is made only when the
 * upper bound does not already fit.
 */
bool copy_fits(const struct vd_message *msg, size_t hdr_len, int flags,
    off_t room);

/*
 * copy_write - write hdr and msg to fd; 0, or -1 with st ("error writing
 * message: ..."; errno mapped as described above).  What was written
 * before an error stays: the caller truncates.
 */
int copy_write(int fd, const char *hdr, size_t hdr_len,
    const struct vd_message *msg, int flags, struct vd_status *st);

/*
 * copy_writev_all - write all of iov[0..n) (iov is modified); 0, or -1
 * with errno.  Retries on EINTR and after short writes.
 */
int copy_writev_all(int fd, struct iovec *iov, int n);

/* copy_write_status - st for write error e: "error writing message: ..." */
int copy_write_status(struct vd_status *st, int e);

/* Tests: replaces writev(2) when set (short writes, EINTR, errors). */
extern ssize_t (*copy_writev_hook)(int fd, const struct iovec *iov, int n);

#endif
