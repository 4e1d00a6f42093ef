/* SPDX-License-Identifier: MIT */
/*
 * resolve - recipient address to mailbox path, uid and gid
 *
 * DESCRIPTION
 *	The search is Postfix's mail_addr_find() with the strategy virtual(8)
 *	uses (REFERENCE.md 1.3): the full address, then the address without
 *	its extension (fixed-key tables only), then "@domain" (fixed-key
 *	tables only).  For the first two, the external (RFC 822 quoted) form
 *	is tried first and the internal form second, when they differ.  The
 *	local-part-only step that Postfix takes for domains in
 *	$mydestination is left out: a virtual mailbox domain must never be
 *	one of those.  The first table error ends the search.
 *
 *	Then the checks of virtual/recipient.c, mailbox.c and maildir.c:
 *	no ".." path component (Postfix only refuses "/../"; a trailing
 *	".." is refused here too), a decimal uid of at least
 *	virtual_minimum_uid, a decimal gid other than 0.  Any of these
 *	defers with 4.3.5, never bounces: the mail is fine, the
 *	configuration is not.
 */
#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "log.h"
#include "resolve.h"
#include "utf8.h"

#define RESOLVE_CONFIG_ERROR "mail system configuration error"

/*
 * resolve_keys - the search keys of mail_addr_find() in lookup order,
 * built once per recipient and walked for each table: the full address
 * external then internal, the address without its extension external
 * then internal (fixed-key tables only), "@domain" (fixed-key tables
 * only).  An internal form equal to its external form is left out.
 */
struct resolve_keys {
	const char *user;		/* the key the texts name */
	struct {
		const char *key;
		int flags;
	} k[5];
	int n;
	struct buf full_q;		/* external form of user */
	struct buf base_q;		/* external form of base */
	char *base;			/* user without its extension */
	char *ext;
};

/* resolve_keys_add - append one key to the search */
static void
resolve_keys_add(struct resolve_keys *ks, const char *key, int flags)
{
	ks->k[ks->n].key = key;
	ks->k[ks->n].flags = flags;
	ks->n++;
}

/* resolve_keys_init - the keys for user (which must outlive ks) */
static void
resolve_keys_init(struct resolve_keys *ks, const struct vd_config *cfg,
    const char *user)
{
	struct address_split_opts so = {
		.delimiters = cfg->recipient_delimiter,
		.owner_request_special = cfg->owner_request_special,
		.double_bounce_sender = cfg->double_bounce_sender,
	};
	const char *at;

	ks->user = user;
	ks->n = 0;
	ks->base = ks->ext = NULL;
	buf_init(&ks->full_q);
	buf_init(&ks->base_q);
	address_quote(&ks->full_q, user);
	resolve_keys_add(ks, ks->full_q.data, 0);
	if (strcmp(ks->full_q.data, user) != 0)
		resolve_keys_add(ks, user, 0);
	if (address_split_ext(user, &so, &ks->base, &ks->ext)) {
		address_quote(&ks->base_q, ks->base);
		resolve_keys_add(ks, ks->base_q.data, MAPS_FIXED_ONLY);
		if (strcmp(ks->base_q.data, ks->base) != 0)
			resolve_keys_add(ks, ks->base, MAPS_FIXED_ONLY);
	}
	if ((at = strrchr(user, '@')) != NULL && at[1] != 0)
		resolve_keys_add(ks, at, MAPS_FIXED_ONLY);
}

/* resolve_keys_fini - release what resolve_keys_init() built */
static void
resolve_keys_fini(struct resolve_keys *ks)
{
	buf_fini(&ks->full_q);
	buf_fini(&ks->base_q);
	free(ks->base);
	free(ks->ext);
}

/*
 * resolve_find - mail_addr_find(): full, no extension, @domain.  Returns
 * LK_FOUND with a copy of the value in *value_r (caller frees).
 */
static enum lk_result
resolve_find(const struct vd_config *cfg, struct maps *m,
    const struct resolve_keys *ks, char **value_r, struct vd_status *st)
{
	const char *value = NULL;
	enum lk_result r = LK_NOTFOUND;
	int i;

	for (i = 0; i < ks->n && r == LK_NOTFOUND; i++)
		r = maps_find(m, ks->k[i].key, ks->k[i].flags, &value, st);
	/* SMTPUTF8: a value that is not UTF-8 is a table error (dict_utf8.c) */
	if (r == LK_FOUND && cfg->smtputf8_enable && !utf8_is_ascii(value)
	    && !utf8_is_valid(value, strlen(value))) {
		vd_status_set(st, "4.3.5", "%s: key \"%s\": non-UTF-8 value",
		    m->param, ks->user);
		return LK_ERROR;
	}
	if (r == LK_FOUND) {
		*value_r = xstrdup(value);
		return LK_FOUND;
	}
	return r == LK_NOTFOUND ? LK_NOTFOUND : LK_ERROR;
}

/* resolve_has_dotdot - the path has a ".." component */
static bool
resolve_has_dotdot(const char *p)
{
	const char *s = p;

	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return true;
		s += n;
		while (*s == '/')
			s++;
	}
	return false;
}

/* resolve_id - parse a uid or gid: decimal digits only, no overflow */
static bool
resolve_id(const char *text, unsigned long max, unsigned long *id_r)
{
	unsigned long v = 0;
	const char *p;

	if (*text == 0)
		return false;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*id_r = v;
	return true;
}

/* resolve_lookup_id - uid or gid from its map list, checked */
static int
resolve_lookup_id(const struct vd_config *cfg, struct maps *m,
    const struct resolve_keys *ks, const char *what, unsigned long min,
    unsigned long *id_r, struct vd_status *st)
{
	const char *user = ks->user;
	unsigned long max = (sizeof(uid_t) >= sizeof(unsigned long))
	    ? ULONG_MAX - 1 : (unsigned long)UINT32_MAX - 1;
	enum lk_result r;
	char *value = NULL;
	unsigned long id;

	r = resolve_find(cfg, m, ks, &value, st);
	if (r == LK_ERROR) {
		log_warn("%s", st->text);
		return vd_status_set(st, "4.3.5", RESOLVE_CONFIG_ERROR
		    " (%s lookup failed for %s)", m->param, user);
	}
	if (r == LK_NOTFOUND) {
		log_warn("recipient %s: not found in %s", user, m->param);
		return vd_status_set(st, "4.3.5", RESOLVE_CONFIG_ERROR
		    " (recipient %s: not found in %s)", user, m->param);
	}
	if (!resolve_id(value, max, &id) || id < min) {
		log_warn("recipient %s: bad %s %s in %s", user, what, value,
		    m->param);
		vd_status_set(st, "4.3.5", RESOLVE_CONFIG_ERROR
		    " (recipient %s: bad %s %.100s in %s)", user, what, value,
		    m->param);
		free(value);
		return -1;
	}
	free(value);
	*id_r = id;
	return 0;
}

int
resolve(const struct vd_config *cfg, const struct resolve_maps *maps,
    const char *rcpt, struct vd_target *t, struct vd_status *st)
{
	char *user = address_fold(rcpt), *key = user, *folded = NULL;
	char *result = NULL;
	struct resolve_keys ks;
	bool have_keys = false;
	unsigned long uid, gid;
	enum lk_result r;
	struct buf path;
	int ret = -1;

	buf_init(&path);
	/*
	 * SMTPUTF8: Postfix folds a non-ASCII key with full Unicode case
	 * folding before every table lookup, and a key that is not UTF-8
	 * cannot be in any table (dict_utf8.c).  Texts keep the ASCII fold.
	 */
	if (cfg->smtputf8_enable && !utf8_is_ascii(user)) {
		if ((folded = utf8_casefold(user)) == NULL) {
			log_warn("recipient %s: non-UTF-8 key: malformed UTF-8 "
			    "or invalid codepoint", user);
			vd_status_set(st, "5.1.1", "unknown user: \"%s\"", user);
			goto out;
		}
		key = folded;
	}
	resolve_keys_init(&ks, cfg, key);
	have_keys = true;
	r = resolve_find(cfg, maps->mailbox, &ks, &result, st);
	if (r == LK_NOTFOUND) {
		vd_status_set(st, "5.1.1", "unknown user: \"%s\"", user);
		goto out;
	}
	if (r == LK_ERROR) {
		log_warn("%s", st->text);
		vd_status_set(st, "4.3.5", RESOLVE_CONFIG_ERROR
		    " (virtual_mailbox_maps lookup failed for %s)", user);
		goto out;
	}
	if (resolve_has_dotdot(result)) {
		log_warn("recipient %s: bad mailbox path %s in "
		    "virtual_mailbox_maps", user, result);
		vd_status_set(st, "4.3.5", RESOLVE_CONFIG_ERROR
		    " (recipient %s: bad mailbox path %.200s in "
		    "virtual_mailbox_maps)", user, result);
		goto out;
	}
	if (resolve_lookup_id(cfg, maps->uid, &ks, "uid",
		(unsigned long)cfg->virtual_minimum_uid, &uid, st) < 0
	    || resolve_lookup_id(cfg, maps->gid, &ks, "gid", 1, &gid, st) < 0)
		goto out;
	buf_puts(&path, cfg->virtual_mailbox_base);
	buf_putc(&path, '/');
	buf_puts(&path, result);
	t->base_len = strlen(cfg->virtual_mailbox_base);
	t->is_maildir = path.data[path.len - 1] == '/';
	t->path = buf_steal(&path);
	t->uid = (uid_t)uid;
	t->gid = (gid_t)gid;
	ret = 0;
out:
	if (have_keys)
		resolve_keys_fini(&ks);
	buf_fini(&path);
	free(result);
	free(folded);
	free(user);
	return ret;
}

void
resolve_fini(struct vd_target *t)
{
	free(t->path);
	t->path = NULL;
}
