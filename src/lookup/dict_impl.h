/* SPDX-License-Identifier: MIT */
/*
 * dict_impl - what a table type provides to the registry (dict_open.c)
 *
 * DESCRIPTION
 *	Each type lives in its own dict_<type>.c and exports one open
 *	function (and, for indexed types, one build function).  The open
 *	function gets the part after "type:" and the DICT_FLAG_* flags, and
 *	returns a struct dict it allocated itself (usually the first member
 *	of a private struct) with lookup, close and, where it makes sense,
 *	sequence and changed set, and props filled in; or NULL with st set
 *	(4.3.5) when the table cannot be opened.  dict_open() then fills in
 *	type, name, spec and flags; dict_close() frees name and spec and
 *	calls d->close(d), which frees everything else, d included.
 *
 *	A lookup gets the key exactly as the caller passed it (dict_lookup()
 *	has already folded it when DICT_FLAG_FOLD_FIX applies).
 *	Table source problems are log_warn()ed as "file:line: message".
 */
#ifndef VD_LOOKUP_DICT_IMPL_H
#define VD_LOOKUP_DICT_IMPL_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "lookup/dict.h"
#include "status.h"

struct stat;

/*
 * dict_file_changed - path no longer names the file that was opened
 * (sb, from fstat() at open), or it was modified since: another inode
 * or device, size, or mtime.  A path that cannot be stat()ed counts as
 * changed.  For the changed() method of file-backed types.
 */
bool dict_file_changed(const char *path, const struct stat *sb);

/*
 * dict_fsync_path - open a file or (is_dir) a directory read-only and
 * fsync() it: a new table, and its rename, made durable.  0, or -1 with
 * st (4.3.0) naming the step and the path.
 */
int dict_fsync_path(const char *path, bool is_dir, struct vd_status *st);

/* Shared by the indexed types (dict_db.c, dict_cdb.c): */
struct buf;
/* dict_file_path - name + suffix (".db", ".cdb"), allocated */
char *dict_file_path(const char *name, const char *suffix);
/*
 * dict_split_dir - "dir/base" into dir ("." or "/" where that is all)
 * and *base_r (inside path)
 */
void dict_split_dir(const char *path, struct buf *dir, const char **base_r);
/* dict_set_value - b holds p[0..len) up to its first NUL; b->data */
const char *dict_set_value(struct buf *b, const void *p, size_t len);
/* dict_warn_stale - Postfix's "database is older than source file" */
void dict_warn_stale(const char *db_path, const char *src, time_t db_mtime);

typedef struct dict *dict_open_fn(const char *name, int flags,
    struct vd_status *st);
typedef int dict_build_fn(const char *path, FILE *src, const char *srcname,
    int flags, struct vd_status *st);

/* dict_db.c: Berkeley DB, PATH.db */
dict_open_fn dict_hash_open, dict_btree_open;
dict_build_fn dict_hash_build, dict_btree_build;
/*
 * dict_db_set_cpu_limit - CPU seconds one Berkeley DB call may take
 * before the table counts as corrupt (default 10; tests lower it)
 */
void dict_db_set_cpu_limit(unsigned seconds);
/* dict_cdb.c: tinycdb, PATH.cdb */
dict_open_fn dict_cdb_open;
dict_build_fn dict_cdb_build;
/* dict_texthash.c, dict_inline.c, dict_static.c, dict_fail.c */
dict_open_fn dict_texthash_open, dict_inline_open, dict_static_open;
dict_open_fn dict_fail_type_open;
/* dict_regexp.c (POSIX regcomp), dict_pcre.c (PCRE2) */
dict_open_fn dict_regexp_open, dict_pcre_open;

#endif
