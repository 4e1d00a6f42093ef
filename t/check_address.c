/* SPDX-License-Identifier: MIT */
/*
 * check_address - folding, RFC 822 quoting and extension splitting
 *
 * The vectors are REFERENCE.md A.3 and A.4 and Postfix's own rules.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "testlib.h"

static const struct {
	const char *in;
	const char *want;
} quote_cases[] = {
	{ "john@example.com", "john@example.com" },
	{ "john doe@x", "\"john doe\"@x" },
	{ "joe q+x@example.com", "\"joe q+x\"@example.com" },
	{ ".dot@x", "\".dot\"@x" },
	{ "dot.@x", "\"dot.\"@x" },
	{ "a..b@x", "\"a..b\"@x" },
	{ "a.b@x", "a.b@x" },
	{ "q\"uote@x", "\"q\\\"uote\"@x" },
	{ "back\\slash@x", "\"back\\\\slash\"@x" },
	{ "@x", "\"\"@x" },
	{ "", "" },
	{ "caf\xc3\xa9@x", "caf\xc3\xa9@x" },
	{ "a@b@c", "\"a@b\"@c" },
	{ "@relay,@r2:user@x", "user@x" },
	{ "nodomain", "nodomain" },
	{ "semi;colon@x", "\"semi;colon\"@x" },
};

START_TEST(test_quote)
{
	struct buf b;

	buf_init(&b);
	address_quote(&b, quote_cases[_i].in);
	ck_assert_str_eq(b.data, quote_cases[_i].want);
	buf_fini(&b);
}
END_TEST

static const struct {
	const char *in;
	const char *delims;
	const char *base;	/* NULL: no split */
	const char *ext;
} split_cases[] = {
	{ "a+b@x", "+-", "a@x", "b" },
	{ "a-b+c@x", "+-", "a@x", "b+c" },
	{ "+a@x", "+-", NULL, NULL },
	{ "a+@x", "+-", "a@x", "" },
	{ "owner-list@x", "+-", NULL, NULL },
	{ "owner-list@x", "+", NULL, NULL },
	{ "list-request@x", "+-", NULL, NULL },
	{ "x-request@x", "-", NULL, NULL },
	{ "postmaster+x@x", "+", "postmaster@x", "x" },
	{ "postmaster@x", "+", NULL, NULL },
	{ "MAILER-DAEMON@x", "-", NULL, NULL },
	{ "double-bounce@x", "-", NULL, NULL },
	{ "a+b+c@x", "+", "a@x", "b+c" },
	{ "a+b@x", "", NULL, NULL },
	{ "plain@x", "+", NULL, NULL },
	{ "a+b", "+", "a", "b" },
	{ "a+b@c+d@x", "+", "a@x", "b@c+d" },
};

START_TEST(test_split)
{
	struct address_split_opts o = {
		.delimiters = split_cases[_i].delims,
		.owner_request_special = true,
		.double_bounce_sender = "double-bounce",
	};
	char *base = NULL, *ext = NULL;
	bool split = address_split_ext(split_cases[_i].in, &o, &base, &ext);

	if (split_cases[_i].base == NULL) {
		ck_assert_msg(!split, "%s split", split_cases[_i].in);
		return;
	}
	ck_assert_msg(split, "%s not split", split_cases[_i].in);
	ck_assert_str_eq(base, split_cases[_i].base);
	ck_assert_str_eq(ext, split_cases[_i].ext);
	free(base);
	free(ext);
}
END_TEST

START_TEST(test_fold)
{
	char *s = address_fold("John.Doe+Sales@Example.COM\xc3\x89");

	ck_assert_str_eq(s, "john.doe+sales@example.com\xc3\x89");
	free(s);
}
END_TEST

static Suite *
address_suite(void)
{
	Suite *s = suite_create("address");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_quote, 0,
	    sizeof(quote_cases) / sizeof(quote_cases[0]));
	tcase_add_loop_test(tc, test_split, 0,
	    sizeof(split_cases) / sizeof(split_cases[0]));
	tcase_add_test(tc, test_fold);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(address_suite)
