/* SPDX-License-Identifier: MIT */
/*
 * dict_db - "hash:PATH" and "btree:PATH": Berkeley DB 5.3 files PATH.db
 *
 * DESCRIPTION
 *	dict_hash_open() and dict_btree_open() open PATH.db read-only the
 *	way Postfix's dict_db.c does (REFERENCE.md 4.2): inside a private
 *	environment (DB_INIT_MPOOL | DB_CREATE | DB_PRIVATE, 128 KiB cache)
 *	whose home is the file's directory, so that no DB_CONFIG is read
 *	from the current directory.  Opening reads the meta page only: it
 *	costs the same for 10 or 10 million records.  Berkeley DB prints
 *	its errors to stderr unless told otherwise; here every message goes
 *	through log_warn() (in LMTP mode under spawn(8) stderr is the
 *	client's socket).  A file that is missing, unreadable, corrupt or
 *	of the other type (a btree opened as hash) fails the open with
 *	4.3.5 and the reason; a lookup that fails is LK_ERROR (4.3.5).
 *	Postfix's warning "database PATH.db is older than source file
 *	PATH" is given at open when the source is newer and has not been
 *	touched for 100 seconds.
 *
 *	Lookup: the key with its trailing NUL first, then without; after
 *	the first hit the table sticks to the form it found (Postfix's
 *	TRY1NULL/TRY0NULL).  The value is returned up to its first NUL.
 *	Each lookup holds a shared flock(2) on the file, as Postfix does
 *	with DICT_FLAG_LOCK, so a postmap(1) rebuilding the file in place
 *	(it holds an exclusive lock) is waited for, at most
 *	DICT_DB_LOCK_WAIT seconds, then the lookup fails (4.3.5) rather
 *	than hang.  vmap never rebuilds in place: it renames a new file
 *	over the old one, so readers never wait for it.
 *
 *	changed() is true when PATH.db is not the file opened any more
 *	(renamed over, removed) or was modified (size, mtime).
 *	sequence() walks a cursor (vmap -s).
 *
 *	dict_hash_build() and dict_btree_build() write PATH.db from
 *	postmap(1) source text: lines as dict_text_read(); keys folded to
 *	lower case unless DICT_BUILD_NO_FOLD; key and value stored with
 *	their trailing NUL (as postmap on Linux) unless DICT_BUILD_NO_NUL;
 *	a duplicate key keeps the first value with the warning
 *	"SRC:LINE: duplicate entry: "key"" (DICT_BUILD_DUP_REPLACE: the
 *	last wins; DICT_BUILD_DUP_IGNORE: no warning).  The records go to a
 *	new file PATH.db.tmp.XXXXXX in the same directory (created
 *	exclusively, with the mode of the old file or 0644), through a
 *	16 MiB cache (Postfix's berkeley_db_create_buffer_size); the file
 *	is closed, fsync()ed, renamed over PATH.db, and the directory is
 *	fsync()ed.  On any error the temporary file is removed and the old
 *	table is left as it was.
 *
 * SEE ALSO
 *	Postfix util/dict_db.c, postmap/postmap.c; REFERENCE.md 4.2, 9.1
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "buf.h"
#include "log.h"
#include "lookup/dict_impl.h"
#include "lookup/dict_text.h"
#include "textline.h"

#define DICT_DB_READ_CACHE (128 * 1024)
#define DICT_DB_BUILD_CACHE (16 * 1024 * 1024)	/* as Postfix */
#define DICT_DB_BIG_CACHE (64 * 1024 * 1024)	/* for sources over 4 MiB */
#define DICT_DB_BIG_SOURCE (4 * 1024 * 1024)
#define DICT_DB_NELM 4096
#define DICT_DB_LOCK_WAIT 60	/* seconds */
#define DICT_DB_VALUE_MAX (16 * 1024 * 1024)	/* larger: a damaged file */
#define DICT_DB_TRY_NUL 0x01	/* key with its trailing NUL */
#define DICT_DB_TRY_NO_NUL 0x02	/* key without */

struct dict_db {
	struct dict dict;
	DB_ENV *env;
	DB *db;
	DBC *cursor;
	int fd;			/* Berkeley DB's own; for flock and fstat */
	int try;		/* DICT_DB_TRY_* */
	bool is_broken;		/* a fault in Berkeley DB: handles abandoned */
	char *path;		/* PATH.db; also the error prefix */
	struct stat sb;
	struct buf key;		/* sequence(): the key, NUL-terminated */
	struct buf value;	/* the last value, NUL-terminated */
};

/* dict_db_errcall - Berkeley DB's messages go to the log, never stderr */
static void
dict_db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	log_warn("%s: %s", pfx ? pfx : "berkeley db", msg);
}

/* dict_db_msgcall - informational messages, same place */
static void
dict_db_msgcall(const DB_ENV *env, const char *msg)
{
	dict_db_errcall(env, NULL, msg);
}

/* dict_db_check_version - the library is the one we were compiled with */
static int
dict_db_check_version(struct vd_status *st)
{
	int major, minor, patch;

	(void)db_version(&major, &minor, &patch);
	if (major != DB_VERSION_MAJOR || minor != DB_VERSION_MINOR)
		return vd_status_set(st, "4.3.5", "incorrect version of "
		    "Berkeley DB: compiled against %d.%d.%d, run-time linked "
		    "against %d.%d.%d", DB_VERSION_MAJOR, DB_VERSION_MINOR,
		    DB_VERSION_PATCH, major, minor, patch);
	return 0;
}

/*
 * dict_db_env - a private environment in dir with the given cache;
 * messages prefixed with pfx (borrowed for the environment's life)
 */
static int
dict_db_env(const char *dir, const char *pfx, u_int32_t cache,
    DB_ENV **env_r, struct vd_status *st)
{
	DB_ENV *env = NULL;
	int err;

	if ((err = db_env_create(&env, 0)) != 0)
		return vd_status_set(st, "4.3.5", "%s: create environment: %s",
		    pfx, db_strerror(err));
	env->set_errcall(env, dict_db_errcall);
	env->set_errpfx(env, pfx);
	env->set_msgcall(env, dict_db_msgcall);
	if ((err = env->set_cachesize(env, 0, cache, 0)) != 0
	    || (err = env->open(env, dir,
		    DB_INIT_MPOOL | DB_CREATE | DB_PRIVATE, 0)) != 0) {
		(void)env->close(env, 0);
		return vd_status_set(st, "4.3.5", "%s: open environment %s: %s",
		    pfx, dir, db_strerror(err));
	}
	*env_r = env;
	return 0;
}

/* dict_db_lock - flock(op) with a bounded wait; 0 or -1 with st */
static int
dict_db_lock(struct dict_db *t, int op, struct vd_status *st)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	long waited = 0;

	for (;;) {
		if (flock(t->fd, op | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			break;
		if (waited >= DICT_DB_LOCK_WAIT * 100L) {
			errno = EWOULDBLOCK;
			break;
		}
		(void)nanosleep(&nap, NULL);
		waited++;
	}
	vd_status_errno(st, errno, "4.3.5", "%s: %s database", t->path,
	    op == LOCK_UN ? "unlock" : "shared-lock");
	memcpy(st->dsn, "4.3.5", sizeof("4.3.5"));
	return -1;
}

/* dict_db_unlock - release the shared lock; a failure is only logged */
static void
dict_db_unlock(struct dict_db *t)
{
	if (flock(t->fd, LOCK_UN) < 0)
		log_warn("%s: unlock database: %s", t->path, strerror(errno));
}

/*
 * The fault guard.  Berkeley DB trusts the pages it reads: a file with
 * damaged pages (bit flips, not just truncation) can make it read
 * through a wild pointer, or go round a cycle of page links for ever.
 * Every call into it on a table file runs with SIGSEGV and SIGBUS
 * caught and with a CPU-time limit (ITIMER_VIRTUAL, 10 seconds unless
 * dict_db_set_cpu_limit() says otherwise: far above what one call
 * needs); a fault or the limit jumps back to the caller, the table is
 * marked broken (its handles are abandoned, never touched again: a
 * small leak), and this lookup and every later one fail with 4.3.5
 * instead of the process dying or hanging.  The handlers and the timer
 * are in place only during the call; the previous ones are put back
 * after it.
 */
static unsigned dict_db_cpu_limit = 10;	/* seconds */
static sigjmp_buf *volatile dict_db_jmp;

void
dict_db_set_cpu_limit(unsigned seconds)
{
	dict_db_cpu_limit = seconds ? seconds : 1;
}

/* dict_db_fault - jump back to the guarded caller */
static void
dict_db_fault(int sig)
{
	if (dict_db_jmp != NULL)
		siglongjmp(*dict_db_jmp, sig);
	(void)signal(sig, SIG_DFL);	/* not ours: die as we would have */
	if (sig == SIGVTALRM)
		(void)raise(sig);
}

struct dict_db_guard {
	struct sigaction old_segv;
	struct sigaction old_bus;
	struct sigaction old_vtalrm;
	struct itimerval old_timer;
};

/* dict_db_guard_on - catch faults and endless loops, jumping to jb */
static void
dict_db_guard_on(struct dict_db_guard *g, sigjmp_buf *jb)
{
	struct itimerval limit;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dict_db_fault;
	sa.sa_flags = SA_NODEFER;
	(void)sigemptyset(&sa.sa_mask);
	dict_db_jmp = jb;
	(void)sigaction(SIGSEGV, &sa, &g->old_segv);
	(void)sigaction(SIGBUS, &sa, &g->old_bus);
	(void)sigaction(SIGVTALRM, &sa, &g->old_vtalrm);
	memset(&limit, 0, sizeof(limit));
	limit.it_value.tv_sec = (time_t)dict_db_cpu_limit;
	(void)setitimer(ITIMER_VIRTUAL, &limit, &g->old_timer);
}

/* dict_db_guard_off - the previous handlers and timer again */
static void
dict_db_guard_off(struct dict_db_guard *g)
{
	(void)setitimer(ITIMER_VIRTUAL, &g->old_timer, NULL);
	(void)sigaction(SIGVTALRM, &g->old_vtalrm, NULL);
	(void)sigaction(SIGSEGV, &g->old_segv, NULL);
	(void)sigaction(SIGBUS, &g->old_bus, NULL);
	dict_db_jmp = NULL;
}

/* dict_db_broken - after a fault: abandon the handles, fail from now on */
static void
dict_db_broken(struct dict_db *t, int sig, struct vd_status *st)
{
	if (t->fd >= 0)
		(void)flock(t->fd, LOCK_UN);
	if (!t->is_broken)
		log_warn("%s: corrupt database file: %s in Berkeley DB; the "
		    "table is unusable until it is rebuilt", t->path,
		    sig == SIGBUS ? "bus error" : sig == SIGVTALRM
			? "endless loop" : "invalid memory access");
	t->is_broken = true;
	t->cursor = NULL;
	t->db = NULL;
	t->env = NULL;
	t->fd = -1;
	vd_status_set(st, "4.3.5", "%s:%s: lookup error: corrupt database "
	    "file %s", t->dict.type ? t->dict.type : "db",
	    t->dict.name ? t->dict.name : t->path, t->path);
}

/* dict_db_lookup_raw - with NUL, then without, as the file has them */
static enum lk_result
dict_db_lookup_raw(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_db *t = (struct dict_db *)d;
	size_t len = strlen(key);
	enum lk_result r = LK_NOTFOUND;
	DBT k, v;
	int err, i;
	static const int forms[] = { DICT_DB_TRY_NUL, DICT_DB_TRY_NO_NUL };

	if (dict_db_lock(t, LOCK_SH, st) < 0)
		return LK_ERROR;
	for (i = 0; i < 2 && r == LK_NOTFOUND; i++) {
		if (!(t->try & forms[i]))
			continue;
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = (void *)key;
		k.size = (u_int32_t)len + (forms[i] == DICT_DB_TRY_NUL);
		err = t->db->get(t->db, NULL, &k, &v, 0);
		if (err == 0 && v.size > DICT_DB_VALUE_MAX) {
			vd_status_set(st, "4.3.5", "%s:%s: lookup error: "
			    "corrupt database file (a value of %lu bytes)",
			    d->type, d->name, (unsigned long)v.size);
			r = LK_ERROR;
		} else if (err == 0) {
			t->try = forms[i];
			*value_r = dict_set_value(&t->value, v.data, v.size);
			r = LK_FOUND;
		} else if (err != DB_NOTFOUND) {
			vd_status_set(st, "4.3.5", "%s:%s: lookup error: %s",
			    d->type, d->name, db_strerror(err));
			r = LK_ERROR;
		}
	}
	dict_db_unlock(t);
	return r;
}

/* dict_db_sequence_raw - the next record of a cursor walk */
static enum lk_result
dict_db_sequence_raw(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	struct dict_db *t = (struct dict_db *)d;
	enum lk_result r = LK_ERROR;
	DBT k, v;
	int err;

	if (dict_db_lock(t, LOCK_SH, st) < 0)
		return LK_ERROR;
	if (first && t->cursor) {
		(void)t->cursor->close(t->cursor);
		t->cursor = NULL;
	}
	if (t->cursor == NULL) {
		if (!first) {
			r = LK_NOTFOUND;
			goto out;
		}
		if ((err = t->db->cursor(t->db, NULL, &t->cursor, 0)) != 0) {
			t->cursor = NULL;
			vd_status_set(st, "4.3.5", "%s:%s: cursor: %s", d->type,
			    d->name, db_strerror(err));
			goto out;
		}
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	err = t->cursor->get(t->cursor, &k, &v, first ? DB_FIRST : DB_NEXT);
	if (err == 0 && (k.size > DICT_DB_VALUE_MAX || v.size > DICT_DB_VALUE_MAX))
		err = EINVAL;
	if (err == 0) {
		*key_r = dict_set_value(&t->key, k.data, k.size);
		*value_r = dict_set_value(&t->value, v.data, v.size);
		r = LK_FOUND;
		goto out;
	}
	(void)t->cursor->close(t->cursor);
	t->cursor = NULL;
	if (err == DB_NOTFOUND)
		r = LK_NOTFOUND;
	else
		vd_status_set(st, "4.3.5", "%s:%s: sequence: %s", d->type,
		    d->name, db_strerror(err));
out:
	dict_db_unlock(t);
	return r;
}

/* dict_db_lookup - dict_db_lookup_raw() under the fault guard */
static enum lk_result
dict_db_lookup(struct dict *d, const char *key, const char **value_r,
    struct vd_status *st)
{
	struct dict_db *t = (struct dict_db *)d;
	struct dict_db_guard g;
	sigjmp_buf jb;
	enum lk_result r;
	int sig;

	if (t->is_broken) {
		dict_db_broken(t, 0, st);
		return LK_ERROR;
	}
	if ((sig = sigsetjmp(jb, 1)) != 0) {
		dict_db_guard_off(&g);
		dict_db_broken(t, sig, st);
		return LK_ERROR;
	}
	dict_db_guard_on(&g, &jb);
	r = dict_db_lookup_raw(d, key, value_r, st);
	dict_db_guard_off(&g);
	return r;
}

/* dict_db_sequence - dict_db_sequence_raw() under the fault guard */
static enum lk_result
dict_db_sequence(struct dict *d, bool first, const char **key_r,
    const char **value_r, struct vd_status *st)
{
	struct dict_db *t = (struct dict_db *)d;
	struct dict_db_guard g;
	sigjmp_buf jb;
	enum lk_result r;
	int sig;

	if (t->is_broken) {
		dict_db_broken(t, 0, st);
		return LK_ERROR;
	}
	if ((sig = sigsetjmp(jb, 1)) != 0) {
		dict_db_guard_off(&g);
		dict_db_broken(t, sig, st);
		return LK_ERROR;
	}
	dict_db_guard_on(&g, &jb);
	r = dict_db_sequence_raw(d, first, key_r, value_r, st);
	dict_db_guard_off(&g);
	return r;
}

/* dict_db_changed - PATH.db is not the file we opened, or was modified */
static bool
dict_db_changed(struct dict *d)
{
	struct dict_db *t = (struct dict_db *)d;

	return dict_file_changed(t->path, &t->sb);
}

/* dict_db_close - close cursor, database, environment; free */
static void
dict_db_close(struct dict *d)
{
	struct dict_db *t = (struct dict_db *)d;
	struct dict_db_guard g;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1) == 0) {
		dict_db_guard_on(&g, &jb);
		if (t->cursor)
			(void)t->cursor->close(t->cursor);
		if (t->db)
			(void)t->db->close(t->db, 0);
		if (t->env)
			(void)t->env->close(t->env, 0);
	}
	dict_db_guard_off(&g);
	buf_fini(&t->key);
	buf_fini(&t->value);
	free(t->path);
	free(t);
}

/* dict_db_open - open PATH.db of the given type */
static struct dict *
dict_db_open(const char *type, DBTYPE dbtype, const char *name, int flags,
    struct vd_status *st)
{
	struct dict_db *t = xcalloc(1, sizeof(*t));
	struct dict_db_guard g;
	sigjmp_buf jb;
	struct buf dir;
	const char *base;
	int err, fd, sig;

	(void)flags;
	buf_init(&dir);
	buf_init(&t->key);
	buf_init(&t->value);
	t->fd = -1;
	t->try = DICT_DB_TRY_NUL | DICT_DB_TRY_NO_NUL;
	t->path = dict_file_path(name, ".db");
	if (dict_db_check_version(st) < 0)
		goto fail;
	/* the usual reasons first, with the usual words */
	if ((fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		vd_status_errno(st, errno, "4.3.5",
		    "%s:%s: open database %s", type, name, t->path);
		goto fail;
	}
	(void)close(fd);
	dict_split_dir(t->path, &dir, &base);
	if (dict_db_env(dir.data, t->path, DICT_DB_READ_CACHE, &t->env, st)
	    < 0)
		goto fail;
	if ((err = db_create(&t->db, t->env, 0)) != 0) {
		t->db = NULL;
		vd_status_set(st, "4.3.5", "%s:%s: create: %s", type, name,
		    db_strerror(err));
		goto fail;
	}
	t->db->set_errcall(t->db, dict_db_errcall);
	t->db->set_errpfx(t->db, t->path);
	t->db->set_msgcall(t->db, dict_db_msgcall);
	if ((sig = sigsetjmp(jb, 1)) != 0) {
		dict_db_guard_off(&g);
		dict_db_broken(t, sig, st);
		vd_status_set(st, "4.3.5", "%s:%s: open database %s: corrupt "
		    "database file", type, name, t->path);
		goto fail;
	}
	dict_db_guard_on(&g, &jb);
	err = t->db->open(t->db, NULL, base, NULL, dbtype, DB_RDONLY, 0644);
	dict_db_guard_off(&g);
	if (err != 0) {
		vd_status_set(st, "4.3.5", "%s:%s: open database %s: %s", type,
		    name, t->path, err == EINVAL ? "unexpected file type or "
		    "format" : db_strerror(err));
		goto fail;
	}
	if ((err = t->db->fd(t->db, &t->fd)) != 0 || fstat(t->fd, &t->sb) < 0) {
		vd_status_set(st, "4.3.5", "%s:%s: open database %s: %s", type,
		    name, t->path, err ? db_strerror(err) : strerror(errno));
		goto fail;
	}
	dict_warn_stale(t->path, name, t->sb.st_mtime);
	buf_fini(&dir);
	t->dict.lookup = dict_db_lookup;
	t->dict.sequence = dict_db_sequence;
	t->dict.changed = dict_db_changed;
	t->dict.close = dict_db_close;
	t->dict.props = DICT_PROP_FILE;
	return &t->dict;
fail:
	buf_fini(&dir);
	dict_db_close(&t->dict);
	return NULL;
}

struct dict *
dict_hash_open(const char *name, int flags, struct vd_status *st)
{
	return dict_db_open("hash", DB_HASH, name, flags, st);
}

struct dict *
dict_btree_open(const char *name, int flags, struct vd_status *st)
{
	return dict_db_open("btree", DB_BTREE, name, flags, st);
}

/*
 * Building.
 */
struct dict_db_build {
	DB *db;
	const char *srcname;
	int flags;
	bool with_nul;
	struct buf key;
};

/* dict_db_put - one source line into the new file */
static int
dict_db_put(void *ctx, const char *key, const char *value, int lineno,
    struct vd_status *st)
{
	struct dict_db_build *b = ctx;
	DBT k, v;
	int err;

	buf_reset(&b->key);
	buf_puts(&b->key, key);
	if (!(b->flags & DICT_BUILD_NO_FOLD))
		text_lower(b->key.data);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = b->key.data;
	k.size = (u_int32_t)b->key.len + b->with_nul;
	v.data = (void *)value;
	v.size = (u_int32_t)strlen(value) + b->with_nul;
	err = b->db->put(b->db, NULL, &k, &v,
	    (b->flags & DICT_BUILD_DUP_REPLACE) ? 0 : DB_NOOVERWRITE);
	if (err == DB_KEYEXIST) {
		if (!(b->flags & DICT_BUILD_DUP_IGNORE))
			log_warn("%s:%d: duplicate entry: \"%s\"", b->srcname,
			    lineno, b->key.data);
		return 0;
	}
	if (err != 0)
		return vd_status_set(st, "4.3.0", "%s:%d: write: %s",
		    b->srcname, lineno, db_strerror(err));
	return 0;
}

/*
 * dict_db_temp_name - PATH.db.tmp.XXXXXX with a fresh suffix; Berkeley
 * DB creates it (DB_EXCL), so a name that exists is never reused
 */
static void
dict_db_temp_name(struct buf *tmp, const char *db_path, unsigned n)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec ts;
	uint64_t x;
	int i;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_nsec << 20) ^ ((uint64_t)getpid() << 8) ^ n
	    ^ (uint64_t)ts.tv_sec;
	buf_reset(tmp);
	buf_printf(tmp, "%s.tmp.", db_path);
	for (i = 0; i < 6; i++) {
		buf_putc(tmp, digits[x % 36]);
		x /= 36;
	}
}

/*
 * dict_db_count_lines - the number of lines in a seekable source, so
 * that a hash file starts with as many buckets as it will need (no
 * bucket splits while building), and a cache for its size: 16 MiB as
 * Postfix, 64 MiB for sources over 4 MiB (a million records: twice as
 * fast as postmap).  Lines are counted for hash only (count).  The
 * defaults when src is not a regular file.  -1 with st when the source
 * cannot be rewound after counting.
 */
static int
dict_db_count_lines(FILE *src, const char *srcname, bool count,
    u_int32_t *nelem_r, u_int32_t *cache_r, struct vd_status *st)
{
	char chunk[65536];
	struct stat sb;
	off_t start;
	size_t n, lines = 0;
	char *p, *end;

	*nelem_r = DICT_DB_NELM;
	*cache_r = DICT_DB_BUILD_CACHE;
	if (fstat(fileno(src), &sb) < 0 || !S_ISREG(sb.st_mode)
	    || (start = ftello(src)) < 0)
		return 0;
	if (sb.st_size > DICT_DB_BIG_SOURCE)
		*cache_r = DICT_DB_BIG_CACHE;
	if (!count)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), src)) > 0)
		for (p = chunk, end = chunk + n;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
	clearerr(src);
	if (fseeko(src, start, SEEK_SET) < 0)
		return vd_status_errno(st, errno, "4.3.0", "%s: rewind",
		    srcname);
	if (lines > DICT_DB_NELM)
		*nelem_r = lines > UINT32_MAX ? UINT32_MAX : (u_int32_t)lines;
	return 0;
}

/* dict_db_build - write PATH.db of the given type from src */
static int
dict_db_build(const char *type, DBTYPE dbtype, const char *name, FILE *src,
    const char *srcname, int flags, struct vd_status *st)
{
	struct dict_db_build b;
	struct buf db_path, tmp, dir;
	DB_ENV *env = NULL;
	struct stat sb;
	const char *base, *tbase;
	mode_t mode = 0644;
	u_int32_t nelem, cache;
	int err, fd, ret = -1;
	unsigned n;
	bool created = false;

	memset(&b, 0, sizeof(b));
	buf_init(&b.key);
	buf_init(&db_path);
	buf_init(&tmp);
	buf_init(&dir);
	b.srcname = srcname;
	b.flags = flags;
	b.with_nul = !(flags & DICT_BUILD_NO_NUL);
	buf_printf(&db_path, "%s.db", name);
	if (dict_db_check_version(st) < 0)
		goto out;
	if (stat(db_path.data, &sb) == 0)
		mode = sb.st_mode & 07777;
	if (dict_db_count_lines(src, srcname, dbtype == DB_HASH, &nelem,
		&cache, st) < 0)
		goto out;
	dict_split_dir(db_path.data, &dir, &base);
	if (dict_db_env(dir.data, db_path.data, cache, &env, st)
	    < 0)
		goto out;
	for (n = 0;; n++) {
		if ((err = db_create(&b.db, env, 0)) != 0) {
			b.db = NULL;
			vd_status_set(st, "4.3.0", "%s:%s: create: %s", type,
			    name, db_strerror(err));
			goto out;
		}
		b.db->set_errcall(b.db, dict_db_errcall);
		b.db->set_errpfx(b.db, db_path.data);
		b.db->set_msgcall(b.db, dict_db_msgcall);
		if (dbtype == DB_HASH
		    && (err = b.db->set_h_nelem(b.db, nelem)) != 0) {
			vd_status_set(st, "4.3.0", "%s: set_h_nelem: %s",
			    db_path.data, db_strerror(err));
			goto out;
		}
		dict_db_temp_name(&tmp, db_path.data, n);
		tbase = tmp.data + (base - db_path.data);
		err = b.db->open(b.db, NULL, tbase, NULL, dbtype,
		    DB_CREATE | DB_EXCL, 0600);
		if (err == 0)
			break;
		(void)b.db->close(b.db, 0);
		b.db = NULL;
		if (err != EEXIST || n >= 100) {
			vd_status_errno(st, err > 0 ? err : EIO, "4.3.0",
			    "%s:%s: create %s", type, name, tmp.data);
			goto out;
		}
	}
	created = true;
	if ((err = b.db->fd(b.db, &fd)) != 0) {
		vd_status_set(st, "4.3.0", "%s: %s", tmp.data,
		    db_strerror(err));
		goto out;
	}
	if (fchmod(fd, mode) < 0) {
		vd_status_errno(st, errno, "4.3.0", "chmod %s", tmp.data);
		goto out;
	}
	if (dict_text_read(src, srcname, dict_db_put, &b, st) < 0)
		goto out;
	err = b.db->close(b.db, 0);
	b.db = NULL;
	if (err != 0) {
		vd_status_set(st, "4.3.0", "close %s: %s", tmp.data,
		    db_strerror(err));
		goto out;
	}
	/* before the rename: the pool would flush by the old name */
	err = env->close(env, 0);
	env = NULL;
	if (err != 0) {
		vd_status_set(st, "4.3.0", "close %s: %s", tmp.data,
		    db_strerror(err));
		goto out;
	}
	if (dict_fsync_path(tmp.data, false, st) < 0)
		goto out;
	if (rename(tmp.data, db_path.data) < 0) {
		vd_status_errno(st, errno, "4.3.0", "rename %s to %s",
		    tmp.data, db_path.data);
		goto out;
	}
	created = false;
	if (dict_fsync_path(dir.data, true, st) < 0)
		goto out;
	ret = 0;
out:
	if (b.db)
		(void)b.db->close(b.db, 0);
	if (created && unlink(tmp.data) < 0 && errno != ENOENT)
		log_warn("remove %s: %s", tmp.data, strerror(errno));
	if (env)
		(void)env->close(env, 0);
	buf_fini(&b.key);
	buf_fini(&db_path);
	buf_fini(&tmp);
	buf_fini(&dir);
	return ret;
}

int
dict_hash_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	return dict_db_build("hash", DB_HASH, path, src, srcname, flags, st);
}

int
dict_btree_build(const char *path, FILE *src, const char *srcname, int flags,
    struct vd_status *st)
{
	return dict_db_build("btree", DB_BTREE, path, src, srcname, flags, st);
}
