/* SPDX-License-Identifier: MIT */
/*
 * check_config - main.cf syntax, expansion, typed parameters, errors
 *
 * DESCRIPTION
 *	Each table row writes a main.cf into a scratch directory, loads it
 *	with config_load() (plus -o overrides) and checks either the load
 *	error or the expanded value of one parameter, byte for byte.
 *	Error texts are compared with the scratch directory removed, so
 *	"main.cf:2: parameter b: ..." is what a row says.  The expected
 *	values of the expansion rows were taken from Postfix 3.7's
 *	`postconf -x` on the same text.
 */
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "buf.h"
#include "config.h"
#include "deliver/deliver.h"
#include "testlib.h"
#include "textline.h"

#define MAX_OV 4

struct cf_case {
	const char *name;
	const char *text;		/* main.cf */
	const char *ov[MAX_OV];		/* -o name=value */
	const char *param;		/* NULL: the load must fail */
	const char *want;		/* expanded value; NULL: unset */
	const char *want_err;		/* error text (load or lookup) */
};

/* Rows where vdeliver differs from postconf on purpose (vdeliver.cf.5). */
static const char *const not_postfix[] = {
	"numeric, no size limit",	/* postconf: "bad conversion" */
	"broken unused parameter does not",	/* postconf checks them all */
	NULL,
};

/* strip_dir - the status text without "DIR/" in front of file names */
static const char *
strip_dir(const char *text, const char *dir)
{
	static char out[2048];
	size_t dl = strlen(dir), n = 0;
	const char *p = text;

	while (*p && n + 1 < sizeof(out)) {
		if (strncmp(p, dir, dl) == 0 && p[dl] == '/') {
			p += dl + 1;
			continue;
		}
		out[n++] = *p++;
	}
	out[n] = 0;
	return out;
}

static const struct cf_case cases[] = {
	/* Syntax: logical lines, '=', last wins, overrides. */
	{ "comments and blank lines", "# c\n\na = 1\n  # indented\nb = 2\n",
	    { NULL }, "b", "2", NULL },
	{ "continuation keeps white space", "a = x\n  y\n\tz\nb = 1\n",
	    { NULL }, "a", "x  y\tz", NULL },
	{ "comment inside a continued line", "a = x\n# c\n\n  y\n",
	    { NULL }, "a", "x  y", NULL },
	{ "no spaces around =", "a=1\n", { NULL }, "a", "1", NULL },
	{ "many spaces around =", "a   =  \t 1 2  \t\n", { NULL }, "a",
	    "1 2", NULL },
	{ "= inside the value", "a=b=c\n", { NULL }, "a", "b=c", NULL },
	{ "empty value is set", "a =\n", { NULL }, "a", "", NULL },
	{ "CRLF line end", "a = 1\r\n", { NULL }, "a", "1", NULL },
	{ "no final newline", "a = 1", { NULL }, "a", "1", NULL },
	{ "hash in a value is text", "a = x # y\n", { NULL }, "a", "x # y",
	    NULL },
	{ "last definition wins", "a = 1\na = 2\n", { NULL }, "a", "2",
	    NULL },
	{ "override wins over the file", "a = 1\n", { "a=2" }, "a", "2",
	    NULL },
	{ "override with spaces", "a = 1\n", { "a = 3 " }, "a", "3", NULL },
	{ "later override wins", "", { "a=1", "a=2" }, "a", "2", NULL },
	{ "override empty value", "a = 1\n", { "a=" }, "a", "", NULL },
	{ "unknown parameter unset", "a = 1\n", { NULL }, "nosuch", NULL,
	    NULL },
	{ "missing =", "a = 1\nfoo bar\n", { NULL }, NULL, NULL,
	    "main.cf:2: missing '=' after attribute name" },
	{ "missing = in a continued line", "a = 1\nb\n  c\nd = 2\n",
	    { NULL }, NULL, NULL,
	    "main.cf:2: missing '=' after attribute name" },
	{ "missing attribute name", "# x\n= x\n", { NULL }, NULL, NULL,
	    "main.cf:2: missing attribute name" },
	{ "name with a space", "a b = c\n", { NULL }, NULL, NULL,
	    "main.cf:1: missing '=' after attribute name" },
	{ "override without =", "", { "novalue" }, NULL, NULL,
	    "-o novalue: missing '=' after attribute name" },
	{ "override without name", "", { "=x" }, NULL, NULL,
	    "-o =x: missing attribute name" },

	/* Expansion forms (expected values from postconf -x, 3.7). */
	{ "$name", "b = hi\na = <$b>\n", { NULL }, "a", "<hi>", NULL },
	{ "${name}", "b = hi\na = <${b}>\n", { NULL }, "a", "<hi>", NULL },
	{ "$(name)", "b = hi\na = <$(b)>\n", { NULL }, "a", "<hi>", NULL },
	{ "$$", "b = hi\na = $$b$$\n", { NULL }, "a", "$b$", NULL },
	{ "name ends at a dot", "b = hi\na = $b.x$b-y\n", { NULL }, "a",
	    "hi.xhi-y", NULL },
	{ "undefined is empty", "a = x${undefined}y$nothing\n", { NULL },
	    "a", "xy", NULL },
	{ "recursive", "a = 1$b\nb = 2$c\nc = 3\n", { NULL }, "a", "123",
	    NULL },
	{ "override refers to the file", "b = hi\n", { "a=$b!" }, "a",
	    "hi!", NULL },
	{ "file refers to an override", "a = $b!\nb = no\n", { "b=yes" },
	    "a", "yes!", NULL },
	{ "white space around a name", "b = hi\na = <${ b }>\n", { NULL },
	    "a", "<hi>", NULL },
	{ "?value set", "b = hi\na = <${b?yes}>\n", { NULL }, "a", "<yes>",
	    NULL },
	{ "?value empty", "e =\na = <${e?yes}>\n", { NULL }, "a", "<>",
	    NULL },
	{ "?value undefined", "a = <${u?yes}>\n", { NULL }, "a", "<>",
	    NULL },
	{ "?value keeps colons", "b = hi\na = <${b?a:b}>\n", { NULL }, "a",
	    "<a:b>", NULL },
	{ "?value keeps spaces", "b = hi\na = <${b? x }>\n", { NULL }, "a",
	    "< x >", NULL },
	{ "?{value}", "b = hi\na = <${b?  {x}  }>\n", { NULL }, "a", "<x>",
	    NULL },
	{ "?{value} expands", "b = hi\na = <${b?{$b!}}>\n", { NULL }, "a",
	    "<hi!>", NULL },
	{ ":value empty", "e =\na = <${e:no}>\n", { NULL }, "a", "<no>",
	    NULL },
	{ ":value set", "b = hi\na = <${b:no}>\n", { NULL }, "a", "<>",
	    NULL },
	{ ":{value} undefined", "a = <${u:{x}}>\n", { NULL }, "a", "<x>",
	    NULL },
	{ "?{t}:{f} set", "b = hi\na = <${b?{X}:{Y}}>\n", { NULL }, "a",
	    "<X>", NULL },
	{ "?{t}:{f} empty", "e =\na = <${e?{X}:{Y}}>\n", { NULL }, "a",
	    "<Y>", NULL },
	{ "?{t}:f", "e =\na = <${e?{X}:Y}>\n", { NULL }, "a", "<Y>", NULL },
	{ "?{t} :f", "b = hi\na = <${b?{X} :Y}>\n", { NULL }, "a", "<X>",
	    NULL },
	{ "test uses the raw value", "e =\ne2 = $e\na = <${e2?yes}>\n",
	    { NULL }, "a", "<yes>", NULL },
	{ "syslog_name form", "multi_instance_name = pf-b\n", { NULL },
	    "syslog_name", "pf-b", NULL },
	{ "braces in a result", "b = hi\na = <${b?{x{y}}}>\n", { NULL },
	    "a", "<x{y}>", NULL },
	{ "parens in $(...)", "b = hi\na = <$(b?{x(y)})>\n", { NULL }, "a",
	    "<x(y)>", NULL },
	{ "== true", "b = hi\na = ${{$b} == {hi} ? {eq} : {ne}}\n",
	    { NULL }, "a", "eq", NULL },
	{ "== false", "b = hi\na = ${{$b} == {ho} ? {eq} : {ne}}\n",
	    { NULL }, "a", "ne", NULL },
	{ "== keeps white space in operands",
	    "a = ${{ 3} == {3} ? {eq} : {ne}}\n", { NULL }, "a", "ne", NULL },
	{ "!=", "a = ${{a} != {b} ? {ne} : {eq}}\n", { NULL }, "a", "ne",
	    NULL },
	{ "numeric <", "a = ${{10} < {9} ? {lt} : {ge}}\n", { NULL }, "a",
	    "ge", NULL },
	{ "numeric == with zeros", "a = ${{010} == {10} ? {eq} : {ne}}\n",
	    { NULL }, "a", "eq", NULL },
	{ "numeric, no size limit",
	    "a = ${{99999999999999999999} > {1} ? {gt} : {le}}\n", { NULL },
	    "a", "gt", NULL },
	{ "string < when not all digits",
	    "a = ${{3.5} < {10} ? {lt} : {ge}}\n", { NULL }, "a", "ge",
	    NULL },
	{ "string <", "a = ${{abc} < {abd} ? {lt} : {ge}}\n", { NULL }, "a",
	    "lt", NULL },
	{ "<=", "a = ${{3} <= {3} ? {le} : {gt}}\n", { NULL }, "a", "le",
	    NULL },
	{ ">", "a = ${{4} > {3} ? {gt} : {le}}\n", { NULL }, "a", "gt",
	    NULL },
	{ ">=", "a = ${{3} >= {10}?{ge}:{lt}}\n", { NULL }, "a", "lt", NULL },
	{ "operand expands", "n = 10\na = ${{3} < {$n} ? {lt} : {ge}}\n",
	    { NULL }, "a", "lt", NULL },
	{ "bare logical true", "b = hi\na = <${{$b} == {hi}}>\n", { NULL },
	    "a", "<true>", NULL },
	{ "bare logical false", "a = <${{3} != {3}}>\n", { NULL }, "a", "<>",
	    NULL },
	{ "logical ?t only", "a = <${{3} < {3} ? {lt}}>\n", { NULL }, "a",
	    "<>", NULL },
	{ "logical :f only", "a = <${{3} < {3} : {ge}}>\n", { NULL }, "a",
	    "<ge>", NULL },
	{ "logical ?text keeps the rest", "a = <${{a}=={a} ?t:f}>\n",
	    { NULL }, "a", "<t:f>", NULL },
	{ "<level default", "", { NULL }, "smtputf8_enable", "no", NULL },
	{ "<level 3.6", "compatibility_level = 3.6\n", { NULL },
	    "smtputf8_enable", "yes", NULL },
	{ "<level compares parts", "a = ${{3.10} <level {3.2} ? {lt} : {ge}}\n",
	    { NULL }, "a", "ge", NULL },
	{ ">=level missing part is 0",
	    "a = ${{3.1} >=level {3.1.0} ? {ge} : {lt}}\n", { NULL }, "a",
	    "ge", NULL },
	{ "nested", "b = hi\na = ${b?{${{1} < {2} ? {${b}} : {no}}}}\n",
	    { NULL }, "a", "hi", NULL },

	/* Expansion errors: the place is the parameter at fault. */
	{ "truncated ${", "a = 1\nb = x${y\n", { NULL }, "b", NULL,
	    "main.cf:2: parameter b: truncated macro reference: \"${y\"" },
	{ "truncated $(", "b = x$(y\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: truncated macro reference: \"$(y\"" },
	{ "mismatched brackets", "b = ${y)\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: truncated macro reference: \"${y)\"" },
	{ "truncated through a reference", "a = $b\nb = ${y\n", { NULL },
	    "a", NULL,
	    "main.cf:2: parameter b: truncated macro reference: \"${y\"" },
	{ "truncated in an override", "", { "b=${y" }, "b", NULL,
	    "-o b: truncated macro reference: \"${y\"" },
	{ "lone $", "b = x$\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: empty macro name: \"$\"" },
	{ "$ and a symbol", "b = $-x\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: empty macro name: \"$-\"" },
	{ "${}", "b = ${}\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: empty macro name: \"${}\"" },
	{ "bad name", "b = ${a x}\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: attribute name syntax error at: "
	    "\"a x\"" },
	{ "bad operator", "b = ${{3} = {3} ? {a} : {b}}\n", { NULL }, "b",
	    NULL, "main.cf:1: parameter b: \"==\", \"!=\", \"<\", \"<=\", "
	    "\">\" or \">=\" expected at: \"= {3} ? {a} : {b}\"" },
	{ "operand not in braces", "b = ${{3} == 3 ? {a}}\n", { NULL }, "b",
	    NULL, "main.cf:1: parameter b: \"{expression}\" expected at: "
	    "\"3 ? {a}\"" },
	{ "text after the result", "b = ${{3} == {3} ? {e} : {n} x}\n",
	    { NULL }, "b", NULL,
	    "main.cf:1: parameter b: unexpected input at: \"x\"" },
	{ "text after ?{t}", "b = hi\nc = ${b?{X}y}\n", { NULL }, "c", NULL,
	    "main.cf:2: parameter c: \":\" expected at: \"y\"" },
	{ "text after a logical", "b = ${{1} == {1} x}\n", { NULL }, "b",
	    NULL,
	    "main.cf:1: parameter b: \"?\" or \":\" expected at: \"x\"" },
	{ "unbalanced {}", "b = $(b?{x)\n", { NULL }, "b", NULL,
	    "main.cf:1: parameter b: unbalanced {} in attribute "
	    "expression: \"{x\"" },
	{ "bad level", "b = ${{abc} <level {1} ? {a} : {b}}\n", { NULL },
	    "b", NULL, "main.cf:1: parameter b: malformed compatibility "
	    "level syntax: \"abc\"" },
	{ "loop", "a = $b\nb = $a\n", { NULL }, "a", NULL,
	    "main.cf:2: parameter b: macro loop: $a -> $b -> $a" },
	{ "self reference", "s = x$s\n", { NULL }, "s", NULL,
	    "main.cf:1: parameter s: macro loop: $s -> $s" },
	{ "loop in a ${?} test result", "a = ${a?{$a}}\n", { NULL }, "a",
	    NULL, "main.cf:1: parameter a: macro loop: $a -> $a" },
	{ "loop through a default", "myhostname = $mydomain\n", { NULL },
	    NULL, NULL, "main.cf:1: parameter myhostname: macro loop: "
	    "$myhostname -> $mydomain -> $myhostname" },
	{ "loop in a used parameter stops the load",
	    "virtual_mailbox_base = $x\nx = $virtual_mailbox_base\n",
	    { NULL }, NULL, NULL, "main.cf:2: parameter x: macro loop: "
	    "$virtual_mailbox_base -> $x -> $virtual_mailbox_base" },
	{ "broken used parameter stops the load",
	    "virtual_mailbox_maps = hash:${x\n", { NULL }, NULL, NULL,
	    "main.cf:1: parameter virtual_mailbox_maps: truncated macro "
	    "reference: \"${x\"" },
	{ "broken unused parameter does not",
	    "header_checks = ${x\nvirtual_mailbox_base = /m\n", { NULL },
	    "virtual_mailbox_base", "/m", NULL },
	{ "broken unused parameter, asked for",
	    "header_checks = ${x\nvirtual_mailbox_base = /m\n", { NULL },
	    "header_checks", NULL, "main.cf:1: parameter header_checks: "
	    "truncated macro reference: \"${x\"" },
	{ "brace count spans results", "b = hi\na = ${b?{ok}:{${x}}\n",
	    { NULL }, "a", NULL, "main.cf:2: parameter a: truncated macro "
	    "reference: \"${b?{ok}:{${x}}\"" },
	{ "unused branch is not expanded", "b = hi\na = ${b?{ok}:{$(x}}\n",
	    { NULL }, "a", "ok", NULL },
	{ "unused true branch", "e =\na = ${e?{$(x}:{ok}}\n", { NULL }, "a",
	    "ok", NULL },

	/* Defaults of parameters vdeliver knows. */
	{ "default mail_owner", "", { NULL }, "mail_owner", "postfix", NULL },
	{ "default queue_directory", "", { NULL }, "queue_directory",
	    "/var/spool/postfix", NULL },
	{ "default compatibility_level", "", { NULL },
	    "compatibility_level", "0", NULL },
	{ "default multi_instance_name", "", { NULL },
	    "multi_instance_name", "", NULL },
	{ "default syslog_name", "", { NULL }, "syslog_name", "postfix",
	    NULL },
	{ "default virtual_mailbox_lock", "", { NULL },
	    "virtual_mailbox_lock", "fcntl, dotlock", NULL },
	{ "default deliver_lock_delay", "", { NULL }, "deliver_lock_delay",
	    "1s", NULL },
	{ "default virtual_mailbox_domains", "virtual_mailbox_maps = x:y\n",
	    { NULL }, "virtual_mailbox_domains", "x:y", NULL },
	{ "mydomain from myhostname", "myhostname = mx.example.com\n",
	    { NULL }, "mydomain", "example.com", NULL },
	{ "myorigin from myhostname", "myhostname = mx.example.com\n",
	    { NULL }, "myorigin", "mx.example.com", NULL },
	{ "mydestination default", "myhostname = mx.example.com\n",
	    { NULL }, "mydestination",
	    "mx.example.com, localhost.example.com, localhost", NULL },
	{ "default overridden", "mail_owner = pf\n", { NULL }, "mail_owner",
	    "pf", NULL },

	/* Typed parameters: values, bounds, the error places. */
	{ "uid 1", "", { "virtual_minimum_uid=1" }, "virtual_minimum_uid",
	    "1", NULL },
	{ "uid 0", "", { "virtual_minimum_uid=0" }, NULL, NULL,
	    "-o virtual_minimum_uid: bad numerical configuration: \"0\" "
	    "(minimum 1)" },
	{ "uid in the file", "\n\nvirtual_minimum_uid = 0\n", { NULL }, NULL,
	    NULL, "main.cf:3: parameter virtual_minimum_uid: bad numerical "
	    "configuration: \"0\" (minimum 1)" },
	{ "uid not a number", "virtual_minimum_uid = 10x\n", { NULL }, NULL,
	    NULL, "main.cf:1: parameter virtual_minimum_uid: bad numerical "
	    "configuration: \"10x\"" },
	{ "uid hex", "virtual_minimum_uid = 0x10\n", { NULL }, NULL, NULL,
	    "main.cf:1: parameter virtual_minimum_uid: bad numerical "
	    "configuration: \"0x10\"" },
	{ "uid empty", "virtual_minimum_uid =\n", { NULL }, NULL, NULL,
	    "main.cf:1: parameter virtual_minimum_uid: bad numerical "
	    "configuration: \"\"" },
	{ "uid overflow", "virtual_minimum_uid = 99999999999999999999\n",
	    { NULL }, NULL, NULL, "main.cf:1: parameter virtual_minimum_uid: "
	    "bad numerical configuration: \"99999999999999999999\"" },
	{ "uid through a reference", "u = 0\nvirtual_minimum_uid = $u\n",
	    { NULL }, NULL, NULL, "main.cf:2: parameter virtual_minimum_uid: "
	    "bad numerical configuration: \"0\" (minimum 1)" },
	{ "attempts 0", "", { "deliver_lock_attempts=0" }, NULL, NULL,
	    "-o deliver_lock_attempts: bad numerical configuration: \"0\" "
	    "(minimum 1)" },
	{ "attempts -1", "", { "deliver_lock_attempts=-1" }, NULL, NULL,
	    "-o deliver_lock_attempts: bad numerical configuration: \"-1\" "
	    "(minimum 1)" },
	{ "attempts too big", "", { "deliver_lock_attempts=2147483648" },
	    NULL, NULL, "-o deliver_lock_attempts: bad numerical "
	    "configuration: \"2147483648\" (maximum 2147483647)" },
	{ "limit negative", "", { "virtual_mailbox_limit=-1" }, NULL, NULL,
	    "-o virtual_mailbox_limit: bad numerical configuration: \"-1\" "
	    "(minimum 0)" },
	{ "limit smaller than message size", "", {
	    "virtual_mailbox_limit=1000" }, NULL, NULL,
	    "-o virtual_mailbox_limit: virtual_mailbox_limit is smaller "
	    "than message_size_limit (1000 < 10240000)" },
	{ "message size bigger than the limit",
	    "message_size_limit = 60000000\n", { NULL }, NULL, NULL,
	    "main.cf:1: parameter message_size_limit: virtual_mailbox_limit "
	    "is smaller than message_size_limit (51200000 < 60000000)" },
	{ "message size unlimited", "message_size_limit = 0\n", { NULL },
	    NULL, NULL, "main.cf:1: parameter message_size_limit: "
	    "virtual_mailbox_limit is limited but message_size_limit is "
	    "unlimited" },
	{ "both unlimited", "", { "message_size_limit=0",
	    "virtual_mailbox_limit=0" }, "virtual_mailbox_limit", "0", NULL },
	{ "delay 0", "", { "deliver_lock_delay=0" }, NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"0\" "
	    "(minimum 1s)" },
	{ "delay unit", "", { "deliver_lock_delay=1x" }, NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"1x\"" },
	{ "delay upper case unit", "", { "deliver_lock_delay=1S" }, NULL,
	    NULL, "-o deliver_lock_delay: bad time value or unit: \"1S\"" },
	{ "delay negative", "", { "deliver_lock_delay=-1" }, NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"-1\"" },
	{ "delay empty", "", { "deliver_lock_delay=" }, NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"\"" },
	{ "delay no number", "", { "deliver_lock_delay=s" }, NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"s\"" },
	{ "delay over INT_MAX", "", { "deliver_lock_delay=99999999999" },
	    NULL, NULL, "-o deliver_lock_delay: bad time value or unit: "
	    "\"99999999999\"" },
	{ "delay overflow with unit", "", { "deliver_lock_delay=4000w" },
	    NULL, NULL,
	    "-o deliver_lock_delay: bad time value or unit: \"4000w\"" },
	{ "bool 1", "", { "owner_request_special=1" }, NULL, NULL,
	    "-o owner_request_special: bad boolean configuration: \"1\"" },
	{ "bool true", "strict_mailbox_ownership = true\n", { NULL }, NULL,
	    NULL, "main.cf:1: parameter strict_mailbox_ownership: bad "
	    "boolean configuration: \"true\"" },
	{ "lock unknown", "", { "virtual_mailbox_lock=fcntl, bogus" }, NULL,
	    NULL, "-o virtual_mailbox_lock: unknown mailbox_lock value "
	    "\"bogus\" in \"fcntl, bogus\"" },
	{ "lock case-sensitive", "", { "virtual_mailbox_lock=FLOCK" }, NULL,
	    NULL, "-o virtual_mailbox_lock: unknown mailbox_lock value "
	    "\"FLOCK\" in \"FLOCK\"" },
	{ "lock empty", "", { "virtual_mailbox_lock=" }, NULL, NULL,
	    "-o virtual_mailbox_lock: no mailbox lock method in \"\"" },
	{ "lock separators only", "", { "virtual_mailbox_lock=, ," }, NULL,
	    NULL, "-o virtual_mailbox_lock: no mailbox lock method in \", ,\"" },
	{ "line length minimum", "", { "vdeliver_lmtp_line_length_limit=100" },
	    NULL, NULL, "-o vdeliver_lmtp_line_length_limit: bad numerical "
	    "configuration: \"100\" (minimum 512)" },
	{ "lmtp timeout", "", { "vdeliver_lmtp_timeout=0" }, NULL, NULL,
	    "-o vdeliver_lmtp_timeout: bad time value or unit: \"0\" "
	    "(minimum 1s)" },
	{ "regexp substitution bool", "", { "vdeliver_regexp_substitution=x" },
	    NULL, NULL, "-o vdeliver_regexp_substitution: bad boolean "
	    "configuration: \"x\"" },
	{ "empty mailbox base loads", "virtual_mailbox_base =\n", { NULL },
	    "virtual_mailbox_base", "", NULL },
};

/* cf_load - write text as DIR/main.cf and load it */
static int
cf_load(const char *dir, const char *text, const char *const *ov,
    struct vd_config *cfg, struct vd_status *st)
{
	char *ovs[MAX_OV];
	size_t n = 0;

	while (n < MAX_OV && ov[n]) {
		ovs[n] = (char *)ov[n];
		n++;
	}
	test_write_str(test_path(dir, "main.cf"), text);
	return config_load(cfg, test_path(dir, "main.cf"), ovs, n, st);
}

START_TEST(test_cases)
{
	const struct cf_case *c = &cases[_i];
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	const char *v;
	int rc;

	vd_status_clear(&st);
	rc = cf_load(dir, c->text, c->ov, &cfg, &st);
	if (c->param == NULL) {
		ck_assert_msg(rc == -1, "%s: loaded", c->name);
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strcmp(strip_dir(st.text, dir), c->want_err) == 0,
		    "%s: got [%s] want [%s]", c->name, strip_dir(st.text, dir),
		    c->want_err);
		/* The failed load left nothing behind. */
		ck_assert_ptr_null(cfg.raw);
		ck_assert_ptr_null(cfg.virtual_mailbox_maps);
		goto out;
	}
	ck_assert_msg(rc == 0, "%s: %s", c->name, st.text);
	rc = config_lookup(&cfg, c->param, &v, &st);
	if (c->want_err) {
		ck_assert_msg(rc == -1, "%s: got value [%s]", c->name,
		    v ? v : "(null)");
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_msg(strcmp(strip_dir(st.text, dir), c->want_err) == 0,
		    "%s: got [%s] want [%s]", c->name, strip_dir(st.text, dir),
		    c->want_err);
		ck_assert_ptr_null(config_get(&cfg, c->param));
		/* Asking again gives the same answer. */
		ck_assert_int_eq(config_lookup(&cfg, c->param, &v, &st), -1);
		ck_assert_str_eq(strip_dir(st.text, dir), c->want_err);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", c->name, st.text);
		if (c->want == NULL) {
			ck_assert_msg(v == NULL, "%s: got [%s]", c->name, v);
		} else {
			ck_assert_msg(v != NULL && strcmp(v, c->want) == 0,
			    "%s: got [%s] want [%s]", c->name,
			    v ? v : "(null)", c->want);
			ck_assert_str_eq(config_get(&cfg, c->param), c->want);
		}
	}
	config_free(&cfg);
out:
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* squeeze - runs of white space become one space, in place */
static void
squeeze(char *s)
{
	char *w = s;
	bool ws = false;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			if (!ws)
				*w++ = ' ';
			ws = true;
		} else {
			*w++ = *s;
			ws = false;
		}
	}
	*w = 0;
}

/*
 * The oracle: each row with a value gives the same result with Postfix's
 * own `postconf -x` (when installed), as the value of smtpd_banner.
 */
START_TEST(test_postconf)
{
	const struct cf_case *c = &cases[_i];
	char *dir, cmd[8192], got[4096], text[8192];
	struct utimbuf past;
	size_t n, i;
	FILE *p;

	if (c->param == NULL || c->want == NULL || c->want_err || c->ov[0]
	    || access("/usr/sbin/postconf", X_OK) != 0)
		return;
	for (i = 0; not_postfix[i]; i++)
		if (strcmp(not_postfix[i], c->name) == 0)
			return;
	dir = test_mkdtemp("config-postconf");
	snprintf(text, sizeof(text), "%s\nsmtpd_banner = <$%s>\n", c->text,
	    c->param);
	test_write_str(test_path(dir, "main.cf"), text);
	test_write_str(test_path(dir, "master.cf"), "");
	/* Postfix waits while main.cf is younger than a second: age it. */
	past.actime = past.modtime = time(NULL) - 10;
	ck_assert_int_eq(utime(test_path(dir, "main.cf"), &past), 0);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/postconf -c '%s' -xh "
	    "smtpd_banner 2>/dev/null", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = 0;
	ck_assert_int_eq(pclose(p), 0);
	if (n > 0 && got[n - 1] == '\n')
		got[--n] = 0;
	/* postconf prints runs of white space as one space */
	snprintf(text, sizeof(text), "<%s>", c->want);
	squeeze(text);
	ck_assert_msg(strcmp(got, text) == 0, "%s: postconf [%s], want [%s]",
	    c->name, got, text);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Every typed field from an empty file: Postfix's defaults. */
START_TEST(test_defaults)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	char host[256];

	ck_assert_int_eq(cf_load(dir, "", (const char *[]){ NULL }, &cfg,
			     &st), 0);
	ck_assert_str_eq(cfg.virtual_mailbox_base, "");
	ck_assert_str_eq(cfg.virtual_mailbox_maps, "");
	ck_assert_str_eq(cfg.virtual_uid_maps, "");
	ck_assert_str_eq(cfg.virtual_gid_maps, "");
	ck_assert_int_eq(cfg.virtual_minimum_uid, 100);
	ck_assert_int_eq(cfg.virtual_mailbox_limit, 51200000);
	ck_assert_int_eq(cfg.message_size_limit, 10240000);
	ck_assert_str_eq(cfg.virtual_mailbox_lock, "fcntl, dotlock");
	ck_assert_int_eq(cfg.lock_mask, LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK);
	ck_assert_int_eq(cfg.deliver_lock_attempts, 20);
	ck_assert_uint_eq(cfg.deliver_lock_delay, 1);
	ck_assert_uint_eq(cfg.stale_lock_time, 500);
	ck_assert_str_eq(cfg.recipient_delimiter, "");
	ck_assert(cfg.owner_request_special);
	ck_assert_str_eq(cfg.double_bounce_sender, "double-bounce");
	ck_assert(cfg.enable_original_recipient);
	ck_assert(cfg.strict_mailbox_ownership);
	ck_assert_str_eq(cfg.syslog_name, "postfix");
	ck_assert_str_eq(cfg.syslog_facility, "mail");
	ck_assert_str_eq(cfg.maillog_file, "");
	ck_assert_str_eq(cfg.default_database_type, "hash");
	ck_assert(!cfg.vdeliver_maildir_size_in_name);
	ck_assert_int_eq(cfg.vdeliver_lmtp_process_limit, 100);
	ck_assert_int_eq(cfg.vdeliver_lmtp_recipient_limit, 1000);
	ck_assert_uint_eq(cfg.vdeliver_lmtp_timeout, 300);
	ck_assert_int_eq(cfg.vdeliver_lmtp_error_limit, 20);
	ck_assert(!cfg.vdeliver_regexp_substitution);
	ck_assert_int_eq(cfg.vdeliver_lmtp_message_size_limit, 51200000);
	ck_assert_int_eq(cfg.vdeliver_lmtp_line_length_limit, 4096);
	ck_assert_str_eq(cfg.config_file, test_path(dir, "main.cf"));
	ck_assert_str_eq(config_get(&cfg, "config_directory"), dir);
	/* myhostname: gethostname(), with ".localdomain" without a dot */
	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = 0;
	if (strchr(host, '.')) {
		ck_assert_str_eq(cfg.myhostname, host);
	} else {
		ck_assert_int_eq(strncmp(cfg.myhostname, host, strlen(host)),
		    0);
		ck_assert_str_eq(cfg.myhostname + strlen(host), ".localdomain");
		ck_assert_str_eq(config_get(&cfg, "mydomain"), "localdomain");
	}
	config_free(&cfg);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Values that parse: the typed fields get them. */
START_TEST(test_typed_values)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	char host[256], want[512];

	ck_assert_int_eq(cf_load(dir,
			     "virtual_minimum_uid = 1\n"
			     "virtual_mailbox_limit = 20000000\n"
			     "message_size_limit = 20000000\n"
			     "virtual_mailbox_lock = flock\tfcntl,dotlock\n"
			     "deliver_lock_attempts = 1\n"
			     "deliver_lock_delay = 2m\n"
			     "stale_lock_time = 1sx\n"
			     "vdeliver_lmtp_timeout = 1w\n"
			     "recipient_delimiter = +-\n"
			     "owner_request_special = NO\n"
			     "enable_original_recipient = No\n"
			     "strict_mailbox_ownership = nO\n"
			     "vdeliver_maildir_size_in_name = YES\n"
			     "vdeliver_regexp_substitution = yes\n"
			     "vdeliver_lmtp_message_size_limit = 1000\n"
			     "vdeliver_lmtp_line_length_limit = 512\n"
			     "vdeliver_lmtp_process_limit = 7\n"
			     "vdeliver_lmtp_recipient_limit = +8\n"
			     "vdeliver_lmtp_error_limit = 9\n"
			     "mydomain = example.net\n"
			     "default_database_type = cdb\n",
			     (const char *[]){ "deliver_lock_attempts=3", NULL },
			     &cfg, &st), 0);
	ck_assert_int_eq(cfg.virtual_minimum_uid, 1);
	ck_assert_int_eq(cfg.virtual_mailbox_limit, 20000000);
	ck_assert_int_eq(cfg.message_size_limit, 20000000);
	ck_assert_int_eq(cfg.lock_mask, LOCK_METHOD_FLOCK | LOCK_METHOD_FCNTL
	    | LOCK_METHOD_DOTLOCK);
	ck_assert_int_eq(cfg.deliver_lock_attempts, 3);
	ck_assert_uint_eq(cfg.deliver_lock_delay, 120);
	ck_assert_uint_eq(cfg.stale_lock_time, 1);
	ck_assert_uint_eq(cfg.vdeliver_lmtp_timeout, 7 * 86400);
	ck_assert_str_eq(cfg.recipient_delimiter, "+-");
	ck_assert(!cfg.owner_request_special);
	ck_assert(!cfg.enable_original_recipient);
	ck_assert(!cfg.strict_mailbox_ownership);
	ck_assert(cfg.vdeliver_maildir_size_in_name);
	ck_assert(cfg.vdeliver_regexp_substitution);
	ck_assert_int_eq(cfg.vdeliver_lmtp_message_size_limit, 1000);
	ck_assert_int_eq(cfg.vdeliver_lmtp_line_length_limit, 512);
	ck_assert_int_eq(cfg.vdeliver_lmtp_process_limit, 7);
	ck_assert_int_eq(cfg.vdeliver_lmtp_recipient_limit, 8);
	ck_assert_int_eq(cfg.vdeliver_lmtp_error_limit, 9);
	ck_assert_str_eq(cfg.default_database_type, "cdb");
	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = 0;
	snprintf(want, sizeof(want), "%s%s", host,
	    strchr(host, '.') ? "" : ".example.net");
	ck_assert_str_eq(cfg.myhostname, want);
	config_free(&cfg);

	/* Each unit of time. */
	{
		static const struct {
			const char *v;
			unsigned want;
		} t[] = { { "7", 7 }, { "7s", 7 }, { "2m", 120 },
			{ "3h", 10800 }, { "1d", 86400 }, { "2w", 1209600 },
			{ "5sec", 5 }, { "2147483647", 2147483647u } };
		char ov[64];
		char *ovp[1] = { ov };
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			snprintf(ov, sizeof(ov), "stale_lock_time=%s", t[i].v);
			ck_assert_msg(config_load(&cfg, test_path(dir,
					  "main.cf"), ovp, 1, &st) == 0,
			    "%s: %s", t[i].v, st.text);
			ck_assert_uint_eq(cfg.stale_lock_time, t[i].want);
			config_free(&cfg);
		}
	}
	/* vdeliver_lmtp_message_size_limit 0 follows the mailbox limit. */
	ck_assert_int_eq(cf_load(dir, "virtual_mailbox_limit = 0\n",
			     (const char *[]){ NULL }, &cfg, &st), 0);
	ck_assert_int_eq(cfg.vdeliver_lmtp_message_size_limit, 0);
	config_free(&cfg);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* -c: a file, a directory, missing files, the default file. */
START_TEST(test_paths)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	char want[4096];
	struct stat sb;

	/* A directory means DIR/main.cf, as postfix -c. */
	test_write_str(test_path(dir, "main.cf"), "virtual_mailbox_base = /d\n");
	ck_assert_int_eq(config_load(&cfg, dir, NULL, 0, &st), 0);
	ck_assert_str_eq(cfg.virtual_mailbox_base, "/d");
	ck_assert_str_eq(cfg.config_file, test_path(dir, "main.cf"));
	ck_assert_str_eq(config_get(&cfg, "config_directory"), dir);
	config_free(&cfg);
	snprintf(want, sizeof(want), "%s/", dir);
	ck_assert_int_eq(config_load(&cfg, want, NULL, 0, &st), 0);
	ck_assert_str_eq(cfg.virtual_mailbox_base, "/d");
	config_free(&cfg);

	/* A directory without main.cf. */
	ck_assert_int_eq(mkdir(test_path(dir, "empty"), 0700), 0);
	ck_assert_int_eq(config_load(&cfg, test_path(dir, "empty"), NULL, 0,
			     &st), -1);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_str_eq(strip_dir(st.text, dir),
	    "open empty/main.cf: No such file or directory");

	/* A file named explicitly must exist. */
	ck_assert_int_eq(config_load(&cfg, test_path(dir, "nosuch.cf"), NULL,
			     0, &st), -1);
	ck_assert_str_eq(st.dsn, "4.3.5");
	ck_assert_str_eq(strip_dir(st.text, dir),
	    "open nosuch.cf: No such file or directory");
	ck_assert_ptr_null(cfg.raw);

	/* Not a regular file. */
	ck_assert_int_eq(config_load(&cfg, "/dev/null", NULL, 0, &st), -1);
	ck_assert_str_eq(st.text, "/dev/null: not a regular file");

	/* Unreadable (a plain user only: root reads anything). */
	if (!test_is_root()) {
		ck_assert_int_eq(chmod(test_path(dir, "main.cf"), 0), 0);
		ck_assert_int_eq(config_load(&cfg, test_path(dir, "main.cf"),
				     NULL, 0, &st), -1);
		ck_assert_str_eq(st.dsn, "4.3.5");
		ck_assert_str_eq(strip_dir(st.text, dir),
		    "open main.cf: Permission denied");
	}

	/* No -c and no default file: built-in defaults. */
	if (stat(CONFIG_DEFAULT_FILE, &sb) < 0) {
		char ov[] = "virtual_mailbox_base=/o";
		char *ovp[] = { ov };

		ck_assert_int_eq(config_load(&cfg, NULL, ovp, 1, &st), 0);
		ck_assert_ptr_null(cfg.config_file);
		ck_assert_str_eq(cfg.virtual_mailbox_base, "/o");
		ck_assert_int_eq(cfg.virtual_minimum_uid, 100);
		ck_assert_str_eq(config_get(&cfg, "config_directory"),
		    SYSCONFDIR "/vdeliver");
		config_free(&cfg);
	}
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A chain of references deeper than CONFIG_DEPTH_MAX fails cleanly. */
START_TEST(test_depth)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	const char *v;
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < 300; i++)
		buf_printf(&b, "p%d = $p%d\n", i, i + 1);
	buf_puts(&b, "p300 = end\n");
	/* 50 levels are fine. */
	buf_puts(&b, "q = $p250\n");
	ck_assert_int_eq(cf_load(dir, b.data, (const char *[]){ NULL }, &cfg,
			     &st), 0);
	ck_assert_int_eq(config_lookup(&cfg, "q", &v, &st), 0);
	ck_assert_str_eq(v, "end");
	ck_assert_int_eq(config_lookup(&cfg, "p0", &v, &st), -1);
	ck_assert_msg(strstr(st.text, ": unreasonable macro nesting: more "
			  "than 100 levels") != NULL, "%s", st.text);
	ck_assert_msg(strncmp(strip_dir(st.text, dir), "main.cf:", 8) == 0,
	    "%s", st.text);
	config_free(&cfg);

	/* Nested expressions inside one value. */
	buf_reset(&b);
	buf_puts(&b, "b = x\na = ");
	for (i = 0; i < 200; i++)
		buf_puts(&b, "${b?{");
	buf_puts(&b, "deep");
	for (i = 0; i < 200; i++)
		buf_puts(&b, "}}");
	buf_puts(&b, "\nc = ");
	for (i = 0; i < 50; i++)
		buf_puts(&b, "${b?{");
	buf_puts(&b, "deep");
	for (i = 0; i < 50; i++)
		buf_puts(&b, "}}");
	buf_puts(&b, "\n");
	ck_assert_int_eq(cf_load(dir, b.data, (const char *[]){ NULL }, &cfg,
			     &st), 0);
	ck_assert_int_eq(config_lookup(&cfg, "a", &v, &st), -1);
	ck_assert_str_eq(strip_dir(st.text, dir), "main.cf:2: parameter a: "
	    "unreasonable macro nesting: more than 100 levels");
	ck_assert_int_eq(config_lookup(&cfg, "c", &v, &st), 0);
	ck_assert_str_eq(v, "deep");
	config_free(&cfg);
	buf_fini(&b);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* a(n+1) = $an$an doubles: the value limit stops it at 1 MiB. */
START_TEST(test_huge)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	const char *v;
	struct buf b;
	int i;

	buf_init(&b);
	buf_puts(&b, "a0 = ");
	for (i = 0; i < 1024; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\n");
	for (i = 1; i <= 40; i++)
		buf_printf(&b, "a%d = $a%d$a%d\n", i, i - 1, i - 1);
	buf_puts(&b, "virtual_mailbox_maps = $a40\n");
	/* The used parameter fails the load. */
	ck_assert_int_eq(cf_load(dir, b.data, (const char *[]){ NULL }, &cfg,
			     &st), -1);
	ck_assert_str_eq(strip_dir(st.text, dir), "main.cf:12: parameter a11: "
	    "value longer than 1048576 bytes after expansion");
	/* Without it: 1 MiB exactly is fine, one doubling more is not. */
	b.len -= strlen("virtual_mailbox_maps = $a40\n");
	b.data[b.len] = 0;
	ck_assert_int_eq(cf_load(dir, b.data, (const char *[]){ NULL }, &cfg,
			     &st), 0);
	ck_assert_int_eq(config_lookup(&cfg, "a10", &v, &st), 0);
	ck_assert_uint_eq(strlen(v), 1048576);
	ck_assert_int_eq(config_lookup(&cfg, "a40", &v, &st), -1);
	ck_assert_str_eq(strip_dir(st.text, dir), "main.cf:12: parameter a11: "
	    "value longer than 1048576 bytes after expansion");
	config_free(&cfg);
	buf_fini(&b);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A whole Debian/Postfix main.cf loads; what vdeliver reads is right. */
static const char debian_main_cf[] =
    "# See /usr/share/postfix/main.cf.dist for a commented, more complete "
    "version\n"
    "\n"
    "\n"
    "# Debian specific:  Specifying a file name will cause the first\n"
    "# line of that file to be used as the name.  The Debian default\n"
    "# is /etc/mailname.\n"
    "#myorigin = /etc/mailname\n"
    "\n"
    "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n"
    "biff = no\n"
    "\n"
    "# appending .domain is the MUA's job.\n"
    "append_dot_mydomain = no\n"
    "\n"
    "# Uncomment the next line to generate \"delayed mail\" warnings\n"
    "#delay_warning_time = 4h\n"
    "\n"
    "readme_directory = no\n"
    "\n"
    "# See http://www.postfix.org/COMPATIBILITY_README.html -- default to "
    "3.6 on\n"
    "# fresh installs.\n"
    "compatibility_level = 3.6\n"
    "\n"
    "\n"
    "\n"
    "# TLS parameters\n"
    "smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem\n"
    "smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key\n"
    "smtpd_tls_security_level=may\n"
    "\n"
    "smtp_tls_CApath=/etc/ssl/certs\n"
    "smtp_tls_security_level=may\n"
    "smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache\n"
    "\n"
    "\n"
    "smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated "
    "defer_unauth_destination\n"
    "myhostname = mx.example.com\n"
    "alias_maps = hash:/etc/aliases\n"
    "alias_database = hash:/etc/aliases\n"
    "myorigin = /etc/mailname\n"
    "mydestination = $myhostname, mx.example.com, localhost.example.com, "
    "localhost\n"
    "relayhost = \n"
    "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\n"
    "mailbox_size_limit = 0\n"
    "recipient_delimiter = +\n"
    "inet_interfaces = all\n"
    "inet_protocols = all\n"
    "\n"
    "# Virtual mailboxes (VIRTUAL_README)\n"
    "virtual_mailbox_domains = example.com, example.org\n"
    "virtual_mailbox_base = /var/mail/vhosts\n"
    "virtual_mailbox_maps = hash:/etc/postfix/vmailbox,\n"
    "    regexp:/etc/postfix/vmailbox.re\n"
    "virtual_minimum_uid = 100\n"
    "virtual_uid_maps = static:5000\n"
    "virtual_gid_maps = static:5000\n"
    "virtual_alias_maps = hash:/etc/postfix/virtual\n"
    "virtual_transport = lmtp:unix:private/vdeliver\n"
    "smtputf8_enable = ${{$compatibility_level} <level {1} ? {no} : {yes}}\n"
    "smtpd_recipient_restrictions =\n"
    "    permit_mynetworks,\n"
    "    reject_unauth_destination,\n"
    "    check_policy_service unix:private/policy-spf\n"
    "milter_default_action = accept\n"
    "smtpd_milters = inet:localhost:8891\n"
    "non_smtpd_milters = $smtpd_milters\n"
    "# vdeliver never reads this one; Postfix would stop on it.\n"
    "header_checks = regexp:/etc/postfix/header_checks ${broken\n"
    "mua_sender_restrictions = permit_sasl_authenticated, reject\n"
    "message_size_limit = 20480000\n";

START_TEST(test_debian_main_cf)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	const char *v;

	ck_assert_msg(cf_load(dir, debian_main_cf, (const char *[]){ NULL },
			  &cfg, &st) == 0, "%s", st.text);
	ck_assert_str_eq(cfg.virtual_mailbox_base, "/var/mail/vhosts");
	ck_assert_str_eq(cfg.virtual_mailbox_maps,
	    "hash:/etc/postfix/vmailbox,    regexp:/etc/postfix/vmailbox.re");
	ck_assert_str_eq(cfg.virtual_uid_maps, "static:5000");
	ck_assert_str_eq(cfg.virtual_gid_maps, "static:5000");
	ck_assert_str_eq(cfg.recipient_delimiter, "+");
	ck_assert_str_eq(cfg.myhostname, "mx.example.com");
	ck_assert_int_eq(cfg.message_size_limit, 20480000);
	ck_assert_str_eq(cfg.syslog_name, "postfix");
	ck_assert_str_eq(config_get(&cfg, "smtpd_banner"),
	    "mx.example.com ESMTP Postfix (Debian/GNU)");
	ck_assert_str_eq(config_get(&cfg, "smtputf8_enable"), "yes");
	ck_assert_str_eq(config_get(&cfg, "smtp_tls_session_cache_database"),
	    "btree:/var/lib/postfix/smtp_scache");
	ck_assert_str_eq(config_get(&cfg, "smtpd_tls_cert_file"),
	    "/etc/ssl/certs/ssl-cert-snakeoil.pem");
	ck_assert_str_eq(config_get(&cfg, "smtpd_recipient_restrictions"),
	    "permit_mynetworks,    reject_unauth_destination,    "
	    "check_policy_service unix:private/policy-spf");
	ck_assert_str_eq(config_get(&cfg, "mydestination"),
	    "mx.example.com, mx.example.com, localhost.example.com, "
	    "localhost");
	ck_assert_str_eq(config_get(&cfg, "mydomain"), "example.com");
	ck_assert_str_eq(config_get(&cfg, "relayhost"), "");
	ck_assert_str_eq(config_get(&cfg, "non_smtpd_milters"),
	    "inet:localhost:8891");
	ck_assert_ptr_null(config_get(&cfg, "header_checks"));
	ck_assert_int_eq(config_lookup(&cfg, "header_checks", &v, &st), -1);
	ck_assert_str_eq(strip_dir(st.text, dir),
	    "main.cf:68: parameter header_checks: truncated macro reference: "
	    "\"${broken\"");
	config_free(&cfg);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Many parameters, many duplicates: the hash store holds them all. */
START_TEST(test_many)
{
	char *dir = test_mkdtemp("config");
	struct vd_config cfg;
	struct vd_status st;
	char name[32], want[32];
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "p%d = v%d\n", i, i);
	for (i = 0; i < 5000; i += 2)
		buf_printf(&b, "p%d = w%d\n", i, i);
	ck_assert_int_eq(cf_load(dir, b.data, (const char *[]){ NULL }, &cfg,
			     &st), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(want, sizeof(want), "%c%d", i % 2 ? 'v' : 'w', i);
		ck_assert_str_eq(config_get(&cfg, name), want);
	}
	config_free(&cfg);
	buf_fini(&b);
	test_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_split_list)
{
	char **l = text_split_list("hash:/a, inline:{ a=b, c=d }\tstatic:x"
	    "\r\n ,texthash:/t", TEXT_LIST_SEPS);

	ck_assert_uint_eq(text_list_len(l), 4);
	ck_assert_str_eq(l[0], "hash:/a");
	ck_assert_str_eq(l[1], "inline:{ a=b, c=d }");
	ck_assert_str_eq(l[2], "static:x");
	ck_assert_str_eq(l[3], "texthash:/t");
	text_list_free(l);
	l = text_split_list("", TEXT_LIST_SEPS);
	ck_assert_ptr_null(l[0]);
	text_list_free(l);
	text_list_free(NULL);
}
END_TEST

/* config_free on a zeroed or failed config is harmless. */
START_TEST(test_free_twice)
{
	struct vd_config cfg;
	struct vd_status st;

	memset(&cfg, 0, sizeof(cfg));
	config_free(&cfg);
	ck_assert_int_eq(config_load(&cfg, "/nonexistent/vd.cf", NULL, 0,
			     &st), -1);
	config_free(&cfg);
	ck_assert_ptr_null(config_get(&cfg, "mail_owner"));
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_loop_test(tc, test_cases, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_postconf, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_typed_values);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_huge);
	tcase_add_test(tc, test_debian_main_cf);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_split_list);
	tcase_add_test(tc, test_free_twice);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(config_suite)
