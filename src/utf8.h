/* SPDX-License-Identifier: MIT */
/*
 * utf8 - UTF-8 validation and full case folding, for SMTPUTF8 keys
 *
 * DESCRIPTION
 *	With smtputf8_enable = yes (Postfix's default from
 *	compatibility_level 1 on), Postfix case-folds a non-ASCII lookup
 *	key with ICU's full case folding (util/casefold.c, through
 *	dict_utf8.c for every table type), and treats a key that is not
 *	valid UTF-8 as not found.  utf8_is_valid() is RFC 3629 (no overlong
 *	forms, no surrogates, nothing above U+10FFFF), as Postfix's
 *	valid_utf8_string(); utf8_casefold() is Unicode full case folding
 *	(CaseFolding.txt, status C and F; src/casefold_data.h, generated
 *	by contrib/gen-casefold.py), what ICU's U_FOLD_CASE_DEFAULT does.
 */
#ifndef VD_SRC_UTF8_H
#define VD_SRC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* utf8_is_ascii - no byte >= 0x80 */
bool utf8_is_ascii(const char *s);
/* utf8_is_valid - s[0..len) is valid UTF-8 (RFC 3629) */
bool utf8_is_valid(const char *s, size_t len);
/*
 * utf8_seq_len - length of the UTF-8 sequence at s[0..len) (1 for an
 * ASCII byte), or 0 when it is not valid RFC 3629 UTF-8 (overlong,
 * surrogate, above U+10FFFF, bad or missing continuation) or len is 0
 */
size_t utf8_seq_len(const char *s, size_t len);
/* utf8_put - append code point cp (at most U+10FFFF) as UTF-8 */
void utf8_put(struct buf *b, uint32_t cp);
/*
 * utf8_casefold - folded copy of the valid UTF-8 string s (caller
 * frees); NULL when s is not valid UTF-8.
 */
char *utf8_casefold(const char *s);

#endif
