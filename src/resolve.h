/* SPDX-License-Identifier: MIT */
/*
 * resolve - recipient address to mailbox, uid and gid, as virtual(8)
 *
 * DESCRIPTION
 *	resolve() folds the recipient, searches virtual_mailbox_maps with
 *	the keys user+ext@domain, user@domain, @domain (pattern tables see
 *	only the full address), then virtual_uid_maps and virtual_gid_maps
 *	the same way, and checks what it found.  Results:
 *	  0            target filled in
 *	  -1, 5.1.1    not in virtual_mailbox_maps: unknown user (bounce)
 *	  -1, 4.3.5    table error, empty result, ".." in the result, uid or
 *	               gid missing, malformed, below virtual_minimum_uid, 0
 *	resolve() never opens or writes a mailbox.
 */
#ifndef VD_SRC_RESOLVE_H
#define VD_SRC_RESOLVE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "lookup/maps.h"
#include "status.h"

struct vd_target {
	char *path;		/* base + "/" + result; owned, free with resolve_fini() */
	size_t base_len;	/* strlen(virtual_mailbox_base) */
	uid_t uid;
	gid_t gid;
	bool is_maildir;	/* path ends in '/' */
};

struct resolve_maps {
	struct maps *mailbox;
	struct maps *uid;
	struct maps *gid;
};

/* resolve - see above; t is written only on success */
int resolve(const struct vd_config *cfg, const struct resolve_maps *maps,
    const char *rcpt, struct vd_target *t, struct vd_status *st);
/* resolve_fini - free t->path */
void resolve_fini(struct vd_target *t);

#endif
