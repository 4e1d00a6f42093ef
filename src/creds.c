/* SPDX-License-Identifier: MIT */
/*
 * creds - questions about the process's own credentials
 *
 * DESCRIPTION
 *	See creds.h.
 */
#include <sys/types.h>
#include <stdbool.h>
#include <unistd.h>

#include "creds.h"

bool
vd_has_group(gid_t gid)
{
	gid_t groups[256];
	int n, i;

	if (gid == getegid())
		return true;
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}
