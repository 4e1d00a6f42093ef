/* SPDX-License-Identifier: MIT */
/*
 * dict_inline - "inline:{k1=v1, k2=v2, { k3 = v with spaces }}"
 *
 * DESCRIPTION
 *	dict_inline_open() parses the name as Postfix's dict_inline.c does
 *	(REFERENCE.md 4.4): the whole name is one balanced "{...}" with
 *	nothing after it; inside, items are separated by commas and white
 *	space, "{...}" groups kept together.  A plain item is "key=value"
 *	(no white space, or it splits); an item in its own braces may have
 *	white space around "=" and inside the value.  A key may be quoted
 *	("\"a b\"=v", the quotes stay in the key) or use backslash escapes.
 *	Later duplicates overwrite earlier ones.  Keys are folded at load
 *	only with DICT_FLAG_FOLD_FIX (as Postfix's dict_ht).
 *
 *	Errors (4.3.5, the open fails):
 *	    bad syntax: "inline:NAME"; need "inline:{name=value...}"
 *	    REASON: "inline:NAME"; need "inline:{name=value...}"
 *	where REASON is "missing '=' after attribute name", "unbalanced
 *	'\"'", "missing '}' in ...", "syntax error after '}' in ..." or
 *	"empty table".
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_text.h"
#include "textline.h"

/*
 * dict_inline_split - Postfix split_qnameval(): "key = value" with a
 * quoted or escaped key; NULL, or the reason it is not
 */
static const char *
dict_inline_split(char *buf, char **key_r, char **value_r)
{
	char *key, *key_end, *value, *end;
	bool in_quotes = false;

	for (key = buf; *key && dict_text_is_space((unsigned char)*key);
	     key++)
		;
	if (*key == 0)
		return "no key found; expected format: key = value";
	for (key_end = key; *key_end; key_end++) {
		if (*key_end == '\\') {
			if (*++key_end == 0)
				break;
		} else if (dict_text_is_space((unsigned char)*key_end)
		    || *key_end == '=') {
			if (!in_quotes)
				break;
		} else if (*key_end == '"') {
			in_quotes = !in_quotes;
		}
	}
	if (in_quotes)
		return "unbalanced '\"'";
	value = key_end;
	while (dict_text_is_space((unsigned char)*value))
		value++;
	if (*value != '=')
		return "missing '=' after attribute name";
	*key_end = 0;
	*value++ = 0;
	while (dict_text_is_space((unsigned char)*value))
		value++;
	end = value + strlen(value);
	while (end > value && dict_text_is_space((unsigned char)end[-1]))
		end--;
	*end = 0;
	*key_r = key;
	*value_r = value;
	return NULL;
}

struct dict *
dict_inline_open(const char *name, int flags, struct vd_status *st)
{
	struct dict *d = NULL;
	struct buf err;
	char **items = NULL, *inner = NULL, *item, *key, *value;
	const char *why = NULL;
	size_t len, i;

	buf_init(&err);
	len = dict_text_balpar(name);
	if (len == 0 || name[len] != 0 || len == 2) {
		vd_status_set(st, "4.3.5", "bad syntax: \"inline:%s\"; need "
		    "\"inline:{name=value...}\"", name);
		goto out;
	}
	inner = xstrndup(name + 1, len - 2);
	items = text_split_list(inner, TEXT_LIST_SEPS);
	d = dict_ht_new();
	for (i = 0; items[i] != NULL && why == NULL; i++) {
		item = items[i];
		if (*item == '{' && dict_text_extpar(&item, true, &err) < 0) {
			why = err.data;
			break;
		}
		if ((why = dict_inline_split(item, &key, &value)) != NULL)
			break;
		if (flags & DICT_FLAG_FOLD_FIX)
			text_lower(key);
		(void)dict_ht_put(d, key, value, true);
	}
	if (why == NULL && i == 0)
		why = "empty table";
	if (why != NULL) {
		vd_status_set(st, "4.3.5", "%s: \"inline:%s\"; need "
		    "\"inline:{name=value...}\"", why, name);
		d->close(d);
		d = NULL;
	}
out:
	text_list_free(items);
	free(inner);
	buf_fini(&err);
	return d;
}
