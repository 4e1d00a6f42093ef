/* SPDX-License-Identifier: MIT */
/*
 * address - fold, quote and split mail addresses as Postfix does
 *
 * DESCRIPTION
 *	Addresses are handled in Postfix's "internal" (unquoted) form:
 *	the local part is everything before the last '@'.
 *	address_fold() lower-cases ASCII A-Z only (smtputf8_enable = no);
 *	bytes >= 0x80 are kept.  address_quote() gives the "external" form
 *	of quote_822_local(): the local part is wrapped in double quotes,
 *	with '"', '\' and CR escaped, unless it is a dot-string.
 *	address_split_ext() removes the extension (text after the first
 *	recipient_delimiter character of the local part) per
 *	strip_addr_internal(): never for postmaster, MAILER-DAEMON or the
 *	double-bounce sender, nor for owner-* / *-request when '-' is a
 *	delimiter and owner_request_special is set.
 */
#ifndef VD_SRC_ADDRESS_H
#define VD_SRC_ADDRESS_H

#include <stdbool.h>

#include "buf.h"

struct address_split_opts {
	const char *delimiters;		/* recipient_delimiter; "" = none */
	bool owner_request_special;
	const char *double_bounce_sender;
};

/* address_fold - lower-cased copy; caller frees */
char *address_fold(const char *addr);
/* address_quote - append the external form of addr to out */
void address_quote(struct buf *out, const char *addr);
/* address_needs_quote - the local part of addr is not a dot-string */
bool address_needs_quote(const char *addr);
/*
 * address_split_ext - true when addr has an extension: *base_r gets
 * "local@domain" without it, *ext_r the extension (both caller frees).
 */
bool address_split_ext(const char *addr, const struct address_split_opts *o,
    char **base_r, char **ext_r);

#endif
