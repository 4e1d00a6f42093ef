/* SPDX-License-Identifier: MIT */
/*
 * creds - questions about the process's own credentials
 *
 * DESCRIPTION
 *	vd_has_group() is the one "is this group mine?" test: the
 *	effective gid or one of the supplementary groups (getgroups()).
 *	The agent asks it of a recipient's table gid when not running as
 *	root; the dot-lock code asks it of a mail directory's group, as
 *	liblockfile's eaccess_write() does.
 */
#ifndef VD_SRC_CREDS_H
#define VD_SRC_CREDS_H

#include <sys/types.h>
#include <stdbool.h>

/* vd_has_group - gid is the process's effective gid or a supplementary one */
bool vd_has_group(gid_t gid);

#endif
