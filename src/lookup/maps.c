/* SPDX-License-Identifier: MIT */
/*
 * maps - an ordered list of tables, searched as Postfix's maps_find()
 *
 * DESCRIPTION
 *	maps_open() splits the list with text_split_list(TEXT_LIST_SEPS)
 *	and opens each table with dict_open().  A table that cannot be
 *	opened is logged ("TABLE is unavailable. REASON", as Postfix's
 *	surrogate does) and replaced by dict_fail_open(), so that each
 *	lookup in it defers with the reason (4.3.5) and the process goes on.
 *
 *	maps_find() asks each table in turn (with MAPS_FIXED_ONLY, pattern
 *	tables are skipped).  The first table that has the key wins.  The
 *	first error stops the search and is returned with the table's
 *	status, after the warning "TABLE lookup error for "KEY"".  A value
 *	that is the empty string is an error (4.3.5) with Postfix's two
 *	warnings "PARAM lookup of KEY returns an empty string result" and
 *	"PARAM should return NO RESULT in case of NOT FOUND".  An empty key
 *	is not found without asking any table (Postfix does the same for
 *	callers that pass partial addresses).  m->trace, if set, hears each
 *	table asked, with what the table answered.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "lookup/maps.h"
#include "textline.h"

struct maps *
maps_open(const char *param, const char *list, int dict_flags)
{
	struct maps *m = xcalloc(1, sizeof(*m));
	struct vd_status st;
	char **items;
	size_t i, n;

	m->param = xstrdup(param ? param : "");
	items = text_split_list(list, TEXT_LIST_SEPS);
	n = text_list_len(items);
	m->dicts = xcalloc(n ? n : 1, sizeof(*m->dicts));
	for (i = 0; i < n; i++) {
		vd_status_clear(&st);
		if ((m->dicts[i] = dict_open(items[i], dict_flags, &st))
		    == NULL) {
			log_warn("%s is unavailable. %s", items[i], st.text);
			m->dicts[i] = dict_fail_open(items[i], &st);
		}
	}
	m->n_dicts = n;
	text_list_free(items);
	return m;
}

enum lk_result
maps_find(struct maps *m, const char *key, int flags, const char **value_r,
    struct vd_status *st)
{
	struct dict *d;
	const char *value;
	enum lk_result r;
	size_t i;

	if (key == NULL || *key == 0)
		return LK_NOTFOUND;
	for (i = 0; i < m->n_dicts; i++) {
		d = m->dicts[i];
		if ((flags & MAPS_FIXED_ONLY) && (d->props & DICT_PROP_PATTERN))
			continue;
		value = NULL;
		r = dict_lookup(d, key, &value, st);
		if (m->trace)
			m->trace(m->trace_ctx, m->param, d->spec, key, r,
			    r == LK_FOUND ? value : r == LK_ERROR ? st->text
			    : NULL);
		if (r == LK_FOUND) {
			if (*value == 0) {
				log_warn("%s lookup of %s returns an empty "
				    "string result", m->param, key);
				log_warn("%s should return NO RESULT in case "
				    "of NOT FOUND", m->param);
				vd_status_set(st, "4.3.5", "%s: %s lookup of "
				    "%s returns an empty string result",
				    d->spec, m->param, key);
				return LK_ERROR;
			}
			*value_r = value;
			return LK_FOUND;
		}
		if (r == LK_ERROR) {
			log_warn("%s lookup error for \"%s\"", d->spec, key);
			if (st->dsn[0] == 0)
				memcpy(st->dsn, "4.3.5", sizeof("4.3.5"));
			return LK_ERROR;
		}
	}
	return LK_NOTFOUND;
}

bool
maps_changed(const struct maps *m)
{
	size_t i;

	for (i = 0; i < m->n_dicts; i++)
		if (dict_changed(m->dicts[i]))
			return true;
	return false;
}

void
maps_free(struct maps **mp)
{
	struct maps *m;
	size_t i;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	*mp = NULL;
	for (i = 0; i < m->n_dicts; i++)
		dict_close(&m->dicts[i]);
	free(m->dicts);
	free(m->param);
	free(m);
}
