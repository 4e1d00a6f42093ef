/* SPDX-License-Identifier: MIT */
/*
 * fuzz_texthash - the texthash: postmap(1) text, read at open
 *
 * DESCRIPTION
 *	See fuzz_dict.h for the input format and the checks.
 */
#define FUZZ_DICT_TYPE "texthash"
#include "fuzz_dict.h"
