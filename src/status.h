/* SPDX-License-Identifier: MIT */
/*
 * status - the result of one step: an RFC 3463 code and a one-line text
 *
 * DESCRIPTION
 *	A struct vd_status carries why something failed (or succeeded) from
 *	the lowest layer to the one place that reports it.  The buffers are
 *	fixed, so that setting a status never allocates (out of memory
 *	included).  The class digit of the DSN decides: 2 delivered,
 *	4 defer, 5 bounce.
 */
#ifndef VD_SRC_STATUS_H
#define VD_SRC_STATUS_H

#include <stdbool.h>

#define VD_PRINTF(f, a) __attribute__((format(printf, f, a)))

struct vd_status {
	char dsn[16];	/* "4.3.5"; empty when nothing has been set */
	char text[1024];	/* one line, no trailing newline */
	int errnum;	/* errno behind the failure, or 0 */
};

/* vd_status_clear - make st empty (no code, no text) */
void vd_status_clear(struct vd_status *st);

/* vd_status_set - set code and text (newlines become spaces); returns -1 */
int vd_status_set(struct vd_status *st, const char *dsn, const char *fmt, ...)
    VD_PRINTF(3, 4);

/*
 * vd_status_errno - set the code from errnum the way Postfix's mbox_dsn()
 * does (EAGAIN/ESTALE 4.2.0, ENOSPC 4.3.0, EDQUOT/EFBIG 5.2.2, otherwise
 * def_dsn), append ": strerror(errnum)" to the text, and return -1.
 */
int vd_status_errno(struct vd_status *st, int errnum, const char *def_dsn,
    const char *fmt, ...) VD_PRINTF(4, 5);

/* vd_status_dsn_for_errno - the mbox_dsn() mapping alone */
const char *vd_status_dsn_for_errno(int errnum, const char *def_dsn);

/* vd_status_prefix - put "prefix" in front of the current text */
void vd_status_prefix(struct vd_status *st, const char *fmt, ...)
    VD_PRINTF(2, 3);

/* vd_status_is_ok/defer/bounce - the class digit of st->dsn */
bool vd_status_is_ok(const struct vd_status *st);
bool vd_status_is_defer(const struct vd_status *st);
bool vd_status_is_bounce(const struct vd_status *st);

/*
 * vd_status_exit - sysexits code for a DSN: 2.x.x 0, 4.x.x 75, 5.1.x 67,
 * 5.2.x 73, 5.3.5 78, 5.6.x 65, 5.7.x 77, other 5.x.x 69.
 */
int vd_status_exit(const struct vd_status *st);

/*
 * vd_status_worse - true when a is a worse outcome than b.  A defer is
 * worse than a bounce: with one exit status for several recipients, a
 * defer only repeats a delivery, a bounce could lose a message.
 */
bool vd_status_worse(const struct vd_status *a, const struct vd_status *b);

#endif
