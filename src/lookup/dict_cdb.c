/* SPDX-License-Identifier: MIT */
/*
 * dict_cdb - "cdb:PATH": tinycdb constant databases PATH.cdb
 *
 * DESCRIPTION
 *	dict_cdb_open() opens PATH.cdb and maps it (cdb_init()); opening
 *	costs the same for any size.  A missing, unreadable or malformed
 *	file fails the open (4.3.5 with the reason).  Lookup: the key with
 *	its trailing NUL first, then without (Postfix writes cdb without
 *	the NUL); after the first hit the table sticks to the form it
 *	found.  With duplicate keys in the file, the first record wins.  A
 *	cdb_find() error (a corrupt file) is LK_ERROR (4.3.5), never fatal
 *	as it is in Postfix.  No locking: a cdb file is replaced whole by
 *	rename(2), never written in place.
 *
 *	changed() is true when PATH.cdb is not the file opened any more or
 *	was modified.  sequence() walks the records in file order.
 *
 *	dict_cdb_build() writes PATH.cdb from postmap(1) source text, with
 *	the rules of dict_db.c except that the trailing NUL is left out
 *	unless DICT_BUILD_NUL (as postmap does on Linux).  Duplicate keys
 *	are found with an in-memory key set (tinycdb's own check scans, and
 *	would make a large build quadratic).  With DICT_BUILD_DUP_IGNORE a
 *	duplicate is still written, as postmap -w does; the first record
 *	is the one found.  The records go to
 *	PATH.cdb.tmp.XXXXXX (mkstemp(3), mode of the old file or 0644),
 *	which is fsync()ed, closed and renamed over PATH.cdb; then the
 *	directory is fsync()ed.  On any error the temporary file is
 *	removed and the old table is left as it was.
 *
 * SEE ALSO
 *	Postfix util/dict_cdb.c; tinycdb cdb(3); REFERENCE.md 4.3, 9.2
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cdb.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_text.h"
#include "textline.h"

#define DICT_CDB_TRY_NUL 0x01
#define DICT_CDB_TRY_NO_NUL 0x02

struct dict_cdb {
	struct dict dict;
	struct cdb cdb;
	bool has_cdb;
	int fd;
	int try;
	unsigned seq_pos;
	char *path;		/* PATH.cdb */
	struct stat sb;
	struct buf key;
	struct buf value;
};

/* dict_cdb_copy - a NUL-terminated copy of len bytes at pos, up to a NUL */
static const char *
dict_cdb_copy(struct dict_cdb *t, struct buf *b, unsigned len, unsigned pos)
{
	const char *p = cdb_get(&t->cdb, len, pos);

	return p ? dict_set_value(b, p, len) : NULL;
}

/* dict_cdb_lookup - with NUL, then without, as the file has them */
static enum lk_result
dict_cdb_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_cdb *t = (struct dict_cdb *)d;
	size_t len = strlen(key);
	static const int forms[] = { DICT_CDB_TRY_NUL, DICT_CDB_TRY_NO_NUL };
	const char *v;
	int i, r;

	for (i = 0; i < 2; i++) {
		if (!(t->try & forms[i]))
			continue;
		r = cdb_find(&t->cdb, key,
		    (unsigned)len + (forms[i] == DICT_CDB_TRY_NUL));
		if (r == 0)
			continue;
		if (r > 0 && (v = dict_cdb_copy(t, &t->value,
				  cdb_datalen(&t->cdb), cdb_datapos(&t->cdb)))
			!= NULL) {
			t->try = forms[i];
			*value_r = v;
			return LK_FOUND;
		}
		vd_status_set(st, "4.3.5", "cdb:%s: lookup error: %s",
		    d->name, "corrupt database file");
		return LK_ERROR;
	}
	return LK_NOTFOUND;
}

/* dict_cdb_sequence - records in file order */
static enum lk_result
dict_cdb_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	struct dict_cdb *t = (struct dict_cdb *)d;
	const char *k, *v;
	int r;

	if (first)
		cdb_seqinit(&t->seq_pos, &t->cdb);
	if ((r = cdb_seqnext(&t->seq_pos, &t->cdb)) == 0)
		return LK_NOTFOUND;
	if (r < 0
	    || (k = dict_cdb_copy(t, &t->key, cdb_keylen(&t->cdb),
		    cdb_keypos(&t->cdb))) == NULL
	    || (v = dict_cdb_copy(t, &t->value, cdb_datalen(&t->cdb),
		    cdb_datapos(&t->cdb))) == NULL) {
		vd_status_set(st, "4.3.5", "cdb:%s: sequence: corrupt "
		    "database file", d->name);
		return LK_ERROR;
	}
	*key_r = k;
	*value_r = v;
	return LK_FOUND;
}

/* dict_cdb_changed - PATH.cdb is not the file opened, or was modified */
static bool
dict_cdb_changed(struct dict *d)
{
	struct dict_cdb *t = (struct dict_cdb *)d;

	return dict_file_changed(t->path, &t->sb);
}

/* dict_cdb_close - unmap, close, free */
static void
dict_cdb_close(struct dict *d)
{
	struct dict_cdb *t = (struct dict_cdb *)d;

	if (t->has_cdb)
		cdb_free(&t->cdb);
	if (t->fd >= 0)
		(void)close(t->fd);
	buf_fini(&t->key);
	buf_fini(&t->value);
	free(t->path);
	free(t);
}

/*
 * dict_cdb_toc_ok - every hash table named in the 2048-byte table of
 * contents lies inside the file.  tinycdb checks offsets as it reads;
 * this check at open turns a file that is no cdb at all (a .db renamed,
 * text) into an open error instead of lookups that find nothing.
 */
static bool
dict_cdb_toc_ok(const struct cdb *c, unsigned fsize)
{
	const unsigned char *toc = cdb_get(c, 2048, 0);
	unsigned i, pos, n;

	if (toc == NULL)
		return false;
	for (i = 0; i < 256; i++) {
		pos = cdb_unpack(toc + 8 * i);
		n = cdb_unpack(toc + 8 * i + 4);
		if (pos < 2048 || pos > fsize || n > (fsize - pos) / 8)
			return false;
	}
	return true;
}

struct dict *
dict_cdb_open(const char *name, int flags, struct vd_status *st)
{
	struct dict_cdb *t = xcalloc(1, sizeof(*t));

	(void)flags;
	buf_init(&t->key);
	buf_init(&t->value);
	t->try = DICT_CDB_TRY_NUL | DICT_CDB_TRY_NO_NUL;
	t->path = dict_file_path(name, ".cdb");
	if ((t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		vd_status_errno(st, errno, "4.3.5", "cdb:%s: open database %s",
		    name, t->path);
		goto fail;
	}
	if (fstat(t->fd, &t->sb) < 0) {
		vd_status_errno(st, errno, "4.3.5", "cdb:%s: fstat %s", name,
		    t->path);
		goto fail;
	}
	if (!S_ISREG(t->sb.st_mode)) {
		vd_status_set(st, "4.3.5", "cdb:%s: %s is not a regular file",
		    name, t->path);
		goto fail;
	}
	if (t->sb.st_size > (off_t)UINT32_MAX) {
		vd_status_set(st, "4.3.5", "cdb:%s: %s is larger than 4 GiB",
		    name, t->path);
		goto fail;
	}
	errno = 0;
	if (cdb_init(&t->cdb, t->fd) < 0) {
		vd_status_set(st, "4.3.5", "cdb:%s: open database %s: %s", name,
		    t->path, errno == EPROTO || errno == 0
			? "not a cdb file (bad format)" : strerror(errno));
		goto fail;
	}
	t->has_cdb = true;
	if (!dict_cdb_toc_ok(&t->cdb, (unsigned)t->sb.st_size)) {
		vd_status_set(st, "4.3.5", "cdb:%s: open database %s: %s", name,
		    t->path, "not a cdb file (bad format)");
		goto fail;
	}
	dict_warn_stale(t->path, name, t->sb.st_mtime);
	t->dict.lookup = dict_cdb_lookup;
	t->dict.sequence = dict_cdb_sequence;
	t->dict.changed = dict_cdb_changed;
	t->dict.close = dict_cdb_close;
	t->dict.props = DICT_PROP_FILE;
	return &t->dict;
fail:
	dict_cdb_close(&t->dict);
	return NULL;
}

/*
 * Building.  The key set: each key once, in an arena, found through an
 * open-addressing table of offsets.
 */
struct dict_cdb_keyset {
	struct buf arena;	/* keys, each followed by its NUL */
	size_t *slots;		/* offset + 1; 0 = empty */
	uint32_t *hashes;
	size_t n_slots;		/* a power of two */
	size_t n_keys;
};

/* dict_cdb_keyset_hash - FNV-1a */
static uint32_t
dict_cdb_keyset_hash(const char *k, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0) {
		h ^= (unsigned char)*k++;
		h *= 16777619u;
	}
	return h;
}

/* dict_cdb_keyset_find - the slot of key, or the empty slot for it */
static size_t
dict_cdb_keyset_find(const struct dict_cdb_keyset *ks, const char *k,
    size_t len, uint32_t h)
{
	size_t mask = ks->n_slots - 1, i = h & mask;
	const char *have;

	for (;; i = (i + 1) & mask) {
		if (ks->slots[i] == 0)
			return i;
		if (ks->hashes[i] != h)
			continue;
		have = ks->arena.data + ks->slots[i] - 1;
		if (strlen(have) == len && memcmp(have, k, len) == 0)
			return i;
	}
}

/* dict_cdb_keyset_grow - double the table */
static void
dict_cdb_keyset_grow(struct dict_cdb_keyset *ks)
{
	size_t *old_slots = ks->slots, old_n = ks->n_slots, i, j, mask;
	uint32_t *old_hashes = ks->hashes;

	ks->n_slots = old_n ? old_n * 2 : 1024;
	ks->slots = xcalloc(ks->n_slots, sizeof(*ks->slots));
	ks->hashes = xcalloc(ks->n_slots, sizeof(*ks->hashes));
	mask = ks->n_slots - 1;
	for (i = 0; i < old_n; i++) {
		if (old_slots[i] == 0)
			continue;
		for (j = old_hashes[i] & mask; ks->slots[j];
		     j = (j + 1) & mask)
			;
		ks->slots[j] = old_slots[i];
		ks->hashes[j] = old_hashes[i];
	}
	free(old_slots);
	free(old_hashes);
}

/* dict_cdb_keyset_add - true when the key is new (and now added) */
static bool
dict_cdb_keyset_add(struct dict_cdb_keyset *ks, const char *k, size_t len)
{
	uint32_t h = dict_cdb_keyset_hash(k, len);
	size_t i;

	if ((ks->n_keys + 1) * 2 > ks->n_slots)
		dict_cdb_keyset_grow(ks);
	i = dict_cdb_keyset_find(ks, k, len, h);
	if (ks->slots[i] != 0)
		return false;
	ks->slots[i] = ks->arena.len + 1;
	ks->hashes[i] = h;
	buf_append(&ks->arena, k, len);
	buf_putc(&ks->arena, 0);
	ks->n_keys++;
	return true;
}

struct dict_cdb_build {
	struct cdb_make cm;
	struct dict_cdb_keyset ks;
	const char *srcname;
	const char *tmp;
	int flags;
	bool with_nul;
	struct buf key;
};

/* dict_cdb_put - one source line into the new file */
static int
dict_cdb_put(void *ctx, const char *key, const char *value, int lineno,
    struct vd_status *st)
{
	struct dict_cdb_build *b = ctx;
	unsigned klen, vlen;
	int r;

	buf_reset(&b->key);
	buf_puts(&b->key, key);
	if (!(b->flags & DICT_BUILD_NO_FOLD))
		text_lower(b->key.data);
	klen = (unsigned)b->key.len + b->with_nul;
	vlen = (unsigned)strlen(value) + b->with_nul;
	if (dict_cdb_keyset_add(&b->ks, b->key.data, b->key.len))
		r = cdb_make_add(&b->cm, b->key.data, klen, value, vlen);
	else if (b->flags & DICT_BUILD_DUP_REPLACE)
		r = cdb_make_put(&b->cm, b->key.data, klen, value, vlen,
		    CDB_PUT_REPLACE);
	else if (b->flags & DICT_BUILD_DUP_IGNORE)
		/* as postmap -w (CDB_PUT_ADD): stored, never found */
		r = cdb_make_add(&b->cm, b->key.data, klen, value, vlen);
	else {
		log_warn("%s:%d: duplicate entry: \"%s\"", b->srcname,
		    lineno, b->key.data);
		return 0;
	}
	if (r < 0)
		return vd_status_errno(st, errno ? errno : EIO, "4.3.0",
		    "write %s", b->tmp);
	return 0;
}

int
dict_cdb_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	struct dict_cdb_build b;
	struct buf cdb_path, tmp, dir;
	struct stat sb;
	const char *base;
	mode_t mode = 0644;
	int fd = -1, ret = -1;
	bool started = false, created = false;

	memset(&b, 0, sizeof(b));
	buf_init(&b.key);
	buf_init(&b.ks.arena);
	buf_init(&cdb_path);
	buf_init(&tmp);
	buf_init(&dir);
	b.srcname = srcname;
	b.flags = flags;
	b.with_nul = (flags & DICT_BUILD_NUL) != 0;
	buf_printf(&cdb_path, "%s.cdb", path);
	buf_printf(&tmp, "%s.tmp.XXXXXX", cdb_path.data);
	b.tmp = tmp.data;
	dict_split_dir(cdb_path.data, &dir, &base);
	if (stat(cdb_path.data, &sb) == 0)
		mode = sb.st_mode & 07777;
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0) {
		vd_status_errno(st, errno, "4.3.0", "create %s", tmp.data);
		goto out;
	}
	created = true;
	if (fchmod(fd, mode) < 0) {
		vd_status_errno(st, errno, "4.3.0", "chmod %s", tmp.data);
		goto out;
	}
	if (cdb_make_start(&b.cm, fd) < 0) {
		vd_status_errno(st, errno ? errno : EIO, "4.3.0", "write %s",
		    tmp.data);
		goto out;
	}
	started = true;
	if (dict_text_read(src, srcname, dict_cdb_put, &b, st) < 0)
		goto out;
	started = false;
	errno = 0;
	if (cdb_make_finish(&b.cm) < 0) {
		vd_status_errno(st, errno ? errno : EIO, "4.3.0", "write %s",
		    tmp.data);
		goto out;
	}
	if (fsync(fd) < 0) {
		vd_status_errno(st, errno, "4.3.0", "fsync %s", tmp.data);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		vd_status_errno(st, errno, "4.3.0", "close %s", tmp.data);
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, cdb_path.data) < 0) {
		vd_status_errno(st, errno, "4.3.0", "rename %s to %s",
		    tmp.data, cdb_path.data);
		goto out;
	}
	created = false;	/* nothing to remove any more */
	if (dict_fsync_path(dir.data, true, st) < 0)
		goto out;
	ret = 0;
out:
	if (started)
		(void)cdb_make_finish(&b.cm);	/* frees its memory */
	if (fd >= 0)
		(void)close(fd);
	if (created && unlink(tmp.data) < 0 && errno != ENOENT)
		log_warn("remove %s: %s", tmp.data, strerror(errno));
	buf_fini(&b.key);
	buf_fini(&b.ks.arena);
	free(b.ks.slots);
	free(b.ks.hashes);
	buf_fini(&cdb_path);
	buf_fini(&tmp);
	buf_fini(&dir);
	return ret;
}
