/* SPDX-License-Identifier: MIT */
/* dict_db - hash and btree (Berkeley DB): not built yet */
#include <stddef.h>

#include "lookup/dict_impl.h"

struct dict *
dict_hash_open(const char *name, int flags, struct vd_status *st)
{
	(void)flags;
	vd_status_set(st, "4.3.5", "hash:%s: table type not built", name);
	return NULL;
}

struct dict *
dict_btree_open(const char *name, int flags, struct vd_status *st)
{
	(void)flags;
	vd_status_set(st, "4.3.5", "btree:%s: table type not built", name);
	return NULL;
}

int
dict_hash_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	(void)src;
	(void)srcname;
	(void)flags;
	return vd_status_set(st, "5.3.5", "hash:%s: not built", path);
}

int
dict_btree_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	(void)src;
	(void)srcname;
	(void)flags;
	return vd_status_set(st, "5.3.5", "btree:%s: not built", path);
}
