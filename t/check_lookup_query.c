/* SPDX-License-Identifier: MIT */
/*
 * check_lookup_query - test driver: query, list or build a table through
 *	the lookup library, for t/lookup-postmap.sh (vmap lives elsewhere)
 *
 * USAGE
 *	check_lookup_query [-F] -q KEY SPEC...	value of KEY (maps_find)
 *	check_lookup_query [-F] -q - SPEC...	keys from stdin, as postmap -q -
 *	check_lookup_query [-F] -s SPEC		every "key<TAB>value"
 *	check_lookup_query -b [-fNnrw] SPEC SRC	dict_build from SRC
 *
 *	-F opens with DICT_FLAG_FOLD_FIX (what postmap -q does).  Build
 *	options are postmap's.  Exit: 0 found/done, 1 not found, 2 error
 *	(the status on stderr as "DSN TEXT"); log records go to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lookup/dict.h"
#include "lookup/maps.h"

/* usage - print how to call, exit 2 */
static void
usage(void)
{
	fputs("usage: check_lookup_query [-F] -q KEY SPEC... | [-F] -s SPEC | "
	    "-b [-fNnrw] SPEC SRC\n", stderr);
	exit(2);
}

/*
 * query_stdin - postmap -q -: one key per line, "key<TAB>value" for
 * each found; the worst result of all
 */
static enum lk_result
query_stdin(struct maps *m)
{
	struct vd_status st;
	enum lk_result r, worst = LK_NOTFOUND;
	const char *v;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		vd_status_clear(&st);
		r = maps_find(m, line, 0, &v, &st);
		if (r == LK_FOUND)
			printf("%s\t%s\n", line, v);
		else if (r == LK_ERROR)
			fprintf(stderr, "%s %s\n", st.dsn, st.text);
		if (r == LK_ERROR || (r == LK_FOUND && worst != LK_ERROR))
			worst = r;
	}
	free(line);
	return worst;
}

/* query - maps_find over the specs */
static int
query(const char *key, int argc, char **argv, int flags)
{
	struct vd_status st;
	struct maps *m;
	const char *v;
	enum lk_result r;
	struct buf list;
	int i;

	buf_init(&list);
	for (i = 0; i < argc; i++)
		buf_printf(&list, "%s ", argv[i]);
	m = maps_open("query", list.data, flags);
	buf_fini(&list);
	if (strcmp(key, "-") == 0) {
		r = query_stdin(m);
		maps_free(&m);
		return r == LK_FOUND ? 0 : r == LK_NOTFOUND ? 1 : 2;
	}
	vd_status_clear(&st);
	r = maps_find(m, key, 0, &v, &st);
	if (r == LK_FOUND)
		printf("%s\n", v);
	else if (r == LK_ERROR)
		fprintf(stderr, "%s %s\n", st.dsn, st.text);
	maps_free(&m);
	return r == LK_FOUND ? 0 : r == LK_NOTFOUND ? 1 : 2;
}

/* list - every record of one table */
static int
list(const char *spec, int flags)
{
	struct vd_status st;
	struct dict *d;
	const char *k, *v;
	enum lk_result r;
	bool first = true;

	vd_status_clear(&st);
	if ((d = dict_open(spec, flags, &st)) == NULL) {
		fprintf(stderr, "%s %s\n", st.dsn, st.text);
		return 2;
	}
	while ((r = dict_sequence(d, first, &k, &v, &st)) == LK_FOUND) {
		printf("%s\t%s\n", k, v);
		first = false;
	}
	if (r == LK_ERROR)
		fprintf(stderr, "%s %s\n", st.dsn, st.text);
	dict_close(&d);
	return r == LK_ERROR ? 2 : 0;
}

int
main(int argc, char **argv)
{
	struct vd_status st;
	const char *key = NULL;
	int ch, mode = 0, flags = 0, bflags = 0;
	FILE *fp;

	while ((ch = getopt(argc, argv, "Fq:sbfNnrw")) != -1) {
		switch (ch) {
		case 'F':
			flags |= DICT_FLAG_FOLD_FIX;
			break;
		case 'q':
			mode = 'q';
			key = optarg;
			break;
		case 's':
		case 'b':
			mode = ch;
			break;
		case 'f':
			bflags |= DICT_BUILD_NO_FOLD;
			break;
		case 'N':
			bflags |= DICT_BUILD_NUL;
			break;
		case 'n':
			bflags |= DICT_BUILD_NO_NUL;
			break;
		case 'r':
			bflags |= DICT_BUILD_DUP_REPLACE;
			break;
		case 'w':
			bflags |= DICT_BUILD_DUP_IGNORE;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == 'q' && argc >= 1)
		return query(key, argc, argv, flags);
	if (mode == 's' && argc == 1)
		return list(argv[0], flags);
	if (mode != 'b' || argc != 2)
		usage();
	if ((fp = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	vd_status_clear(&st);
	if (dict_build(argv[0], fp, argv[1], bflags, &st) < 0) {
		fprintf(stderr, "%s %s\n", st.dsn, st.text);
		fclose(fp);
		return 1;
	}
	fclose(fp);
	return 0;
}
