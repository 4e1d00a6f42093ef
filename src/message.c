/* SPDX-License-Identifier: MIT */
/*
 * message - spool the message before delivery (see message.h)
 *
 * DESCRIPTION
 *	Up to MESSAGE_MEM_MAX bytes stay in memory; a larger message moves
 *	to an unlinked file in $TMPDIR (or /tmp), created with O_TMPFILE
 *	where the kernel has it, and is mapped read-only when complete.
 *	A read error defers (4.3.0): the MTA still has the message.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "message.h"

#define MESSAGE_MEM_MAX (1024 * 1024)
#define MESSAGE_READ_SIZE (1024 * 1024)
#define MESSAGE_DELIVERED_LIMIT 1000
#define MESSAGE_LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c))

/*
 * The memory buffer msg->mem holds the bytes not yet in the spool file:
 * mem.data[0..mem.len) are spooled (converted, counted, inside the size
 * limit).  With pending_cr set, one more byte follows them: a CR that
 * ended the input so far and whose fate (part of a CRLF pair, or a bare
 * CR that stays) the next byte decides.  New input is read or copied
 * right behind that, converted in place (CRLF -> LF only shrinks), and
 * counted with a word-wide scan: no byte is copied twice in user space.
 */

void
message_init(struct vd_message *msg, size_t max_size)
{
	memset(msg, 0, sizeof(*msg));
	buf_init(&msg->mem);
	msg->fd = -1;
	msg->max_size = max_size;
	msg->data = "";
}

/* message_tmpfile - an unlinked temporary file, or -1 */
static int
message_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/vdeliver.XXXXXX", dir)
	    >= sizeof(path))
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		(void)unlink(path);
	return fd;
}

/* message_flush - move the spooled bytes of the buffer to the spool file */
static int
message_flush(struct vd_message *msg, struct vd_status *st)
{
	size_t off = 0;
	ssize_t n;

	if (msg->fd < 0 && (msg->fd = message_tmpfile()) < 0)
		return vd_status_errno(st, errno, "4.3.0",
		    "create message spool file");
	while (off < msg->mem.len) {
		n = write(msg->fd, msg->mem.data + off, msg->mem.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vd_status_errno(st, n < 0 ? errno : EIO,
			    "4.3.0", "write message spool file");
		off += (size_t)n;
	}
	/* the pending CR, if any, moves to the front */
	if (msg->pending_cr)
		msg->mem.data[0] = '\r';
	msg->mem.len = 0;
	msg->mem.data[msg->pending_cr ? 1 : 0] = 0;
	return 0;
}

/*
 * message_crlf - CRLF to LF in place in p[0..n); the new length.  A CR
 * that is the last byte is kept at p[new length], not counted, and
 * *tail_cr is set: the next byte decides.
 */
static size_t
message_crlf(char *p, size_t n, bool *tail_cr)
{
	char *end = p + n, *r, *w, *next;
	size_t seg;

	*tail_cr = false;
	if ((r = memchr(p, '\r', n)) == NULL)
		return n;
	w = r;
	for (;;) {
		/* *r is a CR */
		if (r + 1 == end) {
			*w = '\r';
			*tail_cr = true;
			return (size_t)(w - p);
		}
		if (r[1] != '\n')
			*w++ = '\r';
		r++;
		next = memchr(r, '\r', (size_t)(end - r));
		seg = (size_t)((next ? next : end) - r);
		memmove(w, r, seg);
		w += seg;
		r += seg;
		if (next == NULL)
			return (size_t)(w - p);
	}
}

/*
 * message_take - spool the n raw bytes that sit right behind the spooled
 * ones in msg->mem (behind the pending CR, if any), converting CRLF when
 * crlf is set.
 */
static int
message_take(struct vd_message *msg, size_t n, bool crlf,
    struct vd_status *st)
{
	char *p = msg->mem.data + msg->mem.len;
	size_t m, raw = n + (crlf && msg->pending_cr ? 1 : 0);
	bool tail_cr = false;

	m = crlf ? message_crlf(p, raw, &tail_cr) : raw;
	msg->pending_cr = tail_cr;
	if (msg->too_big || (msg->max_size && (msg->len > msg->max_size
		    || m > msg->max_size - msg->len))) {
		/* over the limit: the rest is read and dropped */
		msg->too_big = true;
		msg->len = msg->max_size + 1;
		msg->pending_cr = false;
		p[0] = 0;
		return 0;
	}
	msg->len += m;
	msg->mem.len += m;
	p[m + (tail_cr ? 1 : 0)] = 0;
	if (msg->mem.len >= MESSAGE_MEM_MAX)
		return message_flush(msg, st);
	return 0;
}

int
message_add(struct vd_message *msg, const void *ptr, size_t n, bool crlf,
    struct vd_status *st)
{
	size_t at;

	if (n == 0 || msg->too_big)
		return 0;
	if (!crlf && msg->pending_cr) {
		/* raw bytes after converted ones: the CR stays */
		msg->pending_cr = false;
		if (message_take(msg, 1, false, st) < 0)
			return -1;
	}
	at = msg->pending_cr ? 1 : 0;
	buf_reserve(&msg->mem, at + n);
	memcpy(msg->mem.data + msg->mem.len + at, ptr, n);
	return message_take(msg, n, crlf, st);
}

int
message_finish(struct vd_message *msg, struct vd_status *st)
{
	char last;

	if (msg->pending_cr) {
		/* a CR at the very end stays: spool it as it is */
		msg->pending_cr = false;
		if (message_take(msg, 1, false, st) < 0)
			return -1;
	}
	if (msg->too_big)
		return vd_status_set(st, "5.3.4",
		    "message too large (limit %zu bytes)", msg->max_size);
	if (msg->len > 0) {
		if (msg->mem.len > 0)
			last = msg->mem.data[msg->mem.len - 1];
		else if (pread(msg->fd, &last, 1, (off_t)msg->len - 1) != 1)
			return vd_status_errno(st, errno ? errno : EIO, "4.3.0",
			    "read message spool file");
		if (last != '\n' && message_add(msg, "\n", 1, false, st) < 0)
			return -1;
	}
	if (msg->too_big)
		return vd_status_set(st, "5.3.4",
		    "message too large (limit %zu bytes)", msg->max_size);
	if (msg->fd >= 0) {
		if (msg->mem.len > 0 && message_flush(msg, st) < 0)
			return -1;
		msg->map = mmap(NULL, msg->len, PROT_READ, MAP_PRIVATE, msg->fd,
		    0);
		if (msg->map == MAP_FAILED) {
			msg->map = NULL;
			return vd_status_errno(st, errno, "4.3.0",
			    "map message spool file");
		}
		msg->map_len = msg->len;
		msg->data = msg->map;
		/* no more use for the buffer */
		buf_fini(&msg->mem);
		buf_init(&msg->mem);
	} else {
		msg->data = msg->mem.data;
	}
	msg->finished = true;
	return 0;
}

int
message_spool(struct vd_message *msg, int fd, size_t max_size,
    struct vd_status *st)
{
	size_t at, room;
	ssize_t n;

	message_init(msg, max_size);
	for (;;) {
		/* read straight into the buffer, behind what it holds */
		at = msg->mem.len + (msg->pending_cr ? 1 : 0);
		buf_reserve(&msg->mem, at - msg->mem.len + MESSAGE_READ_SIZE);
		room = msg->mem.cap - at - 1;
		if (room > MESSAGE_READ_SIZE)
			room = MESSAGE_READ_SIZE;
		n = read(fd, msg->mem.data + at, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vd_status_errno(st, errno, "4.3.0",
			    "error reading message");
		if (n == 0)
			break;
		if (message_take(msg, (size_t)n, true, st) < 0)
			return -1;
	}
	return message_finish(msg, st);
}

int
message_from_mem(struct vd_message *msg, const char *p, size_t n,
    struct vd_status *st)
{
	message_init(msg, 0);
	if (message_add(msg, p, n, false, st) < 0)
		return -1;
	return message_finish(msg, st);
}

/* message_header_name_len - length of the header name, or 0 */
static size_t
message_header_name_len(const char *p, const char *end)
{
	const char *s = p;

	while (s < end && *s > ' ' && *s < 0x7f && *s != ':')
		s++;
	if (s == p)
		return 0;
	{
		const char *q = s;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q != ':')
			return 0;
	}
	return (size_t)(s - p);
}

bool
message_has_delivered_to(const struct vd_message *msg, const char *addr)
{
	static const char name[] = "Delivered-To";
	const char *p = msg->data, *end = msg->data + msg->len, *eol, *v;
	size_t alen = strlen(addr), nlen, i;
	int seen = 0;

	while (p < end && seen < MESSAGE_DELIVERED_LIMIT) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if (*p == ' ' || *p == '\t') {
			p = eol + 1;
			continue;
		}
		if ((nlen = message_header_name_len(p, eol)) == 0)
			break;
		if (nlen == sizeof(name) - 1
		    && strncasecmp(p, name, sizeof(name) - 1) == 0) {
			seen++;
			v = (const char *)memchr(p, ':', (size_t)(eol - p)) + 1;
			while (v < eol && isspace((unsigned char)*v))
				v++;
			if ((size_t)(eol - v) == alen) {
				for (i = 0; i < alen; i++)
					if (MESSAGE_LOWER(v[i])
					    != MESSAGE_LOWER(addr[i]))
						break;
				if (i == alen)
					return true;
			}
		}
		p = eol + 1;
	}
	return false;
}

void
message_fini(struct vd_message *msg)
{
	if (msg->map)
		(void)munmap(msg->map, msg->map_len);
	if (msg->fd >= 0)
		(void)close(msg->fd);
	buf_fini(&msg->mem);
	memset(msg, 0, sizeof(*msg));
	msg->fd = -1;
	msg->data = "";
}
