/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dict - one table type's source parser and lookups
 *
 * DESCRIPTION
 *	Included by fuzz_texthash.c, fuzz_inline.c, fuzz_regexp.c and
 *	fuzz_pcre.c after they define FUZZ_DICT_TYPE (and FUZZ_DICT_INLINE
 *	for a table whose source is its name).  Input: a query key up to
 *	the first LF, then the table source.  A key that starts with '!'
 *	also turns on DICT_FLAG_FOLD_FIX and DICT_FLAG_ALLOW_REGSUB.  The
 *	table is opened, the key and a fixed address are looked up, and
 *	every entry the table can list is looked up again: a listed key
 *	must be found.  A failed open must give a status with a DSN.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lookup/dict.h"
#include "fuzz.h"

#ifndef FUZZ_DICT_MAX_SEQ
#define FUZZ_DICT_MAX_SEQ 200
#endif

#ifdef FUZZ_DICT_FILTER
static bool FUZZ_DICT_FILTER(const uint8_t *p, size_t n);
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl, *src;
	const char *value, *k;
	struct vd_status st;
	struct dict *d;
	struct buf spec;
	char *key, *keys[FUZZ_DICT_MAX_SEQ];
	size_t src_len, n_keys = 0, i;
	int flags = 0;
	enum lk_result r;

	fuzz_setup();
	nl = memchr(data, '\n', size);
	if (nl == NULL)
		return 0;
	key = fuzz_cstr(data, (size_t)(nl - data));
	src = nl + 1;
	src_len = size - (size_t)(src - data);
#ifdef FUZZ_DICT_FILTER
	if (!FUZZ_DICT_FILTER(src, src_len)) {
		free(key);
		return 0;
	}
#endif
	if (key[0] == '!')
		flags = DICT_FLAG_FOLD_FIX | DICT_FLAG_ALLOW_REGSUB;
	buf_init(&spec);
	buf_puts(&spec, FUZZ_DICT_TYPE ":");
#ifdef FUZZ_DICT_INLINE
	if (memchr(src, 0, src_len)) {
		buf_fini(&spec);
		free(key);
		return 0;
	}
	buf_append(&spec, src, src_len);
#else
	buf_puts(&spec, fuzz_file(src, src_len));
#endif
	vd_status_clear(&st);
	d = dict_open(spec.data, flags, &st);
	buf_fini(&spec);
	if (d == NULL) {
		fuzz_check(st.dsn[0] == '4' || st.dsn[0] == '5');
		free(key);
		return 0;
	}
	r = dict_lookup(d, key, &value, &st);
	fuzz_check(r == LK_FOUND || r == LK_NOTFOUND || r == LK_ERROR);
	if (r == LK_FOUND)
		fuzz_check(value != NULL);
	(void)dict_lookup(d, "user@example.com", &value, &st);
	(void)dict_lookup(d, "", &value, &st);
	if (d->sequence) {
		bool first = true;

		while (n_keys < FUZZ_DICT_MAX_SEQ
		    && d->sequence(d, first, &k, &value, &st) == LK_FOUND) {
			first = false;
			keys[n_keys++] = fuzz_cstr((const uint8_t *)k, strlen(k));
		}
		for (i = 0; i < n_keys; i++) {
			r = dict_lookup(d, keys[i], &value, &st);
			if (!(flags & DICT_FLAG_FOLD_FIX))
				fuzz_check(r == LK_FOUND);
			free(keys[i]);
		}
	}
	dict_close(&d);
	fuzz_check(d == NULL);
	free(key);
	return 0;
}
