/* SPDX-License-Identifier: MIT */
/*
 * check_dict_inline - inline:{...} syntax (REFERENCE.md 4.4)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup/dict.h"
#include "testlib.h"

struct inline_case {
	const char *spec;
	const char *want;	/* "key=value|..." checked by lookup; NULL: fails */
	const char *want_text;
};

#define NEED "; need \"inline:{name=value...}\""

static const struct inline_case inline_cases[] = {
	{ "inline:{k1=v1, k2=v2, { k3 = v with spaces }}",
	    "k1=v1|k2=v2|k3=v with spaces|", NULL },
	{ "inline:{a=1 b=2,,c=3}", "a=1|b=2|c=3|", NULL },
	{ "inline:{ a=1 }", "a=1|", NULL },
	{ "inline:{a=1,a=2}", "a=2|", NULL },
	{ "inline:{a=}", "a=|", NULL },
	{ "inline:{{a = x = y}}", "a=x = y|", NULL },
	{ "inline:{\"a\"=v}", "\"a\"=v|", NULL },
	{ "inline:{=x}", "=x|", NULL },	/* postmap 3.7: key "" */
	{ "inline:{{ \"a b\" = v }}", "\"a b\"=v|", NULL },
	{ "inline:{a={b}}", "a={b}|", NULL },
	{ "inline:{{ a = {b c} }}", "a={b c}|", NULL },
	{ "inline:{Key=V}", "Key=V|", NULL },
	{ "inline:{}", NULL, "bad syntax: \"inline:{}\"" NEED },
	{ "inline:{ }", NULL, "empty table: \"inline:{ }\"" NEED },
	{ "inline:{ , }", NULL, "empty table: \"inline:{ , }\"" NEED },
	{ "inline:a=b", NULL, "bad syntax: \"inline:a=b\"" NEED },
	{ "inline:{a=b", NULL, "bad syntax: \"inline:{a=b\"" NEED },
	{ "inline:{a=b}x", NULL, "bad syntax: \"inline:{a=b}x\"" NEED },
	{ "inline:{a=b}}", NULL, "bad syntax: \"inline:{a=b}}\"" NEED },
	{ "inline:{ foo = xx }", NULL,
	    "missing '=' after attribute name: \"inline:{ foo = xx }\"" NEED },
	{ "inline:{a=1, b}", NULL,
	    "missing '=' after attribute name: \"inline:{a=1, b}\"" NEED },
	{ "inline:{\"a b\"=v}", NULL,
	    "unbalanced '\"': \"inline:{\"a b\"=v}\"" NEED },
	{ "inline:{\"a=b}", NULL, "unbalanced '\"': \"inline:{\"a=b}\"" NEED },
	{ "inline:{{a=b}x}", NULL,
	    "syntax error after '}' in \"{a=b}x\": \"inline:{{a=b}x}\"" NEED },
};

START_TEST(test_inline)
{
	const struct inline_case *c = &inline_cases[_i];
	struct vd_status st;
	struct dict *d;
	const char *v, *p, *eq, *bar;
	char key[256], val[256];

	vd_status_clear(&st);
	d = dict_open(c->spec, 0, &st);
	if (c->want == NULL) {
		ck_assert_msg(d == NULL, "%s opened", c->spec);
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, c->want_text) != NULL,
		    "%s: [%s] lacks [%s]", c->spec, st.text, c->want_text);
		return;
	}
	ck_assert_msg(d != NULL, "%s: %s", c->spec, st.text);
	for (p = c->want; *p; p = bar + 1) {
		eq = strchr(p, '=');
		bar = strchr(eq, '|');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		snprintf(val, sizeof(val), "%.*s", (int)(bar - eq - 1), eq + 1);
		ck_assert_msg(dict_lookup(d, key, &v, &st) == LK_FOUND,
		    "%s: %s not found", c->spec, key);
		ck_assert_str_eq(v, val);
	}
	ck_assert_int_eq(dict_lookup(d, "nosuch", &v, &st), LK_NOTFOUND);
	dict_close(&d);
}
END_TEST

START_TEST(test_inline_case)
{
	struct vd_status st;
	struct dict *d = dict_open("inline:{Key=V}", 0, &st);
	const char *v;

	/* keys are not folded at load: virtual(8) never matches "Key" */
	ck_assert_int_eq(dict_lookup(d, "key", &v, &st), LK_NOTFOUND);
	ck_assert_int_eq(dict_lookup(d, "Key", &v, &st), LK_FOUND);
	dict_close(&d);
}
END_TEST

START_TEST(test_inline_sequence)
{
	struct vd_status st;
	struct dict *d = dict_open("inline:{b=2, a=1, b=3}", 0, &st);
	const char *k, *v;
	char got[64] = "";
	size_t n = 0;
	enum lk_result r;
	bool first = true;

	ck_assert_ptr_nonnull(d);
	while ((r = dict_sequence(d, first, &k, &v, &st)) == LK_FOUND) {
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s=%s,", k, v);
		first = false;
	}
	ck_assert_int_eq(r, LK_NOTFOUND);
	ck_assert_str_eq(got, "b=3,a=1,");
	dict_close(&d);
}
END_TEST

START_TEST(test_inline_many)
{
	struct buf {
		char *p;
		size_t n;
	} b;
	struct vd_status st;
	struct dict *d;
	const char *v;
	char key[32];
	int i;
	FILE *fp;

	fp = open_memstream(&b.p, &b.n);
	fputs("inline:{", fp);
	for (i = 0; i < 5000; i++)
		fprintf(fp, "k%d=v%d,", i, i);
	fputs("}", fp);
	fclose(fp);
	d = dict_open(b.p, 0, &st);
	ck_assert_msg(d != NULL, "%s", st.text);
	for (i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(dict_lookup(d, key, &v, &st), LK_FOUND);
		ck_assert_int_eq(atoi(v + 1), i);
	}
	dict_close(&d);
	free(b.p);
}
END_TEST

static Suite *
dict_inline_suite(void)
{
	Suite *s = suite_create("dict_inline");
	TCase *tc = tcase_create("inline");

	tcase_add_loop_test(tc, test_inline, 0,
	    sizeof(inline_cases) / sizeof(inline_cases[0]));
	tcase_add_test(tc, test_inline_case);
	tcase_add_test(tc, test_inline_sequence);
	tcase_add_test(tc, test_inline_many);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dict_inline_suite)
