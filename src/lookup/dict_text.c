/* SPDX-License-Identifier: MIT */
/*
 * dict_text - postmap(1) source lines and brace syntax (see dict_text.h)
 *
 * DESCRIPTION
 *	The line split is postmap 3.7's, checked by running Debian's
 *	postmap 3.7.11: "k\ ey v" has the key "k\ ey"; "\"a b\"@x v" the
 *	key "\"a b\"@x"; a CR before the LF is trailing white space of the
 *	value; "a<NUL>b v" is a line without a value.  Postfix writes
 *	"FILE, line N:"; here it is "FILE:N:", as everywhere in vdeliver.
 *
 * SEE ALSO
 *	Postfix postmap/postmap.c, util/extpar.c, util/balpar.c
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lookup/dict_text.h"
#include "textline.h"

#define DICT_TEXT_UNBALANCED "unbalanced"
#define DICT_TEXT_FORMAT "format"

bool
dict_text_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
	    || c == '\f';
}

int
dict_text_split(char *line, char **key_r, char **value_r, const char **why_r)
{
	char *key = line, *value, *end;
	int in_quotes = 0;

	for (value = line; *value; value++) {
		if (*value == '\\') {
			if (*++value == 0)
				break;
		} else if (dict_text_is_space((unsigned char)*value)) {
			if (!in_quotes)
				break;
		} else if (*value == '"') {
			in_quotes = !in_quotes;
		}
	}
	if (in_quotes) {
		*why_r = DICT_TEXT_UNBALANCED;
		return -1;
	}
	if (*value)
		*value++ = 0;
	while (dict_text_is_space((unsigned char)*value))
		value++;
	end = value + strlen(value);
	while (end > value && dict_text_is_space((unsigned char)end[-1]))
		end--;
	*end = 0;
	if (*key == 0 || *value == 0) {
		*why_r = DICT_TEXT_FORMAT;
		return -1;
	}
	*key_r = key;
	*value_r = value;
	return 0;
}

int
dict_text_read(FILE *fp, const char *srcname, dict_text_fn *fn, void *ctx,
    struct vd_status *st)
{
	struct textline t;
	char *key, *value;
	const char *why;
	int ret = -1;

	textline_init(&t, fp, srcname);
	while (textline_next(&t)) {
		if (dict_text_split(t.line.data, &key, &value, &why) < 0) {
			if (strcmp(why, DICT_TEXT_UNBALANCED) == 0)
				log_warn("%s:%d: unbalanced '\"' in '%.100s' "
				    "-- ignoring this line", srcname,
				    t.first_line, t.line.data);
			else
				log_warn("%s:%d: expected format: key "
				    "whitespace value -- ignoring this line",
				    srcname, t.first_line);
			continue;
		}
		if (key[strlen(key) - 1] == ':')
			log_warn("%s:%d: record is in \"key: value\" format; "
			    "is this an alias file?", srcname, t.first_line);
		if (fn(ctx, key, value, t.first_line, st) < 0)
			goto out;
	}
	if (t.error) {
		vd_status_errno(st, t.error, "4.3.0", "%s: read error",
		    srcname);
		goto out;
	}
	ret = 0;
out:
	textline_fini(&t);
	return ret;
}

size_t
dict_text_balpar(const char *s)
{
	const char *cp;
	int level;

	if (*s != '{')
		return 0;
	for (level = 1, cp = s + 1; *cp; cp++) {
		if (*cp == '}') {
			if (--level == 0)
				return (size_t)(cp - s + 1);
		} else if (*cp == '{') {
			level++;
		}
	}
	return 0;
}

int
dict_text_extpar(char **bp, bool strip, struct buf *err)
{
	char *cp = *bp, *end;
	size_t len;
	int ret = 0;

	if (*cp != '{') {
		buf_printf(err, "no '{' at start of text in \"%s\"", cp);
		return -1;
	}
	if ((len = dict_text_balpar(cp)) == 0) {
		buf_printf(err, "missing '}' in \"%s\"", cp);
		return -1;
	}
	if (cp[len] != 0) {
		buf_printf(err, "syntax error after '}' in \"%s\"", cp);
		ret = -1;
	}
	cp[len - 1] = 0;
	cp++;
	if (strip) {
		while (dict_text_is_space((unsigned char)*cp))
			cp++;
		end = cp + strlen(cp);
		while (end > cp && dict_text_is_space((unsigned char)end[-1]))
			end--;
		*end = 0;
	}
	*bp = cp;
	return ret;
}

