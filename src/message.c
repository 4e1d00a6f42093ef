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
#define MESSAGE_READ_SIZE (256 * 1024)
#define MESSAGE_DELIVERED_LIMIT 1000
#define MESSAGE_LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c))

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

/* message_flush - move the memory buffer to the spool file */
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
	buf_reset(&msg->mem);
	return 0;
}

/* message_put - store bytes that are already in spooled form */
static int
message_put(struct vd_message *msg, const char *p, size_t n,
    struct vd_status *st)
{
	size_t i;

	if (n == 0)
		return 0;
	if (msg->max_size && (msg->len > msg->max_size
		|| n > msg->max_size - msg->len)) {
		msg->too_big = true;
		msg->len = msg->max_size + 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (p[i] == '\n')
			msg->n_lines++;
	msg->len += n;
	buf_append(&msg->mem, p, n);
	if (msg->mem.len >= MESSAGE_MEM_MAX)
		return message_flush(msg, st);
	return 0;
}

int
message_add(struct vd_message *msg, const void *ptr, size_t n, bool crlf,
    struct vd_status *st)
{
	const char *p = ptr, *end = p + n, *cr;

	if (!crlf)
		return message_put(msg, p, n, st);
	if (msg->pending_cr && n > 0) {
		msg->pending_cr = false;
		if (*p != '\n' && message_put(msg, "\r", 1, st) < 0)
			return -1;
	}
	while (p < end) {
		cr = memchr(p, '\r', (size_t)(end - p));
		if (cr == NULL)
			return message_put(msg, p, (size_t)(end - p), st);
		if (message_put(msg, p, (size_t)(cr - p), st) < 0)
			return -1;
		if (cr + 1 == end) {
			msg->pending_cr = true;
			return 0;
		}
		if (cr[1] != '\n' && message_put(msg, "\r", 1, st) < 0)
			return -1;
		p = cr + 1;
	}
	return 0;
}

int
message_finish(struct vd_message *msg, struct vd_status *st)
{
	char last;

	if (msg->pending_cr) {
		msg->pending_cr = false;
		if (message_put(msg, "\r", 1, st) < 0)
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
		if (last != '\n' && message_put(msg, "\n", 1, st) < 0)
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
	char *chunk;
	ssize_t n;
	int ret = -1;

	message_init(msg, max_size);
	chunk = xmalloc(MESSAGE_READ_SIZE);
	for (;;) {
		n = read(fd, chunk, MESSAGE_READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vd_status_errno(st, errno, "4.3.0", "error reading message");
			goto out;
		}
		if (n == 0)
			break;
		if (message_add(msg, chunk, (size_t)n, true, st) < 0)
			goto out;
	}
	ret = message_finish(msg, st);
out:
	free(chunk);
	return ret;
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
