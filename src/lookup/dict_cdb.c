/* SPDX-License-Identifier: MIT */
/* dict_cdb - cdb (tinycdb): not built yet */
#include <stddef.h>

#include "lookup/dict_impl.h"

struct dict *
dict_cdb_open(const char *name, int flags, struct vd_status *st)
{
	(void)flags;
	vd_status_set(st, "4.3.5", "cdb:%s: table type not built", name);
	return NULL;
}

int
dict_cdb_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	(void)src;
	(void)srcname;
	(void)flags;
	return vd_status_set(st, "5.3.5", "cdb:%s: not built", path);
}
