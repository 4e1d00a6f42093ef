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

/* resolve_try - one key in both query forms; 0 hit, 1 miss, -1 error */
static int
resolve_try(struct maps *m, const char *key, int flags, const char **value_r,
    struct vd_status *st)
{
	struct buf ext;
	enum lk_result r;

	buf_init(&ext);
	address_quote(&ext, key);
	r = maps_find(m, ext.data, flags, value_r, st);
	if (r == LK_NOTFOUND && strcmp(ext.data, key) != 0)
		r = maps_find(m, key, flags, value_r, st);
	buf_fini(&ext);
	return r == LK_FOUND ? 0 : r == LK_NOTFOUND ? 1 : -1;
}

/*
 * resolve_find - mail_addr_find(): full, no extension, @domain.  Returns
 * LK_FOUND with a copy of the value in *value_r (caller frees).
 */
static enum lk_result
resolve_find(const struct vd_config *cfg, struct maps *m, const char *user,
    char **value_r, struct vd_status *st)
{
	struct address_split_opts so = {
		.delimiters = cfg->recipient_delimiter,
		.owner_request_special = cfg->owner_request_special,
		.double_bounce_sender = cfg->double_bounce_sender,
	};
	char *base = NULL, *ext = NULL;
	const char *value = NULL, *at;
	int r;

	r = resolve_try(m, user, 0, &value, st);
	if (r == 1 && address_split_ext(user, &so, &base, &ext))
		r = resolve_try(m, base, MAPS_FIXED_ONLY, &value, st);
	if (r == 1 && (at = strrchr(user, '@')) != NULL && at[1] != 0) {
		enum lk_result lr = maps_find(m, at, MAPS_FIXED_ONLY, &value, st);

		r = lr == LK_FOUND ? 0 : lr == LK_NOTFOUND ? 1 : -1;
	}
	free(base);
	free(ext);
	/* SMTPUTF8: a value that is not UTF-8 is a table error (dict_utf8.c) */
	if (r == 0 && cfg->smtputf8_enable && !utf8_is_ascii(value)
	    && !utf8_is_valid(value, strlen(value))) {
		vd_status_set(st, "4.3.5", "%s: key \"%s\": non-UTF-8 value",
		    m->param, user);
		return LK_ERROR;
	}
	if (r == 0) {
		*value_r = xstrdup(value);
		return LK_FOUND;
	}
	return r == 1 ? LK_NOTFOUND : LK_ERROR;
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
    const char *user, const char *what, unsigned long min,
    unsigned long *id_r, struct vd_status *st)
{
	unsigned long max = (sizeof(uid_t) >= sizeof(unsigned long))
	    ? ULONG_MAX - 1 : (unsigned long)UINT32_MAX - 1;
	enum lk_result r;
	char *value = NULL;
	unsigned long id;

	r = resolve_find(cfg, m, user, &value, st);
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
	r = resolve_find(cfg, maps->mailbox, key, &result, st);
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
	if (resolve_lookup_id(cfg, maps->uid, key, "uid",
		(unsigned long)cfg->virtual_minimum_uid, &uid, st) < 0
	    || resolve_lookup_id(cfg, maps->gid, key, "gid", 1, &gid, st) < 0)
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
