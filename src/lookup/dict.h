/* SPDX-License-Identifier: MIT */
/*
 * dict - one lookup table of any type, behind one interface
 *
 * DESCRIPTION
 *	dict_open() opens "type:name" through the registry in dict_open.c
 *	(hash, btree, cdb, texthash, inline, static, regexp, pcre, fail;
 *	"proxy:type:name" opens type:name directly).  A lookup has three
 *	outcomes: LK_FOUND (value), LK_NOTFOUND, LK_ERROR (file unreadable,
 *	corrupt, database error, or the table could not be opened).
 *
 *	Keys: the caller passes the key as it should be matched.  With
 *	DICT_FLAG_FOLD_FIX, fixed-key tables fold the query to lower case
 *	(postmap -q does this; vdeliver folds the address itself).
 *	Values are borrowed: valid until the next call on the same dict.
 *
 *	Table source problems are reported as "file:line: message" through
 *	log_warn(); a rule or line that cannot be used is skipped, as in
 *	Postfix.  Nothing here exits or writes to stdout/stderr directly.
 */
#ifndef VD_LOOKUP_DICT_H
#define VD_LOOKUP_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

enum lk_result {
	LK_FOUND,
	LK_NOTFOUND,
	LK_ERROR,
};

/* Open flags. */
#define DICT_FLAG_FOLD_FIX 0x01	/* fold query keys of fixed-key tables */
#define DICT_FLAG_ALLOW_REGSUB 0x02	/* keep regexp/pcre rules using $n */
/*
 * Build flags (dict_build(), vmap): the postmap(1) options.  The default
 * folds keys to lower case, stores the trailing NUL for hash and btree
 * (not for cdb, as postmap on Linux), keeps the first of duplicate keys
 * and warns "SRC:LINE: duplicate entry".
 */
#define DICT_BUILD_NO_FOLD 0x0100	/* postmap -f: keep the key's case */
#define DICT_BUILD_NUL 0x0200	/* postmap -N: key and value with NUL */
#define DICT_BUILD_NO_NUL 0x0400	/* postmap -n: without the NUL */
#define DICT_BUILD_DUP_REPLACE 0x0800	/* postmap -r: a later line wins */
#define DICT_BUILD_DUP_IGNORE 0x1000	/* postmap -w: keep the first, quietly */

/* DICT_KEY_MAX - longer query keys are a lookup error, never a crash */
#define DICT_KEY_MAX (1024 * 1024)

/* Properties (dict->props). */
#define DICT_PROP_PATTERN 0x01	/* regexp, pcre: sees only the full address */
#define DICT_PROP_FILE 0x02	/* backed by a file that may change */

struct dict {
	const char *type;	/* "hash"; static storage */
	char *name;		/* the part after "type:" */
	char *spec;		/* "type:name" as opened (without proxy:) */
	int flags;		/* DICT_FLAG_* given to dict_open() */
	int props;		/* DICT_PROP_* */
	enum lk_result (*lookup)(struct dict *d, const char *key,
	    const char **value_r, struct vd_status *st);
	/* sequence: first call with first=true; LK_NOTFOUND at the end */
	enum lk_result (*sequence)(struct dict *d, bool first,
	    const char **key_r, const char **value_r, struct vd_status *st);
	void (*close)(struct dict *d);
	/* changed: the file behind the table differs from the one opened */
	bool (*changed)(struct dict *d);
	/* private to dict_open.c: the folded copy of the last query key */
	char *fold_buf;
	size_t fold_cap;
};

/*
 * dict_open - open "type:name"; NULL with st set (4.3.5) when the type
 * is unknown or the table cannot be opened.  Close with dict_close().
 */
struct dict *dict_open(const char *spec, int flags, struct vd_status *st);
/*
 * dict_fail_open - a table whose every lookup fails with why's code and
 * text (the table spec opened in its place, for maps_open()); never NULL
 */
struct dict *dict_fail_open(const char *spec, const struct vd_status *why);
/* dict_close - close and free; NULL is fine; *dp becomes NULL */
void dict_close(struct dict **dp);
/* dict_lookup - d->lookup, with key folding per flags; see above */
enum lk_result dict_lookup(struct dict *d, const char *key,
    const char **value_r, struct vd_status *st);
/*
 * dict_sequence - d->sequence (vmap -s): first=true starts over;
 * LK_NOTFOUND at the end; LK_ERROR (5.3.5) when the type cannot list
 */
enum lk_result dict_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st);
/* dict_changed - true when the backing file was replaced or modified */
bool dict_changed(struct dict *d);

/*
 * dict_build - vmap: build the indexed file for "type:path" (hash,
 * btree, cdb) from postmap(1) text in src, named srcname in messages.
 * Writes a temporary file, fsyncs it and renames it into place.
 * Returns 0, or -1 with st.  Types that cannot be built: -1, 5.3.5.
 */
int dict_build(const char *spec, FILE *src, const char *srcname, int flags,
    struct vd_status *st);
/* dict_type_names - "hash btree cdb ..." for usage and error messages */
const char *dict_type_names(void);

#endif
