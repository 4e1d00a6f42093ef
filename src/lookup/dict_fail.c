/* SPDX-License-Identifier: MIT */
/*
 * dict_fail - a table whose every lookup fails
 *
 * DESCRIPTION
 *	"fail:name" is a table type of its own (as in Postfix 3.0+): every
 *	lookup and every sequence() call returns LK_ERROR, 4.3.5 "fail:name:
 *	table lookup failed".  Tests use it to exercise the defer path.
 *
 *	dict_fail_open() is Postfix's surrogate: maps_open() puts one in
 *	place of a table that could not be opened, so that each lookup
 *	fails with the reason the open failed, and mail defers instead of
 *	the process stopping.  Unlike Postfix's surrogate it is not marked
 *	as a pattern table, so a fixed-key-only search step sees the error
 *	too.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lookup/dict_impl.h"

struct dict_fail {
	struct dict dict;
	struct vd_status why;
};

/* dict_fail_lookup - always the stored error */
static enum lk_result
dict_fail_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_fail *f = (struct dict_fail *)d;

	(void)key;
	(void)value_r;
	*st = f->why;
	return LK_ERROR;
}

/* dict_fail_sequence - always the stored error */
static enum lk_result
dict_fail_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	(void)first;
	(void)key_r;
	return dict_fail_lookup(d, "", value_r, st);
}

/* dict_fail_close - free the table */
static void
dict_fail_close(struct dict *d)
{
	free(d);
}

/* dict_fail_new - a fail table with the given reason */
static struct dict_fail *
dict_fail_new(const struct vd_status *why)
{
	struct dict_fail *f = xcalloc(1, sizeof(*f));

	f->dict.lookup = dict_fail_lookup;
	f->dict.sequence = dict_fail_sequence;
	f->dict.close = dict_fail_close;
	f->dict.props = 0;
	f->why = *why;
	if (f->why.dsn[0] == 0)
		memcpy(f->why.dsn, "4.3.5", sizeof("4.3.5"));
	return f;
}

struct dict *
dict_fail_type_open(const char *name, int flags, struct vd_status *st)
{
	struct vd_status why;
	struct dict_fail *f;

	(void)flags;
	(void)st;
	vd_status_set(&why, "4.3.5", "fail:%s: table lookup failed", name);
	f = dict_fail_new(&why);	/* copies why */
	return &f->dict;
}

struct dict *
dict_fail_open(const char *spec, const struct vd_status *why)
{
	struct vd_status none;
	struct dict_fail *f;

	if (why == NULL) {
		vd_status_set(&none, "4.3.5", "%s: table is not available",
		    spec ? spec : "");
		why = &none;
	}
	f = dict_fail_new(why);

	f->dict.type = "fail";
	f->dict.name = xstrdup(spec ? spec : "");
	f->dict.spec = xstrdup(spec ? spec : "");
	return &f->dict;
}
