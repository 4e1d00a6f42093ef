/* SPDX-License-Identifier: MIT */
/*
 * check_textline - Postfix logical lines and list splitting
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textline.h"
#include "testlib.h"

struct tl_case {
	const char *name;
	const char *input;
	const char *want;	/* logical lines, each followed by '|' */
	const char *want_lines;	/* first line numbers, each followed by ',' */
};

static const struct tl_case tl_cases[] = {
	{ "plain", "a = b\nc = d\n", "a = b|c = d|", "1,2," },
	{ "no final newline", "a = b", "a = b|", "1," },
	{ "continuation keeps white space", "multi line1\n  line2\n",
	    "multi line1  line2|", "1," },
	{ "comments and blanks dropped", "# c\n\n   \na\n#x\n  b\nc\n",
	    "a  b|c|", "4,7," },
	{ "indented comment in a logical line", "a\n  # not text\n\tb\n",
	    "a\tb|", "1," },
	{ "leading white space dropped", "  orphan\nkey v\n", "key v|",
	    "2," },
	{ "trailing white space kept", "k v  \n", "k v  |", "1," },
	{ "only comments", "#a\n#b\n", "", "" },
	{ "empty", "", "", "" },
	{ "hash inside value", "k v # x\n", "k v # x|", "1," },
	{ "CRLF kept for the consumer", "k v\r\n", "k v\r|", "1," },
};

START_TEST(test_textline)
{
	const struct tl_case *c = &tl_cases[_i];
	FILE *fp = fmemopen((void *)c->input, strlen(c->input), "r");
	struct textline t;
	char got[1024] = "", lines[256] = "";
	size_t n = 0, m = 0;

	if (*c->input == 0) {
		/* fmemopen of an empty buffer is not portable: use /dev/null */
		if (fp)
			fclose(fp);
		fp = fopen("/dev/null", "r");
	}
	ck_assert_ptr_nonnull(fp);
	textline_init(&t, fp, "test");
	while (textline_next(&t)) {
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s|",
		    t.line.data);
		m += (size_t)snprintf(lines + m, sizeof(lines) - m, "%d,",
		    t.first_line);
	}
	ck_assert_int_eq(t.error, 0);
	ck_assert_msg(strcmp(got, c->want) == 0, "%s: got [%s] want [%s]",
	    c->name, got, c->want);
	ck_assert_msg(strcmp(lines, c->want_lines) == 0,
	    "%s: lines [%s] want [%s]", c->name, lines, c->want_lines);
	textline_fini(&t);
	fclose(fp);
}
END_TEST

START_TEST(test_textline_nul)
{
	static const char in[] = "k v\0w\nx y\n";
	FILE *fp = fmemopen((void *)in, sizeof(in) - 1, "r");
	struct textline t;

	textline_init(&t, fp, "test");
	ck_assert(textline_next(&t));
	ck_assert_uint_eq(t.line.len, 5);
	ck_assert_mem_eq(t.line.data, "k v\0w", 5);
	ck_assert(textline_next(&t));
	ck_assert_str_eq(t.line.data, "x y");
	ck_assert(!textline_next(&t));
	textline_fini(&t);
	fclose(fp);
}
END_TEST

START_TEST(test_split_list)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "hash:/a, cdb:/b", "hash:/a|cdb:/b|" },
		{ "  a,,b\t\nc ", "a|b|c|" },
		{ "inline:{ a=b, c=d } static:x", "inline:{ a=b, c=d }|static:x|" },
		{ "inline:{ {a = b c}, d=e },x", "inline:{ {a = b c}, d=e }|x|" },
		{ "", "" },
		{ "static:{ open", "static:{ open|" },
	};
	size_t i, j, n;
	char got[256];
	char **l;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = text_split_list(cases[i].in, TEXT_LIST_SEPS);
		for (n = 0, j = 0; l[j]; j++)
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s|",
			    l[j]);
		got[n] = 0;
		ck_assert_msg(strcmp(got, cases[i].want) == 0,
		    "[%s]: got [%s]", cases[i].in, got);
		ck_assert_uint_eq(text_list_len(l), j);
		text_list_free(l);
	}
}
END_TEST

static Suite *
textline_suite(void)
{
	Suite *s = suite_create("textline");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_textline, 0,
	    sizeof(tl_cases) / sizeof(tl_cases[0]));
	tcase_add_test(tc, test_textline_nul);
	tcase_add_test(tc, test_split_list);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(textline_suite)
