/* SPDX-License-Identifier: MIT */
/*
 * lmtp - LMTP (RFC 2033) server mode
 */
#ifndef VD_SRC_LMTP_H
#define VD_SRC_LMTP_H

#include "config.h"

/*
 * lmtp_main - run the LMTP mode with the remaining command line
 * (--lmtp [--listen unix:PATH|inet:HOST:PORT]); returns an exit code.
 */
int lmtp_main(const struct vd_config *cfg, int argc, char **argv);

#endif
