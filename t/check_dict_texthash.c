/* SPDX-License-Identifier: MIT */
/*
 * check_dict_texthash - the postmap line split (dict_text.c) and the
 *	texthash: table
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "lookup/dict.h"
#include "lookup/dict_text.h"
#include "lookup/maps.h"
#include "testlib.h"

static char *dir;

static void
setup(void)
{
	test_log_capture();
	dir = test_mkdtemp("dict-texthash");
}

static void
teardown(void)
{
	test_rmtree(dir);
	free(dir);
}

/* The split, as Debian's postmap 3.7.11 does it (each case was run). */
struct split_case {
	const char *line;
	const char *want_key;	/* NULL: the line is skipped */
	const char *want_value;	/* or the reason: "unbalanced", "format" */
};

static const struct split_case split_cases[] = {
	{ "k v", "k", "v" },
	{ "User@Example.COM  example.com/user/", "User@Example.COM",
	    "example.com/user/" },
	{ "k\\ ey v2", "k\\ ey", "v2" },
	{ "\"a b\"@x  v1", "\"a b\"@x", "v1" },
	{ "\"unbal@x v", NULL, "unbalanced" },
	{ "novalue", NULL, "format" },
	{ "novalue   ", NULL, "format" },
	{ "k2   spaced value  \t", "k2", "spaced value" },
	{ "cr v\r", "cr", "v" },
	{ "\"\" empty", "\"\"", "empty" },
	{ "\\\" bs", "\\\"", "bs" },
	{ "\\\\ bs2", "\\\\", "bs2" },
	{ "\"q\"x y z", "\"q\"x", "y z" },
	{ "k\\", NULL, "format" },
	{ "k\\  cont v", "k\\ ", "cont v" },
	{ "e\t\tf", "e", "f" },
	{ "\"a\\\"b\" v", "\"a\\\"b\"", "v" },
	{ "a\"b c\" d", "a\"b c\"", "d" },
	{ "\"x y\"z\"w v\" val", "\"x y\"z\"w v\"", "val" },
	{ "k v # x", "k", "v # x" },
	{ "alias: v", "alias:", "v" },
	{ "", NULL, "format" },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	char *line = strdup(c->line), *key = NULL, *value = NULL;
	const char *why = NULL;
	int r = dict_text_split(line, &key, &value, &why);

	if (c->want_key == NULL) {
		ck_assert_msg(r == -1, "[%s] split", c->line);
		ck_assert_str_eq(why, c->want_value);
	} else {
		ck_assert_msg(r == 0, "[%s]: %s", c->line, why);
		ck_assert_str_eq(key, c->want_key);
		ck_assert_str_eq(value, c->want_value);
	}
	free(line);
}
END_TEST

struct extpar_case {
	const char *in;
	const char *want;	/* result or error text */
	int want_r;
};

static const struct extpar_case extpar_cases[] = {
	{ "{ a b }", "a b", 0 },
	{ "{}", "", 0 },
	{ "{ {x} }", "{x}", 0 },
	{ "{\t a \n}", "a", 0 },
	{ "{ x", "missing '}' in \"{ x\"", -1 },
	{ "{ x }y", "syntax error after '}' in \"{ x }y\"", -1 },
	{ "x", "no '{' at start of text in \"x\"", -1 },
};

START_TEST(test_extpar)
{
	const struct extpar_case *c = &extpar_cases[_i];
	char *copy = strdup(c->in), *p = copy;
	struct buf err;
	int r;

	buf_init(&err);
	r = dict_text_extpar(&p, true, &err);
	ck_assert_int_eq(r, c->want_r);
	ck_assert_str_eq(r == 0 ? p : err.data, c->want);
	buf_fini(&err);
	free(copy);
}
END_TEST

/* dict_text_extpar() without strip keeps the white space inside */
START_TEST(test_extpar_nostrip)
{
	char in[] = "{ {a}, { b } }", bad[] = "{ x }y", *p = in;
	struct buf err;

	buf_init(&err);
	ck_assert_int_eq(dict_text_extpar(&p, false, &err), 0);
	ck_assert_str_eq(p, " {a}, { b } ");
	p = bad;
	ck_assert_int_eq(dict_text_extpar(&p, false, &err), -1);
	ck_assert_str_eq(err.data, "syntax error after '}' in \"{ x }y\"");
	buf_fini(&err);
}
END_TEST

/* write_table - DIR/name with the text; the spec "texthash:DIR/name" */
static const char *
write_table(const char *name, const char *text)
{
	static char spec[2048];
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	test_write_str(path, text);
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	return spec;
}

/* expect - one lookup's result and value */
static void
expect(struct dict *d, const char *key, enum lk_result want,
    const char *want_value)
{
	struct vd_status st;
	const char *v = NULL;
	enum lk_result r;

	vd_status_clear(&st);
	r = dict_lookup(d, key, &v, &st);
	ck_assert_msg(r == want, "lookup [%.40s]: got %d want %d (%s)", key, r,
	    want, st.text);
	if (want == LK_FOUND)
		ck_assert_str_eq(v, want_value);
}

START_TEST(test_texthash)
{
	const char *spec = write_table("t",
	    "# comment\n"
	    "user@example.com  example.com/user/\n"
	    "Upper@Example.com upper/\n"
	    "multi line1\n"
	    "  line2\n"
	    "\"a b\"@example.com quoted\n"
	    "@example.com catchall/\n"
	    "bin\x01\xfe v\n"
	    "last no-newline");
	struct vd_status st;
	struct dict *d;

	d = dict_open(spec, 0, &st);
	ck_assert_msg(d != NULL, "%s", st.text);
	ck_assert_str_eq(test_logged, "");
	ck_assert(d->props & DICT_PROP_FILE);
	expect(d, "user@example.com", LK_FOUND, "example.com/user/");
	/* keys are not folded: the folded query virtual(8) makes misses */
	expect(d, "upper@example.com", LK_NOTFOUND, NULL);
	expect(d, "Upper@Example.com", LK_FOUND, "upper/");
	expect(d, "multi", LK_FOUND, "line1  line2");
	expect(d, "\"a b\"@example.com", LK_FOUND, "quoted");
	expect(d, "@example.com", LK_FOUND, "catchall/");
	expect(d, "bin\x01\xfe", LK_FOUND, "v");
	expect(d, "last", LK_FOUND, "no-newline");
	expect(d, "", LK_NOTFOUND, NULL);
	expect(d, "nosuch", LK_NOTFOUND, NULL);
	ck_assert(!dict_changed(d));
	dict_close(&d);
	/* with FOLD_FIX (postmap -q): keys folded at load, query folded */
	d = dict_open(spec, DICT_FLAG_FOLD_FIX, &st);
	expect(d, "UPPER@EXAMPLE.COM", LK_FOUND, "upper/");
	expect(d, "upper@example.com", LK_FOUND, "upper/");
	dict_close(&d);
}
END_TEST

START_TEST(test_bad_lines)
{
	const char *spec = write_table("bad",
	    "good v\n"
	    "\"unbal@x v\n"
	    "novalue\n"
	    "alias: v\n"
	    "  \n"
	    "other v2\n");
	struct vd_status st;
	struct dict *d;
	char want[4096];

	d = dict_open(spec, 0, &st);
	ck_assert_msg(d != NULL, "%s", st.text);
	snprintf(want, sizeof(want),
	    "warning: %s/bad:2: unbalanced '\"' in '\"unbal@x v' -- ignoring "
	    "this line\n"
	    "warning: %s/bad:3: expected format: key whitespace value -- "
	    "ignoring this line\n"
	    "warning: %s/bad:4: record is in \"key: value\" format; is this "
	    "an alias file?\n", dir, dir, dir);
	ck_assert_str_eq(test_logged, want);
	expect(d, "good", LK_FOUND, "v");
	expect(d, "alias:", LK_FOUND, "v");
	expect(d, "other", LK_FOUND, "v2");
	expect(d, "novalue", LK_NOTFOUND, NULL);
	dict_close(&d);
}
END_TEST

START_TEST(test_duplicate)
{
	const char *spec = write_table("dup", "a 1\nb 2\na 3\n");
	struct vd_status st;
	struct dict *d;
	struct maps *m;
	const char *v;
	char want[4096];

	vd_status_clear(&st);
	d = dict_open(spec, 0, &st);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(st.dsn, "4.3.5");
	snprintf(want, sizeof(want), "warning: %s/dup:3: duplicate entry: "
	    "\"a\"\n", dir);
	ck_assert_str_eq(test_logged, want);
	snprintf(want, sizeof(want), "%s: %s/dup:3: duplicate entry: \"a\"",
	    spec, dir);
	ck_assert_str_eq(st.text, want);
	/* in a map list: every lookup defers, even for other keys */
	m = maps_open("virtual_mailbox_maps", spec, 0);
	ck_assert_int_eq(maps_find(m, "b", 0, &v, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_str_eq(st.text, want);
	ck_assert_int_eq(maps_find(m, "zzz", 0, &v, &st), LK_ERROR);
	maps_free(&m);
	/* folding makes "A" a duplicate of "a" only with FOLD_FIX */
	spec = write_table("dup2", "a 1\nA 2\n");
	d = dict_open(spec, 0, &st);
	ck_assert_ptr_nonnull(d);
	dict_close(&d);
	d = dict_open(spec, DICT_FLAG_FOLD_FIX, &st);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_open_errors)
{
	struct vd_status st;
	struct dict *d;
	char spec[1024], want[4096];

	snprintf(spec, sizeof(spec), "texthash:%s/missing", dir);
	d = dict_open(spec, 0, &st);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(st.dsn, "4.3.5");
	snprintf(want, sizeof(want), "%s: open %s/missing: No such file or "
	    "directory", spec, dir);
	ck_assert_str_eq(st.text, want);
	snprintf(spec, sizeof(spec), "texthash:%s", dir);
	d = dict_open(spec, 0, &st);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(st.dsn, "4.3.5");
	/* an empty file is an empty table */
	d = dict_open(write_table("empty", ""), 0, &st);
	ck_assert_ptr_nonnull(d);
	expect(d, "a", LK_NOTFOUND, NULL);
	dict_close(&d);
}
END_TEST

START_TEST(test_changed)
{
	const char *spec = write_table("c", "a old\n");
	struct vd_status st;
	struct dict *d;
	char path[1024], tmp[1024];
	struct timespec ts[2];

	snprintf(path, sizeof(path), "%s/c", dir);
	snprintf(tmp, sizeof(tmp), "%s/c.new", dir);
	d = dict_open(spec, 0, &st);
	ck_assert(!dict_changed(d));
	/* replaced by rename: changed, the table keeps what it read */
	test_write_str(tmp, "a new\n");
	ck_assert_int_eq(rename(tmp, path), 0);
	ck_assert(dict_changed(d));
	expect(d, "a", LK_FOUND, "old");
	dict_close(&d);
	/* modified in place (same inode) */
	d = dict_open(spec, 0, &st);
	ck_assert(!dict_changed(d));
	ts[0].tv_sec = ts[1].tv_sec = 1000000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	ck_assert(dict_changed(d));
	dict_close(&d);
	/* removed */
	d = dict_open(spec, 0, &st);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(dict_changed(d));
	expect(d, "a", LK_FOUND, "new");
	dict_close(&d);
}
END_TEST

START_TEST(test_many_and_big)
{
	char *text = NULL, *key;
	size_t len = 0, n = 65536;
	struct vd_status st;
	struct dict *d;
	const char *k, *v;
	char want_k[64], want_v[64];
	FILE *fp = open_memstream(&text, &len);
	int i;
	bool first = true;

	key = malloc(n + 1);
	memset(key, 'x', n);
	key[n] = 0;
	for (i = 0; i < 100000; i++)
		fprintf(fp, "key%d value%d\n", i, i);
	fprintf(fp, "%s big\n", key);
	fclose(fp);
	d = dict_open(write_table("many", text), 0, &st);
	ck_assert_msg(d != NULL, "%s", st.text);
	expect(d, "key0", LK_FOUND, "value0");
	expect(d, "key99999", LK_FOUND, "value99999");
	expect(d, "key100000", LK_NOTFOUND, NULL);
	expect(d, key, LK_FOUND, "big");
	/* sequence: file order */
	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(dict_sequence(d, first, &k, &v, &st),
		    LK_FOUND);
		first = false;
		snprintf(want_k, sizeof(want_k), "key%d", i);
		snprintf(want_v, sizeof(want_v), "value%d", i);
		ck_assert_str_eq(k, want_k);
		ck_assert_str_eq(v, want_v);
	}
	ck_assert_int_eq(dict_sequence(d, false, &k, &v, &st), LK_FOUND);
	ck_assert_str_eq(k, key);
	ck_assert_int_eq(dict_sequence(d, false, &k, &v, &st), LK_NOTFOUND);
	dict_close(&d);
	free(text);
	free(key);
}
END_TEST

static Suite *
dict_texthash_suite(void)
{
	Suite *s = suite_create("dict_texthash");
	TCase *tc = tcase_create("text");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_split, 0,
	    sizeof(split_cases) / sizeof(split_cases[0]));
	tcase_add_loop_test(tc, test_extpar, 0,
	    sizeof(extpar_cases) / sizeof(extpar_cases[0]));
	tcase_add_test(tc, test_extpar_nostrip);
	tcase_add_test(tc, test_texthash);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_many_and_big);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dict_texthash_suite)
