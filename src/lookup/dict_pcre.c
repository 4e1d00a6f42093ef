/* SPDX-License-Identifier: MIT */
/*
 * dict_pcre - the pcre: table type (PCRE2, 8-bit, without PCRE2_UTF)
 *
 * DESCRIPTION
 *	dict_pcre_open() reads a pcre_table(5) file (or inline rules)
 *	through dict_pattern.c, as Postfix 3.7's dict_pcre.c does with
 *	PCRE2.  Flags toggle: i CASELESS (on), m MULTILINE, s DOTALL (on),
 *	x EXTENDED, A ANCHORED, E DOLLAR_ENDONLY, U UNGREEDY; X is ignored
 *	with a warning.  Flags end at white space only.  A pattern that
 *	does not compile is skipped with "error in regex at offset N: msg".
 *
 *	Matching runs under a match context with DICT_PCRE_MATCH_LIMIT,
 *	DICT_PCRE_DEPTH_LIMIT and DICT_PCRE_HEAP_LIMIT (Postfix uses
 *	PCRE2's defaults: 10000000, 10000000 and 20 GB), so that no
 *	pattern and key can hold the process for long; hitting a limit, or
 *	any other pcre2_match() error, is LK_ERROR (Postfix logs it and
 *	goes on as if the rule did not match).  The exception is a key
 *	that is not UTF-8 for a pattern that asks for (*UTF): as in
 *	Postfix, a warning, and the rule does not apply.  No JIT, as in
 *	Postfix.
 *	One match data block, sized for the largest $n of the table,
 *	serves every rule.
 *
 * SEE ALSO
 *	pcre_table(5), pcre2api(3), dict_pattern.h
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_pattern.h"

/* Backtracking steps, nested backtracking frames, KiB of frame heap */
#define DICT_PCRE_MATCH_LIMIT 1000000
#define DICT_PCRE_DEPTH_LIMIT 250000
#define DICT_PCRE_HEAP_LIMIT 32768

struct dict_pcre_state {
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

static const struct dict_pattern_flag dict_pcre_flags[] = {
	{ 'i', PCRE2_CASELESS },
	{ 'm', PCRE2_MULTILINE },
	{ 's', PCRE2_DOTALL },
	{ 'x', PCRE2_EXTENDED },
	{ 'A', PCRE2_ANCHORED },
	{ 'E', PCRE2_DOLLAR_ENDONLY },
	{ 'U', PCRE2_UNGREEDY },
	{ 'X', 0 },		/* PCRE_EXTRA: gone in PCRE2 */
	{ 0, 0 },
};

/* dict_pcre_error - PCRE2's text for an error code */
static const char *
dict_pcre_error(int code, char *buf, size_t size)
{
	if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0)
		snprintf(buf, size, "unexpected pcre2 error code %d", code);
	return buf;
}

/* dict_pcre_compile - pcre2_compile(); NULL after a warning */
static void *
dict_pcre_compile(struct dict_pattern *dp, int lineno, const char *pattern,
    uint32_t options, bool want_sub, size_t *n_groups_r)
{
	pcre2_code *code;
	PCRE2_SIZE offset;
	uint32_t n_groups;
	char why[256];
	int err;

	(void)want_sub;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    options, &err, &offset, NULL);
	if (code == NULL) {
		dict_pattern_warn(dp, lineno, "error in regex at offset %zu: %s",
		    (size_t)offset, dict_pcre_error(err, why, sizeof(why)));
		return NULL;
	}
	if (pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n_groups) != 0)
		n_groups = 0;
	*n_groups_r = n_groups;
	return code;
}

/* dict_pcre_match - pcre2_match() under the limits; groups to dp->spans */
static int
dict_pcre_match(struct dict_pattern *dp, void *code, int lineno,
    const char *key, size_t key_len, size_t n_sub, struct vd_status *st)
{
	struct dict_pcre_state *ps = dp->engine_data;
	PCRE2_SIZE *ov;
	uint32_t n_pairs;
	char why[256];
	size_t i;
	int rc;

	(void)lineno;
	rc = pcre2_match(code, (PCRE2_SPTR)key, key_len, 0, 0, ps->md,
	    ps->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21) {
		/*
		 * A (*UTF) pattern and a key that is not UTF-8: the key, not
		 * the table, is wrong and a retry cannot help.  As Postfix:
		 * warn, and the rule does not apply.
		 */
		dict_pattern_warn(dp, lineno, "%s",
		    dict_pcre_error(rc, why, sizeof(why)));
		return DICT_PATTERN_SKIP;
	}
	if (rc < 0)
		return vd_status_set(st, "4.3.5", "matching failed: %s",
		    dict_pcre_error(rc, why, sizeof(why)));
	/* rc == 0: more groups than pairs; the pairs we have are set */
	ov = pcre2_get_ovector_pointer(ps->md);
	n_pairs = rc > 0 ? (uint32_t)rc : pcre2_get_ovector_count(ps->md);
	for (i = 0; i <= n_sub && n_sub > 0; i++) {
		if (i >= n_pairs || ov[2 * i] == PCRE2_UNSET
		    || ov[2 * i + 1] < ov[2 * i] || ov[2 * i + 1] > key_len) {
			dp->spans[i].so = dp->spans[i].eo = 0;
		} else {
			dp->spans[i].so = ov[2 * i];
			dp->spans[i].eo = ov[2 * i + 1];
		}
	}
	return 1;
}

/* dict_pcre_free_code - pcre2_code_free() */
static void
dict_pcre_free_code(void *code)
{
	pcre2_code_free(code);
}

/* dict_pcre_loaded - the match context and the one match data block */
static int
dict_pcre_loaded(struct dict_pattern *dp, struct vd_status *st)
{
	struct dict_pcre_state *ps = xcalloc(1, sizeof(*ps));

	dp->engine_data = ps;
	if ((ps->mctx = pcre2_match_context_create(NULL)) == NULL
	    || (ps->md = pcre2_match_data_create((uint32_t)dp->max_sub + 1,
		    NULL)) == NULL)
		return vd_status_set(st, "4.3.5", "pcre:%s: out of memory",
		    dp->path);
	(void)pcre2_set_match_limit(ps->mctx, DICT_PCRE_MATCH_LIMIT);
	(void)pcre2_set_depth_limit(ps->mctx, DICT_PCRE_DEPTH_LIMIT);
	(void)pcre2_set_heap_limit(ps->mctx, DICT_PCRE_HEAP_LIMIT);
	return 0;
}

/* dict_pcre_fini - the match context and data */
static void
dict_pcre_fini(struct dict_pattern *dp)
{
	struct dict_pcre_state *ps = dp->engine_data;

	if (ps == NULL)
		return;
	pcre2_match_data_free(ps->md);
	pcre2_match_context_free(ps->mctx);
	free(ps);
	dp->engine_data = NULL;
}

static const struct dict_pattern_engine dict_pcre_engine = {
	.type = "pcre",
	.default_options = PCRE2_CASELESS | PCRE2_DOTALL,
	.flags = dict_pcre_flags,
	.has_second_pattern = false,
	.final_backslash_closes = false,
	.unclosed_verb = "ignoring",
	.out_of_range_index = "out of range",
	.compile = dict_pcre_compile,
	.match = dict_pcre_match,
	.free_code = dict_pcre_free_code,
	.loaded = dict_pcre_loaded,
	.fini = dict_pcre_fini,
};

/* dict_pcre_open - the pcre: table "name" */
struct dict *
dict_pcre_open(const char *name, int flags, struct vd_status *st)
{
	return dict_pattern_open(&dict_pcre_engine, name, flags, st);
}
