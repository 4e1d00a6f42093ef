/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pcre - the pcre: PCRE2 rules (pcre_table(5))
 *
 * DESCRIPTION
 *	See fuzz_dict.h for the input format and the checks.
 */
#define FUZZ_DICT_TYPE "pcre"
#include "fuzz_dict.h"
