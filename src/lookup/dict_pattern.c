/* SPDX-License-Identifier: MIT */
/*
 * dict_pattern - rules, if/endif and $n substitution for regexp and pcre
 *
 * DESCRIPTION
 *	The parser follows Postfix 3.7's dict_regexp.c and dict_pcre.c rule
 *	by rule, so that a table means what it means to Postfix: the same
 *	rules are kept, in the same order, with the same warnings (after a
 *	"FILE:LINE: " prefix), checked in the same order: pattern and flags,
 *	empty result, result syntax ($n as Postfix's mac_parse() reads it),
 *	$n in a negated rule, $n without DICT_FLAG_ALLOW_REGSUB, compile,
 *	$n beyond the number of groups.  The one difference is the unusable
 *	"if" (see dict_pattern.h).
 *
 *	A result is split at load time into literal pieces ($$ already
 *	made $) and group references, so that a lookup only copies bytes.
 *	An "if" stores the index of its "endif"; a false condition jumps
 *	there.  An "if" without "endif" reaches the end of the table.
 *
 * SEE ALSO
 *	regexp_table(5), pcre_table(5), dict_regexp.c, dict_pcre.c
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_pattern.h"
#include "lookup/dict_text.h"
#include "textline.h"

enum dict_pattern_op {
	PAT_OP_MATCH,
	PAT_OP_IF,
	PAT_OP_ENDIF,
};

/* One piece of a result: literal bytes, or the text of one group */
struct dict_pattern_seg {
	size_t group;		/* 0: literal text */
	size_t off;		/* literal: where in rule->text */
	size_t len;
};

struct dict_pattern_rule {
	enum dict_pattern_op op;
	int lineno;
	void *code;		/* NULL only for an "if" that is never entered */
	bool match;		/* false: negated pattern */
	void *code2;		/* regexp's "/p1/!/p2/" second pattern, or NULL */
	bool match2;
	char *text;		/* the literal bytes of the result */
	struct dict_pattern_seg *segs;	/* NULL when max_sub == 0 */
	size_t n_segs;
	size_t max_sub;		/* largest $n in the result */
	size_t endif;		/* IF: index of its ENDIF (n_rules: none) */
};

/* A pattern as written, before compiling */
struct dict_pattern_pat {
	const char *text;	/* NUL-terminated, inside the line */
	uint32_t options;
	bool match;
};

/* Largest $n kept as is; larger ones can only be out of range. */
#define PAT_SUB_CAP 1000000

/* pat_isalnum - Postfix's ISALNUM: ASCII letters and digits only */
static bool
pat_isalnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
	    || (c >= 'A' && c <= 'Z');
}

/* dict_pattern_warn - one "FILE:LINE: text" warning */
void
dict_pattern_warn(const struct dict_pattern *dp, int lineno, const char *fmt,
    ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_warn("%s:%d: %s", dp->path, lineno, text);
}

/* dict_pattern_rule_fini - release what one rule holds */
static void
dict_pattern_rule_fini(const struct dict_pattern_engine *e,
    struct dict_pattern_rule *r)
{
	if (r->code)
		e->free_code(r->code);
	if (r->code2)
		e->free_code(r->code2);
	free(r->text);
	free(r->segs);
	memset(r, 0, sizeof(*r));
}

/*
 * dict_pattern_get_pat - parse "[!...]<d>pattern<d>flags" at *bufp (the
 * line is modified: the closing delimiter becomes NUL); 0 with *bufp
 * after the flags, or -1 after a warning
 */
static int
dict_pattern_get_pat(struct dict_pattern *dp, int lineno, char **bufp,
    struct dict_pattern_pat *pat)
{
	const struct dict_pattern_engine *e = dp->engine;
	const struct dict_pattern_flag *f;
	char *p = *bufp;
	char delim;

	pat->match = true;
	for (;; p++) {
		if (*p == '!')
			pat->match = !pat->match;
		else if (!dict_text_is_space((unsigned char)*p))
			break;
	}
	if (*p == 0) {
		dict_pattern_warn(dp, lineno, "no regexp: skipping this rule");
		return -1;
	}
	delim = *p++;
	pat->text = p;
	while (*p) {
		if (*p == '\\') {
			/* regexp: a final '\' ends the pattern; pcre: no */
			if (p[1] == 0 && e->final_backslash_closes)
				break;
			if (*++p == 0)
				break;
		} else if (*p == delim) {
			break;
		}
		p++;
	}
	if (*p == 0) {
		dict_pattern_warn(dp, lineno, "no closing regexp delimiter "
		    "\"%c\": %s this rule", delim, e->unclosed_verb);
		return -1;
	}
	*p++ = 0;
	pat->options = e->default_options;
	while (*p && !dict_text_is_space((unsigned char)*p)
	    && !(e->has_second_pattern && *p == '!')) {
		for (f = e->flags; f->letter && f->letter != *p; f++)
			;
		if (f->letter == 0) {
			dict_pattern_warn(dp, lineno, "unknown regexp option "
			    "\"%c\": skipping this rule", *p);
			return -1;
		}
		if (f->bit == 0)
			dict_pattern_warn(dp, lineno, "ignoring obsolete "
			    "regexp option \"%c\"", *p);
		else
			pat->options ^= f->bit;
		p++;
	}
	*bufp = p;
	return 0;
}

/* dict_pattern_add_seg - append one piece to a result being parsed */
static void
dict_pattern_add_seg(struct dict_pattern_rule *r, size_t *cap, size_t group,
    size_t off, size_t len)
{
	if (r->n_segs == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		r->segs = xrealloc(r->segs, *cap * sizeof(*r->segs));
	}
	r->segs[r->n_segs].group = group;
	r->segs[r->n_segs].off = off;
	r->segs[r->n_segs].len = len;
	r->n_segs++;
}

/*
 * dict_pattern_parse_result - split the result as Postfix's mac_parse()
 * and the prescan of dict_regexp.c/dict_pcre.c do: $$ is '$'; $name,
 * ${text}, $(text) are references, and each must be a number >= 1.
 * Returns 0 with r->text, r->segs and r->max_sub set, or -1 after a
 * warning naming the problem.
 */
static int
dict_pattern_parse_result(struct dict_pattern *dp, int lineno,
    const char *value, struct dict_pattern_rule *r)
{
	struct buf lit;
	size_t cap = 0, lit_start = 0, name_len, i, n;
	const char *vp = value, *ep, *name;
	char open, close;
	int level;

	buf_init(&lit);
	r->max_sub = 0;
	while (*vp) {
		if (*vp != '$') {
			buf_putc(&lit, *vp++);
			continue;
		}
		if (vp[1] == '$') {
			buf_putc(&lit, '$');
			vp += 2;
			continue;
		}
		if (lit.len > lit_start)
			dict_pattern_add_seg(r, &cap, 0, lit_start,
			    lit.len - lit_start);
		lit_start = lit.len;
		vp++;
		if (*vp == '{' || *vp == '(') {
			open = *vp;
			close = open == '{' ? '}' : ')';
			level = 1;
			name = ++vp;
			for (ep = vp; level > 0; ep++) {
				if (*ep == 0) {
					dict_pattern_warn(dp, lineno,
					    "truncated macro reference: "
					    "\"%s\"", value);
					goto bad;
				}
				if (*ep == open)
					level++;
				else if (*ep == close)
					level--;
			}
			name_len = (size_t)(ep - vp) - 1;
			vp = ep;
		} else {
			name = vp;
			for (ep = vp; pat_isalnum((unsigned char)*ep)
			     || *ep == '_'; ep++)
				;
			name_len = (size_t)(ep - vp);
			vp = ep;
		}
		if (name_len == 0) {
			dict_pattern_warn(dp, lineno, "empty macro name: "
			    "\"%s\"", value);
			goto bad;
		}
		for (i = 0, n = 0; i < name_len; i++) {
			if (name[i] < '0' || name[i] > '9') {
				dict_pattern_warn(dp, lineno, "non-numeric "
				    "replacement index \"%.*s\"",
				    (int)name_len, name);
				goto bad;
			}
			if (n < PAT_SUB_CAP)
				n = 10 * n + (size_t)(name[i] - '0');
		}
		if (n < 1) {
			dict_pattern_warn(dp, lineno, "%s replacement index "
			    "\"%.*s\"", dp->engine->out_of_range_index,
			    (int)name_len, name);
			goto bad;
		}
		dict_pattern_add_seg(r, &cap, n, 0, 0);
		if (n > r->max_sub)
			r->max_sub = n;
	}
	if (r->max_sub == 0) {
		/* no references: the result is the literal text itself */
		free(r->segs);
		r->segs = NULL;
		r->n_segs = 0;
	} else if (lit.len > lit_start) {
		dict_pattern_add_seg(r, &cap, 0, lit_start,
		    lit.len - lit_start);
	}
	r->text = buf_steal(&lit);
	return 0;
bad:
	buf_fini(&lit);
	free(r->segs);
	r->segs = NULL;
	r->n_segs = 0;
	return -1;
}

/*
 * dict_pattern_parse_match - one match rule at p; 1 with *r filled, or
 * 0 when it is skipped (after a warning)
 */
static int
dict_pattern_parse_match(struct dict_pattern *dp, int lineno, char *p,
    struct dict_pattern_rule *r)
{
	const struct dict_pattern_engine *e = dp->engine;
	struct dict_pattern_pat pat, pat2;
	bool has2 = false;
	size_t n_groups = 0, unused;

	if (dict_pattern_get_pat(dp, lineno, &p, &pat) < 0)
		return 0;
	if (e->has_second_pattern && *p == '!') {
		if (dict_pattern_get_pat(dp, lineno, &p, &pat2) < 0)
			return 0;
		has2 = true;
	}
	while (dict_text_is_space((unsigned char)*p))
		p++;
	if (*p == 0)
		dict_pattern_warn(dp, lineno, "no replacement text: "
		    "using empty string");
	if (dict_pattern_parse_result(dp, lineno, p, r) < 0) {
		dict_pattern_warn(dp, lineno, "bad replacement syntax: "
		    "skipping this rule");
		goto skip;
	}
	if (r->max_sub > 0 && !pat.match) {
		dict_pattern_warn(dp, lineno, "$number found in negative "
		    "match replacement text: skipping this rule");
		goto skip;
	}
	if (r->max_sub > 0 && !(dp->flags & DICT_FLAG_ALLOW_REGSUB)) {
		/* Postfix's exact words: admins grep for them */
		log_warn("%s map %s, line %d: regular expression substitution "
		    "is not allowed: skipping this rule", e->type, dp->path,
		    lineno);
		goto skip;
	}
	if ((r->code = e->compile(dp, lineno, pat.text, pat.options,
		 r->max_sub > 0, &n_groups)) == NULL)
		goto skip;
	if (r->max_sub > n_groups) {
		dict_pattern_warn(dp, lineno, "out of range replacement index "
		    "\"%zu\": skipping this rule", r->max_sub);
		goto skip;
	}
	if (has2 && (r->code2 = e->compile(dp, lineno, pat2.text,
			 pat2.options, false, &unused)) == NULL)
		goto skip;
	r->op = PAT_OP_MATCH;
	r->lineno = lineno;
	r->match = pat.match;
	r->match2 = has2 ? pat2.match : true;
	return 1;
skip:
	dict_pattern_rule_fini(e, r);
	return 0;
}

/*
 * dict_pattern_parse_if - "if" rule; always 1: an unusable "if" gets
 * code NULL, so that its block is skipped rather than made
 * unconditional
 */
static int
dict_pattern_parse_if(struct dict_pattern *dp, int lineno, char *p,
    struct dict_pattern_rule *r)
{
	const struct dict_pattern_engine *e = dp->engine;
	struct dict_pattern_pat pat;
	size_t unused;

	r->op = PAT_OP_IF;
	r->lineno = lineno;
	r->endif = SIZE_MAX;
	while (dict_text_is_space((unsigned char)*p))
		p++;
	if (dict_pattern_get_pat(dp, lineno, &p, &pat) < 0)
		goto dead;
	while (dict_text_is_space((unsigned char)*p))
		p++;
	if (*p) {
		dict_pattern_warn(dp, lineno, "ignoring extra text after IF "
		    "statement: \"%s\"", p);
		dict_pattern_warn(dp, lineno, "do not prepend whitespace to "
		    "statements between IF and ENDIF");
	}
	if ((r->code = e->compile(dp, lineno, pat.text, pat.options, false,
		 &unused)) == NULL)
		goto dead;
	r->match = pat.match;
	return 1;
dead:
	dict_pattern_warn(dp, lineno, "unusable IF: skipping the rules up "
	    "to its ENDIF");
	r->code = NULL;
	r->match = true;
	return 1;
}

/*
 * dict_pattern_parse_line - one trimmed, non-empty logical line; 1 with
 * *r filled, 0 when the line yields no rule
 */
static int
dict_pattern_parse_line(struct dict_pattern *dp, int lineno, char *line,
    size_t nesting, struct dict_pattern_rule *r)
{
	char *p = line;

	if (!pat_isalnum((unsigned char)*p))
		return dict_pattern_parse_match(dp, lineno, p, r);
	if (strncasecmp(p, "if", 2) == 0
	    && !pat_isalnum((unsigned char)p[2]))
		return dict_pattern_parse_if(dp, lineno, p + 2, r);
	if (strncasecmp(p, "endif", 5) == 0
	    && !pat_isalnum((unsigned char)p[5])) {
		if (nesting == 0) {
			dict_pattern_warn(dp, lineno, "ignoring ENDIF without "
			    "matching IF");
			return 0;
		}
		for (p += 5; dict_text_is_space((unsigned char)*p); p++)
			;
		if (*p)
			dict_pattern_warn(dp, lineno, "ignoring extra text "
			    "after ENDIF");
		r->op = PAT_OP_ENDIF;
		r->lineno = lineno;
		return 1;
	}
	dict_pattern_warn(dp, lineno, "ignoring unrecognized request");
	return 0;
}

/*
 * dict_pattern_extpar - dict_text_extpar(), its error as "TYPE map: ..."
 * in st; 0, or -1 with st
 */
static int
dict_pattern_extpar(struct dict_pattern *dp, char **bp, bool strip,
    struct vd_status *st)
{
	struct buf err;
	int ret = 0;

	buf_init(&err);
	if (dict_text_extpar(bp, strip, &err) < 0)
		ret = vd_status_set(st, "4.3.5", "%s map: %s", dp->engine->type,
		    err.data);
	buf_fini(&err);
	return ret;
}

/*
 * dict_pattern_inline - Postfix 3.7's inline table "{ {rule}, {rule} }"
 * as the text of a file, one rule a line; 0, or -1 with st
 */
static int
dict_pattern_inline(struct dict_pattern *dp, const char *name,
    struct buf *text, struct vd_status *st)
{
	char *copy = xstrdup(name), *bp = copy, *cp;
	char **list = NULL;
	size_t i;
	int ret = -1;

	if (dict_pattern_extpar(dp, &bp, false, st) < 0)
		goto out;
	list = text_split_list(bp, TEXT_LIST_SEPS);
	for (i = 0; list[i]; i++) {
		cp = list[i];
		if (dict_pattern_extpar(dp, &cp, true, st) < 0)
			goto out;
		buf_puts(text, cp);
		buf_putc(text, '\n');
	}
	ret = 0;
out:
	text_list_free(list);
	free(copy);
	return ret;
}

/*
 * dict_pattern_eval - 1 when the rule's pattern says "go on", 0 when
 * not (or the rule does not apply to this key), -1 with st
 */
static int
dict_pattern_eval(struct dict_pattern *dp, void *code, bool match, int lineno,
    const char *key, size_t key_len, size_t n_sub, struct vd_status *st)
{
	int rc;

	rc = dp->engine->match(dp, code, lineno, key, key_len, n_sub, st);
	if (rc == DICT_PATTERN_SKIP)
		return 0;
	if (rc < 0) {
		vd_status_prefix(st, "%s:%s: %s:%d: ", dp->engine->type,
		    dp->path, dp->path, lineno);
		return -1;
	}
	return match ? rc : !rc;
}

/* dict_pattern_expand - the result of rule r for key, borrowed */
static const char *
dict_pattern_expand(struct dict_pattern *dp,
    const struct dict_pattern_rule *r, const char *key)
{
	const struct dict_pattern_seg *s;
	const struct dict_pattern_span *sp;
	size_t i;

	if (r->max_sub == 0)
		return r->text;
	buf_reset(&dp->result);
	for (i = 0; i < r->n_segs; i++) {
		s = &r->segs[i];
		if (s->group == 0) {
			buf_append(&dp->result, r->text + s->off, s->len);
		} else {
			/* an unmatched or empty group adds nothing */
			sp = &dp->spans[s->group];
			if (sp->eo > sp->so)
				buf_append(&dp->result, key + sp->so,
				    sp->eo - sp->so);
		}
	}
	return dp->result.data;
}

/* dict_pattern_lookup - the first rule that matches key, in file order */
static enum lk_result
dict_pattern_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_pattern *dp = (struct dict_pattern *)d;
	const struct dict_pattern_rule *r;
	size_t i, key_len = strlen(key);
	int m;

	for (i = 0; i < dp->n_rules; i++) {
		r = &dp->rules[i];
		switch (r->op) {
		case PAT_OP_MATCH:
			m = dict_pattern_eval(dp, r->code, r->match, r->lineno,
			    key, key_len, r->max_sub, st);
			if (m < 0)
				return LK_ERROR;
			if (m == 0)
				continue;
			if (r->code2) {
				m = dict_pattern_eval(dp, r->code2, r->match2,
				    r->lineno, key, key_len, 0, st);
				if (m < 0)
					return LK_ERROR;
				if (m == 0)
					continue;
			}
			*value_r = dict_pattern_expand(dp, r, key);
			return LK_FOUND;
		case PAT_OP_IF:
			m = 0;
			if (r->code) {
				m = dict_pattern_eval(dp, r->code, r->match,
				    r->lineno, key, key_len, 0, st);
				if (m < 0)
					return LK_ERROR;
			}
			if (m == 0)
				i = r->endif;	/* n_rules: not found */
			continue;
		case PAT_OP_ENDIF:
			continue;
		}
	}
	return LK_NOTFOUND;
}

/* dict_pattern_changed - the file is not the one read at open */
static bool
dict_pattern_changed(struct dict *d)
{
	struct dict_pattern *dp = (struct dict_pattern *)d;

	return !dp->is_inline && dict_file_changed(dp->path, &dp->sb);
}

/* dict_pattern_close - free the table, d included */
static void
dict_pattern_close(struct dict *d)
{
	struct dict_pattern *dp = (struct dict_pattern *)d;
	size_t i;

	if (dp == NULL)
		return;
	for (i = 0; i < dp->n_rules; i++)
		dict_pattern_rule_fini(dp->engine, &dp->rules[i]);
	free(dp->rules);
	free(dp->spans);
	buf_fini(&dp->result);
	if (dp->engine->fini)
		dp->engine->fini(dp);
	free(dp->path);
	free(dp);
}

/*
 * dict_pattern_fopen - the table file as a stdio stream, its identity
 * saved in dp; NULL with st
 */
static FILE *
dict_pattern_fopen(struct dict_pattern *dp, struct vd_status *st)
{
	const char *type = dp->engine->type;
	struct stat sb;
	FILE *fp;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang the open (it is refused below) */
	if ((fd = open(dp->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC))
	    < 0) {
		vd_status_errno(st, errno, "4.3.5", "%s:%s: open %s", type,
		    dp->path, dp->path);
		return NULL;
	}
	if (fstat(fd, &sb) < 0) {
		vd_status_errno(st, errno, "4.3.5", "%s:%s: fstat %s", type,
		    dp->path, dp->path);
		goto fail;
	}
	if (S_ISDIR(sb.st_mode)) {
		vd_status_errno(st, EISDIR, "4.3.5", "%s:%s: open %s", type,
		    dp->path, dp->path);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		vd_status_set(st, "4.3.5", "%s:%s: open %s: not a regular file",
		    type, dp->path, dp->path);
		goto fail;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		vd_status_errno(st, errno, "4.3.5", "%s:%s: fdopen %s", type,
		    dp->path, dp->path);
		goto fail;
	}
	dp->sb = sb;
	return fp;
fail:
	(void)close(fd);
	return NULL;
}

/*
 * dict_pattern_load - every rule of fp into dp, "if" blocks linked to
 * their "endif"; 0, or -1 with st
 */
static int
dict_pattern_load(struct dict_pattern *dp, FILE *fp, struct vd_status *st)
{
	struct dict_pattern_rule rule;
	struct textline t;
	size_t *stack = NULL, nesting = 0, stack_cap = 0, cap = 0, len;
	char *line;
	int ret = -1;

	textline_init(&t, fp, dp->path);
	while (textline_next(&t)) {
		/* The line is a C string to Postfix: text after NUL is gone. */
		line = t.line.data;
		len = strlen(line);
		while (len > 0
		    && dict_text_is_space((unsigned char)line[len - 1]))
			line[--len] = 0;
		if (len == 0)
			continue;
		memset(&rule, 0, sizeof(rule));
		if (dict_pattern_parse_line(dp, t.first_line, line, nesting,
			&rule) == 0)
			continue;
		if (rule.op == PAT_OP_IF) {
			if (nesting >= DICT_PATTERN_MAX_NESTING) {
				dict_pattern_rule_fini(dp->engine, &rule);
				vd_status_set(st, "4.3.5", "%s:%s: %s:%d: IF "
				    "nesting deeper than %d levels",
				    dp->engine->type, dp->path, dp->path,
				    t.first_line, DICT_PATTERN_MAX_NESTING);
				goto out;
			}
			if (nesting == stack_cap) {
				stack_cap = stack_cap ? 2 * stack_cap : 8;
				stack = xrealloc(stack,
				    stack_cap * sizeof(*stack));
			}
			stack[nesting++] = dp->n_rules;
		} else if (rule.op == PAT_OP_ENDIF) {
			dp->rules[stack[--nesting]].endif = dp->n_rules;
		}
		if (rule.op == PAT_OP_MATCH && rule.max_sub > dp->max_sub)
			dp->max_sub = rule.max_sub;
		if (dp->n_rules == cap) {
			cap = cap ? 2 * cap : 16;
			dp->rules = xrealloc(dp->rules,
			    cap * sizeof(*dp->rules));
		}
		dp->rules[dp->n_rules++] = rule;
	}
	if (t.error) {
		vd_status_errno(st, t.error, "4.3.5", "%s:%s: read %s",
		    dp->engine->type, dp->path, dp->path);
		goto out;
	}
	while (nesting > 0) {
		nesting--;
		dict_pattern_warn(dp, dp->rules[stack[nesting]].lineno,
		    "IF has no matching ENDIF");
		dp->rules[stack[nesting]].endif = dp->n_rules;
	}
	ret = 0;
out:
	free(stack);
	textline_fini(&t);
	return ret;
}

/* dict_pattern_open - read, parse and compile a table with engine e */
struct dict *
dict_pattern_open(const struct dict_pattern_engine *e, const char *name,
    int flags, struct vd_status *st)
{
	struct dict_pattern *dp = xcalloc(1, sizeof(*dp));
	struct buf text;
	FILE *fp = NULL;
	int ret = -1;

	buf_init(&text);
	dp->engine = e;
	dp->path = xstrdup(name);
	dp->flags = flags;
	buf_init(&dp->result);
	if (name[0] == '{') {
		dp->is_inline = true;
		if (dict_pattern_inline(dp, name, &text, st) < 0)
			goto out;
		/* fmemopen() of 0 bytes is not portable: nothing to read */
		if (text.len > 0
		    && (fp = fmemopen(text.data, text.len, "r")) == NULL) {
			vd_status_errno(st, errno, "4.3.5", "%s:%s: fmemopen",
			    e->type, name);
			goto out;
		}
	} else if ((fp = dict_pattern_fopen(dp, st)) == NULL) {
		goto out;
	}
	if (fp && dict_pattern_load(dp, fp, st) < 0)
		goto out;
	dp->spans = xcalloc(dp->max_sub + 1, sizeof(*dp->spans));
	if (e->loaded && e->loaded(dp, st) < 0)
		goto out;
	dp->dict.lookup = dict_pattern_lookup;
	dp->dict.close = dict_pattern_close;
	dp->dict.changed = dict_pattern_changed;
	dp->dict.props = DICT_PROP_PATTERN | (dp->is_inline ? 0 :
	    DICT_PROP_FILE);
	ret = 0;
out:
	/* a read-only stream: fclose() cannot lose data here */
	if (fp)
		(void)fclose(fp);
	buf_fini(&text);
	if (ret < 0) {
		/* vd_status_errno() maps some errno values to other codes */
		snprintf(st->dsn, sizeof(st->dsn), "%s", "4.3.5");
		dict_pattern_close(&dp->dict);
		return NULL;
	}
	return &dp->dict;
}
