/* SPDX-License-Identifier: MIT */
/*
 * dict_text - postmap(1) source lines, and the brace syntax of static:
 *	and inline:
 *
 * DESCRIPTION
 *	dict_text_read() reads a postmap(1) source (REFERENCE.md 4.1) with
 *	textline_next() and splits each logical line as postmap 3.7 does:
 *	the key ends at the first white space that is neither inside
 *	double quotes nor escaped by a backslash (quotes and backslashes
 *	stay in the key as written); the value is the rest with leading
 *	and trailing white space removed.  The text after a NUL byte is
 *	ignored.  Lines that cannot be used are skipped with a warning
 *	"SRC:LINE: ...":
 *	    unbalanced '"' in '<line>' -- ignoring this line
 *	    expected format: key whitespace value -- ignoring this line
 *	and a key ending in ':' is kept with the warning
 *	    record is in "key: value" format; is this an alias file?
 *	Each usable line goes to fn(ctx, key, value, lineno, st); the
 *	strings are borrowed until fn returns.  fn returns 0 to go on or
 *	-1 (with st) to stop.
 *
 *	dict_text_extpar() is Postfix's extpar(), with strip its
 *	EXTPAR_FLAG_STRIP: *bp points at "{ text }"; on success *bp points
 *	at "text" (in the same, modified buffer).
 */
#ifndef VD_LOOKUP_DICT_TEXT_H
#define VD_LOOKUP_DICT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "lookup/dict.h"
#include "status.h"

typedef int dict_text_fn(void *ctx, const char *key, const char *value,
    int lineno, struct vd_status *st);

/*
 * dict_text_read - every usable line of fp to fn; 0 at the end, -1 with
 * st on a read error (4.3.0, "SRC: read error: ...") or when fn fails
 */
int dict_text_read(FILE *fp, const char *srcname, dict_text_fn *fn,
    void *ctx, struct vd_status *st);

/*
 * dict_text_split - split one logical line in place; 0 with *key_r and
 * *value_r pointing into line, or -1 with *why_r set to a static text
 * ("unbalanced", "format") naming why the line is skipped
 */
int dict_text_split(char *line, char **key_r, char **value_r,
    const char **why_r);

/* dict_text_balpar - length of the balanced "{...}" at s, 0 if none */
size_t dict_text_balpar(const char *s);

/*
 * dict_text_extpar - strip "{" "}" and, with strip, the white space
 * inside them; 0, or -1 with the message in err ("no '{' at start of
 * text in "..."", "missing '}' in "..."", "syntax error after '}' in
 * "..."")
 */
int dict_text_extpar(char **bp, bool strip, struct buf *err);

/* dict_text_is_space - Postfix's ISSPACE: ASCII white space only */
bool dict_text_is_space(int c);


/*
 * dict_ht_new, dict_ht_put - the in-memory table behind texthash: and
 * inline: (dict_texthash.c): O(1) lookups, sequence() in insertion
 * order.  dict_ht_put() copies key and value; when the key exists it
 * returns 1 and replaces the value only if replace is true; else 0.
 */
struct dict *dict_ht_new(void);
int dict_ht_put(struct dict *d, const char *key, const char *value,
    bool replace);

#endif
