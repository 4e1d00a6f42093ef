/* SPDX-License-Identifier: MIT */
/*
 * textline - Postfix's logical lines (readllines) and list splitting
 *
 * DESCRIPTION
 *	textline_next() returns the next logical line of a text source the
 *	way Postfix's readllines() does for main.cf, postmap(1) input,
 *	texthash, regexp and pcre tables (REFERENCE.md 4.1): physical lines
 *	end at LF; empty lines, white-space-only lines and lines whose
 *	first non-white-space byte is '#' are dropped everywhere, also in
 *	the middle of a logical line (they neither end nor join it); a line
 *	that starts with white space continues the previous one (the LF is
 *	removed, the leading white space kept).  A logical line that would
 *	start with white space is dropped with a warning, and so is a NUL
 *	byte noted ("text after null byte may be ignored").  Trailing white
 *	space is kept: each consumer trims what it must.
 *
 *	Warnings go through log_warn() as "NAME:LINE: ...".
 *
 *	text_split_list() splits a list value (a main.cf map list, lock
 *	methods) at the separator bytes, keeping "{...}" groups together,
 *	nested groups included; the braces stay in the item.
 */
#ifndef VD_SRC_TEXTLINE_H
#define VD_SRC_TEXTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

struct textline {
	FILE *fp;		/* borrowed */
	const char *name;	/* for messages; borrowed */
	int lineno;		/* physical lines read so far */
	int first_line;		/* where the current logical line starts */
	struct buf line;	/* the current logical line, NUL-terminated */
	int error;		/* errno of a read error, 0 otherwise */
};

/* textline_init - read fp; name is used in warnings */
void textline_init(struct textline *t, FILE *fp, const char *name);
/*
 * textline_next - true with the next logical line in t->line (its
 * first physical line number in t->first_line); false at the end or on
 * a read error (t->error set).  The line may contain NUL bytes:
 * t->line.len counts them.
 */
bool textline_next(struct textline *t);
void textline_fini(struct textline *t);

/* TEXT_LIST_SEPS - main.cf's list separators */
#define TEXT_LIST_SEPS ", \t\r\n"

/*
 * text_split_list - NULL-terminated array of the items of value; an
 * unbalanced '{' keeps the rest of the value as one item (callers that
 * care check for it).  Free with text_list_free().
 */
char **text_split_list(const char *value, const char *seps);
/* text_list_free - free the array and its items; NULL is fine */
void text_list_free(char **list);
/* text_list_len - number of items */
size_t text_list_len(char *const *list);
/* text_lower - ASCII A-Z to a-z in place (nothing else changes) */
void text_lower(char *s);

#endif
