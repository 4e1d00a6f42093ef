/* SPDX-License-Identifier: MIT */
/*
 * address - fold, quote and split mail addresses (see address.h)
 *
 * DESCRIPTION
 *	The rules are those of Postfix's quote_822_local.c (8BITCLEAN),
 *	strip_addr.c and split_addr.c; REFERENCE.md 1.4 and 1.5.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "textline.h"

char *
address_fold(const char *addr)
{
	char *s = xstrdup(addr);

	text_lower(s);
	return s;
}

/* address_local_end - where the local part ends (the last '@', or end) */
static const char *
address_local_end(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at : addr + strlen(addr);
}

/* address_is_special - a byte that makes a local part need quotes */
static bool
address_is_special(unsigned char c)
{
	return c <= ' ' || c == 0x7f || strchr("()<>@,;:\\\"[]", c) != NULL;
}

bool
address_needs_quote(const char *addr)
{
	const char *end = address_local_end(addr), *p;

	if (end == addr || *addr == '.' || end[-1] == '.')
		return true;
	for (p = addr; p < end; p++) {
		if (address_is_special((unsigned char)*p))
			return true;
		if (p[0] == '.' && p + 1 < end && p[1] == '.')
			return true;
	}
	return false;
}

void
address_quote(struct buf *out, const char *addr)
{
	const char *end, *p;

	/* A source route (@a,@b:user@domain) is not part of the address. */
	if (*addr == '@' && (p = strchr(addr, ':')) != NULL)
		addr = p + 1;
	/* The null address stays empty (Return-Path: <>). */
	if (*addr == 0)
		return;
	if (!address_needs_quote(addr)) {
		buf_puts(out, addr);
		return;
	}
	end = address_local_end(addr);
	buf_putc(out, '"');
	for (p = addr; p < end; p++) {
		if (*p == '"' || *p == '\\' || *p == '\r')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
	buf_puts(out, end);
}

bool
address_split_ext(const char *addr, const struct address_split_opts *o,
    char **base_r, char **ext_r)
{
	const char *end = address_local_end(addr);
	size_t local_len = (size_t)(end - addr), pos;
	const char *dbl = o->double_bounce_sender ? o->double_bounce_sender : "";
	char *local;
	bool split = false;

	if (o->delimiters == NULL || *o->delimiters == 0 || local_len == 0)
		return false;
	local = xstrndup(addr, local_len);
	if (strcasecmp(local, "postmaster") == 0
	    || strcasecmp(local, "MAILER-DAEMON") == 0
	    || (*dbl && strcasecmp(local, dbl) == 0))
		goto out;
	if (strchr(o->delimiters, '-') && o->owner_request_special
	    && (strncasecmp(local, "owner-", 6) == 0
		|| (local_len > 8
		    && strcasecmp(local + local_len - 8, "-request") == 0)))
		goto out;
	pos = strcspn(local, o->delimiters);
	if (pos == 0 || pos == local_len)
		goto out;
	*ext_r = xstrdup(local + pos + 1);
	local[pos] = 0;
	{
		struct buf b;

		buf_init(&b);
		buf_puts(&b, local);
		buf_puts(&b, end);
		*base_r = buf_steal(&b);
	}
	split = true;
out:
	free(local);
	return split;
}
