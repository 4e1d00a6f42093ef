/* SPDX-License-Identifier: MIT */
/*
 * dict_texthash - "texthash:/path": a postmap(1) source read into memory
 *
 * DESCRIPTION
 *	dict_texthash_open() reads the file once, with the line rules of
 *	dict_text_read() (the same warnings as postmap), into an in-memory
 *	hash table: a lookup costs O(1) and never touches the file again.
 *	Keys are stored as written; with DICT_FLAG_FOLD_FIX they are folded
 *	to lower case at load, as Postfix's dict_ht does (postmap -q).
 *	virtual(8) opens without that flag and queries with a folded key,
 *	so an upper-case key in the file never matches there; the same
 *	holds here.
 *
 *	A duplicate key makes the whole table unusable, as in Postfix when
 *	the table is opened without a duplicate policy: the open fails
 *	with 4.3.5 "FILE:LINE: duplicate entry: "key"" (also log_warn()ed),
 *	and maps_open() turns it into a table whose every lookup defers.
 *	A file that cannot be read fails the open (4.3.5).
 *
 *	changed() is true once the file (by path) differs in device, inode,
 *	size or modification time from the one read at open; the table
 *	itself keeps what it read.
 *
 *	The in-memory table (dict_ht_*) is also what inline: uses.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_text.h"
#include "textline.h"

struct dict_ht_entry {
	char *key;
	char *value;
};

struct dict_ht {
	struct dict dict;
	struct dict_ht_entry *entries;	/* in insertion order */
	size_t n_entries;
	size_t cap_entries;
	size_t *slots;		/* index + 1 into entries; 0 = empty */
	size_t n_slots;		/* a power of two */
	size_t seq_next;	/* sequence() position */
	char *path;		/* texthash: the file, for changed() */
	struct stat sb;
	bool has_sb;
};

/* dict_ht_hash - FNV-1a over the key bytes */
static uint64_t
dict_ht_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

/* dict_ht_slot - the slot holding key, or the empty one where it goes */
static size_t
dict_ht_slot(const struct dict_ht *ht, const char *key)
{
	size_t mask = ht->n_slots - 1;
	size_t i = (size_t)dict_ht_hash(key) & mask;

	while (ht->slots[i] != 0
	    && strcmp(ht->entries[ht->slots[i] - 1].key, key) != 0)
		i = (i + 1) & mask;
	return i;
}

/* dict_ht_grow - double the slot array and re-insert every entry */
static void
dict_ht_grow(struct dict_ht *ht)
{
	size_t i, j;

	free(ht->slots);
	ht->n_slots = ht->n_slots ? ht->n_slots * 2 : 64;
	ht->slots = xcalloc(ht->n_slots, sizeof(*ht->slots));
	for (i = 0; i < ht->n_entries; i++) {
		j = dict_ht_slot(ht, ht->entries[i].key);
		ht->slots[j] = i + 1;
	}
}

int
dict_ht_put(struct dict *d, const char *key, const char *value,
    bool replace)
{
	struct dict_ht *ht = (struct dict_ht *)d;
	struct dict_ht_entry *e;
	size_t i;

	if ((ht->n_entries + 1) * 2 > ht->n_slots)
		dict_ht_grow(ht);
	i = dict_ht_slot(ht, key);
	if (ht->slots[i] != 0) {
		e = &ht->entries[ht->slots[i] - 1];
		if (replace) {
			free(e->value);
			e->value = xstrdup(value);
		}
		return 1;
	}
	if (ht->n_entries == ht->cap_entries) {
		ht->cap_entries = ht->cap_entries ? ht->cap_entries * 2 : 16;
		ht->entries = xrealloc(ht->entries,
		    ht->cap_entries * sizeof(*ht->entries));
	}
	e = &ht->entries[ht->n_entries++];
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	ht->slots[i] = ht->n_entries;
	return 0;
}

/* dict_ht_lookup - one probe sequence */
static enum lk_result
dict_ht_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_ht *ht = (struct dict_ht *)d;
	size_t i;

	(void)st;
	if (ht->n_slots == 0)
		return LK_NOTFOUND;
	i = dict_ht_slot(ht, key);
	if (ht->slots[i] == 0)
		return LK_NOTFOUND;
	*value_r = ht->entries[ht->slots[i] - 1].value;
	return LK_FOUND;
}

/* dict_ht_sequence - entries in the order they were added */
static enum lk_result
dict_ht_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	struct dict_ht *ht = (struct dict_ht *)d;
	struct dict_ht_entry *e;

	(void)st;
	if (first)
		ht->seq_next = 0;
	if (ht->seq_next >= ht->n_entries)
		return LK_NOTFOUND;
	e = &ht->entries[ht->seq_next++];
	*key_r = e->key;
	*value_r = e->value;
	return LK_FOUND;
}

/* dict_ht_close - free every entry and the table */
static void
dict_ht_close(struct dict *d)
{
	struct dict_ht *ht = (struct dict_ht *)d;
	size_t i;

	for (i = 0; i < ht->n_entries; i++) {
		free(ht->entries[i].key);
		free(ht->entries[i].value);
	}
	free(ht->entries);
	free(ht->slots);
	free(ht->path);
	free(ht);
}

struct dict *
dict_ht_new(void)
{
	struct dict_ht *ht = xcalloc(1, sizeof(*ht));

	ht->dict.lookup = dict_ht_lookup;
	ht->dict.sequence = dict_ht_sequence;
	ht->dict.close = dict_ht_close;
	ht->dict.props = 0;
	return &ht->dict;
}

/* dict_texthash_changed - the file by path is not the one read */
static bool
dict_texthash_changed(struct dict *d)
{
	struct dict_ht *ht = (struct dict_ht *)d;

	return ht->has_sb && dict_file_changed(ht->path, &ht->sb);
}

struct dict_texthash_ctx {
	struct dict *d;
	const char *path;
	bool fold;
	struct buf key;
};

/* dict_texthash_add - one line of the file; a duplicate ends the load */
static int
dict_texthash_add(void *ctx, const char *key, const char *value, int lineno,
    struct vd_status *st)
{
	struct dict_texthash_ctx *c = ctx;

	buf_reset(&c->key);
	buf_puts(&c->key, key);
	if (c->fold)
		text_lower(c->key.data);
	if (dict_ht_put(c->d, c->key.data, value, false) > 0) {
		log_warn("%s:%d: duplicate entry: \"%s\"", c->path, lineno,
		    c->key.data);
		return vd_status_set(st, "4.3.5",
		    "texthash:%s: %s:%d: duplicate entry: \"%s\"", c->path,
		    c->path, lineno, c->key.data);
	}
	return 0;
}

struct dict *
dict_texthash_open(const char *name, int flags, struct vd_status *st)
{
	struct dict_texthash_ctx c;
	struct dict_ht *ht;
	FILE *fp = NULL;
	int fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		vd_status_errno(st, errno, "4.3.5", "texthash:%s: open %s",
		    name, name);
		memcpy(st->dsn, "4.3.5", sizeof("4.3.5"));
		return NULL;
	}
	c.d = dict_ht_new();
	c.path = name;
	c.fold = (flags & DICT_FLAG_FOLD_FIX) != 0;
	buf_init(&c.key);
	ht = (struct dict_ht *)c.d;
	ht->path = xstrdup(name);
	if (fstat(fd, &ht->sb) < 0) {
		vd_status_errno(st, errno, "4.3.5", "texthash:%s: fstat",
		    name);
		(void)close(fd);
		goto fail;
	}
	ht->has_sb = true;
	if (!S_ISREG(ht->sb.st_mode)) {
		vd_status_set(st, "4.3.5", "texthash:%s: not a regular file",
		    name);
		(void)close(fd);
		goto fail;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		vd_status_errno(st, errno, "4.3.5", "texthash:%s: fdopen",
		    name);
		(void)close(fd);
		goto fail;
	}
	if (dict_text_read(fp, name, dict_texthash_add, &c, st) < 0)
		goto fail;
	(void)fclose(fp);
	buf_fini(&c.key);
	ht->dict.changed = dict_texthash_changed;
	ht->dict.props = DICT_PROP_FILE;
	return c.d;
fail:
	memcpy(st->dsn, "4.3.5", sizeof("4.3.5"));
	if (fp)
		(void)fclose(fp);
	buf_fini(&c.key);
	dict_ht_close(c.d);
	return NULL;
}
