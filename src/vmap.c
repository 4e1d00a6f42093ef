/* SPDX-License-Identifier: MIT */
/*
 * vmap - build, query and list lookup tables, as postmap(1) does
 *
 * DESCRIPTION
 *	vmap [-c config] [-f] [-N|-n] [-r|-w] [-v] [type:]file...
 *	vmap [-c config] [-f] [-v] -q key [type:]name...
 *	vmap [-c config] [-v] -s [type:]name...
 *	vmap -h
 *
 *	Build: for each file, dict_build() turns the postmap(1) text source
 *	"file" into file.db (hash, btree) or file.cdb (cdb) through a
 *	temporary file that is fsynced and renamed into place, so a failed
 *	build leaves the old table as it was.  Without a type,
 *	default_database_type from the configuration (hash).  The options
 *	are postmap's: -f keep the case of keys, -N/-n with/without the
 *	terminating NUL, -r replace duplicates, -w ignore them quietly.
 *
 *	Query (-q): the first table that has the key prints its value and
 *	vmap exits 0; 1 when no table has it.  Keys are folded to lower
 *	case for fixed-key tables unless -f, and regexp/pcre results may
 *	use $1, as postmap -q does.  "-q -" reads keys from standard input,
 *	one per line, and prints "key<TAB>value" for each key found (exit
 *	0 when at least one was found).  List (-s): "key<TAB>value" for
 *	every entry, in the table's order.
 *
 *	Exit status: 0, 1 (not found), 64 usage (also a type that cannot
 *	be built or listed), 75 a table, file, output or configuration
 *	error (one line "vmap: type:name: ..." on stderr).  Only this file
 *	exits or writes to stdout.
 *
 * SEE ALSO
 *	vmap(1), postmap(1), lookup/dict.h
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "lookup/dict.h"
#include "status.h"

#define VMAP_NOTFOUND 1

static const char usage_text[] =
    "usage: vmap [-c config] [-f] [-N|-n] [-r|-w] [-v] [type:]file...\n"
    "       vmap [-c config] [-f] [-v] -q key|- [type:]name...\n"
    "       vmap [-c config] [-v] -s [type:]name...\n"
    "       vmap -h\n";

/* vmap_log - log records go to stderr as "vmap: warning: ..." */
static void
vmap_log(int prio, const char *text)
{
	(void)prio;
	(void)fprintf(stderr, "vmap: %s\n", text);
}

/* vmap_oom - out of memory: a temporary failure */
static void
vmap_oom(void)
{
	static const char msg[] = "vmap: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to try */
	}
}

/* vmap_usage - a usage error: the reason and the synopsis, exit 64 */
static int
vmap_usage(const char *why)
{
	if (why)
		(void)fprintf(stderr, "vmap: %s\n", why);
	(void)fputs(usage_text, stderr);
	return EX_USAGE;
}

/* vmap_say - "vmap: spec: text" (once, when the text names spec already) */
static void
vmap_say(const char *spec, const struct vd_status *st)
{
	size_t len = strlen(spec);

	if (strncmp(st->text, spec, len) == 0 && st->text[len] == ':')
		(void)fprintf(stderr, "vmap: %s\n", st->text);
	else
		(void)fprintf(stderr, "vmap: %s: %s\n", spec, st->text);
}

/* vmap_table_error - vmap_say(), exit 75 */
static int
vmap_table_error(const char *spec, const struct vd_status *st)
{
	vmap_say(spec, st);
	return EX_TEMPFAIL;
}

/* vmap_spec - "type:name"; without a type, the default database type */
static char *
vmap_spec(const char *arg, const char *def_type)
{
	struct buf b;

	if (strchr(arg, ':') != NULL)
		return xstrdup(arg);
	buf_init(&b);
	buf_printf(&b, "%s:%s", def_type, arg);
	return buf_steal(&b);
}

/* vmap_open_all - open every table; 0, or an exit code */
static int
vmap_open_all(char **args, int n, const char *def_type, int flags,
    struct dict **dicts)
{
	struct vd_status st;
	char *spec;
	int i;

	for (i = 0; i < n; i++) {
		spec = vmap_spec(args[i], def_type);
		vd_status_clear(&st);
		dicts[i] = dict_open(spec, flags, &st);
		if (dicts[i] == NULL) {
			(void)vmap_table_error(spec, &st);
			free(spec);
			return EX_TEMPFAIL;
		}
		free(spec);
	}
	return 0;
}

/*
 * vmap_find - the first table with key: LK_FOUND with *value_r, or
 * LK_NOTFOUND, or LK_ERROR (reported).
 */
static enum lk_result
vmap_find(struct dict **dicts, int n, const char *key, const char **value_r)
{
	struct vd_status st;
	enum lk_result r;
	int i;

	for (i = 0; i < n; i++) {
		vd_status_clear(&st);
		r = dict_lookup(dicts[i], key, value_r, &st);
		if (r == LK_FOUND)
			return LK_FOUND;
		if (r == LK_ERROR) {
			(void)vmap_table_error(dicts[i]->spec, &st);
			return LK_ERROR;
		}
	}
	return LK_NOTFOUND;
}

/* vmap_query - -q key or -q -: the exit code */
static int
vmap_query(const char *key, struct dict **dicts, int n)
{
	const char *value;
	enum lk_result r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool found = false;
	int code = VMAP_NOTFOUND;

	if (strcmp(key, "-") != 0) {
		r = vmap_find(dicts, n, key, &value);
		if (r == LK_ERROR)
			return EX_TEMPFAIL;
		if (r == LK_FOUND) {
			(void)printf("%s\n", value);
			return 0;
		}
		return VMAP_NOTFOUND;
	}
	/* Keys from stdin, one per line, as postmap -q - reads them. */
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		r = vmap_find(dicts, n, line, &value);
		if (r == LK_ERROR) {
			code = EX_TEMPFAIL;
			goto out;
		}
		if (r == LK_FOUND) {
			(void)printf("%s\t%s\n", line, value);
			found = true;
		}
	}
	if (ferror(stdin)) {
		(void)fprintf(stderr, "vmap: read standard input: %s\n",
		    strerror(errno));
		code = EX_TEMPFAIL;
		goto out;
	}
	code = found ? 0 : VMAP_NOTFOUND;
out:
	free(line);
	return code;
}

/* vmap_list - -s: every entry of every table; the exit code */
static int
vmap_list(struct dict **dicts, int n)
{
	const char *key, *value;
	struct vd_status st;
	enum lk_result r;
	bool first;
	int i;

	for (i = 0; i < n; i++) {
		if (dicts[i]->sequence == NULL) {
			(void)fprintf(stderr, "vmap: %s: table type %s cannot be "
			    "listed (-s)\n", dicts[i]->spec, dicts[i]->type);
			return EX_USAGE;
		}
		for (first = true;; first = false) {
			vd_status_clear(&st);
			r = dict_sequence(dicts[i], first, &key, &value, &st);
			if (r == LK_NOTFOUND)
				break;
			if (r == LK_ERROR)
				return vmap_table_error(dicts[i]->spec, &st);
			(void)printf("%s\t%s\n", key, value);
		}
	}
	return 0;
}

/*
 * vmap_build_code - the exit code of a failed build: 5.3.5 is what
 * dict_build() says about the command (an unknown type, a type that
 * cannot be built): a usage error; everything else is temporary.
 */
static int
vmap_build_code(const struct vd_status *st)
{
	if (strcmp(st->dsn, "5.3.5") == 0)
		return EX_USAGE;
	return EX_TEMPFAIL;
}

/* vmap_build - build every file; the exit code */
static int
vmap_build(char **args, int n, const char *def_type, int flags)
{
	struct vd_status st;
	const char *name;
	char *spec;
	FILE *fp;
	int i, code = 0, rc;

	for (i = 0; i < n && code == 0; i++) {
		spec = vmap_spec(args[i], def_type);
		name = strchr(spec, ':') + 1;
		if (*name == 0) {
			code = vmap_usage("expecting \"type:name\"");
		} else if ((fp = fopen(name, "re")) == NULL) {
			(void)fprintf(stderr, "vmap: open %s: %s\n", name,
			    strerror(errno));
			code = EX_TEMPFAIL;
		} else {
			vd_status_clear(&st);
			rc = dict_build(spec, fp, name, flags, &st);
			if (fclose(fp) != 0 && rc == 0) {
				vd_status_errno(&st, errno, "4.3.0",
				    "close %s", name);
				rc = -1;
			}
			if (rc < 0) {
				vmap_say(spec, &st);
				code = vmap_build_code(&st);
			}
		}
		free(spec);
	}
	return code;
}

/* main - options, configuration, then build, query or list */
int
main(int argc, char **argv)
{
	const char *config_path = NULL, *query = NULL;
	bool list = false, no_fold = false, verbose = false;
	int c, n, i, code, flags = 0, nul = 0, dup = 0;
	struct dict **dicts = NULL;
	struct vd_config cfg;
	struct vd_status st;

	vd_oom_hook = vmap_oom;
	log_set_hook(vmap_log);
	while ((c = getopt(argc, argv, "c:fNnq:rswvh")) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'f':
			no_fold = true;
			break;
		case 'N':
		case 'n':
			if (nul && nul != c)
				return vmap_usage("-N and -n exclude each other");
			nul = c;
			break;
		case 'r':
		case 'w':
			if (dup && dup != c)
				return vmap_usage("-r and -w exclude each other");
			dup = c;
			break;
		case 'q':
			query = optarg;
			break;
		case 's':
			list = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			(void)fputs(usage_text, stdout);
			(void)printf("table types: %s\n", dict_type_names());
			return ferror(stdout) || fflush(stdout) ? EX_TEMPFAIL : 0;
		default:
			return vmap_usage(NULL);
		}
	}
	n = argc - optind;
	if (query && list)
		return vmap_usage("-q and -s exclude each other");
	if ((query || list) && (nul || dup))
		return vmap_usage("-N, -n, -r and -w are for building tables");
	if (n < 1)
		return vmap_usage(query || list ? "no table named"
				      : "no file named");
	log_set_verbose(verbose);
	if (config_load(&cfg, config_path, NULL, 0, &st) < 0) {
		(void)fprintf(stderr, "vmap: %s\n", st.text);
		return EX_TEMPFAIL;
	}
	if (query || list) {
		dicts = xcalloc((size_t)n, sizeof(*dicts));
		if (query)
			flags = (no_fold ? 0 : DICT_FLAG_FOLD_FIX)
			    | DICT_FLAG_ALLOW_REGSUB;
		code = vmap_open_all(argv + optind, n,
		    cfg.default_database_type, flags, dicts);
		if (code == 0)
			code = query ? vmap_query(query, dicts, n)
			    : vmap_list(dicts, n);
		for (i = 0; i < n; i++)
			dict_close(&dicts[i]);
		free(dicts);
	} else {
		flags = (no_fold ? DICT_BUILD_NO_FOLD : 0)
		    | (nul == 'N' ? DICT_BUILD_NUL : 0)
		    | (nul == 'n' ? DICT_BUILD_NO_NUL : 0)
		    | (dup == 'r' ? DICT_BUILD_DUP_REPLACE : 0)
		    | (dup == 'w' ? DICT_BUILD_DUP_IGNORE : 0);
		code = vmap_build(argv + optind, n, cfg.default_database_type,
		    flags);
	}
	config_free(&cfg);
	/* Output that did not reach its file is an error (-s > /dev/full). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		(void)fprintf(stderr, "vmap: write standard output: %s\n",
		    strerror(errno));
		if (code == 0 || code == VMAP_NOTFOUND)
			code = EX_TEMPFAIL;
	}
	return code;
}
