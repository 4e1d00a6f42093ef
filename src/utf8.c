/* SPDX-License-Identifier: MIT */
/*
 * utf8 - UTF-8 validation and full case folding (see utf8.h)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "casefold_data.h"

bool
utf8_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * utf8_decode - the code point at p (before end), its length in *len_r;
 * -1 for a byte sequence RFC 3629 does not allow
 */
static long
utf8_decode(const unsigned char *p, const unsigned char *end, size_t *len_r)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;
	long cp;

	if (c < 0x80) {
		*len_r = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return -1;
	}
	if ((size_t)(end - p) < n)
		return -1;
	for (i = 1; i < n; i++) {
		unsigned char b = p[i];

		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return -1;
		cp = (cp << 6) | (b & 0x3f);
	}
	*len_r = n;
	return cp;
}

bool
utf8_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;

	while (p < end) {
		if (utf8_decode(p, end, &n) < 0)
			return false;
		p += n;
	}
	return true;
}

size_t
utf8_seq_len(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (len == 0 || utf8_decode(p, p + len, &n) < 0)
		return 0;
	return n;
}

void
utf8_put(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(b, (int)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (int)(0xc0 | (cp >> 6)));
		buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (int)(0xe0 | (cp >> 12)));
		buf_putc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(b, (int)(0xf0 | (cp >> 18)));
		buf_putc(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	}
}

/* utf8_fold_row - the folding of cp, or NULL when it folds to itself */
static const struct casefold_row *
utf8_fold_row(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(casefold_rows) / sizeof(casefold_rows[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (casefold_rows[mid].from == cp)
			return &casefold_rows[mid];
		if (casefold_rows[mid].from < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

char *
utf8_casefold(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	const struct casefold_row *row;
	struct buf b;
	size_t n, i;
	long cp;

	buf_init(&b);
	while (p < end) {
		if ((cp = utf8_decode(p, end, &n)) < 0) {
			buf_fini(&b);
			return NULL;
		}
		if ((row = utf8_fold_row((uint32_t)cp)) == NULL)
			buf_append(&b, p, n);
		else
			for (i = 0; i < 3 && row->to[i]; i++)
				utf8_put(&b, row->to[i]);
		p += n;
	}
	return buf_steal(&b);
}
