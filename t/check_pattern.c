/* SPDX-License-Identifier: MIT */
/*
 * check_pattern - the regexp: and pcre: table types
 *
 * DESCRIPTION
 *	Table-driven: each case is a table source, the types it applies
 *	to, open flags, up to four keys with the value each must give (NULL:
 *	not found), and a text the warnings must contain ("" for none;
 *	"@F" stands for the file name, "@T" for the type).  The tables are
 *	opened through dict_regexp_open()/dict_pcre_open() directly.
 *	Separate tests cover long and binary keys, PCRE2's match limit,
 *	changed(), files that cannot be opened, hostile sources and the
 *	inline form.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_pattern.h"
#include "testlib.h"

#define PT_RE 1
#define PT_PCRE 2
#define PT_BOTH 3

#define ALLOW DICT_FLAG_ALLOW_REGSUB

struct pt_probe {
	const char *key;
	const char *want;	/* NULL: not found */
};

struct pt_case {
	const char *name;
	int types;
	int flags;
	const char *table;
	struct pt_probe probes[4];
	const char *warn;	/* substring of the warnings; "": none */
};

static const struct pt_case pt_cases[] = {
	/* rule forms */
	{ "match", PT_BOTH, 0, "/^a/ A\n",
	    { { "abc", "A" }, { "b", NULL }, { "", NULL } }, "" },
	{ "first match wins", PT_BOTH, 0, "/a/ 1\n/a/ 2\n/b/ 3\n",
	    { { "ab", "1" }, { "b", "3" } }, "" },
	{ "whole key, no parent search", PT_BOTH, 0, "/^x@example\\.com$/ X\n",
	    { { "x@example.com", "X" }, { "x+y@example.com", NULL },
		{ "@example.com", NULL } }, "" },
	{ "negation", PT_BOTH, 0, "!/^a/ notA\n",
	    { { "b", "notA" }, { "a", NULL } }, "" },
	{ "double negation", PT_BOTH, 0, "!!/^a/ A\n",
	    { { "a", "A" }, { "b", NULL } }, "" },
	{ "negation with spaces", PT_BOTH, 0, "! ! ! /^a/ notA\n",
	    { { "b", "notA" }, { "a", NULL } }, "" },
	{ "legacy p1 and not p2", PT_RE, 0, "/^u/!/v/ L\n",
	    { { "u", "L" }, { "uv", NULL }, { "x", NULL } }, "" },
	{ "legacy p1 and p2 (!!)", PT_RE, 0, "/^u/!!/v/ L\n",
	    { { "uv", "L" }, { "u", NULL } }, "" },
	{ "legacy form is not pcre", PT_PCRE, 0, "/^u/!/v/ L\n/^u/ M\n",
	    { { "u", "M" } }, ":1: unknown regexp option \"!\": skipping "
	    "this rule" },
	{ "space before ! is the result", PT_BOTH, 0, "/^w/ !/x/ R\n",
	    { { "wx", "!/x/ R" } }, "" },
	{ "unrecognized request", PT_BOTH, 0, "foo /a/ A\n/a/ B\n",
	    { { "a", "B" } }, ":1: ignoring unrecognized request" },
	{ "if prefix of a word", PT_BOTH, 0, "iffy /a/ A\n/a/ B\n",
	    { { "a", "B" } }, ":1: ignoring unrecognized request" },
	{ "no regexp", PT_BOTH, 0, "!\n/a/ B\n", { { "a", "B" } },
	    ":1: no regexp: skipping this rule" },

	/* if/endif */
	{ "if", PT_BOTH, 0, "if /@a\\.com$/\n/^x@/ X\nendif\n/^x@/ OTHER\n",
	    { { "x@a.com", "X" }, { "x@b.com", "OTHER" } }, "" },
	{ "if nested", PT_BOTH, 0,
	    "if /a/\nif /b/\n/c/ ABC\nendif\n/./ A\nendif\n/./ NONE\n",
	    { { "abc", "ABC" }, { "ac", "A" }, { "bc", "NONE" } }, "" },
	{ "if negated", PT_BOTH, 0, "if !/^a/\n/./ notA\nendif\n",
	    { { "b", "notA" }, { "a", NULL } }, "" },
	{ "IF ENDIF upper case", PT_BOTH, 0, "IF /a/\n/./ A\nEndIf\n/./ B\n",
	    { { "a", "A" }, { "b", "B" } }, "" },
	{ "if without space", PT_BOTH, 0, "if/a/\n/./ A\nendif\n",
	    { { "a", "A" }, { "b", NULL } }, "" },
	{ "if missing endif", PT_BOTH, 0, "/^z/ Z\nif /a/\n/./ A\n/b/ B\n",
	    { { "a", "A" }, { "b", NULL }, { "z", "Z" } },
	    ":2: IF has no matching ENDIF" },
	{ "stray endif", PT_BOTH, 0, "endif\n/a/ A\n", { { "a", "A" } },
	    ":1: ignoring ENDIF without matching IF" },
	{ "extra text after if", PT_BOTH, 0, "if /a/ junk\n/./ A\nendif\n",
	    { { "a", "A" }, { "b", NULL } },
	    ":1: ignoring extra text after IF statement: \"junk\"\n" },
	{ "indented rule after if", PT_BOTH, 0, "if /a/\n  /b/ B\nendif\n",
	    { { "ab", NULL } }, ":1: do not prepend whitespace to "
	    "statements between IF and ENDIF" },
	{ "extra text after endif", PT_BOTH, 0, "if /a/\n/./ A\nendif x\n",
	    { { "a", "A" } }, ":3: ignoring extra text after ENDIF" },
	{ "unusable if skips its block", PT_BOTH, 0,
	    "if /a/\nif /(/\n/b/ IN\nendif\n/c/ AFTER\nendif\n/./ OUT\n",
	    { { "ab", "OUT" }, { "ac", "AFTER" }, { "c", "OUT" } },
	    ":2: unusable IF: skipping the rules up to its ENDIF" },
	{ "if with unknown flag", PT_BOTH, 0, "if /a/q\n/./ IN\nendif\n",
	    { { "a", NULL } }, ":1: unknown regexp option \"q\"" },
	{ "if with no pattern", PT_BOTH, 0, "if\n/./ IN\nendif\n/./ OUT\n",
	    { { "a", "OUT" } }, ":1: no regexp: skipping this rule" },

	/* flags */
	{ "i default on", PT_BOTH, 0, "/^ABC$/ X\n",
	    { { "abc", "X" }, { "aBc", "X" } }, "" },
	{ "i toggles off", PT_BOTH, 0, "/^ABC$/i X\n",
	    { { "abc", NULL }, { "ABC", "X" } }, "" },
	{ "i twice", PT_BOTH, 0, "/^ABC$/ii X\n", { { "abc", "X" } }, "" },
	{ "m multi-line", PT_BOTH, 0, "/^b$/m X\n",
	    { { "a\nb", "X" }, { "b", "X" } }, "" },
	{ "m off", PT_BOTH, 0, "/^b$/ X\n", { { "a\nb", NULL } }, "" },
	{ "regexp x off gives basic RE", PT_RE, 0, "/^a+$/x X\n",
	    { { "a+", "X" }, { "aa", NULL } }, "" },
	{ "regexp extended by default", PT_RE, 0, "/^a+$/ X\n",
	    { { "aa", "X" }, { "a+", NULL } }, "" },
	{ "regexp basic groups", PT_RE, ALLOW, "/^\\(a\\)b$/x <$1>\n",
	    { { "ab", "<a>" } }, "" },
	{ "regexp has no s flag", PT_RE, 0, "/a/s X\n/a/ Y\n",
	    { { "a", "Y" } }, ":1: unknown regexp option \"s\": skipping this "
	    "rule" },
	{ "pcre s default on", PT_PCRE, 0, "/^a.b$/ X\n",
	    { { "a\nb", "X" } }, "" },
	{ "pcre s toggles off", PT_PCRE, 0, "/^a.b$/s X\n",
	    { { "a\nb", NULL }, { "axb", "X" } }, "" },
	{ "pcre x extended", PT_PCRE, 0, "/^a b$/x X\n",
	    { { "ab", "X" }, { "a b", NULL } }, "" },
	{ "pcre x default off", PT_PCRE, 0, "/^a b$/ X\n",
	    { { "a b", "X" }, { "ab", NULL } }, "" },
	{ "pcre A anchored", PT_PCRE, 0, "/b/A X\n",
	    { { "ab", NULL }, { "ba", "X" } }, "" },
	{ "pcre E dollar end only", PT_PCRE, 0, "/a$/E X\n",
	    { { "a\n", NULL }, { "a", "X" } }, "" },
	{ "pcre dollar before final newline", PT_PCRE, 0, "/a$/ X\n",
	    { { "a\n", "X" } }, "" },
	{ "pcre U ungreedy", PT_PCRE, ALLOW, "/^(a+)/U <$1>\n",
	    { { "aaa", "<a>" } }, "" },
	{ "pcre greedy by default", PT_PCRE, ALLOW, "/^(a+)/ <$1>\n",
	    { { "aaa", "<aaa>" } }, "" },
	{ "pcre X obsolete", PT_PCRE, 0, "/a/X X\n", { { "a", "X" } },
	    ":1: ignoring obsolete regexp option \"X\"" },
	{ "unknown flag", PT_BOTH, 0, "/a/q X\n/a/ Y\n", { { "a", "Y" } },
	    ":1: unknown regexp option \"q\": skipping this rule" },
	{ "flags end at white space", PT_BOTH, 0, "/^ABC$/i\tX\n",
	    { { "ABC", "X" } }, "" },

	/* delimiters and escapes */
	{ "delimiter |", PT_BOTH, 0, "|a/b| X\n", { { "a/b", "X" } }, "" },
	{ "delimiter ~ negated", PT_BOTH, 0, "!~^a~ X\n",
	    { { "b", "X" }, { "a", NULL } }, "" },
	{ "delimiter high byte", PT_BOTH, 0, "\xa7^a\xa7 X\n",
	    { { "a", "X" } }, "" },
	{ "escaped delimiter", PT_BOTH, 0, "/^a\\/b$/ X\n",
	    { { "a/b", "X" }, { "ab", NULL } }, "" },
	{ "backslash kept in the pattern", PT_BOTH, 0, "/^a\\.b$/ X\n",
	    { { "a.b", "X" }, { "axb", NULL } }, "" },
	{ "escaped backslash then delimiter", PT_BOTH, 0, "/^a\\\\/ X\n",
	    { { "a\\", "X" } }, "" },
	{ "pattern with white space", PT_BOTH, 0, "/^a b$/ X\n",
	    { { "a b", "X" } }, "" },
	{ "regexp unterminated", PT_RE, 0, "/abc X\n/a/ Y\n",
	    { { "abc X", "Y" } }, ":1: no closing regexp delimiter \"/\": "
	    "skipping this rule" },
	{ "pcre unterminated", PT_PCRE, 0, "/abc X\n/a/ Y\n",
	    { { "abc X", "Y" } }, ":1: no closing regexp delimiter \"/\": "
	    "ignoring this rule" },
	{ "regexp final backslash ends the pattern", PT_RE, 0, "/abc\\\n",
	    { { "xabcx", "" } }, ":1: no replacement text: using empty "
	    "string" },
	{ "pcre final backslash", PT_PCRE, 0, "/abc\\\n",
	    { { "abc", NULL } }, ":1: no closing regexp delimiter" },

	/* results */
	{ "empty result", PT_BOTH, 0, "/a/\n", { { "a", "" } },
	    ":1: no replacement text: using empty string" },
	{ "result keeps inner spaces", PT_BOTH, 0, "/a/   x  y \t \n",
	    { { "a", "x  y" } }, "" },
	{ "result on a continuation line", PT_BOTH, 0, "/a/\n  res ult\n",
	    { { "a", "res ult" } }, "" },
	{ "comment inside a logical line", PT_BOTH, 0, "/a/\n# c\n  r\n",
	    { { "a", "r" } }, "" },
	{ "$$ is $", PT_BOTH, 0, "/a/ x$$y$$\n", { { "a", "x$y$" } }, "" },
	{ "$$1 is literal without ALLOW", PT_BOTH, 0, "/a/ $$1\n",
	    { { "a", "$1" } }, "" },
	{ "substitution", PT_BOTH, ALLOW, "/^(.*)@(.*)$/ $2/$1/\n",
	    { { "u@d", "d/u/" }, { "x", NULL } }, "" },
	{ "${n} and $(n)", PT_BOTH, ALLOW, "/^(a)(b)$/ ${1}x$(2)y\n",
	    { { "ab", "axby" } }, "" },
	{ "$n with $$", PT_BOTH, ALLOW, "/^(a)$/ $$$1$$\n",
	    { { "a", "$a$" } }, "" },
	{ "unmatched optional group is empty", PT_BOTH, ALLOW,
	    "/^(a)?b(c)?$/ [$1][$2]\n",
	    { { "b", "[][]" }, { "ab", "[a][]" }, { "bc", "[][c]" } }, "" },
	{ "substitution can give an empty result", PT_BOTH, ALLOW,
	    "/^(.*)@x$/ $1\n", { { "@x", "" } }, "" },
	{ "substituted bytes are verbatim", PT_BOTH, ALLOW,
	    "/^(.*)@(.*)$/ $2/$1/\n",
	    { { "../x@d", "d/../x/" }, { "a/b@.", "./a/b/" },
		{ "\x01\xff@d", "d/\x01\xff/" } }, "" },
	{ "group index 10", PT_BOTH, ALLOW,
	    "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)$/ $10$9\n",
	    { { "abcdefghij", "ji" } }, "" },
	{ "leading zeros", PT_BOTH, ALLOW, "/^(a)$/ $01\n",
	    { { "a", "a" } }, "" },
	{ "out of range", PT_BOTH, ALLOW, "/^(a)$/ $2\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: out of range replacement index \"2\": "
	    "skipping this rule" },
	{ "huge index", PT_BOTH, ALLOW, "/^(a)$/ $99999999999999999999\n"
	    "/a/ Z\n", { { "a", "Z" } }, ":1: out of range replacement index" },
	{ "regexp $0", PT_RE, ALLOW, "/a/ $0\n/a/ Z\n", { { "a", "Z" } },
	    ":1: out-of-range replacement index \"0\"\n" },
	{ "pcre $0", PT_PCRE, ALLOW, "/a/ $0\n/a/ Z\n", { { "a", "Z" } },
	    ":1: out of range replacement index \"0\"\n" },
	{ "bad syntax is skipped", PT_BOTH, ALLOW, "/a/ $0\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: bad replacement syntax: skipping this "
	    "rule" },
	{ "non-numeric", PT_BOTH, ALLOW, "/(a)/ $foo\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: non-numeric replacement index \"foo\"" },
	{ "digits then letters", PT_BOTH, ALLOW, "/(a)/ $1abc\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: non-numeric replacement index \"1abc\"" },
	{ "${1}abc", PT_BOTH, ALLOW, "/(a)/ ${1}abc\n",
	    { { "a", "aabc" } }, "" },
	{ "truncated ${", PT_BOTH, ALLOW, "/(a)/ x${1\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: truncated macro reference: \"x${1\"" },
	{ "mismatched $(1}", PT_BOTH, ALLOW, "/(a)/ $(1}\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: truncated macro reference" },
	{ "$ at the end", PT_BOTH, ALLOW, "/a/ x$\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: empty macro name: \"x$\"" },
	{ "$ then punctuation", PT_BOTH, 0, "/a/ x$-y\n/a/ Z\n",
	    { { "a", "Z" } }, ":1: empty macro name" },
	{ "${}", PT_BOTH, ALLOW, "/a/ ${}\n/a/ Z\n", { { "a", "Z" } },
	    ":1: empty macro name" },
	{ "$n in a negated rule", PT_BOTH, ALLOW, "!/(a)/ $1\n/./ Z\n",
	    { { "b", "Z" } }, ":1: $number found in negative match "
	    "replacement text: skipping this rule" },
	{ "$n in a negated rule without ALLOW", PT_BOTH, 0,
	    "!/(a)/ $1\n/./ Z\n", { { "b", "Z" } }, ":1: $number found in "
	    "negative match replacement text: skipping this rule" },
	{ "no substitution without ALLOW", PT_BOTH, 0,
	    "/^(.*)@(.*)$/ $2/$1/\n/@/ other\n",
	    { { "u@d", "other" }, { "x", NULL } },
	    "@T map @F, line 1: regular expression substitution is not "
	    "allowed: skipping this rule" },
	{ "no ${n} without ALLOW", PT_BOTH, 0, "/^(a)$/ x${1}\n/a/ Z\n",
	    { { "a", "Z" } }, "@T map @F, line 1: regular expression "
	    "substitution is not allowed: skipping this rule" },
	{ "no $(n) without ALLOW", PT_BOTH, 0, "/^(a)$/ x$(1)\n/a/ Z\n",
	    { { "a", "Z" } }, "@T map @F, line 1: regular expression "
	    "substitution is not allowed: skipping this rule" },
	{ "the rest stays usable without ALLOW", PT_BOTH, 0,
	    "if /x/\n/^(x)$/ $1\n/^x/ X\nendif\n",
	    { { "x", "X" }, { "xy", "X" } }, "line 2: regular expression "
	    "substitution is not allowed" },

	/* compile errors */
	{ "regexp compile error", PT_RE, 0, "/(/ X\n/./ Z\n",
	    { { "(", "Z" } }, ":1: Unmatched ( or \\(" },
	{ "pcre compile error", PT_PCRE, 0, "/(/ X\n/./ Z\n",
	    { { "(", "Z" } }, ":1: error in regex at offset 1: missing "
	    "closing parenthesis" },
	{ "pcre bad quantifier", PT_PCRE, 0, "/a{2,1}/ X\n/./ Z\n",
	    { { "aa", "Z" } }, ":1: error in regex at offset" },
	{ "pcre lookahead", PT_PCRE, ALLOW, "/^(?!owner-)(.*)@(.*)$/ $1\n",
	    { { "owner-x@y", NULL }, { "x@y", "x" } }, "" },

	{ "pcre (*UTF) and a key that is not UTF-8", PT_PCRE, 0,
	    "/(*UTF)^a/ U\n!/(*UTF)^b/ NB\n/./ Z\n",
	    { { "a\xff", "Z" }, { "a", "U" }, { "c", "NB" } },
	    ":1: UTF-8 error:" },

	/* source format */
	{ "empty file", PT_BOTH, 0, "", { { "a", NULL }, { "", NULL } }, "" },
	{ "comments only", PT_BOTH, 0, "# x\n\n   \n#/a/ A\n",
	    { { "a", NULL } }, "" },
	{ "CRLF lines", PT_BOTH, 0, "/^a$/ A\r\n", { { "a", "A" } }, "" },
	{ "no final newline", PT_BOTH, 0, "/a/ A", { { "a", "A" } }, "" },
	{ "line numbers count physical lines", PT_BOTH, 0,
	    "# c\n/a/\n  B\n\n/b/q X\n", { { "a", "B" } },
	    ":5: unknown regexp option \"q\"" },
	{ "empty key", PT_BOTH, 0, "/^$/ E\n", { { "", "E" }, { "a", NULL } },
	    "" },
};

static struct buf pt_log;

/* pt_hook - collect every log record, one per line */
static void
pt_hook(int prio, const char *text)
{
	(void)prio;
	buf_puts(&pt_log, text);
	buf_putc(&pt_log, '\n');
}

/* pt_setup - a fresh log buffer for each test */
static void
pt_setup(void)
{
	buf_init(&pt_log);
	log_set_hook(pt_hook);
}

/* pt_teardown - free the log buffer */
static void
pt_teardown(void)
{
	log_set_hook(NULL);
	buf_fini(&pt_log);
}

/* pt_open - type 1 regexp, 2 pcre */
static struct dict *
pt_open(int type, const char *name, int flags, struct vd_status *st)
{
	vd_status_clear(st);
	return type == PT_RE ? dict_regexp_open(name, flags, st) :
	    dict_pcre_open(name, flags, st);
}

/* pt_type - the type's name */
static const char *
pt_type(int type)
{
	return type == PT_RE ? "regexp" : "pcre";
}

/* pt_subst - want with @F and @T replaced */
static void
pt_subst(struct buf *out, const char *want, const char *path, int type)
{
	buf_reset(out);
	for (; *want; want++) {
		if (want[0] == '@' && want[1] == 'F') {
			buf_puts(out, path);
			want++;
		} else if (want[0] == '@' && want[1] == 'T') {
			buf_puts(out, pt_type(type));
			want++;
		} else {
			buf_putc(out, *want);
		}
	}
}

START_TEST(test_cases)
{
	const struct pt_case *c = &pt_cases[_i];
	const struct pt_probe *p;
	char *dir = test_mkdtemp("pattern");
	const char *path = test_path(dir, "table");
	struct vd_status st;
	struct buf want;
	struct dict *d;
	const char *value;
	enum lk_result r;
	int type;
	size_t i;

	buf_init(&want);
	test_write_str(path, c->table);
	for (type = PT_RE; type <= PT_PCRE; type++) {
		if (!(c->types & type))
			continue;
		buf_reset(&pt_log);
		d = pt_open(type, path, c->flags, &st);
		ck_assert_msg(d != NULL, "%s: %s: open: %s", c->name,
		    pt_type(type), st.text);
		ck_assert_int_eq(d->props, DICT_PROP_PATTERN | DICT_PROP_FILE);
		for (i = 0; i < 4 && c->probes[i].key; i++) {
			p = &c->probes[i];
			value = NULL;
			r = d->lookup(d, p->key, &value, &st);
			ck_assert_msg(r != LK_ERROR, "%s: %s: key \"%s\": %s",
			    c->name, pt_type(type), p->key, st.text);
			if (p->want == NULL)
				ck_assert_msg(r == LK_NOTFOUND, "%s: %s: key "
				    "\"%s\": found \"%s\"", c->name,
				    pt_type(type), p->key, value);
			else
				ck_assert_msg(r == LK_FOUND
				    && strcmp(value, p->want) == 0,
				    "%s: %s: key \"%s\": want \"%s\" got %s "
				    "\"%s\"", c->name, pt_type(type), p->key,
				    p->want, r == LK_FOUND ? "" : "not found",
				    r == LK_FOUND ? value : "");
		}
		if (*c->warn == 0) {
			ck_assert_msg(pt_log.len == 0, "%s: %s: warnings: %s",
			    c->name, pt_type(type), pt_log.data);
		} else {
			pt_subst(&want, c->warn, path, type);
			ck_assert_msg(strstr(pt_log.data, want.data) != NULL,
			    "%s: %s: want warning [%s] in [%s]", c->name,
			    pt_type(type), want.data, pt_log.data);
		}
		d->close(d);
	}
	buf_fini(&want);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Every warning is one line that names the file and the line. */
START_TEST(test_warning_form)
{
	char *dir = test_mkdtemp("pattern");
	const char *path = test_path(dir, "t");
	struct vd_status st;
	struct dict *d;
	struct buf want;
	char *line, *save = NULL;
	int type, n;

	buf_init(&want);
	test_write_str(path, "/a/q x\nfoo\nendif\n/(/ x\n/a/ $0\n/b\n/c/\n"
	    "/(x)/ $1\nif /x/ y\n");
	for (type = PT_RE; type <= PT_PCRE; type++) {
		buf_reset(&pt_log);
		d = pt_open(type, path, 0, &st);
		ck_assert_ptr_nonnull(d);
		n = 0;
		for (line = strtok_r(pt_log.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			buf_reset(&want);
			buf_printf(&want, "warning: %s:", path);
			if (strncmp(line, want.data, want.len) != 0) {
				buf_reset(&want);
				buf_printf(&want, "warning: %s map %s, line ",
				    pt_type(type), path);
			}
			ck_assert_msg(strncmp(line, want.data, want.len) == 0,
			    "%s: bad warning form: %s", pt_type(type), line);
			n++;
		}
		ck_assert_int_ge(n, 10);
		d->close(d);
	}
	buf_fini(&want);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Keys of 64 KiB and keys with every byte value but NUL */
START_TEST(test_long_and_binary_keys)
{
	char *dir = test_mkdtemp("pattern");
	char *path = strdup(test_path(dir, "t"));
	char *bin = strdup(test_path(dir, "bin"));
	size_t n = 64 * 1024, i;
	char *key = malloc(n + 3);
	struct vd_status st;
	struct dict *d;
	const char *value;
	int type;

	test_write_str(path, "/^(.*)@(.*)$/ $2\n/^a*$/ all-a\n");
	test_write_str(bin, "/^\x01/ one\n/\xff$/ ff\n/./ any\n");
	for (type = PT_RE; type <= PT_PCRE; type++) {
		d = pt_open(type, path, ALLOW, &st);
		ck_assert_ptr_nonnull(d);
		memset(key, 'a', n);
		key[n] = 0;
		ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "all-a");
		memcpy(key + n, "@d", 3);
		ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "d");
		key[0] = '@';
		key[n] = 0;
		ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_FOUND);
		ck_assert_uint_eq(strlen(value), n - 1);
		d->close(d);
		d = pt_open(type, bin, 0, &st);
		ck_assert_ptr_nonnull(d);
		for (i = 0; i < 255; i++)
			key[i] = (char)(i + 1);
		key[255] = 0;
		ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "one");
		ck_assert_int_eq(d->lookup(d, key + 1, &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "ff");
		ck_assert_int_eq(d->lookup(d, "x\x80\n", &value, &st),
		    LK_FOUND);
		ck_assert_str_eq(value, "any");
		d->close(d);
	}
	free(key);
	free(path);
	free(bin);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* The value of a substituting rule is valid until the next lookup. */
START_TEST(test_value_borrowed)
{
	char *dir = test_mkdtemp("pattern");
	const char *path = test_path(dir, "t");
	struct vd_status st;
	struct dict *d;
	const char *v1, *v2;
	char *copy;
	int type;

	test_write_str(path, "/^(.*)$/ <$1>\n");
	for (type = PT_RE; type <= PT_PCRE; type++) {
		d = pt_open(type, path, ALLOW, &st);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(d->lookup(d, "first", &v1, &st), LK_FOUND);
		copy = strdup(v1);
		ck_assert_int_eq(d->lookup(d, "second", &v2, &st), LK_FOUND);
		ck_assert_str_eq(copy, "<first>");
		ck_assert_str_eq(v2, "<second>");
		free(copy);
		d->close(d);
	}
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A hostile pattern hits PCRE2's match limit: an error, not "not found" */
START_TEST(test_pcre_match_limit)
{
	char *dir = test_mkdtemp("pattern");
	const char *path = test_path(dir, "t");
	struct vd_status st;
	struct dict *d;
	const char *value = NULL;
	char key[64], *long_key;

	memset(key, 'a', 40);
	strcpy(key + 40, "b");
	test_write_str(path, "/^(a+)+$/ X\n/./ Z\n");
	d = pt_open(PT_PCRE, path, 0, &st);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_ERROR);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_msg(strstr(st.text, "limit exceeded") != NULL, "%s",
	    st.text);
	ck_assert_msg(strstr(st.text, ":1: ") != NULL, "%s", st.text);
	/* the table stays usable */
	ck_assert_int_eq(d->lookup(d, "aaa", &value, &st), LK_FOUND);
	ck_assert_str_eq(value, "X");
	d->close(d);
	/* also inside an "if" */
	test_write_str(path, "if /^(a+)+$/\n/./ X\nendif\n/./ Z\n");
	d = pt_open(PT_PCRE, path, 0, &st);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->lookup(d, key, &value, &st), LK_ERROR);
	d->close(d);
	/* the limits leave room for a repeated group over a 64 KiB key */
	long_key = malloc(64 * 1024 + 1);
	memset(long_key, 'x', 64 * 1024);
	long_key[64 * 1024] = 0;
	test_write_str(path, "/^(.)*$/ deep\n");
	d = pt_open(PT_PCRE, path, ALLOW, &st);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->lookup(d, long_key, &value, &st), LK_FOUND);
	ck_assert_str_eq(value, "deep");
	d->close(d);
	free(long_key);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_changed)
{
	char *dir = test_mkdtemp("pattern");
	const char *path = test_path(dir, "t");
	char *p = strdup(path);
	struct timespec ts[2];
	struct vd_status st;
	struct dict *d;
	int type;

	for (type = PT_RE; type <= PT_PCRE; type++) {
		test_write_str(p, "/a/ A\n");
		d = pt_open(type, p, 0, &st);
		ck_assert_ptr_nonnull(d);
		ck_assert(!d->changed(d));
		/* same size, other mtime */
		ts[0].tv_sec = ts[1].tv_sec = 1000000000;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
		ck_assert(d->changed(d));
		d->close(d);
		d = pt_open(type, p, 0, &st);
		ck_assert(!d->changed(d));
		test_write_str(p, "/a/ AB\n");	/* size */
		ck_assert(d->changed(d));
		d->close(d);
		d = pt_open(type, p, 0, &st);
		ck_assert_int_eq(unlink(p), 0);
		ck_assert(d->changed(d));
		test_write_str(p, "/a/ AB\n");	/* new inode */
		ck_assert(d->changed(d));
		d->close(d);
	}
	free(p);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_open_fails)
{
	char *dir = test_mkdtemp("pattern");
	char *fifo = strdup(test_path(dir, "fifo"));
	char *secret = strdup(test_path(dir, "secret"));
	struct vd_status st;
	int type;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	test_write_str(secret, "/a/ A\n");
	ck_assert_int_eq(chmod(secret, 0), 0);
	for (type = PT_RE; type <= PT_PCRE; type++) {
		ck_assert_ptr_null(pt_open(type, test_path(dir, "none"), 0,
		    &st));
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, "No such file or directory"),
		    "%s", st.text);
		ck_assert_ptr_null(pt_open(type, dir, 0, &st));
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, "Is a directory"), "%s",
		    st.text);
		ck_assert_ptr_null(pt_open(type, fifo, 0, &st));
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, "not a regular file"), "%s",
		    st.text);
		if (!test_is_root()) {
			ck_assert_ptr_null(pt_open(type, secret, 0, &st));
			ck_assert_str_eq(st.dsn, "4.3.5");
			ck_assert_msg(strstr(st.text, "Permission denied"),
			    "%s", st.text);
		}
	}
	free(fifo);
	free(secret);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Binary junk, a 1 MiB line, deep nesting: no crash, clear outcomes */
START_TEST(test_hostile_sources)
{
	char *dir = test_mkdtemp("pattern");
	char *path = strdup(test_path(dir, "t"));
	size_t n = 1024 * 1024, i;
	char *junk = malloc(n + 16);
	struct vd_status st;
	struct dict *d;
	const char *value;
	struct buf b;
	int type;
	unsigned x = 12345;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (char)(x >> 16);
	}
	for (type = PT_RE; type <= PT_PCRE; type++) {
		test_write_file(path, junk, n);
		d = pt_open(type, path, ALLOW, &st);
		ck_assert_msg(d != NULL, "%s", st.text);
		(void)d->lookup(d, "user@example.com", &value, &st);
		d->close(d);

		/* one 1 MiB line: a pattern, then a result */
		buf_reset(&b);
		buf_puts(&b, "/^");
		for (i = 0; i < n; i++)
			buf_putc(&b, 'a');
		buf_puts(&b, "$/ big\n/^");
		for (i = 0; i < n / 4; i++)
			buf_putc(&b, 'b');
		buf_puts(&b, "/ ");
		for (i = 0; i < n; i++)
			buf_putc(&b, 'r');
		buf_puts(&b, "\n/x/ X\n");
		test_write_file(path, b.data, b.len);
		d = pt_open(type, path, 0, &st);
		ck_assert_msg(d != NULL, "%s", st.text);
		ck_assert_int_eq(d->lookup(d, "x", &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "X");
		d->close(d);

		/* 1 MiB without a closing delimiter */
		memset(junk, 'q', n);
		junk[0] = '/';
		test_write_file(path, junk, n);
		buf_reset(&pt_log);
		d = pt_open(type, path, 0, &st);
		ck_assert_ptr_nonnull(d);
		ck_assert_ptr_nonnull(strstr(pt_log.data, "no closing regexp "
		    "delimiter"));
		d->close(d);

		/* nesting at the limit works, one deeper fails the open */
		buf_reset(&b);
		for (i = 0; i < DICT_PATTERN_MAX_NESTING; i++)
			buf_puts(&b, "if /a/\n");
		buf_puts(&b, "/a/ deep\n");
		test_write_file(path, b.data, b.len);
		d = pt_open(type, path, 0, &st);
		ck_assert_msg(d != NULL, "%s", st.text);
		ck_assert_int_eq(d->lookup(d, "a", &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "deep");
		ck_assert_int_eq(d->lookup(d, "b", &value, &st), LK_NOTFOUND);
		d->close(d);
		buf_puts(&b, "if /a/\n");
		test_write_file(path, b.data, b.len);
		ck_assert_ptr_null(pt_open(type, path, 0, &st));
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strstr(st.text, ":1002: IF nesting deeper than "
		    "1000 levels") != NULL, "%s", st.text);

		/* NUL bytes: the rest of the line is gone, with a warning */
		test_write_file(path, "/a/ A\0B\n/b\0/ B\n", 15);
		buf_reset(&pt_log);
		d = pt_open(type, path, 0, &st);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(d->lookup(d, "a", &value, &st), LK_FOUND);
		ck_assert_str_eq(value, "A");
		ck_assert_int_eq(d->lookup(d, "b", &value, &st), LK_NOTFOUND);
		ck_assert_ptr_nonnull(strstr(pt_log.data, ":1: text after "
		    "null byte may be ignored"));
		d->close(d);
	}
	buf_fini(&b);
	free(junk);
	free(path);
	test_rmtree(dir);
	free(dir);
}
END_TEST

struct pt_inline {
	const char *spec;
	const char *key;
	const char *want;	/* NULL: not found */
	const char *open_err;	/* the open fails with this text */
};

static const struct pt_inline pt_inlines[] = {
	{ "{ {/a/ A}, {/b/ B} }", "b", "B", NULL },
	{ "{{/a/ A},{/b/ B}}", "a", "A", NULL },
	{ "{ { /a/  A  } }", "a", "A", NULL },
	{ "{ {if /a/}, {/./ IN}, {endif} }", "b", NULL, NULL },
	{ "{ {/x{2}/ X} }", "xx", "X", NULL },
	{ "{ }", "a", NULL, NULL },
	{ "{}", "a", NULL, NULL },
	{ "{ {/a/ A} x }", NULL, NULL, "no '{' at start of text" },
	{ "{ {/a/ A}", NULL, NULL, "missing '}' in" },
	{ "{ {/a/ A}} x", NULL, NULL, "syntax error after '}'" },
	{ "{ {/a/ A}x }", NULL, NULL, "syntax error after '}'" },
};

START_TEST(test_inline)
{
	const struct pt_inline *c = &pt_inlines[_i];
	struct vd_status st;
	struct dict *d;
	const char *value;
	int type;

	for (type = PT_RE; type <= PT_PCRE; type++) {
		d = pt_open(type, c->spec, 0, &st);
		if (c->open_err) {
			ck_assert_ptr_null(d);
			ck_assert_str_eq(st.dsn, "4.3.5");
			ck_assert_msg(strstr(st.text, c->open_err), "%s: %s",
			    c->spec, st.text);
			continue;
		}
		ck_assert_msg(d != NULL, "%s: %s", c->spec, st.text);
		ck_assert_int_eq(d->props, DICT_PROP_PATTERN);
		ck_assert(!d->changed(d));
		if (c->want)
			ck_assert_int_eq(d->lookup(d, c->key, &value, &st),
			    LK_FOUND);
		else
			ck_assert_int_eq(d->lookup(d, c->key, &value, &st),
			    LK_NOTFOUND);
		if (c->want)
			ck_assert_str_eq(value, c->want);
		d->close(d);
	}
}
END_TEST

static Suite *
pattern_suite(void)
{
	Suite *s = suite_create("pattern");
	TCase *tc = tcase_create("pattern");

	tcase_add_checked_fixture(tc, pt_setup, pt_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cases, 0,
	    (int)(sizeof(pt_cases) / sizeof(pt_cases[0])));
	tcase_add_test(tc, test_warning_form);
	tcase_add_test(tc, test_long_and_binary_keys);
	tcase_add_test(tc, test_value_borrowed);
	tcase_add_test(tc, test_pcre_match_limit);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_open_fails);
	tcase_add_test(tc, test_hostile_sources);
	tcase_add_loop_test(tc, test_inline, 0,
	    (int)(sizeof(pt_inlines) / sizeof(pt_inlines[0])));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pattern_suite)
