/* SPDX-License-Identifier: MIT */
/*
 * check_resolve - recipient resolution as virtual(8) does it
 *
 * Table-driven, with inline:, static:, regexp and texthash tables as
 * fixtures (Postfix's mailbox_test.c does the same with static/inline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lookup/maps.h"
#include "resolve.h"
#include "testlib.h"

struct resolve_case {
	const char *name;
	const char *mailbox_maps;
	const char *uid_maps;
	const char *gid_maps;
	const char *delim;
	const char *rcpt;
	const char *want_dsn;	/* NULL: resolves */
	const char *want_path;	/* below /base/ */
	unsigned long want_uid;
	unsigned long want_gid;
};

static const struct resolve_case cases[] = {
	{ "full address", "inline:{ a@x.org=x/a/ }", "static:5000",
	    "static:5000", "", "a@x.org", NULL, "x/a/", 5000, 5000 },
	{ "case folded", "inline:{ a@x.org=x/a }", "static:5000",
	    "static:5001", "", "A@X.Org", NULL, "x/a", 5000, 5001 },
	{ "unknown user bounces", "inline:{ a@x.org=x/a }", "static:5000",
	    "static:5000", "", "b@x.org", "5.1.1", NULL, 0, 0 },
	{ "extension hits user+ext", "inline:{ a+e@x.org=ext, a@x.org=base }",
	    "static:5000", "static:5000", "+", "a+e@x.org", NULL, "ext",
	    5000, 5000 },
	{ "extension falls back to user", "inline:{ a@x.org=base }",
	    "static:5000", "static:5000", "+", "a+e@x.org", NULL, "base",
	    5000, 5000 },
	{ "delimiter set", "inline:{ a@x.org=base }", "static:5000",
	    "static:5000", "+-", "a-e@x.org", NULL, "base", 5000, 5000 },
	{ "no delimiter: no fallback", "inline:{ a@x.org=base }",
	    "static:5000", "static:5000", "", "a+e@x.org", "5.1.1", NULL, 0,
	    0 },
	{ "catch-all @domain", "inline:{ @x.org=all }", "static:5000",
	    "static:5000", "+", "who+e@x.org", NULL, "all", 5000, 5000 },
	{ "user wins over catch-all", "inline:{ @x.org=all, u@x.org=u }",
	    "static:5000", "static:5000", "", "u@x.org", NULL, "u", 5000,
	    5000 },
	{ "static everything", "static:box/", "static:5000", "static:5000",
	    "", "any@where", NULL, "box/", 5000, 5000 },
	{ "first table wins", "inline:{ a@x=one } inline:{ a@x=two }",
	    "static:5000", "static:5000", "", "a@x", NULL, "one", 5000,
	    5000 },
	{ "error in first table is not not-found",
	    "fail:broken inline:{ a@x=two }", "static:5000", "static:5000",
	    "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "proxy prefix stripped", "proxy:inline:{ a@x=p }", "static:5000",
	    "static:5000", "", "a@x", NULL, "p", 5000, 5000 },
	{ "dotdot component", "static:x/../y", "static:5000",
	    "static:5000", "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "leading dotdot", "static:../y", "static:5000", "static:5000", "",
	    "a@x", "4.3.5", NULL, 0, 0 },
	{ "trailing dotdot", "static:x/..", "static:5000", "static:5000",
	    "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "dots in names are fine", "static:x/..a/b..", "static:5000",
	    "static:5000", "", "a@x", NULL, "x/..a/b..", 5000, 5000 },
	{ "uid missing", "static:b", "inline:{ other@x=5000 }",
	    "static:5000", "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "uid below minimum", "static:b", "static:99", "static:5000", "",
	    "a@x", "4.3.5", NULL, 0, 0 },
	{ "uid at minimum", "static:b", "static:100", "static:5000", "",
	    "a@x", NULL, "b", 100, 5000 },
	{ "uid zero", "static:b", "static:0", "static:5000", "", "a@x",
	    "4.3.5", NULL, 0, 0 },
	{ "uid negative", "static:b", "static:-1", "static:5000", "", "a@x",
	    "4.3.5", NULL, 0, 0 },
	{ "uid junk", "static:b", "static:5000x", "static:5000", "", "a@x",
	    "4.3.5", NULL, 0, 0 },
	{ "uid overflow", "static:b", "static:99999999999999999999999",
	    "static:5000", "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "uid 2^32-1", "static:b", "static:4294967295", "static:5000", "",
	    "a@x", "4.3.5", NULL, 0, 0 },
	{ "gid zero", "static:b", "static:5000", "static:0", "", "a@x",
	    "4.3.5", NULL, 0, 0 },
	{ "gid missing table", "static:b", "static:5000", "", "", "a@x",
	    "4.3.5", NULL, 0, 0 },
	{ "uid per user", "static:b", "inline:{ a@x=5001, @x=5002 }",
	    "static:5000", "+", "a+q@x", NULL, "b", 5001, 5000 },
	{ "uid catch-all", "static:b", "inline:{ a@x=5001, @x=5002 }",
	    "static:5000", "+", "c@x", NULL, "b", 5002, 5000 },
	{ "quoted local part key", "inline:{ {\"john doe\"@x = jd} }",
	    "static:5000", "static:5000", "", "John Doe@x", NULL, "jd", 5000,
	    5000 },
	{ "empty mailbox maps: unknown", "", "static:5000", "static:5000",
	    "", "a@x", "5.1.1", NULL, 0, 0 },
	{ "unknown table type defers", "nosuchtype:foo", "static:5000",
	    "static:5000", "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "missing hash file defers", "hash:/nonexistent/vd-table",
	    "static:5000", "static:5000", "", "a@x", "4.3.5", NULL, 0, 0 },
	{ "postmaster not split", "inline:{ postmaster@x=pm, "
	    "postmaster+a@x=pma }", "static:5000", "static:5000", "+",
	    "postmaster@x", NULL, "pm", 5000, 5000 },
};

START_TEST(test_resolve)
{
	const struct resolve_case *c = &cases[_i];
	char *dir = test_mkdtemp("resolve");
	char o_mbox[4096], o_uid[512], o_gid[512], o_delim[128], o_base[512];
	char *ov[] = { o_mbox, o_uid, o_gid, o_delim, o_base };
	struct resolve_maps maps;
	struct vd_config cfg;
	struct vd_target t;
	struct vd_status st;
	int rc;

	snprintf(o_mbox, sizeof(o_mbox), "virtual_mailbox_maps=%s",
	    c->mailbox_maps);
	snprintf(o_uid, sizeof(o_uid), "virtual_uid_maps=%s", c->uid_maps);
	snprintf(o_gid, sizeof(o_gid), "virtual_gid_maps=%s", c->gid_maps);
	snprintf(o_delim, sizeof(o_delim), "recipient_delimiter=%s",
	    c->delim);
	snprintf(o_base, sizeof(o_base), "virtual_mailbox_base=/base");
	test_write_str(test_path(dir, "main.cf"), "# empty\n");
	ck_assert_msg(config_load(&cfg, test_path(dir, "main.cf"), ov, 5,
			  &st) == 0, "%s: config: %s", c->name, st.text);
	maps.mailbox = maps_open("virtual_mailbox_maps",
	    cfg.virtual_mailbox_maps, 0);
	maps.uid = maps_open("virtual_uid_maps", cfg.virtual_uid_maps, 0);
	maps.gid = maps_open("virtual_gid_maps", cfg.virtual_gid_maps, 0);
	memset(&t, 0, sizeof(t));
	rc = resolve(&cfg, &maps, c->rcpt, &t, &st);
	if (c->want_dsn) {
		ck_assert_msg(rc == -1, "%s: resolved to %s", c->name, t.path);
		ck_assert_msg(strcmp(st.dsn, c->want_dsn) == 0,
		    "%s: dsn %s (%s), want %s", c->name, st.dsn, st.text,
		    c->want_dsn);
		if (strcmp(c->want_dsn, "5.1.1") == 0)
			ck_assert_msg(strncmp(st.text, "unknown user: \"", 15)
				== 0, "%s: text %s", c->name, st.text);
	} else {
		char want[4096];

		ck_assert_msg(rc == 0, "%s: %s %s", c->name, st.dsn, st.text);
		snprintf(want, sizeof(want), "/base/%s", c->want_path);
		ck_assert_str_eq(t.path, want);
		ck_assert_uint_eq(t.base_len, 5);
		ck_assert_uint_eq(t.uid, c->want_uid);
		ck_assert_uint_eq(t.gid, c->want_gid);
		ck_assert_int_eq(t.is_maildir,
		    want[strlen(want) - 1] == '/');
		resolve_fini(&t);
	}
	maps_free(&maps.mailbox);
	maps_free(&maps.uid);
	maps_free(&maps.gid);
	config_free(&cfg);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A regexp table sees only the full address, never user@domain or @domain. */
START_TEST(test_regexp_full_only)
{
	char *dir = test_mkdtemp("resolve-re");
	char o_mbox[4096], o_uid[] = "virtual_uid_maps=static:5000",
	     o_gid[] = "virtual_gid_maps=static:5000",
	     o_delim[] = "recipient_delimiter=+",
	     o_base[] = "virtual_mailbox_base=/base";
	char *ov[] = { o_mbox, o_uid, o_gid, o_delim, o_base };
	struct resolve_maps maps;
	struct vd_config cfg;
	struct vd_target t;
	struct vd_status st;

	test_write_str(test_path(dir, "re"),
	    "/^a@x$/ plain\n/^@x$/ atdomain\n/^b\\+e@x$/ withext\n");
	snprintf(o_mbox, sizeof(o_mbox), "virtual_mailbox_maps=regexp:%s",
	    test_path(dir, "re"));
	test_write_str(test_path(dir, "main.cf"), "\n");
	ck_assert_int_eq(config_load(&cfg, test_path(dir, "main.cf"), ov, 5,
			     &st), 0);
	maps.mailbox = maps_open("virtual_mailbox_maps",
	    cfg.virtual_mailbox_maps, 0);
	maps.uid = maps_open("virtual_uid_maps", cfg.virtual_uid_maps, 0);
	maps.gid = maps_open("virtual_gid_maps", cfg.virtual_gid_maps, 0);
	/* a+e@x would hit /^a@x$/ in step 2 if regexp saw it: it must not */
	ck_assert_int_eq(resolve(&cfg, &maps, "a+e@x", &t, &st), -1);
	ck_assert_str_eq(st.dsn, "5.1.1");
	ck_assert_int_eq(resolve(&cfg, &maps, "c@x", &t, &st), -1);
	ck_assert_str_eq(st.dsn, "5.1.1");
	ck_assert_int_eq(resolve(&cfg, &maps, "B+E@X", &t, &st), 0);
	ck_assert_str_eq(t.path, "/base/withext");
	resolve_fini(&t);
	maps_free(&maps.mailbox);
	maps_free(&maps.uid);
	maps_free(&maps.gid);
	config_free(&cfg);
	test_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_resolve, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_regexp_full_only);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(resolve_suite)
