/* SPDX-License-Identifier: MIT */
/*
 * check_utf8 - UTF-8 validation and full case folding (SMTPUTF8 keys)
 *
 * With ICU (libicu-dev) at configure time, every code point is also
 * folded by ICU's ucasemap_utf8FoldCase(U_FOLD_CASE_DEFAULT), the call
 * Postfix makes, and the two must agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ICU
#include <unicode/ucasemap.h>
#include <unicode/uversion.h>
#endif

#include "buf.h"
#include "utf8.h"
#include "testlib.h"

START_TEST(test_valid)
{
	static const struct {
		const char *s;
		bool want;
	} cases[] = {
		{ "plain", true },
		{ "na\303\257ve", true },
		{ "na\303ve", false },		/* missing continuation */
		{ "na\257ve", false },		/* stray continuation */
		{ "\300\257", false },		/* overlong '/' */
		{ "\340\200\257", false },	/* overlong, 3 bytes */
		{ "\355\240\200", false },	/* surrogate U+D800 */
		{ "\355\237\277", true },	/* U+D7FF */
		{ "\364\217\277\277", true },	/* U+10FFFF */
		{ "\364\220\200\200", false },	/* U+110000 */
		{ "\360\237\230\200", true },	/* U+1F600 */
		{ "\370\210\200\200\200", false },	/* 5 bytes */
		{ "\377", false },
		{ "\342\202", false },		/* truncated */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(utf8_is_valid(cases[i].s, strlen(cases[i].s))
			== cases[i].want, "case %zu", i);
}
END_TEST

START_TEST(test_seq_len)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "a", 1 },
		{ "\303\257ve", 2 },
		{ "\303ve", 0 },		/* missing continuation */
		{ "\257", 0 },			/* stray continuation */
		{ "\300\257", 0 },		/* overlong '/' */
		{ "\340\200\257", 0 },	/* overlong, 3 bytes */
		{ "\355\240\200", 0 },	/* surrogate U+D800 */
		{ "\355\237\277", 3 },	/* U+D7FF */
		{ "\364\217\277\277", 4 },	/* U+10FFFF */
		{ "\364\220\200\200", 0 },	/* U+110000 */
		{ "\360\237\230\200x", 4 },	/* U+1F600 */
		{ "\370\210\200\200\200", 0 },	/* 5 bytes */
		{ "\342\202", 0 },		/* truncated */
	};
	static const struct {
		uint32_t cp;
		const char *want;
	} enc[] = {
		{ 0x41, "A" },
		{ 0xef, "\303\257" },
		{ 0x7ff, "\337\277" },
		{ 0x800, "\340\240\200" },
		{ 0xd7ff, "\355\237\277" },
		{ 0xffff, "\357\277\277" },
		{ 0x10000, "\360\220\200\200" },
		{ 0x10ffff, "\364\217\277\277" },
	};
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(utf8_seq_len(cases[i].s, strlen(cases[i].s))
			== cases[i].want, "case %zu", i);
	ck_assert_uint_eq(utf8_seq_len("\303\257", 1), 0);
	ck_assert_uint_eq(utf8_seq_len("", 0), 0);
	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		buf_init(&b);
		utf8_put(&b, enc[i].cp);
		ck_assert_msg(b.len == strlen(enc[i].want)
		    && memcmp(b.data, enc[i].want, b.len) == 0
		    && utf8_seq_len(b.data, b.len) == b.len,
		    "code point %#x", (unsigned)enc[i].cp);
		buf_fini(&b);
	}
}
END_TEST

START_TEST(test_casefold)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "gr\303\234n@x", "gr\303\274n@x" },		/* Ü -> ü */
		{ "stra\303\237e", "strasse" },			/* ß -> ss (F) */
		{ "STRA\341\272\236E", "strasse" },		/* ẞ -> ss, ASCII too */
		{ "\342\204\252", "k" },			/* KELVIN SIGN -> k */
		{ "\316\243\317\202", "\317\203\317\203" },	/* Σς -> σσ */
		{ "\357\254\203", "ffi" },			/* ﬃ -> ffi */
		{ "\360\220\220\200", "\360\220\220\250" },	/* U+10400 */
		{ "\304\260", "i\314\207" },			/* İ -> i + U+0307 */
		{ "\344\270\255", "\344\270\255" },		/* no folding */
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = utf8_casefold(cases[i].in);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(strcmp(got, cases[i].want) == 0,
		    "case %zu: got [%s]", i, got);
		free(got);
	}
	ck_assert_ptr_null(utf8_casefold("bad\377"));
	ck_assert(utf8_is_ascii("abc"));
	ck_assert(!utf8_is_ascii("a\303\274"));
}
END_TEST

#ifdef HAVE_ICU
/* test_icu - every code point folds as ICU folds it */
START_TEST(test_icu)
{
	UErrorCode err = U_ZERO_ERROR;
	UCaseMap *csm = ucasemap_open("en_US", U_FOLD_CASE_DEFAULT, &err);
	char in[8], want[64], *got;
	long cp, n_diff = 0, n_folded = 0;
	int32_t len;

	ck_assert_msg(U_SUCCESS(err), "ucasemap_open: %d", (int)err);
	for (cp = 1; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (cp < 0x80) {
			in[0] = (char)cp;
			in[1] = 0;
		} else if (cp < 0x800) {
			in[0] = (char)(0xc0 | (cp >> 6));
			in[1] = (char)(0x80 | (cp & 0x3f));
			in[2] = 0;
		} else if (cp < 0x10000) {
			in[0] = (char)(0xe0 | (cp >> 12));
			in[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			in[2] = (char)(0x80 | (cp & 0x3f));
			in[3] = 0;
		} else {
			in[0] = (char)(0xf0 | (cp >> 18));
			in[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			in[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			in[3] = (char)(0x80 | (cp & 0x3f));
			in[4] = 0;
		}
		err = U_ZERO_ERROR;
		len = ucasemap_utf8FoldCase(csm, want, sizeof(want), in,
		    (int32_t)strlen(in), &err);
		ck_assert_msg(U_SUCCESS(err) && len >= 0
		    && (size_t)len < sizeof(want), "ICU U+%04lX", cp);
		want[len] = 0;
		got = utf8_casefold(in);
		ck_assert_ptr_nonnull(got);
		if (strcmp(got, want) != 0 && n_diff++ < 10)
			fprintf(stderr, "U+%04lX: ICU [%s], ours [%s]\n", cp,
			    want, got);
		if (strcmp(in, want) != 0)
			n_folded++;
		free(got);
	}
	ucasemap_close(csm);
	printf("ICU %s: %ld code points fold, %ld differ\n",
	    U_ICU_VERSION, n_folded, n_diff);
	ck_assert_int_eq(n_diff, 0);
	ck_assert_int_gt(n_folded, 1400);
}
END_TEST
#endif

static Suite *
utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_seq_len);
	tcase_add_test(tc, test_casefold);
#ifdef HAVE_ICU
	tcase_add_test(tc, test_icu);
#else
	fprintf(stderr, "check_utf8: built without ICU (libicu-dev): "
	    "the comparison with ICU's folding is not run\n");
#endif
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(utf8_suite)
