/* SPDX-License-Identifier: MIT */
/*
 * maps - an ordered list of tables, as in a main.cf parameter
 *
 * DESCRIPTION
 *	maps_open() splits a list such as "hash:/a, cdb:/b" (commas and
 *	white space separate, "{...}" is kept together) and opens each
 *	table.  A table that cannot be opened becomes a fail table (its
 *	lookups return LK_ERROR with the reason), so mail defers instead of
 *	the process stopping.  maps_find() searches left to right: the first
 *	table that has the key wins; an error in any table stops the search
 *	and is returned (it is never taken as "not found").  An empty result
 *	value is an error, as in Postfix.
 */
#ifndef VD_LOOKUP_MAPS_H
#define VD_LOOKUP_MAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "lookup/dict.h"
#include "status.h"

/* maps_find() flags */
#define MAPS_FIXED_ONLY 0x01	/* skip pattern tables (regexp, pcre) */

/*
 * Called once per table consulted, for vdeliver -n; value is the value
 * (LK_FOUND), the error text (LK_ERROR) or NULL.
 */
typedef void maps_trace_fn(void *ctx, const char *param, const char *table,
    const char *key, enum lk_result result, const char *value);

struct maps {
	char *param;		/* "virtual_mailbox_maps", for messages */
	struct dict **dicts;
	size_t n_dicts;
	maps_trace_fn *trace;
	void *trace_ctx;
};

/* maps_open - never NULL; free with maps_free() */
struct maps *maps_open(const char *param, const char *list, int dict_flags);
/* maps_find - LK_FOUND with *value_r borrowed (until the next lookup) */
enum lk_result maps_find(struct maps *m, const char *key, int flags,
    const char **value_r, struct vd_status *st);
/* maps_changed - any table file changed since it was opened */
bool maps_changed(const struct maps *m);
/* maps_free - close every table; *mp becomes NULL */
void maps_free(struct maps **mp);

#endif
