/* SPDX-License-Identifier: MIT */
/* dict_pcre - placeholder until the pcre table type lands */
#include <stddef.h>

#include "lookup/dict_impl.h"

struct dict *
dict_pcre_open(const char *name, int flags, struct vd_status *st)
{
	(void)flags;
	vd_status_set(st, "4.3.5", "pcre:%s: table type not built", name);
	return NULL;
}
