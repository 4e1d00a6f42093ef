/* SPDX-License-Identifier: MIT */
/*
 * dict_open - the table type registry, and what every lookup goes through
 *
 * DESCRIPTION
 *	One static table of types (dict_types[]) names each type's open and
 *	build functions; a new type costs one row.  dict_open() strips any
 *	number of leading "proxy:" (Postfix opens proxy: maps directly in
 *	virtual(8): NO_PROXY), splits the rest at the first colon, opens
 *	the table through its type and fills in type, name, spec and
 *	flags.  An empty type or name, or a missing colon, is an error
 *	("expecting "type:name""), as is an unknown type (the message lists
 *	the supported ones).  Every failure is 4.3.5: the mail is fine, the
 *	configuration is not.
 *
 *	dict_lookup() is the one way in for a query: it refuses a NULL key
 *	or one longer than DICT_KEY_MAX (LK_ERROR), folds the key to ASCII
 *	lower case for fixed-key tables when DICT_FLAG_FOLD_FIX was given,
 *	and returns what the type returns.
 *
 *	dict_build() hands "type:path" to the type's build function; only
 *	hash, btree and cdb have one (others: 5.3.5).
 *
 * SEE ALSO
 *	dict.h, dict_impl.h, Postfix util/dict_open.c
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict.h"
#include "lookup/dict_impl.h"
#include "textline.h"

struct dict_type {
	const char *name;
	dict_open_fn *open;
	dict_build_fn *build;	/* NULL: cannot be built by vmap */
	bool needs_name;	/* "type:" alone is a syntax error */
};

static const struct dict_type dict_types[] = {
#ifdef HAVE_DB
	{ .name = "hash", .open = dict_hash_open, .build = dict_hash_build,
	    .needs_name = true },
	{ .name = "btree", .open = dict_btree_open, .build = dict_btree_build,
	    .needs_name = true },
#endif
#ifdef HAVE_CDB
	{ .name = "cdb", .open = dict_cdb_open, .build = dict_cdb_build,
	    .needs_name = true },
#endif
	{ .name = "texthash", .open = dict_texthash_open, .needs_name = true },
	{ .name = "inline", .open = dict_inline_open, .needs_name = true },
	{ .name = "static", .open = dict_static_open, .needs_name = true },
	{ .name = "regexp", .open = dict_regexp_open, .needs_name = true },
#ifdef HAVE_PCRE2
	{ .name = "pcre", .open = dict_pcre_open, .needs_name = true },
#endif
	{ .name = "fail", .open = dict_fail_type_open, .needs_name = true },
};

#define DICT_N_TYPES (sizeof(dict_types) / sizeof(dict_types[0]))
#define DICT_PROXY "proxy:"

/* dict_strip_proxy - skip any number of leading "proxy:" */
static const char *
dict_strip_proxy(const char *spec)
{
	while (strncmp(spec, DICT_PROXY, sizeof(DICT_PROXY) - 1) == 0)
		spec += sizeof(DICT_PROXY) - 1;
	return spec;
}

/* dict_find_type - the registry row for the n bytes at name, or NULL */
static const struct dict_type *
dict_find_type(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < DICT_N_TYPES; i++)
		if (strlen(dict_types[i].name) == n
		    && memcmp(dict_types[i].name, name, n) == 0)
			return &dict_types[i];
	return NULL;
}

/*
 * dict_parse_spec - split spec (proxy: already stripped) into its type
 * row and name; -1 with st when the form or the type is wrong
 */
static int
dict_parse_spec(const char *orig, const char *spec,
    const struct dict_type **type_r, const char **name_r,
    struct vd_status *st)
{
	const char *colon = strchr(spec, ':');
	const struct dict_type *t;

	if (colon == NULL || colon == spec)
		return vd_status_set(st, "4.3.5",
		    "open dictionary: expecting \"type:name\" form instead "
		    "of \"%s\"", orig);
	if ((t = dict_find_type(spec, (size_t)(colon - spec))) == NULL)
		return vd_status_set(st, "4.3.5",
		    "unsupported dictionary type: %.*s (supported: %s)",
		    (int)(colon - spec), spec, dict_type_names());
	if (t->needs_name && colon[1] == 0)
		return vd_status_set(st, "4.3.5",
		    "open dictionary: expecting \"type:name\" form instead "
		    "of \"%s\"", orig);
	*type_r = t;
	*name_r = colon + 1;
	return 0;
}

struct dict *
dict_open(const char *spec, int flags, struct vd_status *st)
{
	const struct dict_type *t;
	const char *bare, *name;
	struct dict *d;

	if (spec == NULL) {
		vd_status_set(st, "4.3.5", "open dictionary: no table given");
		return NULL;
	}
	bare = dict_strip_proxy(spec);
	if (dict_parse_spec(spec, bare, &t, &name, st) < 0)
		return NULL;
	if ((d = t->open(name, flags, st)) == NULL) {
		/* whatever the errno was: a table that cannot be opened */
		memcpy(st->dsn, "4.3.5", sizeof("4.3.5"));
		return NULL;
	}
	d->type = t->name;
	d->name = xstrdup(name);
	d->spec = xstrdup(bare);
	d->flags = flags;
	d->fold_buf = NULL;
	d->fold_cap = 0;
	return d;
}

void
dict_close(struct dict **dp)
{
	struct dict *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	*dp = NULL;
	free(d->name);
	free(d->spec);
	free(d->fold_buf);
	d->name = d->spec = d->fold_buf = NULL;
	d->close(d);
}

/* dict_fold - the key in ASCII lower case, in d's own buffer */
static const char *
dict_fold(struct dict *d, const char *key, size_t len)
{
	if (d->fold_cap < len + 1) {
		d->fold_buf = xrealloc(d->fold_buf, len + 1);
		d->fold_cap = len + 1;
	}
	memcpy(d->fold_buf, key, len);
	d->fold_buf[len] = 0;
	text_lower(d->fold_buf);
	return d->fold_buf;
}

enum lk_result
dict_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	size_t len;

	if (d == NULL || key == NULL) {
		vd_status_set(st, "4.3.5", "%s: lookup without a key",
		    d ? d->spec : "(no table)");
		return LK_ERROR;
	}
	len = strnlen(key, (size_t)DICT_KEY_MAX + 1);
	if (len > DICT_KEY_MAX) {
		vd_status_set(st, "4.3.5",
		    "%s: lookup key longer than %d bytes", d->spec,
		    DICT_KEY_MAX);
		return LK_ERROR;
	}
	if ((d->flags & DICT_FLAG_FOLD_FIX) && !(d->props & DICT_PROP_PATTERN))
		key = dict_fold(d, key, len);
	return d->lookup(d, key, value_r, st);
}

enum lk_result
dict_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	if (d->sequence == NULL) {
		vd_status_set(st, "5.3.5", "%s: table type %s cannot be listed",
		    d->spec, d->type);
		return LK_ERROR;
	}
	return d->sequence(d, first, key_r, value_r, st);
}

bool
dict_changed(struct dict *d)
{
	return d != NULL && d->changed != NULL && d->changed(d);
}

int
dict_build(const char *spec, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	const struct dict_type *t;
	const char *bare, *name;

	if (spec == NULL)
		return vd_status_set(st, "5.3.5", "no table given");
	bare = dict_strip_proxy(spec);
	if (dict_parse_spec(spec, bare, &t, &name, st) < 0) {
		/* a build is a command, not a delivery: a usage problem */
		memcpy(st->dsn, "5.3.5", sizeof("5.3.5"));
		return -1;
	}
	if (t->build == NULL)
		return vd_status_set(st, "5.3.5",
		    "%s: cannot build this table type", t->name);
	return t->build(name, src, srcname ? srcname : name, flags, st);
}

bool
dict_file_changed(const char *path, const struct stat *old)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return true;
	return sb.st_dev != old->st_dev || sb.st_ino != old->st_ino
	    || sb.st_size != old->st_size
	    || sb.st_mtim.tv_sec != old->st_mtim.tv_sec
	    || sb.st_mtim.tv_nsec != old->st_mtim.tv_nsec;
}

int
dict_fsync_path(const char *path, bool is_dir, struct vd_status *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));

	if (fd < 0)
		return vd_status_errno(st, errno, "4.3.0", "open %s", path);
	if (fsync(fd) < 0) {
		vd_status_errno(st, errno, "4.3.0", "fsync %s", path);
		(void)close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return vd_status_errno(st, errno, "4.3.0", "close %s", path);
	return 0;
}

char *
dict_file_path(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);
	char *p = xmalloc(n + m + 1);

	memcpy(p, name, n);
	memcpy(p + n, suffix, m + 1);
	return p;
}

void
dict_split_dir(const char *path, struct buf *dir, const char **base_r)
{
	const char *slash = strrchr(path, '/');

	buf_reset(dir);
	if (slash == NULL) {
		buf_puts(dir, ".");
		*base_r = path;
	} else if (slash == path) {
		buf_puts(dir, "/");
		*base_r = slash + 1;
	} else {
		buf_append(dir, path, (size_t)(slash - path));
		*base_r = slash + 1;
	}
}

const char *
dict_set_value(struct buf *b, const void *p, size_t len)
{
	const char *nul = len ? memchr(p, 0, len) : NULL;

	buf_reset(b);
	buf_append(b, p, nul ? (size_t)(nul - (const char *)p) : len);
	return b->data;
}

void
dict_warn_stale(const char *db_path, const char *src, time_t db_mtime)
{
	struct stat sb;

	if (stat(src, &sb) == 0 && sb.st_mtime > db_mtime
	    && sb.st_mtime < time(NULL) - 100)
		log_warn("database %s is older than source file %s", db_path,
		    src);
}

const char *
dict_type_names(void)
{
	static char names[256];
	size_t i, n = 0;
	int len;

	if (names[0])
		return names;
	for (i = 0; i < DICT_N_TYPES; i++) {
		len = snprintf(names + n, sizeof(names) - n, "%s%s",
		    i ? " " : "", dict_types[i].name);
		if (len < 0 || (size_t)len >= sizeof(names) - n)
			break;
		n += (size_t)len;
	}
	return names;
}
