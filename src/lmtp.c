/* SPDX-License-Identifier: MIT */
/* lmtp - placeholder until the LMTP server lands */
#include <sysexits.h>

#include "lmtp.h"

int
lmtp_main(const struct vd_config *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	return EX_UNAVAILABLE;
}
