/* SPDX-License-Identifier: MIT */
/*
 * pattern-query - query a regexp: or pcre: table the way postmap -q does
 *
 * SYNOPSIS
 *	pattern-query [-n] -q KEY TYPE:NAME
 *	pattern-query [-n] -q - TYPE:NAME <keys
 *
 * DESCRIPTION
 *	A test driver for t/pattern-postmap.sh: opens the table with
 *	dict_regexp_open() or dict_pcre_open() directly, with
 *	DICT_FLAG_ALLOW_REGSUB unless -n is given (postmap allows $n).
 *	-q KEY prints the value and a newline and exits 0, or exits 1
 *	when the key is not found.  -q - reads one key per input line and
 *	prints "key<TAB>value" for each key found.  Warnings go to stderr
 *	as "pattern-query: warning: ..."; a table that does not open or a
 *	lookup error prints "pattern-query: fatal: ..." and exits 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "status.h"

int main(int argc, char **argv);

/* pq_open - TYPE:NAME through its open function */
static struct dict *
pq_open(const char *spec, int flags, struct vd_status *st)
{
	if (strncmp(spec, "regexp:", 7) == 0)
		return dict_regexp_open(spec + 7, flags, st);
	if (strncmp(spec, "pcre:", 5) == 0)
		return dict_pcre_open(spec + 5, flags, st);
	vd_status_set(st, "5.3.5", "%s: not a regexp: or pcre: table", spec);
	return NULL;
}

/* pq_log - every log record on stderr, as postmap writes them */
static void
pq_log(int prio, const char *text)
{
	(void)prio;
	fprintf(stderr, "pattern-query: %s\n", text);
}

/* pq_fatal - the error text and exit 2 */
static void
pq_fatal(const struct vd_status *st)
{
	fprintf(stderr, "pattern-query: fatal: %s\n", st->text);
	exit(2);
}

/* main - open the table, query it, print as postmap -q does */
int
main(int argc, char **argv)
{
	struct vd_status st;
	struct dict *d;
	const char *key = NULL, *value, *spec;
	enum lk_result r;
	int flags = DICT_FLAG_ALLOW_REGSUB, ch, rc = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((ch = getopt(argc, argv, "nq:")) != -1) {
		switch (ch) {
		case 'n':
			flags &= ~DICT_FLAG_ALLOW_REGSUB;
			break;
		case 'q':
			key = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (key == NULL || optind != argc - 1)
		goto usage;
	spec = argv[optind];
	log_set_hook(pq_log);
	vd_status_clear(&st);
	if ((d = pq_open(spec, flags, &st)) == NULL)
		pq_fatal(&st);
	if (strcmp(key, "-") != 0) {
		r = d->lookup(d, key, &value, &st);
		if (r == LK_ERROR)
			pq_fatal(&st);
		if (r == LK_FOUND)
			printf("%s\n", value);
		else
			rc = 1;
	} else {
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			if (n > 0 && line[n - 1] == '\n')
				line[--n] = 0;
			r = d->lookup(d, line, &value, &st);
			if (r == LK_ERROR)
				pq_fatal(&st);
			if (r == LK_FOUND)
				printf("%s\t%s\n", line, value);
		}
		free(line);
	}
	d->close(d);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 2;
	return rc;
usage:
	fprintf(stderr, "usage: pattern-query [-n] -q KEY|- TYPE:NAME\n");
	return 2;
}
