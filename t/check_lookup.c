/* SPDX-License-Identifier: MIT */
/*
 * check_lookup - the registry (dict_open.c), static:, fail:, key guards
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lookup/dict.h"
#include "testlib.h"


static void
setup(void)
{
	test_log_capture();
}

struct open_case {
	const char *spec;
	const char *want_type;	/* NULL: the open fails */
	const char *want_name;
	const char *want_spec;
	const char *want_text;	/* error text (substring) */
};

static const struct open_case open_cases[] = {
	{ "static:x", "static", "x", "static:x", NULL },
	{ "proxy:static:x", "static", "x", "static:x", NULL },
	{ "proxy:proxy:static:x", "static", "x", "static:x", NULL },
	{ "static:a:b", "static", "a:b", "static:a:b", NULL },
	{ "proxy:static:proxy:x", "static", "proxy:x", "static:proxy:x",
	    NULL },
	{ "fail:", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ "fail:why", "fail", "why", "fail:why", NULL },
	{ "inline:{a=b}", "inline", "{a=b}", "inline:{a=b}", NULL },
	{ "static:", NULL, NULL, NULL,
	    "open dictionary: expecting \"type:name\" form instead of "
	    "\"static:\"" },
	{ "proxy:static:", NULL, NULL, NULL,
	    "expecting \"type:name\" form instead of \"proxy:static:\"" },
	{ "static", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ "", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ ":x", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ "proxy:", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ "nosuch:x", NULL, NULL, NULL,
	    "unsupported dictionary type: nosuch (supported: hash btree cdb "
	    "texthash inline static regexp pcre fail)" },
	{ "HASH:/x", NULL, NULL, NULL, "unsupported dictionary type: HASH" },
	{ "hash:", NULL, NULL, NULL, "expecting \"type:name\"" },
	{ "texthash:/nonexistent/x", NULL, NULL, NULL,
	    "texthash:/nonexistent/x: open /nonexistent/x: No such file" },
};

START_TEST(test_open)
{
	const struct open_case *c = &open_cases[_i];
	struct vd_status st;
	struct dict *d;

	vd_status_clear(&st);
	d = dict_open(c->spec, 0, &st);
	if (c->want_type == NULL) {
		ck_assert_msg(d == NULL, "%s opened", c->spec);
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, c->want_text) != NULL,
		    "%s: [%s] lacks [%s]", c->spec, st.text, c->want_text);
		return;
	}
	ck_assert_msg(d != NULL, "%s: %s", c->spec, st.text);
	ck_assert_str_eq(d->type, c->want_type);
	ck_assert_str_eq(d->name, c->want_name);
	ck_assert_str_eq(d->spec, c->want_spec);
	dict_close(&d);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_type_names)
{
	ck_assert_str_eq(dict_type_names(),
	    "hash btree cdb texthash inline static regexp pcre fail");
}
END_TEST

struct static_case {
	const char *spec;
	const char *want;	/* NULL: open fails */
	const char *want_text;
};

static const struct static_case static_cases[] = {
	{ "static:value", "value", NULL },
	{ "static:{ text with spaces }", "text with spaces", NULL },
	{ "static:{text}", "text", NULL },
	{ "static:{ {nested} }", "{nested}", NULL },
	{ "static:{}", "", NULL },
	{ "static:a b", "a b", NULL },
	{ "static:{ x", NULL,
	    "bad static:name syntax: missing '}' in \"{ x\"" },
	{ "static:{ x }y", NULL,
	    "bad static:name syntax: syntax error after '}' in \"{ x }y\"" },
};

START_TEST(test_static)
{
	const struct static_case *c = &static_cases[_i];
	struct vd_status st;
	struct dict *d;
	const char *v = NULL;

	vd_status_clear(&st);
	d = dict_open(c->spec, DICT_FLAG_FOLD_FIX, &st);
	if (c->want == NULL) {
		ck_assert_ptr_null(d);
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_str_eq(st.text, c->want_text);
		return;
	}
	ck_assert_msg(d != NULL, "%s: %s", c->spec, st.text);
	ck_assert_int_eq(dict_lookup(d, "Any@Key", &v, &st), LK_FOUND);
	ck_assert_str_eq(v, c->want);
	ck_assert_int_eq(dict_lookup(d, "", &v, &st), LK_FOUND);
	ck_assert_str_eq(v, c->want);
	ck_assert(!dict_changed(d));
	ck_assert_int_eq(d->props & DICT_PROP_PATTERN, 0);
	dict_close(&d);
}
END_TEST

START_TEST(test_fail_type)
{
	struct vd_status st;
	struct dict *d;
	const char *v = "untouched", *k;

	vd_status_clear(&st);
	d = dict_open("fail:test", 0, &st);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(dict_lookup(d, "a@b", &v, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_str_eq(st.text, "fail:test: table lookup failed");
	ck_assert_str_eq(v, "untouched");
	ck_assert_int_eq(dict_sequence(d, true, &k, &v, &st), LK_ERROR);
	dict_close(&d);
}
END_TEST

START_TEST(test_fail_open)
{
	struct vd_status why, st;
	struct dict *d;
	const char *v;

	vd_status_set(&why, "4.3.5", "hash:/x: open /x.db: gone");
	d = dict_fail_open("hash:/x", &why);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->spec, "hash:/x");
	vd_status_clear(&st);
	ck_assert_int_eq(dict_lookup(d, "k", &v, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_str_eq(st.text, "hash:/x: open /x.db: gone");
	/* the same again: a fail table never recovers */
	ck_assert_int_eq(dict_lookup(d, "k", &v, &st), LK_ERROR);
	dict_close(&d);
	d = dict_fail_open("x:y", NULL);
	ck_assert_int_eq(dict_lookup(d, "k", &v, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	dict_close(&d);
	dict_close(&d);		/* NULL is fine */
	dict_close(NULL);
}
END_TEST

START_TEST(test_key_guards)
{
	struct vd_status st;
	struct dict *d;
	const char *v;
	char *big;
	size_t n = (size_t)DICT_KEY_MAX + 1;

	d = dict_open("inline:{a=1}", 0, &st);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(dict_lookup(d, NULL, &v, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	big = malloc(n + 1);
	memset(big, 'a', n);
	big[n] = 0;
	ck_assert_int_eq(dict_lookup(d, big, &v, &st), LK_ERROR);
	ck_assert_msg(strstr(st.text, "longer than") != NULL, "%s", st.text);
	big[n - 1] = 0;	/* exactly DICT_KEY_MAX: an ordinary miss */
	ck_assert_int_eq(dict_lookup(d, big, &v, &st), LK_NOTFOUND);
	big[65536] = 0;
	ck_assert_int_eq(dict_lookup(d, big, &v, &st), LK_NOTFOUND);
	ck_assert_int_eq(dict_lookup(d, "", &v, &st), LK_NOTFOUND);
	ck_assert_int_eq(dict_lookup(d, "\x01\xff\xfe\x7f", &v, &st),
	    LK_NOTFOUND);
	free(big);
	dict_close(&d);
}
END_TEST

START_TEST(test_fold)
{
	struct vd_status st;
	struct dict *d;
	const char *v;

	/* without FOLD_FIX: the key as given */
	d = dict_open("inline:{user@example.com=1}", 0, &st);
	ck_assert_int_eq(dict_lookup(d, "User@Example.COM", &v, &st),
	    LK_NOTFOUND);
	ck_assert_int_eq(dict_lookup(d, "user@example.com", &v, &st),
	    LK_FOUND);
	dict_close(&d);
	/* with FOLD_FIX: folded query (and, as Postfix's dict_ht, keys) */
	d = dict_open("inline:{User@Example.com=1}", DICT_FLAG_FOLD_FIX, &st);
	ck_assert_int_eq(dict_lookup(d, "USER@EXAMPLE.COM", &v, &st),
	    LK_FOUND);
	ck_assert_str_eq(v, "1");
	/* only ASCII is folded */
	ck_assert_int_eq(dict_lookup(d, "USER@EXAMPLE.COM\xc3\x89", &v, &st),
	    LK_NOTFOUND);
	dict_close(&d);
}
END_TEST

START_TEST(test_build_dispatch)
{
	struct vd_status st;
	FILE *fp = fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(dict_build("static:x", fp, "src", 0, &st), -1);
	ck_assert_str_eq(st.dsn, "5.3.5");
	ck_assert_str_eq(st.text, "static: cannot build this table type");
	ck_assert_int_eq(dict_build("texthash:/x", fp, "src", 0, &st), -1);
	ck_assert_str_eq(st.text, "texthash: cannot build this table type");
	ck_assert_int_eq(dict_build("nosuch:/x", fp, "src", 0, &st), -1);
	ck_assert_str_eq(st.dsn, "5.3.5");
	ck_assert_msg(strstr(st.text, "unsupported dictionary type: nosuch")
	    != NULL, "%s", st.text);
	ck_assert_int_eq(dict_build("hash:", fp, "src", 0, &st), -1);
	ck_assert_str_eq(st.dsn, "5.3.5");
	fclose(fp);
}
END_TEST

static Suite *
lookup_suite(void)
{
	Suite *s = suite_create("lookup");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_open, 0,
	    sizeof(open_cases) / sizeof(open_cases[0]));
	tcase_add_test(tc, test_type_names);
	tcase_add_loop_test(tc, test_static, 0,
	    sizeof(static_cases) / sizeof(static_cases[0]));
	tcase_add_test(tc, test_fail_type);
	tcase_add_test(tc, test_fail_open);
	tcase_add_test(tc, test_key_guards);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_build_dispatch);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(lookup_suite)
