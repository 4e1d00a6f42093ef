/* SPDX-License-Identifier: MIT */
/*
 * dict_pattern - what the regexp and pcre table types share
 *
 * DESCRIPTION
 *	dict_pattern_open() reads a regexp_table(5) or pcre_table(5) source
 *	once (a file, or Postfix 3.7's inline form "{ {rule}, {rule} }"),
 *	with the logical-line rules of textline.h and trailing white space
 *	trimmed, and parses every rule the way Postfix 3.7 does:
 *	    [!...]/pattern/flags result     a match rule
 *	    /pattern/flags!/pattern/flags result   regexp only (legacy)
 *	    if [!]/pattern/flags  ...  endif       nestable, case-insensitive
 *	The delimiter is the first byte that is neither '!' nor white space;
 *	the pattern ends at the next unescaped delimiter ('\' escapes, and
 *	stays in the pattern).  The result may use $n, ${n}, $(n) and $$.
 *	The engine (dict_regexp.c, dict_pcre.c) supplies the flag letters,
 *	the quirks of its Postfix parser, and compile/match.
 *
 *	A rule that cannot be used is skipped with one log_warn() line
 *	"FILE:LINE: <Postfix's text>", except the refusal of $n without
 *	DICT_FLAG_ALLOW_REGSUB, which keeps Postfix's exact form
 *	"regexp map FILE, line N: regular expression substitution is not
 *	allowed: skipping this rule" (pcre: "pcre map ...").  One deliberate
 *	difference: an "if" line that cannot be used still opens its block,
 *	and the block is never entered (Postfix drops the "if" and so makes
 *	the rules up to its "endif" unconditional).
 *
 *	Lookups try the rules in file order on the whole key (a C string);
 *	the first match wins.  A lookup costs O(rules) and allocates
 *	nothing beyond the growth of the one result buffer; the value is
 *	borrowed until the next lookup or dict_close().  A matching error
 *	(such as PCRE2's match limit) is LK_ERROR (4.3.5), never "not found".
 *	changed() reports that the file's dev/ino/mtime/size differ from
 *	those at open (false for inline tables).
 *
 *	The open fails (NULL, 4.3.5) when the file cannot be opened or read,
 *	is not a regular file, the inline text is malformed, or "if" blocks
 *	nest deeper than DICT_PATTERN_MAX_NESTING.
 */
#ifndef VD_LOOKUP_DICT_PATTERN_H
#define VD_LOOKUP_DICT_PATTERN_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "lookup/dict.h"
#include "status.h"

/* DICT_PATTERN_SKIP - match(): this rule does not apply to this key */
#define DICT_PATTERN_SKIP (-2)

/* DICT_PATTERN_MAX_NESTING - deeper "if" nesting fails the open */
#define DICT_PATTERN_MAX_NESTING 1000

struct dict_pattern;
struct dict_pattern_rule;

/* One flag letter: toggles bit in the options; bit 0: obsolete letter */
struct dict_pattern_flag {
	char letter;
	uint32_t bit;
};

/* One submatch of the last successful match: empty when so == eo */
struct dict_pattern_span {
	size_t so;
	size_t eo;
};

struct dict_pattern_engine {
	const char *type;		/* "regexp", "pcre": messages, status */
	uint32_t default_options;	/* before the flags toggle them */
	const struct dict_pattern_flag *flags;	/* ends with letter 0 */
	bool has_second_pattern;	/* regexp: flags end at '!' too, and
					 * "/p1/!/p2/" is a rule form */
	bool final_backslash_closes;	/* regexp: a '\' as the last byte of
					 * the line ends the pattern */
	const char *unclosed_verb;	/* "skipping"/"ignoring" this rule */
	const char *out_of_range_index;	/* "out-of-range"/"out of range" */

	/*
	 * compile - the compiled pattern, or NULL after one log_warn()
	 * "FILE:LINE: why"; *n_groups_r gets its number of (...) groups.
	 * want_sub: the result uses $n (regexp compiles REG_NOSUB if not).
	 */
	void *(*compile)(struct dict_pattern *dp, int lineno,
	    const char *pattern, uint32_t options, bool want_sub,
	    size_t *n_groups_r);
	/*
	 * match - 1 when code matches key, 0 when not, -1 with st set on
	 * an error, DICT_PATTERN_SKIP when the key cannot be matched by
	 * this rule at all (after a warning): the rule does not apply,
	 * negated or not, as in Postfix.  When n_sub > 0 and it matches,
	 * fills dp->spans[0 .. n_sub] (groups that did not take part are
	 * empty).
	 */
	int (*match)(struct dict_pattern *dp, void *code, int lineno,
	    const char *key, size_t key_len, size_t n_sub,
	    struct vd_status *st);
	/* free_code - release what compile returned */
	void (*free_code)(void *code);
	/*
	 * loaded - after the last rule, with dp->max_sub known: set up the
	 * per-table match state in dp->engine_data; -1 with st on failure
	 */
	int (*loaded)(struct dict_pattern *dp, struct vd_status *st);
	/* fini - release dp->engine_data (also after a failed loaded()) */
	void (*fini)(struct dict_pattern *dp);
};

struct dict_pattern {
	struct dict dict;		/* first: what callers see */
	const struct dict_pattern_engine *engine;	/* static */
	char *path;			/* the name, for messages; owned */
	int flags;			/* DICT_FLAG_* given to the open */
	struct dict_pattern_rule *rules;	/* owned */
	size_t n_rules;
	size_t max_sub;			/* largest $n in any result */
	struct dict_pattern_span *spans;	/* max_sub + 1; owned */
	struct buf result;		/* the last substituted result */
	void *engine_data;		/* the engine's; freed by fini() */
	bool is_inline;
	struct stat sb;			/* the file as opened */
};

/*
 * dict_pattern_warn - log_warn() "FILE:LINE: text" for dp's source
 */
void dict_pattern_warn(const struct dict_pattern *dp, int lineno,
    const char *fmt, ...) VD_PRINTF(3, 4);

/*
 * dict_pattern_open - read and compile "name" (a path, or "{...}"
 * inline rules) with engine e; the dict is closed with dict_close()
 * (or its close member).  NULL with st (4.3.5) when it cannot be read.
 */
struct dict *dict_pattern_open(const struct dict_pattern_engine *e,
    const char *name, int flags, struct vd_status *st);

#endif
