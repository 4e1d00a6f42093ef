/* SPDX-License-Identifier: MIT */
/*
 * fuzz_regexp - the regexp: POSIX regcomp rules (regexp_table(5))
 *
 * DESCRIPTION
 *	See fuzz_dict.h for the input format and the checks.
 *	glibc's regcomp() takes time and memory exponential in nested
 *	interval bounds ("((a{99}){99}){99}") and stacked "+" ("e+++++...",
 *	each one copies the tree), as it does for Postfix; a table is
 *	written by the administrator, so such inputs are skipped (any bound
 *	above 20, more than 3 bounds, more than 8 "+") rather than reported.
 */
#define FUZZ_DICT_TYPE "regexp"
#define FUZZ_DICT_FILTER fuzz_regexp_small

#include "fuzz_dict.h"

/* fuzz_regexp_small - bounds at most 20, at most 3 of them, 8 "+" */
static bool
fuzz_regexp_small(const uint8_t *p, size_t n)
{
	size_t i, bounds = 0, plus = 0;
	unsigned long v;

	for (i = 0; i < n; i++) {
		if (p[i] == '+' && ++plus > 8)
			return false;
		if (p[i] != '{')
			continue;
		if (++bounds > 3)
			return false;
		for (v = 0; i + 1 < n && (p[i + 1] == ',' || (p[i + 1] >= '0'
			&& p[i + 1] <= '9')); i++) {
			v = p[i + 1] == ',' ? 0 : v * 10 + (p[i + 1] - '0');
			if (v > 20)
				return false;
		}
	}
	return true;
}
