/* SPDX-License-Identifier: MIT */
/*
 * textline - logical lines and list splitting (see textline.h)
 *
 * DESCRIPTION
 *	The rules are those of Postfix's util/readlline.c (3.7-3.12):
 *	a physical line that is empty, blank or a comment is dropped
 *	wherever it appears; reading goes on while the next physical line
 *	starts with white space, '#' or is empty, so a comment between two
 *	parts of a logical line does not end it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "textline.h"

void
textline_init(struct textline *t, FILE *fp, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->fp = fp;
	t->name = name ? name : "(input)";
	buf_init(&t->line);
}

void
textline_fini(struct textline *t)
{
	buf_fini(&t->line);
}

/* textline_is_blank - only white space, or a comment, from p to end */
static bool
textline_is_blank(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p == end || *p == '#';
}

/*
 * textline_physical - append one physical line (without its LF) to
 * t->line; returns the byte that ended it: '\n', or EOF.  *got_nul is
 * set when the line held a NUL byte.
 */
static int
textline_physical(struct textline *t, bool *got_nul, bool *got_any)
{
	int ch;

	*got_any = false;
	while ((ch = getc_unlocked(t->fp)) != EOF && ch != '\n') {
		buf_putc(&t->line, ch);
		*got_any = true;
		if (ch == 0)
			*got_nul = true;
	}
	if (ch == EOF && ferror(t->fp))
		t->error = errno ? errno : EIO;
	return ch;
}

bool
textline_next(struct textline *t)
{
	bool got_nul, got_any;
	size_t start;
	int ch, next;

	for (;;) {
		buf_reset(&t->line);
		got_nul = false;
		t->first_line = 0;
		for (;;) {
			start = t->line.len;
			ch = textline_physical(t, &got_nul, &got_any);
			if (t->error)
				return false;
			if (ch == '\n' || got_any)
				t->lineno++;
			if (textline_is_blank(t->line.data + start,
				t->line.data + t->line.len)) {
				t->line.len = start;
				t->line.data[start] = 0;
			}
			if (start == 0)
				t->first_line = t->lineno;
			if (ch == EOF)
				break;
			/* Empty so far: keep reading. */
			if (t->line.len == 0)
				continue;
			next = getc_unlocked(t->fp);
			if (next == EOF)
				break;
			(void)ungetc(next, t->fp);
			if (next != '\n' && next != '#'
			    && !isspace((unsigned char)next))
				break;
		}
		if (t->line.len == 0)
			return false;
		if (isspace((unsigned char)t->line.data[0])) {
			log_warn("%s:%d: logical line must not start with "
			    "white space: \"%.30s%s\"", t->name, t->first_line,
			    t->line.data, t->line.len > 30 ? "..." : "");
			continue;
		}
		if (got_nul)
			log_warn("%s:%d: text after null byte may be ignored",
			    t->name, t->first_line);
		return true;
	}
}

char **
text_split_list(const char *value, const char *seps)
{
	size_t n = 0, cap = 8, len;
	char **list = xcalloc(cap, sizeof(*list));
	const char *p = value ? value : "", *start;
	int depth;

	for (;;) {
		p += strspn(p, seps);
		if (*p == 0)
			break;
		start = p;
		depth = 0;
		while (*p && (depth > 0 || strchr(seps, *p) == NULL)) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			p++;
		}
		len = (size_t)(p - start);
		if (n + 2 > cap) {
			cap *= 2;
			list = xrealloc(list, cap * sizeof(*list));
		}
		list[n++] = xstrndup(start, len);
	}
	list[n] = NULL;
	return list;
}

void
text_list_free(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i]; i++)
		free(list[i]);
	free(list);
}

size_t
text_list_len(char *const *list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

void
text_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}
