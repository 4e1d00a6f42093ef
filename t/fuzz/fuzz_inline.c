/* SPDX-License-Identifier: MIT */
/*
 * fuzz_inline - the inline: {key=value, ...} in the table name
 *
 * DESCRIPTION
 *	See fuzz_dict.h for the input format and the checks.
 */
#define FUZZ_DICT_TYPE "inline"
#define FUZZ_DICT_INLINE 1
#include "fuzz_dict.h"
