/* SPDX-License-Identifier: MIT */
/* config - placeholder until the config module lands (see config.h) */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "textline.h"

int
config_load(struct vd_config *cfg, const char *path, char *const *overrides,
    size_t n_overrides, struct vd_status *st)
{
	(void)path;
	(void)overrides;
	(void)n_overrides;
	memset(cfg, 0, sizeof(*cfg));
	return vd_status_set(st, "4.3.5", "configuration reader not built");
}

const char *
config_get(const struct vd_config *cfg, const char *name)
{
	(void)cfg;
	(void)name;
	return NULL;
}

void
config_free(struct vd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

char **
config_split_list(const char *value)
{
	return text_split_list(value, TEXT_LIST_SEPS);
}

void
config_list_free(char **list)
{
	text_list_free(list);
}
