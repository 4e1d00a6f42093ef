/* SPDX-License-Identifier: MIT */
/* maps - placeholder until the lookup framework lands */
#include <stdlib.h>

#include "buf.h"
#include "lookup/maps.h"

struct maps *
maps_open(const char *param, const char *list, int dict_flags)
{
	struct maps *m = xcalloc(1, sizeof(*m));

	(void)list;
	(void)dict_flags;
	m->param = xstrdup(param);
	return m;
}

enum lk_result
maps_find(struct maps *m, const char *key, int flags, const char **value_r,
    struct vd_status *st)
{
	(void)key;
	(void)flags;
	(void)value_r;
	vd_status_set(st, "4.3.5", "%s: table types not built", m->param);
	return LK_ERROR;
}

bool
maps_changed(const struct maps *m)
{
	(void)m;
	return false;
}

void
maps_free(struct maps **mp)
{
	if (*mp) {
		free((*mp)->param);
		free(*mp);
	}
	*mp = NULL;
}
