/* SPDX-License-Identifier: MIT */
/*
 * dict_static - "static:value": every key has the same value
 *
 * DESCRIPTION
 *	dict_static_open() takes the name as the value.  A name that starts
 *	with "{" must be one balanced "{...}" with nothing after it; the
 *	braces and the white space just inside them are removed, so
 *	"static:{ a b }" answers "a b".  "static:{ x" and "static:{ x }y"
 *	fail to open (4.3.5, "bad static:name syntax: ...").  A static table
 *	is a fixed-key table: it answers every search step.  "static:{}"
 *	answers the empty string, which maps_find() treats as an error, as
 *	Postfix does.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_text.h"

struct dict_static {
	struct dict dict;
	char *value;
};

/* dict_static_lookup - the one value, whatever the key */
static enum lk_result
dict_static_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	(void)key;
	(void)st;
	*value_r = ((struct dict_static *)d)->value;
	return LK_FOUND;
}

/* dict_static_close - free the table */
static void
dict_static_close(struct dict *d)
{
	free(((struct dict_static *)d)->value);
	free(d);
}

struct dict *
dict_static_open(const char *name, int flags, struct vd_status *st)
{
	struct dict_static *s;
	struct buf err;
	char *copy = xstrdup(name), *value = copy;

	(void)flags;
	if (*name == '{') {
		buf_init(&err);
		if (dict_text_extpar(&value, true, &err) < 0) {
			vd_status_set(st, "4.3.5",
			    "bad static:name syntax: %s", err.data);
			buf_fini(&err);
			free(copy);
			return NULL;
		}
		buf_fini(&err);
	}
	s = xcalloc(1, sizeof(*s));
	s->value = xstrdup(value);
	free(copy);
	s->dict.lookup = dict_static_lookup;
	s->dict.close = dict_static_close;
	s->dict.props = 0;
	return &s->dict;
}
