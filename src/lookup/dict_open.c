/* SPDX-License-Identifier: MIT */
/* dict_open - placeholder until the lookup framework lands */
#include <stddef.h>

#include "lookup/dict.h"
#include "lookup/dict_impl.h"

struct dict *
dict_open(const char *spec, int flags, struct vd_status *st)
{
	(void)flags;
	vd_status_set(st, "4.3.5", "%s: table types not built", spec);
	return NULL;
}

struct dict *
dict_fail_open(const char *spec, const struct vd_status *why)
{
	(void)spec;
	(void)why;
	return NULL;
}

void
dict_close(struct dict **dp)
{
	*dp = NULL;
}

enum lk_result
dict_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	(void)d;
	(void)key;
	(void)value_r;
	vd_status_set(st, "4.3.5", "table types not built");
	return LK_ERROR;
}

bool
dict_changed(struct dict *d)
{
	(void)d;
	return false;
}

int
dict_build(const char *spec, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	(void)src;
	(void)srcname;
	(void)flags;
	return vd_status_set(st, "5.3.5", "%s: cannot build", spec);
}

const char *
dict_type_names(void)
{
	return "";
}
