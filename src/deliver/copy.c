/* SPDX-License-Identifier: MIT */
/*
 * copy - envelope headers and message, written in large blocks
 *
 * DESCRIPTION
 *	See copy.h.  The message is one read-only buffer (possibly a
 *	mapped spool file), so unquoted runs go to the kernel straight from
 *	it: the only per-byte work is the scan for "\nFrom " (mbox only, 16
 *	bytes a step with SSE2).  A spooled (large) message is copied from
 *	its spool file by copy_file_range() where the mailbox is not opened
 *	O_APPEND (maildir files), so its bytes never pass through user
 *	space.  The output is described by an iovec array: an ordinary
 *	message is one writev() for headers, body and trailer.  When the
 *	array fills (a message with more than about 500 From_ lines), a
 *	maildir file gets one writev() per COPY_IOV_MAX pieces, and an mbox
 *	append spills the pieces into one buffer, so it is still a single
 *	write: a process killed between two writes cannot leave a torn
 *	message behind it.
 *
 *	The From_ date is formatted here rather than with asctime(): the
 *	same "%.3s %.3s%3d %.2d:%.2d:%.2d %d" layout, without locale or
 *	static buffer.
 *
 * SEE ALSO
 *	Postfix global/mail_copy.c; REFERENCE.md 2.1, 3.1.
 */
#include <sys/types.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deliver/copy.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define COPY_IOV_MAX 1024
#define COPY_RANGE_MIN (64 * 1024)	/* smaller runs go through writev */

ssize_t (*copy_writev_hook)(int fd, const struct iovec *iov, int n);

/* copy_from_date - asctime(localtime(now)) without the newline */
void
copy_from_date(char out[25], time_t now)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char tmp[64];
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	if (tm.tm_wday < 0 || tm.tm_wday > 6)
		tm.tm_wday = 0;
	if (tm.tm_mon < 0 || tm.tm_mon > 11)
		tm.tm_mon = 0;
	snprintf(tmp, sizeof(tmp), "%.3s %.3s%3d %.2d:%.2d:%.2d %d",
	    days + 3 * tm.tm_wday, months + 3 * tm.tm_mon, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	/* 24 characters for years 1000..9999; cut like Postfix's %.24s */
	snprintf(out, 25, "%.24s", tmp);
}

/* copy_headers - the From_ line (mbox) and the three envelope headers */
void
copy_headers(struct buf *b, const struct deliver_request *req, int flags,
    time_t now)
{
	const char *sender = req->sender ? req->sender : "";
	char date[25];

	if (flags & COPY_MBOX) {
		copy_from_date(date, now);
		buf_printf(b, "From %s  %s\n", *sender ? sender : "MAILER-DAEMON",
		    date);
	}
	buf_printf(b, "Return-Path: <%s>\n", sender);
	if (req->orig_rcpt && *req->orig_rcpt)
		buf_printf(b, "X-Original-To: %s\n", req->orig_rcpt);
	buf_printf(b, "Delivered-To: %s\n", req->rcpt ? req->rcpt : "");
}

/* copy_starts_from - the line at p (n bytes left) begins with "From " */
static bool
copy_starts_from(const char *p, size_t n)
{
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

/*
 * copy_find_from - the '\n' in [p, end) that is followed by "From ", or
 * NULL.  With SSE2, 16 positions at a time are tested for "\nF" and only
 * those go on to the full compare: no per-line call, so the scan runs at
 * memory speed whatever the line length.  Elsewhere, memchr() per line
 * (faster than memmem() for this needle: SIMD on one byte, one call and
 * one compare per line).
 */
static const char *
copy_find_from(const char *p, const char *end)
{
	const char *q;
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n'), f = _mm_set1_epi8('F');
	unsigned mask;
	int k;

	while (end - p >= 17) {
		mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		    _mm_cmpeq_epi8(_mm_loadu_si128(
			(const __m128i *)(const void *)p), nl),
		    _mm_cmpeq_epi8(_mm_loadu_si128(
			(const __m128i *)(const void *)(p + 1)), f)));
		while (mask != 0) {
			k = __builtin_ctz(mask);
			if (copy_starts_from(p + k + 1, (size_t)(end - p - k - 1)))
				return p + k;
			mask &= mask - 1;
		}
		p += 16;
	}
#endif
	while ((q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (copy_starts_from(q + 1, (size_t)(end - q - 1)))
			return q;
		p = q + 1;
	}
	return NULL;
}

/* copy_count_quotes - number of lines that get a '>' */
static size_t
copy_count_quotes(const char *p, size_t n)
{
	const char *end = p + n, *q;
	size_t count = copy_starts_from(p, n);

	while ((q = copy_find_from(p, end)) != NULL) {
		count++;
		p = q + 6;
	}
	return count;
}

/* copy_fixed - bytes besides the quotes: headers, body, newline, blank */
static off_t
copy_fixed(const struct vd_message *msg, size_t hdr_len, int flags)
{
	off_t n = (off_t)hdr_len + (off_t)msg->len;

	if (msg->len > 0 && msg->data[msg->len - 1] != '\n')
		n++;
	if (flags & COPY_MBOX)
		n++;
	return n;
}

/* copy_size - exact output size for msg */
off_t
copy_size(const struct vd_message *msg, size_t hdr_len, int flags)
{
	off_t n = copy_fixed(msg, hdr_len, flags);

	if (flags & COPY_MBOX)
		n += (off_t)copy_count_quotes(msg->data, msg->len);
	return n;
}

/* copy_fits - does the output fit in room bytes */
bool
copy_fits(const struct vd_message *msg, size_t hdr_len, int flags,
    off_t room)
{
	off_t fixed = copy_fixed(msg, hdr_len, flags);

	if (room < fixed)
		return false;
	if (!(flags & COPY_MBOX))
		return true;
	/* "\nFrom " occurrences cannot overlap: at most len / 6 + 1 */
	if (room - fixed >= (off_t)(msg->len / 6 + 1))
		return true;
	return room - fixed >= (off_t)copy_count_quotes(msg->data, msg->len);
}

/* copy_writev - writev(2), or the test hook */
static ssize_t
copy_writev(int fd, const struct iovec *iov, int n)
{
	if (copy_writev_hook)
		return copy_writev_hook(fd, iov, n);
	return writev(fd, iov, n);
}

/* copy_writev_all - writev() until everything is written */
int
copy_writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;
	size_t left;

	for (;;) {
		/* drop the pieces already written (and empty ones) */
		while (n > 0 && iov->iov_len == 0) {
			iov++;
			n--;
		}
		if (n == 0)
			return 0;
		w = copy_writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			/* no progress on a non-empty request: never loop */
			errno = EIO;
			return -1;
		}
		left = (size_t)w;
		while (n > 0 && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0 && left > 0) {
			iov->iov_base = (char *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
}

/* copy_write_status - the status of a write error */
int
copy_write_status(struct vd_status *st, int e)
{
	return vd_status_errno(st, e, COPY_WRITE_DSN, "error writing message");
}

/*
 * The output under construction: pieces in an iovec array.  When the
 * array fills, an mbox append does not flush it (a process killed
 * between two writes would leave a torn message behind, with no one
 * left to truncate it back): the pieces spill into one buffer instead,
 * so an mbox always gets the whole message in one write.  A maildir
 * file is invisible until linked into new/, so it is flushed as it
 * goes.
 */
struct copy_out {
	int fd;
	bool one_write;		/* mbox: a single writev() */
	int n;
	struct iovec iov[COPY_IOV_MAX];
	bool spilling;
	struct buf spill;
};

/* copy_add - queue one piece; flush or spill when the array is full */
static int
copy_add(struct copy_out *o, const void *p, size_t len)
{
	int i;

	if (len == 0)
		return 0;
	if (o->spilling) {
		buf_append(&o->spill, p, len);
		return 0;
	}
	if (o->n == COPY_IOV_MAX && o->one_write) {
		buf_init(&o->spill);
		for (i = 0; i < o->n; i++)
			buf_append(&o->spill, o->iov[i].iov_base,
			    o->iov[i].iov_len);
		buf_append(&o->spill, p, len);
		o->n = 0;
		o->spilling = true;
		return 0;
	}
	if (o->n == COPY_IOV_MAX) {
		if (copy_writev_all(o->fd, o->iov, o->n) < 0)
			return -1;
		o->n = 0;
	}
	o->iov[o->n].iov_base = (void *)p;
	o->iov[o->n].iov_len = len;
	o->n++;
	return 0;
}

/* copy_flush - write what is queued or spilled */
static int
copy_flush(struct copy_out *o)
{
	if (o->spilling) {
		o->iov[0].iov_base = o->spill.data;
		o->iov[0].iov_len = o->spill.len;
		o->n = 1;
	}
	if (copy_writev_all(o->fd, o->iov, o->n) < 0)
		return -1;
	o->n = 0;
	return 0;
}

/*
 * copy_range - msg's bytes [p, p + len) straight from its spool file with
 * copy_file_range(2): the kernel copies page cache to page cache, with
 * no pass through user space and no page faults on the mapping.  1 done,
 * 0 not possible here (nothing was written: the caller writes the bytes
 * itself), -1 error with errno.  The spool file is message.c's private
 * msg->fd: this file and message.c are the one copy path.
 */
static int
copy_range(int fd, const struct vd_message *msg, const char *p, size_t len)
{
	off_t off = (off_t)(p - msg->data);
	bool done = false;
	ssize_t w;

	while (len > 0) {
		w = copy_file_range(msg->fd, &off, fd, NULL, len, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && !done && (errno == EXDEV || errno == EINVAL
			|| errno == ENOSYS || errno == EOPNOTSUPP
			|| errno == EBADF))
			return 0;
		if (w < 0)
			return -1;
		if (w == 0) {
			/* the spool file is shorter than its mapping: never */
			errno = EIO;
			return -1;
		}
		len -= (size_t)w;
		done = true;
	}
	return 1;
}

/* copy_piece - queue a run of message bytes, or copy it in the kernel */
static int
copy_piece(struct copy_out *o, const struct vd_message *msg, const char *p,
    size_t len, bool *range)
{
	int r;

	if (*range && len >= COPY_RANGE_MIN) {
		if (copy_flush(o) < 0)
			return -1;
		if ((r = copy_range(o->fd, msg, p, len)) != 0)
			return r < 0 ? -1 : 0;
		*range = false;
	}
	return copy_add(o, p, len);
}

/* copy_write - headers and message to fd, in large blocks */
int
copy_write(int fd, const char *hdr, size_t hdr_len,
    const struct vd_message *msg, int flags, struct vd_status *st)
{
	static const char gt[] = ">", nl[] = "\n";
	const char *p = msg->data, *end = msg->data + msg->len, *q;
	struct copy_out o;
	bool range;
	int ret = -1;

	o.fd = fd;
	o.one_write = (flags & COPY_MBOX) != 0;
	o.n = 0;
	o.spilling = false;
	/*
	 * A spooled message is copied by the kernel, unless the test hook
	 * is in place or this is an mbox append: that is one write(), and
	 * copy_file_range() refuses O_APPEND anyway (EBADF: copy_range()
	 * then leaves the bytes to copy_add()).
	 */
	range = msg->fd >= 0 && copy_writev_hook == NULL
	    && !(flags & COPY_MBOX);
	if (copy_add(&o, hdr, hdr_len) < 0)
		goto out;
	if (flags & COPY_MBOX) {
		if (copy_starts_from(p, msg->len) && copy_add(&o, gt, 1) < 0)
			goto out;
		while ((q = copy_find_from(p, end)) != NULL) {
			if (copy_piece(&o, msg, p, (size_t)(q + 1 - p),
				&range) < 0 || copy_add(&o, gt, 1) < 0)
				goto out;
			p = q + 1;
		}
	}
	if (copy_piece(&o, msg, p, (size_t)(end - p), &range) < 0)
		goto out;
	if (msg->len > 0 && end[-1] != '\n' && copy_add(&o, nl, 1) < 0)
		goto out;
	if ((flags & COPY_MBOX) && copy_add(&o, nl, 1) < 0)
		goto out;
	if (copy_flush(&o) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		copy_write_status(st, errno);
	if (o.spilling)
		buf_fini(&o.spill);
	return ret;
}
