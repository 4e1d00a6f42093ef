/* SPDX-License-Identifier: MIT */
/*
 * check_maps - map lists: order, first hit, errors, fixed-only, traces
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lookup/maps.h"
#include "testlib.h"


static void
setup(void)
{
	test_log_capture();
}

struct maps_case {
	const char *name;
	const char *list;
	const char *key;
	int flags;
	enum lk_result want;
	const char *want_value;	/* LK_FOUND: value; LK_ERROR: status text */
	const char *want_trace;	/* "table=R," per table asked */
};

static const struct maps_case maps_cases[] = {
	{ "first hit wins", "inline:{a=1} inline:{a=2}", "a", 0, LK_FOUND,
	    "1", "inline:{a=1}=F," },
	{ "second table", "inline:{b=1}, inline:{a=2}", "a", 0, LK_FOUND,
	    "2", "inline:{b=1}=N,inline:{a=2}=F," },
	{ "not found", "inline:{b=1}\tinline:{c=2}", "a", 0, LK_NOTFOUND,
	    NULL, "inline:{b=1}=N,inline:{c=2}=N," },
	{ "error stops the search", "inline:{b=1} fail:x inline:{a=2}", "a",
	    0, LK_ERROR, "fail:x: table lookup failed",
	    "inline:{b=1}=N,fail:x=E," },
	{ "hit before the error", "inline:{a=1} fail:x", "a", 0, LK_FOUND,
	    "1", "inline:{a=1}=F," },
	{ "empty value is an error", "inline:{a=} inline:{a=2}", "a", 0,
	    LK_ERROR,
	    "inline:{a=}: test_maps lookup of a returns an empty string "
	    "result", "inline:{a=}=F," },
	{ "static empty", "static:{}", "a", 0, LK_ERROR, NULL,
	    "static:{}=F," },
	{ "unopenable table defers", "inline:{b=1} hash:/nonexistent/x "
	    "inline:{a=1}", "a", 0, LK_ERROR,
	    "hash:/nonexistent/x", "inline:{b=1}=N,hash:/nonexistent/x=E," },
	{ "unknown type defers", "nosuch:x", "a", 0, LK_ERROR,
	    "unsupported dictionary type: nosuch", "nosuch:x=E," },
	{ "bad spec defers", "static:", "a", 0, LK_ERROR,
	    "expecting \"type:name\"", "static:=E," },
	{ "fixed only skips nothing fixed", "static:s", "a", MAPS_FIXED_ONLY,
	    LK_FOUND, "s", "static:s=F," },
	{ "unopenable defers also fixed-only", "hash:/nonexistent/x",
	    "a", MAPS_FIXED_ONLY, LK_ERROR, "hash:/nonexistent/x",
	    "hash:/nonexistent/x=E," },
	{ "empty key", "static:x", "", 0, LK_NOTFOUND, NULL, "" },
	{ "empty list", "", "a", 0, LK_NOTFOUND, NULL, "" },
	{ "only separators", " ,, \t\r\n", "a", 0, LK_NOTFOUND, NULL, "" },
	{ "proxy stripped", "proxy:inline:{a=1}", "a", 0, LK_FOUND, "1",
	    "inline:{a=1}=F," },
	{ "braces keep spaces", "static:{ a b }", "k", 0, LK_FOUND, "a b",
	    "static:{ a b }=F," },
	{ "binary key", "inline:{a=1}", "\x01\xff", 0, LK_NOTFOUND, NULL,
	    "inline:{a=1}=N," },
};

static char traced[1024];

/* trace - record "table=R," for each table asked */
static void
trace(void *ctx, const char *param, const char *table, const char *key,
    enum lk_result r, const char *value)
{
	size_t n = strlen(traced);

	ck_assert_ptr_eq(ctx, traced);
	ck_assert_str_eq(param, "test_maps");
	ck_assert_ptr_nonnull(key);
	/* the value when found, the error text on an error, else NULL */
	ck_assert((r != LK_NOTFOUND) == (value != NULL));
	snprintf(traced + n, sizeof(traced) - n, "%s=%c,", table,
	    r == LK_FOUND ? 'F' : r == LK_NOTFOUND ? 'N' : 'E');
}

START_TEST(test_maps)
{
	const struct maps_case *c = &maps_cases[_i];
	struct maps *m = maps_open("test_maps", c->list, 0);
	struct vd_status st;
	const char *v = NULL;
	enum lk_result r;

	traced[0] = 0;
	m->trace = trace;
	m->trace_ctx = traced;
	vd_status_clear(&st);
	r = maps_find(m, c->key, c->flags, &v, &st);
	ck_assert_msg(r == c->want, "%s: got %d want %d (%s)", c->name, r,
	    c->want, st.text);
	if (r == LK_FOUND)
		ck_assert_str_eq(v, c->want_value);
	if (r == LK_ERROR) {
		ck_assert_str_eq(st.dsn, "4.3.5");
		if (c->want_value)
			ck_assert_msg(strstr(st.text, c->want_value) != NULL,
			    "%s: [%s] lacks [%s]", c->name, st.text,
			    c->want_value);
	}
	ck_assert_msg(strcmp(traced, c->want_trace) == 0,
	    "%s: trace [%s] want [%s]", c->name, traced, c->want_trace);
	ck_assert(!maps_changed(m));
	maps_free(&m);
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_empty_value_warnings)
{
	struct maps *m = maps_open("virtual_mailbox_maps", "static:{}", 0);
	struct vd_status st;
	const char *v;

	ck_assert_int_eq(maps_find(m, "u@x", 0, &v, &st), LK_ERROR);
	ck_assert_str_eq(test_logged,
	    "warning: virtual_mailbox_maps lookup of u@x returns an empty "
	    "string result\n"
	    "warning: virtual_mailbox_maps should return NO RESULT in case "
	    "of NOT FOUND\n");
	maps_free(&m);
}
END_TEST

START_TEST(test_unavailable_warning)
{
	struct maps *m = maps_open("p", "inline:{x", 0);
	struct vd_status st;
	const char *v;

	ck_assert_str_eq(test_logged, "warning: inline:{x is unavailable. bad "
	    "syntax: \"inline:{x\"; need \"inline:{name=value...}\"\n");
	test_logged[0] = 0;
	ck_assert_int_eq(maps_find(m, "u@x", 0, &v, &st), LK_ERROR);
	ck_assert_str_eq(st.text, "bad syntax: \"inline:{x\"; need "
	    "\"inline:{name=value...}\"");
	ck_assert_str_eq(test_logged,
	    "warning: inline:{x lookup error for \"u@x\"\n");
	maps_free(&m);
}
END_TEST

START_TEST(test_fold_flag)
{
	struct maps *m = maps_open("p", "inline:{a@b=1}", DICT_FLAG_FOLD_FIX);
	struct vd_status st;
	const char *v;

	ck_assert_int_eq(maps_find(m, "A@B", 0, &v, &st), LK_FOUND);
	maps_free(&m);
	m = maps_open("p", "inline:{a@b=1}", 0);
	ck_assert_int_eq(maps_find(m, "A@B", 0, &v, &st), LK_NOTFOUND);
	maps_free(&m);
	maps_free(&m);
	maps_free(NULL);
}
END_TEST

START_TEST(test_fixed_only)
{
	struct maps *m = maps_open("test_maps", "inline:{a=pat} inline:{a=fix}",
	    0);
	struct vd_status st;
	const char *v;

	/* make the first one a pattern table, as regexp: and pcre: are */
	m->dicts[0]->props |= DICT_PROP_PATTERN;
	traced[0] = 0;
	m->trace = trace;
	m->trace_ctx = traced;
	ck_assert_int_eq(maps_find(m, "a", MAPS_FIXED_ONLY, &v, &st),
	    LK_FOUND);
	ck_assert_str_eq(v, "fix");
	ck_assert_str_eq(traced, "inline:{a=fix}=F,");
	ck_assert_int_eq(maps_find(m, "a", 0, &v, &st), LK_FOUND);
	ck_assert_str_eq(v, "pat");
	maps_free(&m);
}
END_TEST

START_TEST(test_fixed_only_regexp)
{
	char *dir = test_mkdtemp("maps");
	char list[4096];
	struct maps *m;
	struct vd_status st;
	const char *v;

	test_write_str(test_path(dir, "re"), "/^a@x$/ pattern\n");
	snprintf(list, sizeof(list), "regexp:%s/re inline:{a@x=fixed}", dir);
	m = maps_open("test_maps", list, DICT_FLAG_FOLD_FIX);
	ck_assert_msg(m->dicts[0]->props & DICT_PROP_PATTERN, "%s",
	    m->dicts[0]->spec);
	ck_assert_int_eq(maps_find(m, "a@x", 0, &v, &st), LK_FOUND);
	ck_assert_str_eq(v, "pattern");
	ck_assert_int_eq(maps_find(m, "a@x", MAPS_FIXED_ONLY, &v, &st),
	    LK_FOUND);
	ck_assert_str_eq(v, "fixed");
	maps_free(&m);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_list_split)
{
	struct maps *m = maps_open("p",
	    "inline:{a=1, {b = two words}},static:{ s t }", 0);

	ck_assert_uint_eq(m->n_dicts, 2);
	ck_assert_str_eq(m->dicts[0]->spec, "inline:{a=1, {b = two words}}");
	ck_assert_str_eq(m->dicts[1]->spec, "static:{ s t }");
	maps_free(&m);
}
END_TEST

static Suite *
maps_suite(void)
{
	Suite *s = suite_create("maps");
	TCase *tc = tcase_create("maps");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_maps, 0,
	    sizeof(maps_cases) / sizeof(maps_cases[0]));
	tcase_add_test(tc, test_empty_value_warnings);
	tcase_add_test(tc, test_unavailable_warning);
	tcase_add_test(tc, test_fold_flag);
	tcase_add_test(tc, test_fixed_only);
	tcase_add_test(tc, test_fixed_only_regexp);
	tcase_add_test(tc, test_list_split);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(maps_suite)
