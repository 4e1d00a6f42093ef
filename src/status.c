/* SPDX-License-Identifier: MIT */
/*
 * status - RFC 3463 status codes, errno mapping and sysexits
 *
 * DESCRIPTION
 *	See status.h.  One table maps a DSN to a sysexits code, so the
 *	command line mode and pipe(8) agree on bounce or defer: only 75
 *	defers, and the first line of output repeats the DSN for pipe(8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "status.h"

/* status_clean - replace control characters so the text stays one line */
static void
status_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

void
vd_status_clear(struct vd_status *st)
{
	st->dsn[0] = 0;
	st->text[0] = 0;
	st->errnum = 0;
}

int
vd_status_set(struct vd_status *st, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	snprintf(st->dsn, sizeof(st->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
	status_clean(st->text);
	st->errnum = 0;
	return -1;
}

const char *
vd_status_dsn_for_errno(int errnum, const char *def_dsn)
{
	switch (errnum) {
	case EAGAIN:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case ESTALE:
		return "4.2.0";
	case ENOSPC:
		return "4.3.0";
	case EDQUOT:
	case EFBIG:
		return "5.2.2";
	default:
		return def_dsn;
	}
}

int
vd_status_errno(struct vd_status *st, int errnum, const char *def_dsn,
    const char *fmt, ...)
{
	va_list ap;
	size_t len;

	snprintf(st->dsn, sizeof(st->dsn), "%s",
	    vd_status_dsn_for_errno(errnum, def_dsn));
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
	len = strlen(st->text);
	if (len < sizeof(st->text))
		snprintf(st->text + len, sizeof(st->text) - len, ": %s",
		    strerror(errnum));
	status_clean(st->text);
	st->errnum = errnum;
	return -1;
}

void
vd_status_prefix(struct vd_status *st, const char *fmt, ...)
{
	char old[sizeof(st->text)];
	char pre[sizeof(st->text)];
	va_list ap;

	memcpy(old, st->text, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	snprintf(st->text, sizeof(st->text), "%s%s", pre, old);
	status_clean(st->text);
}

bool
vd_status_is_ok(const struct vd_status *st)
{
	return st->dsn[0] == '2';
}

bool
vd_status_is_defer(const struct vd_status *st)
{
	return st->dsn[0] == '4';
}

bool
vd_status_is_bounce(const struct vd_status *st)
{
	return st->dsn[0] == '5';
}

/* The DSN -> sysexits table; the first matching prefix wins. */
static const struct {
	const char *prefix;
	int code;
} status_exits[] = {
	{ "2.", EX_OK },
	{ "4.", EX_TEMPFAIL },
	{ "5.1.", EX_NOUSER },
	{ "5.2.", EX_CANTCREAT },
	{ "5.3.5", EX_CONFIG },
	{ "5.6.", EX_DATAERR },
	{ "5.7.", EX_NOPERM },
	{ "5.", EX_UNAVAILABLE },
};

int
vd_status_exit(const struct vd_status *st)
{
	size_t i;

	for (i = 0; i < sizeof(status_exits) / sizeof(status_exits[0]); i++)
		if (strncmp(st->dsn, status_exits[i].prefix,
			strlen(status_exits[i].prefix)) == 0)
			return status_exits[i].code;
	/* No code at all is a bug somewhere: defer rather than lose mail. */
	return EX_TEMPFAIL;
}

/* status_rank - 0 ok, 1 defer, 2 bounce, 3 unknown (treated as worst) */
static int
status_rank(const struct vd_status *st)
{
	switch (st->dsn[0]) {
	case '2':
		return 0;
	case '4':
		return 2;
	case '5':
		return 1;
	default:
		return 3;
	}
}

bool
vd_status_worse(const struct vd_status *a, const struct vd_status *b)
{
	return status_rank(a) > status_rank(b);
}
