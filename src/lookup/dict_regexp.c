/* SPDX-License-Identifier: MIT */
/*
 * dict_regexp - the regexp: table type (POSIX regcomp/regexec)
 *
 * DESCRIPTION
 *	dict_regexp_open() reads a regexp_table(5) file (or inline rules)
 *	through dict_pattern.c, as Postfix 3.7's dict_regexp.c does.  Flags
 *	toggle: i REG_ICASE (on), m REG_NEWLINE (off), x REG_EXTENDED (on;
 *	off gives basic REs).  Flags end at white space or '!', and
 *	"/p1/flags!/p2/flags result" (p1 matches and p2 does not) is kept.
 *	A pattern that regcomp() refuses is skipped with the regerror()
 *	text; a regexec() error is LK_ERROR (Postfix logs it and goes on as
 *	if the rule did not match).
 *
 *	regexec() sees the key as a C string, as in Postfix.  It has no
 *	match limit: the patterns are the administrator's, the keys are
 *	bounded by dict_lookup().  Without setlocale() (Postfix does not
 *	call it either) matching is bytewise in the C locale.
 *
 * SEE ALSO
 *	regexp_table(5), regex(7), dict_pattern.h
 */
#include <sys/types.h>
#include <regex.h>
#include <stdlib.h>

#include "buf.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_pattern.h"

static const struct dict_pattern_flag dict_regexp_flags[] = {
	{ 'i', REG_ICASE },
	{ 'm', REG_NEWLINE },
	{ 'x', REG_EXTENDED },
	{ 0, 0 },
};

/* dict_regexp_compile - regcomp(); NULL after a warning */
static void *
dict_regexp_compile(struct dict_pattern *dp, int lineno, const char *pattern,
    uint32_t options, bool want_sub, size_t *n_groups_r)
{
	regex_t *re = xmalloc(sizeof(*re));
	char why[256];
	int err;

	err = regcomp(re, pattern, (int)options | (want_sub ? 0 : REG_NOSUB));
	if (err != 0) {
		(void)regerror(err, re, why, sizeof(why));
		dict_pattern_warn(dp, lineno, "%s", why);
		free(re);
		return NULL;
	}
	*n_groups_r = re->re_nsub;
	return re;
}

/* dict_regexp_match - regexec(); the groups go to dp->spans */
static int
dict_regexp_match(struct dict_pattern *dp, void *code, int lineno,
    const char *key, size_t key_len, size_t n_sub, struct vd_status *st)
{
	regmatch_t *pm = dp->engine_data;
	char why[256];
	size_t i;
	int err;

	(void)lineno;
	(void)key_len;
	err = regexec(code, key, n_sub ? n_sub + 1 : 0, n_sub ? pm : NULL, 0);
	if (err == REG_NOMATCH)
		return 0;
	if (err != 0) {
		(void)regerror(err, code, why, sizeof(why));
		return vd_status_set(st, "4.3.5", "matching failed: %s", why);
	}
	for (i = 0; i <= n_sub && n_sub > 0; i++) {
		if (pm[i].rm_so < 0 || pm[i].rm_eo < pm[i].rm_so) {
			dp->spans[i].so = dp->spans[i].eo = 0;
		} else {
			dp->spans[i].so = (size_t)pm[i].rm_so;
			dp->spans[i].eo = (size_t)pm[i].rm_eo;
		}
	}
	return 1;
}

/* dict_regexp_free_code - regfree() and free() */
static void
dict_regexp_free_code(void *code)
{
	regfree(code);
	free(code);
}

/* dict_regexp_loaded - room for the largest $n of the table */
static int
dict_regexp_loaded(struct dict_pattern *dp, struct vd_status *st)
{
	(void)st;
	dp->engine_data = xcalloc(dp->max_sub + 1, sizeof(regmatch_t));
	return 0;
}

/* dict_regexp_fini - the regmatch_t array */
static void
dict_regexp_fini(struct dict_pattern *dp)
{
	free(dp->engine_data);
	dp->engine_data = NULL;
}

static const struct dict_pattern_engine dict_regexp_engine = {
	.type = "regexp",
	.default_options = REG_EXTENDED | REG_ICASE,
	.flags = dict_regexp_flags,
	.has_second_pattern = true,
	.final_backslash_closes = true,
	.unclosed_verb = "skipping",
	.out_of_range_index = "out-of-range",
	.compile = dict_regexp_compile,
	.match = dict_regexp_match,
	.free_code = dict_regexp_free_code,
	.loaded = dict_regexp_loaded,
	.fini = dict_regexp_fini,
};

/* dict_regexp_open - the regexp: table "name" */
struct dict *
dict_regexp_open(const char *name, int flags, struct vd_status *st)
{
	return dict_pattern_open(&dict_regexp_engine, name, flags, st);
}
