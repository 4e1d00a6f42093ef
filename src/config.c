/* SPDX-License-Identifier: MIT */
/*
 * config - main.cf reader: Postfix syntax, defaults, typed parameters
 *
 * DESCRIPTION
 *	config_load() reads every logical line of the file into a store of
 *	raw "name = value" pairs (the last definition wins), adds the -o
 *	overrides on top, and then fills struct vd_config from cf_defs[],
 *	the one table of parameters with their Postfix defaults, types and
 *	bounds.  Only the parameters in that table are expanded and
 *	checked at load; any other parameter is expanded when someone asks
 *	for it (config_get), so a broken line vdeliver never uses does not
 *	stop delivery.
 *
 *	Expansion follows Postfix's mac_expand() as observed with Postfix
 *	3.7's postconf: $name ${name} $(name), $$, ${name?text}
 *	${name:text} ${name?{t}:{f}}, and ${{a} OP {b} ? {t} : {f}} with
 *	== != < <= > >= (numeric when both sides are all digits; with a
 *	"level" suffix, compatibility levels such as 3.6).  The ?/: tests
 *	look at the raw value, as Postfix does: "x = $empty" counts as
 *	set.  Each parameter is expanded at most once (the result is
 *	cached); one that is being expanded and is met again is a loop.
 *
 *	Errors are one line, status 4.3.5, prefixed with the place of the
 *	parameter whose text is at fault: "FILE:LINE: parameter NAME: ",
 *	"-o NAME: " or "parameter NAME (default): ".  Nothing here writes
 *	to stdout or stderr.
 *
 * SEE ALSO
 *	config.h, textline.h, REFERENCE.md section 5, postconf(5)
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "deliver/deliver.h"
#include "textline.h"

#define CF_DSN "4.3.5"
#define CF_WS " \t\r\n"
#define CF_QUOTE_MAX 60		/* bytes of a value quoted in a message */

enum cf_origin {
	CF_ORIGIN_DEFAULT,
	CF_ORIGIN_FILE,
	CF_ORIGIN_OVERRIDE,
};

enum cf_state {
	CF_RAW,			/* not expanded yet */
	CF_BUSY,		/* being expanded: meeting it again is a loop */
	CF_DONE,		/* value holds the expansion */
	CF_FAILED,		/* err holds the reason */
};

struct cf_param {
	struct cf_param *next;	/* hash chain */
	char *name;
	char *raw;		/* as written (defaults: as in Postfix) */
	char *value;		/* expanded, when CF_DONE */
	char *err;		/* status text, when CF_FAILED */
	int line;		/* CF_ORIGIN_FILE */
	enum cf_origin origin;
	enum cf_state state;
};

struct cf_store {
	struct cf_param **bucket;
	size_t n_bucket;
	size_t n_param;
	char *file;		/* for messages; NULL without a file */
	char *dir;		/* config_directory */
};

/* One expansion: the stack of parameters being expanded, for loops. */
struct cf_ctx {
	struct cf_store *s;
	struct cf_param *cur;	/* whose text is being parsed; NULL at top */
	struct cf_param *stack[CONFIG_DEPTH_MAX + 2];
	int n_stack;
	int depth;
	struct vd_status *st;
};

enum cf_type {
	CF_T_NONE,		/* a default only, not a struct field */
	CF_T_STR,
	CF_T_BOOL,
	CF_T_INT,
	CF_T_LONG,
	CF_T_SIZE,
	CF_T_TIME,
};

enum cf_dyn {
	CF_DYN_NONE,
	CF_DYN_MYHOSTNAME,	/* gethostname(), made fully qualified */
	CF_DYN_MYDOMAIN,	/* $myhostname after the first dot */
	CF_DYN_CONFIG_DIR,	/* the directory of the file read */
};

struct cf_def {
	const char *name;
	const char *def;
	enum cf_type type;
	long offset;		/* in struct vd_config; -1: none */
	long long min, max;
	char unit;		/* CF_T_TIME: the default unit */
	enum cf_dyn dyn;
};

#define CF_OFF(f) ((long)offsetof(struct vd_config, f))
#define CF_STR(f, d) { #f, d, CF_T_STR, CF_OFF(f), 0, 0, 0, CF_DYN_NONE }
#define CF_BOOL(f, d) { #f, d, CF_T_BOOL, CF_OFF(f), 0, 0, 0, CF_DYN_NONE }
#define CF_INT(f, d, lo, hi) { #f, d, CF_T_INT, CF_OFF(f), lo, hi, 0, CF_DYN_NONE }
#define CF_LONG(f, d, lo, hi) { #f, d, CF_T_LONG, CF_OFF(f), lo, hi, 0, CF_DYN_NONE }
#define CF_SIZE(f, d) { #f, d, CF_T_SIZE, CF_OFF(f), 0, LLONG_MAX, 0, CF_DYN_NONE }
#define CF_TIME(f, d, u, lo) { #f, d, CF_T_TIME, CF_OFF(f), lo, INT_MAX, u, CF_DYN_NONE }
#define CF_DYN(f, t, o, k) { f, "", t, o, 0, 0, 0, k }
#define CF_OTHER(n, d) { n, d, CF_T_NONE, -1, 0, 0, 0, CF_DYN_NONE }

/*
 * The parameters.  Typed rows are read into struct vd_config at load,
 * in this order; CF_OTHER rows are Postfix 3.7 defaults that a live
 * main.cf is likely to refer to ($myorigin, $queue_directory ...).
 */
static const struct cf_def cf_defs[] = {
	CF_STR(virtual_mailbox_base, ""),
	CF_STR(virtual_mailbox_maps, ""),
	CF_STR(virtual_uid_maps, ""),
	CF_STR(virtual_gid_maps, ""),
	CF_LONG(virtual_minimum_uid, "100", 1, LONG_MAX),
	CF_SIZE(virtual_mailbox_limit, "51200000"),
	CF_SIZE(message_size_limit, "10240000"),
	CF_STR(virtual_mailbox_lock, "fcntl, dotlock"),
	CF_INT(deliver_lock_attempts, "20", 1, INT_MAX),
	CF_TIME(deliver_lock_delay, "1s", 's', 1),
	CF_TIME(stale_lock_time, "500s", 's', 1),
	CF_STR(recipient_delimiter, ""),
	CF_BOOL(owner_request_special, "yes"),
	CF_STR(double_bounce_sender, "double-bounce"),
	CF_BOOL(enable_original_recipient, "yes"),
	CF_BOOL(strict_mailbox_ownership, "yes"),
	CF_STR(syslog_name, "${multi_instance_name?{$multi_instance_name}:{postfix}}"),
	CF_STR(syslog_facility, "mail"),
	CF_STR(maillog_file, ""),
	CF_DYN("myhostname", CF_T_STR, CF_OFF(myhostname), CF_DYN_MYHOSTNAME),
	CF_STR(default_database_type, "hash"),
	CF_BOOL(vdeliver_maildir_size_in_name, "no"),
	CF_INT(vdeliver_lmtp_process_limit, "100", 1, INT_MAX),
	CF_INT(vdeliver_lmtp_recipient_limit, "1000", 1, INT_MAX),
	CF_TIME(vdeliver_lmtp_timeout, "300s", 's', 1),
	CF_INT(vdeliver_lmtp_error_limit, "20", 1, INT_MAX),
	CF_BOOL(vdeliver_regexp_substitution, "no"),
	CF_BOOL(vdeliver_loop_detection, "no"),
	CF_BOOL(smtputf8_enable,
	    "${{$compatibility_level} <level {1} ? {no} : {yes}}"),
	CF_SIZE(vdeliver_lmtp_message_size_limit, "0"),
	CF_INT(vdeliver_lmtp_line_length_limit, "4096", 512, 1024 * 1024),
	CF_BOOL(vdeliver_lmtp_dsn, "yes"),
	CF_DYN("mydomain", CF_T_NONE, -1, CF_DYN_MYDOMAIN),
	CF_DYN("config_directory", CF_T_NONE, -1, CF_DYN_CONFIG_DIR),
	CF_OTHER("myorigin", "$myhostname"),
	CF_OTHER("mydestination", "$myhostname, localhost.$mydomain, localhost"),
	CF_OTHER("compatibility_level", "0"),
	CF_OTHER("multi_instance_name", ""),
	CF_OTHER("multi_instance_group", ""),
	CF_OTHER("multi_instance_enable", "no"),
	CF_OTHER("mail_owner", "postfix"),
	CF_OTHER("setgid_group", "postdrop"),
	CF_OTHER("default_privs", "nobody"),
	CF_OTHER("mail_name", "Postfix"),
	CF_OTHER("queue_directory", "/var/spool/postfix"),
	CF_OTHER("command_directory", "/usr/sbin"),
	CF_OTHER("daemon_directory", "/usr/lib/postfix/sbin"),
	CF_OTHER("data_directory", "/var/lib/postfix"),
	CF_OTHER("meta_directory", "/etc/postfix"),
	CF_OTHER("shlib_directory", "/usr/lib/postfix"),
	CF_OTHER("sample_directory", "/etc/postfix"),
	CF_OTHER("manpage_directory", "/usr/share/man"),
	CF_OTHER("readme_directory", "/usr/share/doc/postfix"),
	CF_OTHER("html_directory", "/usr/share/doc/postfix/html"),
	CF_OTHER("sendmail_path", "/usr/sbin/sendmail"),
	CF_OTHER("newaliases_path", "/usr/bin/newaliases"),
	CF_OTHER("mailq_path", "/usr/bin/mailq"),
	CF_OTHER("mail_spool_directory", "/var/mail"),
	CF_OTHER("alias_maps", "hash:/etc/aliases, nis:mail.aliases"),
	CF_OTHER("alias_database", "hash:/etc/aliases"),
	CF_OTHER("inet_interfaces", "all"),
	CF_OTHER("inet_protocols", "all"),
	CF_OTHER("mynetworks_style",
	    "${{$compatibility_level} <level {2} ? {subnet} : {host}}"),
	CF_OTHER("relay_domains",
	    "${{$compatibility_level} <level {2} ? {$mydestination} : {}}"),
	CF_OTHER("append_dot_mydomain",
	    "${{$compatibility_level} <level {1} ? {yes} : {no}}"),
	CF_OTHER("virtual_maps", ""),
	CF_OTHER("virtual_alias_maps", "$virtual_maps"),
	CF_OTHER("virtual_alias_domains", "$virtual_alias_maps"),
	CF_OTHER("virtual_mailbox_domains", "$virtual_mailbox_maps"),
	CF_OTHER("virtual_transport", "virtual"),
	CF_OTHER("default_destination_recipient_limit", "50"),
	CF_OTHER("virtual_destination_recipient_limit",
	    "$default_destination_recipient_limit"),
	CF_OTHER("local_transport", "local:$myhostname"),
	CF_OTHER("mailbox_size_limit", "51200000"),
	CF_OTHER("mailbox_transport", ""),
	CF_OTHER("maillog_file_prefixes", "/var, /dev/stdout"),
	CF_OTHER("delay_logging_resolution_limit", "2"),
	CF_OTHER("info_log_address_format", "external"),
	CF_OTHER("empty_address_recipient", "MAILER-DAEMON"),
	CF_OTHER("biff", "yes"),
	CF_OTHER("proxy_interfaces", ""),
};

#define CF_N_DEFS (sizeof(cf_defs) / sizeof(cf_defs[0]))

/* cf_hash - FNV-1a of a name */
static size_t
cf_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619u;
	}
	return h;
}

/* cf_store_new - an empty store */
static struct cf_store *
cf_store_new(void)
{
	struct cf_store *s = xcalloc(1, sizeof(*s));

	s->n_bucket = 64;
	s->bucket = xcalloc(s->n_bucket, sizeof(*s->bucket));
	return s;
}

/* cf_param_free - one parameter */
static void
cf_param_free(struct cf_param *p)
{
	free(p->name);
	free(p->raw);
	free(p->value);
	free(p->err);
	free(p);
}

/* cf_store_free - the store and every parameter in it */
static void
cf_store_free(struct cf_store *s)
{
	struct cf_param *p, *next;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_bucket; i++)
		for (p = s->bucket[i]; p; p = next) {
			next = p->next;
			cf_param_free(p);
		}
	free(s->bucket);
	free(s->file);
	free(s->dir);
	free(s);
}

/* cf_store_find - the stored parameter, or NULL */
static struct cf_param *
cf_store_find(const struct cf_store *s, const char *name)
{
	struct cf_param *p;

	for (p = s->bucket[cf_hash(name) % s->n_bucket]; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* cf_store_grow - double the buckets when chains get long */
static void
cf_store_grow(struct cf_store *s)
{
	struct cf_param **nb, *p, *next;
	size_t n = s->n_bucket * 2, i, h;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < s->n_bucket; i++)
		for (p = s->bucket[i]; p; p = next) {
			next = p->next;
			h = cf_hash(p->name) % n;
			p->next = nb[h];
			nb[h] = p;
		}
	free(s->bucket);
	s->bucket = nb;
	s->n_bucket = n;
}

/*
 * cf_store_set - define name (the last definition wins); the value is
 * expanded later.  Returns the parameter.
 */
static struct cf_param *
cf_store_set(struct cf_store *s, const char *name, size_t name_len,
    const char *raw, enum cf_origin origin, int line)
{
	struct cf_param *p;
	char *key = xstrndup(name, name_len);
	size_t h;

	if ((p = cf_store_find(s, key)) != NULL) {
		free(key);
		free(p->raw);
		free(p->value);
		free(p->err);
		p->value = p->err = NULL;
	} else {
		if (s->n_param >= s->n_bucket * 2)
			cf_store_grow(s);
		p = xcalloc(1, sizeof(*p));
		p->name = key;
		h = cf_hash(key) % s->n_bucket;
		p->next = s->bucket[h];
		s->bucket[h] = p;
		s->n_param++;
	}
	p->raw = xstrdup(raw);
	p->origin = origin;
	p->line = line;
	p->state = CF_RAW;
	return p;
}

/* cf_def_find - the row of cf_defs[] for name, or NULL */
static const struct cf_def *
cf_def_find(const char *name)
{
	size_t i;

	for (i = 0; i < CF_N_DEFS; i++)
		if (strcmp(cf_defs[i].name, name) == 0)
			return &cf_defs[i];
	return NULL;
}

/* cf_escape - text with each '$' doubled, for a computed raw value */
static char *
cf_escape(const char *text)
{
	struct buf b;

	buf_init(&b);
	for (; *text; text++) {
		if (*text == '$')
			buf_putc(&b, '$');
		buf_putc(&b, *text);
	}
	return buf_steal(&b);
}

/*
 * cf_fail - set ctx->st: 4.3.5 with the place of p (NULL: no place).
 * Returns -1.
 */
static int VD_PRINTF(3, 4)
cf_fail(struct cf_ctx *ctx, const struct cf_param *p, const char *fmt, ...)
{
	char msg[sizeof(ctx->st->text)];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p == NULL)
		return vd_status_set(ctx->st, CF_DSN, "%s", msg);
	switch (p->origin) {
	case CF_ORIGIN_FILE:
		file = ctx->s->file ? ctx->s->file : "main.cf";
		return vd_status_set(ctx->st, CF_DSN, "%s:%d: parameter %s: %s",
		    file, p->line, p->name, msg);
	case CF_ORIGIN_OVERRIDE:
		return vd_status_set(ctx->st, CF_DSN, "-o %s: %s", p->name,
		    msg);
	case CF_ORIGIN_DEFAULT:
	default:
		return vd_status_set(ctx->st, CF_DSN,
		    "parameter %s (default): %s", p->name, msg);
	}
}

/* cf_quote_len - how much of a text to quote in a message */
static int
cf_quote_len(size_t len)
{
	return len > CF_QUOTE_MAX ? CF_QUOTE_MAX : (int)len;
}

static int cf_param_value(struct cf_ctx *ctx, struct cf_param *p,
    const char **value_r);
static int cf_expand(struct cf_ctx *ctx, const char *s, size_t len,
    struct buf *out);

/* cf_append - add n bytes to out, within CONFIG_VALUE_MAX */
static int
cf_append(struct cf_ctx *ctx, struct buf *out, const char *p, size_t n)
{
	if (n > CONFIG_VALUE_MAX || out->len > CONFIG_VALUE_MAX - n)
		return cf_fail(ctx, ctx->cur,
		    "value longer than %d bytes after expansion",
		    CONFIG_VALUE_MAX);
	buf_append(out, p, n);
	return 0;
}

/*
 * cf_dynamic - make the default entry of a parameter whose default is
 * computed.  Returns 0 with *p_r, or -1.
 */
static int
cf_dynamic(struct cf_ctx *ctx, const struct cf_def *d, struct cf_param **p_r)
{
	struct cf_store *s = ctx->s;
	struct cf_param *p, *host = NULL;
	const char *v = "", *dot;
	char name[256];
	char *raw = NULL;
	struct buf b;
	int rc = 0;

	switch (d->dyn) {
	case CF_DYN_MYHOSTNAME:
		/* Postfix: a name without a dot gets ".$mydomain". */
		if (gethostname(name, sizeof(name)) < 0)
			(void)snprintf(name, sizeof(name), "localhost");
		name[sizeof(name) - 1] = 0;
		raw = cf_escape(name);
		if (strchr(name, '.') == NULL) {
			buf_init(&b);
			buf_puts(&b, raw);
			buf_puts(&b, cf_store_find(s, "mydomain")
			    ? ".$mydomain" : ".localdomain");
			free(raw);
			raw = buf_steal(&b);
		}
		*p_r = cf_store_set(s, d->name, strlen(d->name), raw,
		    CF_ORIGIN_DEFAULT, 0);
		break;
	case CF_DYN_MYDOMAIN:
		/* The domain part of $myhostname, else "localdomain". */
		p = cf_store_set(s, d->name, strlen(d->name), "",
		    CF_ORIGIN_DEFAULT, 0);
		p->state = CF_BUSY;
		ctx->stack[ctx->n_stack++] = p;
		if ((host = cf_store_find(s, "myhostname")) == NULL)
			rc = cf_dynamic(ctx, cf_def_find("myhostname"), &host);
		if (rc == 0)
			rc = cf_param_value(ctx, host, &v);
		ctx->n_stack--;
		if (rc < 0) {
			p->state = CF_FAILED;
			p->err = xstrdup(ctx->st->text);
			return -1;
		}
		dot = strchr(v, '.');
		free(p->raw);
		p->raw = cf_escape(dot && dot[1] ? dot + 1 : "localdomain");
		p->value = xstrdup(dot && dot[1] ? dot + 1 : "localdomain");
		p->state = CF_DONE;
		*p_r = p;
		break;
	case CF_DYN_CONFIG_DIR:
		raw = cf_escape(s->dir ? s->dir : SYSCONFDIR "/vdeliver");
		*p_r = cf_store_set(s, d->name, strlen(d->name), raw,
		    CF_ORIGIN_DEFAULT, 0);
		break;
	case CF_DYN_NONE:
	default:
		*p_r = cf_store_set(s, d->name, strlen(d->name), d->def,
		    CF_ORIGIN_DEFAULT, 0);
		break;
	}
	free(raw);
	return 0;
}

/*
 * cf_find - the parameter called name (stored, or a default made on
 * first use).  Returns 0 with *p_r (NULL: undefined), or -1.
 */
static int
cf_find(struct cf_ctx *ctx, const char *name, struct cf_param **p_r)
{
	const struct cf_def *d;

	if ((*p_r = cf_store_find(ctx->s, name)) != NULL)
		return 0;
	if ((d = cf_def_find(name)) == NULL)
		return 0;
	return cf_dynamic(ctx, d, p_r);
}

/* cf_loop - the error for a reference back to p, which is being expanded */
static int
cf_loop(struct cf_ctx *ctx, const struct cf_param *p)
{
	char chain[512];
	size_t n = 0;
	int i, first = 0;

	for (i = ctx->n_stack - 1; i >= 0; i--)
		if (ctx->stack[i] == p) {
			first = i;
			break;
		}
	chain[0] = 0;
	for (i = first; i < ctx->n_stack && n < sizeof(chain); i++)
		n += (size_t)snprintf(chain + n, sizeof(chain) - n, "$%s -> ",
		    ctx->stack[i]->name);
	if (n < sizeof(chain))
		(void)snprintf(chain + n, sizeof(chain) - n, "$%s", p->name);
	return cf_fail(ctx, ctx->cur, "macro loop: %s", chain);
}

/*
 * cf_param_value - the expanded value of p, computed once.  Returns 0
 * with *value_r (borrowed from the store), or -1.
 */
static int
cf_param_value(struct cf_ctx *ctx, struct cf_param *p, const char **value_r)
{
	struct cf_param *saved;
	struct buf b;
	int rc;

	switch (p->state) {
	case CF_DONE:
		*value_r = p->value;
		return 0;
	case CF_FAILED:
		return vd_status_set(ctx->st, CF_DSN, "%s", p->err);
	case CF_BUSY:
		return cf_loop(ctx, p);
	case CF_RAW:
	default:
		break;
	}
	if (ctx->n_stack > CONFIG_DEPTH_MAX)
		return cf_fail(ctx, ctx->cur,
		    "unreasonable macro nesting: more than %d levels",
		    CONFIG_DEPTH_MAX);
	p->state = CF_BUSY;
	ctx->stack[ctx->n_stack++] = p;
	saved = ctx->cur;
	ctx->cur = p;
	buf_init(&b);
	rc = cf_expand(ctx, p->raw, strlen(p->raw), &b);
	ctx->cur = saved;
	ctx->n_stack--;
	if (rc < 0) {
		buf_fini(&b);
		p->state = CF_FAILED;
		p->err = xstrdup(ctx->st->text);
		return -1;
	}
	p->value = buf_steal(&b);
	p->state = CF_DONE;
	*value_r = p->value;
	return 0;
}

/* cf_is_name_char - [A-Za-z0-9_] */
static bool
cf_is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* cf_skip_ws - first non-white-space byte in [p, end) */
static const char *
cf_skip_ws(const char *p, const char *end)
{
	while (p < end && strchr(CF_WS, *p) != NULL && *p)
		p++;
	return p;
}

/*
 * cf_curly - p points at '{': the payload up to the balancing '}' in
 * *t and *t_len; *pp moves past the '}' and the white space after it.
 */
static int
cf_curly(struct cf_ctx *ctx, const char **pp, const char *end,
    const char **t, size_t *t_len)
{
	const char *p = *pp, *q;
	int level = 1;

	for (q = p + 1; q < end; q++) {
		if (*q == '{')
			level++;
		else if (*q == '}' && --level == 0)
			break;
	}
	if (q >= end)
		return cf_fail(ctx, ctx->cur,
		    "unbalanced {} in attribute expression: \"%.*s\"",
		    cf_quote_len((size_t)(end - p)), p);
	*t = p + 1;
	*t_len = (size_t)(q - p - 1);
	*pp = cf_skip_ws(q + 1, end);
	return 0;
}

/*
 * cf_operand - a result operand after '?' or ':': "{text}" (white space
 * around it ignored), or else the rest of the expression as it is.
 */
static int
cf_operand(struct cf_ctx *ctx, const char **pp, const char *end,
    const char **t, size_t *t_len)
{
	const char *q = cf_skip_ws(*pp, end);

	if (q < end && *q == '{') {
		*pp = q;
		return cf_curly(ctx, pp, end, t, t_len);
	}
	*t = *pp;
	*t_len = (size_t)(end - *pp);
	*pp = end;
	return 0;
}

/* cf_all_digits - a non-empty string of ASCII digits */
static bool
cf_all_digits(const char *s)
{
	if (*s == 0)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* cf_numcmp - compare two digit strings of any length as numbers */
static int
cf_numcmp(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* cf_level - parse a compatibility level "major[.minor[.patch]]" */
static bool
cf_level(const char *s, long v[3])
{
	int i, n;

	v[0] = v[1] = v[2] = 0;
	for (i = 0; i < 3; i++) {
		for (n = 0; *s >= '0' && *s <= '9'; s++, n++) {
			if (n >= 9)
				return false;
			v[i] = v[i] * 10 + (*s - '0');
		}
		if (n == 0)
			return false;
		if (*s == 0)
			return true;
		if (*s != '.')
			return false;
		s++;
	}
	return false;
}

/*
 * cf_logical - "{a} OP {b}" at *pp (which points at the first '{'):
 * *truth_r is the comparison's result; *pp moves past the expression
 * and the white space after it.
 */
static int
cf_logical(struct cf_ctx *ctx, const char **pp, const char *end,
    bool *truth_r)
{
	static const char op_chars[] = "<>!=?+-*/~&|%";
	const char *p = *pp, *lt = NULL, *rt = NULL, *op;
	size_t l_len = 0, r_len = 0, op_len;
	bool level = false;
	struct buf lb, rb;
	long lv[3], rv[3];
	int cmp = 0, rc = -1, i;

	if (cf_curly(ctx, &p, end, &lt, &l_len) < 0)
		return -1;
	for (op = p; p < end && *p && strchr(op_chars, *p); p++)
		;
	op_len = (size_t)(p - op);
	if ((size_t)(end - p) >= 5 && memcmp(p, "level", 5) == 0) {
		level = true;
		p += 5;
	}
	if (!((op_len == 2 && (memcmp(op, "==", 2) == 0
		  || memcmp(op, "!=", 2) == 0 || memcmp(op, "<=", 2) == 0
		  || memcmp(op, ">=", 2) == 0))
		|| (op_len == 1 && (*op == '<' || *op == '>'))))
		return cf_fail(ctx, ctx->cur, "\"==\", \"!=\", \"<\", \"<=\", "
		    "\">\" or \">=\" expected at: \"%.*s\"",
		    cf_quote_len((size_t)(end - op)), op);
	p = cf_skip_ws(p, end);
	if (p >= end || *p != '{')
		return cf_fail(ctx, ctx->cur,
		    "\"{expression}\" expected at: \"%.*s\"",
		    cf_quote_len((size_t)(end - p)), p);
	if (cf_curly(ctx, &p, end, &rt, &r_len) < 0)
		return -1;
	buf_init(&lb);
	buf_init(&rb);
	if (cf_expand(ctx, lt, l_len, &lb) < 0
	    || cf_expand(ctx, rt, r_len, &rb) < 0)
		goto out;
	if (level) {
		if (!cf_level(lb.data, lv) || !cf_level(rb.data, rv)) {
			cf_fail(ctx, ctx->cur,
			    "malformed compatibility level syntax: \"%.*s\"",
			    cf_quote_len(CF_QUOTE_MAX),
			    cf_level(lb.data, lv) ? rb.data : lb.data);
			goto out;
		}
		for (i = 0; i < 3 && cmp == 0; i++)
			cmp = lv[i] < rv[i] ? -1 : lv[i] > rv[i];
	} else if (cf_all_digits(lb.data) && cf_all_digits(rb.data)) {
		cmp = cf_numcmp(lb.data, rb.data);
	} else {
		cmp = strcmp(lb.data, rb.data);
	}
	if (op[0] == '=')
		*truth_r = cmp == 0;
	else if (op[0] == '!')
		*truth_r = cmp != 0;
	else if (op[0] == '<')
		*truth_r = op_len == 2 ? cmp <= 0 : cmp < 0;
	else
		*truth_r = op_len == 2 ? cmp >= 0 : cmp > 0;
	*pp = p;
	rc = 0;
out:
	buf_fini(&lb);
	buf_fini(&rb);
	return rc;
}

/*
 * cf_expr - the inside of ${...} or $(...): a name, a name with ?/:
 * results, or a logical expression.
 */
static int
cf_expr(struct cf_ctx *ctx, const char *s, size_t len, struct buf *out)
{
	const char *end = s + len, *p, *q, *n_end, *t = NULL;
	struct cf_param *param = NULL;
	const char *value = "";
	bool is_set = false;
	size_t t_len = 0;
	char *name;
	int ch, rc;

	p = cf_skip_ws(s, end);
	if (p < end && *p == '{') {
		if (cf_logical(ctx, &p, end, &is_set) < 0)
			return -1;
		if (p == end)
			return cf_append(ctx, out, is_set ? "true" : "",
			    is_set ? 4 : 0);
		ch = (unsigned char)*p++;
		if (ch != '?' && ch != ':')
			return cf_fail(ctx, ctx->cur,
			    "\"?\" or \":\" expected at: \"%.*s\"",
			    cf_quote_len((size_t)(end - p + 1)), p - 1);
	} else {
		for (q = p; q < end && *q != '?' && *q != ':'; q++)
			;
		for (n_end = q; n_end > p && strchr(CF_WS, n_end[-1])
		    && n_end[-1]; n_end--)
			;
		for (t = p; t < n_end; t++)
			if (!cf_is_name_char(*t))
				return cf_fail(ctx, ctx->cur,
				    "attribute name syntax error at: \"%.*s\"",
				    cf_quote_len(len), s);
		name = xstrndup(p, (size_t)(n_end - p));
		rc = cf_find(ctx, name, &param);
		free(name);
		if (rc < 0)
			return -1;
		if (q == end) {
			if (param == NULL)
				return 0;
			if (cf_param_value(ctx, param, &value) < 0)
				return -1;
			return cf_append(ctx, out, value, strlen(value));
		}
		/* Postfix tests the value as written: "$empty" is set. */
		is_set = param != NULL && *param->raw != 0;
		ch = (unsigned char)*q;
		p = q + 1;
	}
	if (ch == '?') {
		if (cf_operand(ctx, &p, end, &t, &t_len) < 0)
			return -1;
		if (is_set && cf_expand(ctx, t, t_len, out) < 0)
			return -1;
		if (p == end)
			return 0;
		if (*p != ':')
			return cf_fail(ctx, ctx->cur,
			    "\":\" expected at: \"%.*s\"",
			    cf_quote_len((size_t)(end - p)), p);
		p++;
	}
	if (cf_operand(ctx, &p, end, &t, &t_len) < 0)
		return -1;
	if (!is_set && cf_expand(ctx, t, t_len, out) < 0)
		return -1;
	if (p != end)
		return cf_fail(ctx, ctx->cur, "unexpected input at: \"%.*s\"",
		    cf_quote_len((size_t)(end - p)), p);
	return 0;
}

/* cf_expand - expand the text [s, s+len) into out */
static int
cf_expand(struct cf_ctx *ctx, const char *s, size_t len, struct buf *out)
{
	const char *p = s, *end = s + len, *d, *q;
	struct cf_param *param;
	const char *value;
	char open, close, *name;
	int level, rc = -1;

	if (ctx->depth >= CONFIG_DEPTH_MAX)
		return cf_fail(ctx, ctx->cur,
		    "unreasonable macro nesting: more than %d levels",
		    CONFIG_DEPTH_MAX);
	ctx->depth++;
	while (p < end) {
		if ((d = memchr(p, '$', (size_t)(end - p))) == NULL) {
			if (cf_append(ctx, out, p, (size_t)(end - p)) < 0)
				goto out;
			break;
		}
		if (cf_append(ctx, out, p, (size_t)(d - p)) < 0)
			goto out;
		if (d + 1 < end && d[1] == '$') {
			if (cf_append(ctx, out, "$", 1) < 0)
				goto out;
			p = d + 2;
		} else if (d + 1 < end && (d[1] == '{' || d[1] == '(')) {
			open = d[1];
			close = open == '{' ? '}' : ')';
			level = 1;
			for (q = d + 2; q < end; q++) {
				if (*q == open)
					level++;
				else if (*q == close && --level == 0)
					break;
			}
			if (q >= end) {
				cf_fail(ctx, ctx->cur,
				    "truncated macro reference: \"%.*s\"",
				    cf_quote_len((size_t)(end - d)), d);
				goto out;
			}
			if (q == d + 2) {
				cf_fail(ctx, ctx->cur,
				    "empty macro name: \"%.*s\"", 3, d);
				goto out;
			}
			if (cf_expr(ctx, d + 2, (size_t)(q - d - 2), out) < 0)
				goto out;
			p = q + 1;
		} else {
			for (q = d + 1; q < end && cf_is_name_char(*q); q++)
				;
			if (q == d + 1) {
				cf_fail(ctx, ctx->cur,
				    "empty macro name: \"%.*s\"",
				    end - d < 2 ? 1 : 2, d);
				goto out;
			}
			name = xstrndup(d + 1, (size_t)(q - d - 1));
			param = NULL;
			level = cf_find(ctx, name, &param);
			free(name);
			if (level < 0)
				goto out;
			if (param != NULL) {
				if (cf_param_value(ctx, param, &value) < 0
				    || cf_append(ctx, out, value,
					strlen(value)) < 0)
					goto out;
			}
			p = q;
		}
	}
	rc = 0;
out:
	ctx->depth--;
	return rc;
}

/* cf_ctx_init - an expansion context on store s */
static void
cf_ctx_init(struct cf_ctx *ctx, struct cf_store *s, struct vd_status *st)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->s = s;
	ctx->st = st;
}

/* cf_get - expanded value of name: 0 with *value_r (NULL: unset), or -1 */
static int
cf_get(struct cf_store *s, const char *name, const char **value_r,
    struct cf_param **p_r, struct vd_status *st)
{
	struct cf_ctx ctx;
	struct cf_param *p;

	cf_ctx_init(&ctx, s, st);
	*value_r = NULL;
	if (cf_find(&ctx, name, &p) < 0)
		return -1;
	if (p_r)
		*p_r = p;
	if (p == NULL)
		return 0;
	return cf_param_value(&ctx, p, value_r);
}

/* cf_conv_bool - yes/no, any case */
static int
cf_conv_bool(struct cf_ctx *ctx, const struct cf_param *p, const char *v,
    bool *b)
{
	if (strcasecmp(v, "yes") == 0)
		*b = true;
	else if (strcasecmp(v, "no") == 0)
		*b = false;
	else
		return cf_fail(ctx, p, "bad boolean configuration: \"%.*s\"",
		    cf_quote_len(strlen(v)), v);
	return 0;
}

/* cf_conv_number - the whole value is a decimal number within bounds */
static int
cf_conv_number(struct cf_ctx *ctx, const struct cf_param *p,
    const struct cf_def *d, const char *v, long long *n)
{
	char *end;

	errno = 0;
	*n = strtoll(v, &end, 10);
	if (*v == 0 || *end != 0 || errno == ERANGE)
		return cf_fail(ctx, p, "bad numerical configuration: \"%.*s\"",
		    cf_quote_len(strlen(v)), v);
	if (*n < d->min)
		return cf_fail(ctx, p,
		    "bad numerical configuration: \"%s\" (minimum %lld)", v,
		    d->min);
	if (*n > d->max)
		return cf_fail(ctx, p,
		    "bad numerical configuration: \"%s\" (maximum %lld)", v,
		    d->max);
	return 0;
}

/*
 * cf_conv_time - Postfix 3.7 conv_time(): a number and an optional unit
 * letter (s m h d w); what follows the unit is ignored, as Postfix 3.7
 * does; at most INT_MAX seconds.
 */
static int
cf_conv_time(struct cf_ctx *ctx, const struct cf_param *p,
    const struct cf_def *d, const char *v, unsigned *t)
{
	long long n, mult;
	char *end;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == 0 || end == v || errno == ERANGE || n < 0 || n > INT_MAX)
		goto bad;
	switch (*end ? *end : d->unit) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		goto bad;
	}
	if (n > INT_MAX / mult)
		goto bad;
	n *= mult;
	if (n < d->min)
		return cf_fail(ctx, p,
		    "bad time value or unit: \"%s\" (minimum %llds)", v, d->min);
	*t = (unsigned)n;
	return 0;
bad:
	return cf_fail(ctx, p, "bad time value or unit: \"%.*s\"",
	    cf_quote_len(strlen(v)), v);
}

/* cf_lock_mask - parse virtual_mailbox_lock (Postfix mbox_lock_mask) */
static int
cf_lock_mask(struct cf_ctx *ctx, const struct cf_param *p, const char *v,
    int *mask_r)
{
	char *copy = xstrdup(v), *word, *save = NULL;
	int mask = 0, rc = 0;

	for (word = strtok_r(copy, CF_WS ",", &save); word;
	    word = strtok_r(NULL, CF_WS ",", &save)) {
		if (strcmp(word, "flock") == 0)
			mask |= LOCK_METHOD_FLOCK;
		else if (strcmp(word, "fcntl") == 0)
			mask |= LOCK_METHOD_FCNTL;
		else if (strcmp(word, "dotlock") == 0)
			mask |= LOCK_METHOD_DOTLOCK;
		else {
			rc = cf_fail(ctx, p,
			    "unknown mailbox_lock value \"%.*s\" in \"%.*s\"",
			    cf_quote_len(strlen(word)), word,
			    cf_quote_len(strlen(v)), v);
			goto out;
		}
	}
	if (mask == 0) {
		rc = cf_fail(ctx, p, "no mailbox lock method in \"%.*s\"",
		    cf_quote_len(strlen(v)), v);
		goto out;
	}
	*mask_r = mask;
out:
	free(copy);
	return rc;
}

/* cf_fill - read every typed parameter into cfg */
static int
cf_fill(struct vd_config *cfg, struct cf_store *s, struct vd_status *st)
{
	struct cf_param *p, *pv = NULL, *pm = NULL;
	const struct cf_def *d;
	struct cf_ctx ctx;
	const char *v;
	long long n;
	unsigned t = 0;
	bool b = false;
	char *base = (char *)cfg;
	size_t i;

	cf_ctx_init(&ctx, s, st);
	for (i = 0; i < CF_N_DEFS; i++) {
		d = &cf_defs[i];
		if (d->offset < 0)
			continue;
		if (cf_get(s, d->name, &v, &p, st) < 0)
			return -1;
		if (v == NULL)	/* cannot happen: every row has a default */
			v = "";
		switch (d->type) {
		case CF_T_STR:
			*(char **)(base + d->offset) = xstrdup(v);
			break;
		case CF_T_BOOL:
			if (cf_conv_bool(&ctx, p, v, &b) < 0)
				return -1;
			*(bool *)(base + d->offset) = b;
			break;
		case CF_T_INT:
			if (cf_conv_number(&ctx, p, d, v, &n) < 0)
				return -1;
			*(int *)(base + d->offset) = (int)n;
			break;
		case CF_T_LONG:
			if (cf_conv_number(&ctx, p, d, v, &n) < 0)
				return -1;
			*(long *)(base + d->offset) = (long)n;
			break;
		case CF_T_SIZE:
			if (cf_conv_number(&ctx, p, d, v, &n) < 0)
				return -1;
			*(off_t *)(base + d->offset) = (off_t)n;
			break;
		case CF_T_TIME:
			if (cf_conv_time(&ctx, p, d, v, &t) < 0)
				return -1;
			*(unsigned *)(base + d->offset) = t;
			break;
		case CF_T_NONE:
		default:
			break;
		}
		if (strcmp(d->name, "virtual_mailbox_limit") == 0)
			pv = p;
		else if (strcmp(d->name, "message_size_limit") == 0)
			pm = p;
		else if (strcmp(d->name, "virtual_mailbox_lock") == 0
		    && cf_lock_mask(&ctx, p, v, &cfg->lock_mask) < 0)
			return -1;
	}
	/* virtual(8)'s start-up check; fatal in Postfix, a defer here. */
	if (cfg->virtual_mailbox_limit > 0) {
		p = pv->origin != CF_ORIGIN_DEFAULT ? pv : pm;
		if (cfg->message_size_limit == 0)
			return cf_fail(&ctx, p, "virtual_mailbox_limit is "
			    "limited but message_size_limit is unlimited");
		if (cfg->virtual_mailbox_limit < cfg->message_size_limit)
			return cf_fail(&ctx, p, "virtual_mailbox_limit is "
			    "smaller than message_size_limit (%lld < %lld)",
			    (long long)cfg->virtual_mailbox_limit,
			    (long long)cfg->message_size_limit);
	}
	if (cfg->vdeliver_lmtp_message_size_limit == 0)
		cfg->vdeliver_lmtp_message_size_limit =
		    cfg->virtual_mailbox_limit;
	return 0;
}

/*
 * cf_split - split "name = value" (white space around '=' ignored,
 * trailing white space removed).  Returns NULL with *name and *value set,
 * or the error text.
 */
static const char *
cf_split(char *line, char **name, size_t *name_len, char **value)
{
	char *p = line, *e;

	p += strspn(p, CF_WS);
	*name = p;
	p += strcspn(p, CF_WS "=");
	*name_len = (size_t)(p - *name);
	p += strspn(p, CF_WS);
	if (*name_len == 0)
		return "missing attribute name";
	if (*p != '=')
		return "missing '=' after attribute name";
	p++;
	p += strspn(p, CF_WS);
	for (e = p + strlen(p); e > p && strchr(CF_WS, e[-1]); e--)
		;
	*e = 0;
	*value = p;
	return NULL;
}

/*
 * cf_open - the file to read: path, path/main.cf when path is a
 * directory, or the default.  Returns 0 with *fp_r (NULL: no default
 * file) and s->file/s->dir set, or -1.
 */
static int
cf_open(struct cf_store *s, const char *path, FILE **fp_r,
    struct vd_status *st)
{
	const char *want = path ? path : CONFIG_DEFAULT_FILE, *slash;
	struct stat sb;
	struct buf b;
	FILE *fp;
	int e;

	*fp_r = NULL;
	buf_init(&b);
	if (stat(want, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		s->dir = xstrdup(want);
		buf_puts(&b, want);
		if (b.len == 0 || b.data[b.len - 1] != '/')
			buf_putc(&b, '/');
		buf_puts(&b, "main.cf");
	} else {
		buf_puts(&b, want);
		slash = strrchr(want, '/');
		s->dir = slash == NULL ? xstrdup(".")
		    : slash == want ? xstrdup("/")
		    : xstrndup(want, (size_t)(slash - want));
	}
	s->file = buf_steal(&b);
	if ((fp = fopen(s->file, "re")) == NULL) {
		e = errno;
		if (path == NULL && (e == ENOENT || e == ENOTDIR)) {
			free(s->file);
			s->file = NULL;
			return 0;
		}
		vd_status_set(st, CF_DSN, "open %s: %s", s->file, strerror(e));
		st->errnum = e;
		return -1;
	}
	if (fstat(fileno(fp), &sb) < 0) {
		e = errno;
		vd_status_set(st, CF_DSN, "fstat %s: %s", s->file,
		    strerror(e));
		st->errnum = e;
		(void)fclose(fp);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		vd_status_set(st, CF_DSN, "%s: not a regular file", s->file);
		(void)fclose(fp);
		return -1;
	}
	*fp_r = fp;
	return 0;
}

/* cf_read - every logical line of fp into the store */
static int
cf_read(struct cf_store *s, FILE *fp, struct vd_status *st)
{
	struct textline t;
	const char *why;
	char *name, *value;
	size_t name_len;
	int rc = -1;

	textline_init(&t, fp, s->file);
	while (textline_next(&t)) {
		/* A NUL byte ends the line, as in Postfix (textline warns). */
		if ((why = cf_split(t.line.data, &name, &name_len, &value))) {
			vd_status_set(st, CF_DSN, "%s:%d: %s", s->file,
			    t.first_line, why);
			goto out;
		}
		(void)cf_store_set(s, name, name_len, value, CF_ORIGIN_FILE,
		    t.first_line);
	}
	if (t.error) {
		vd_status_set(st, CF_DSN, "read %s: %s", s->file,
		    strerror(t.error));
		st->errnum = t.error;
		goto out;
	}
	rc = 0;
out:
	textline_fini(&t);
	return rc;
}

/* cf_overrides - the -o name=value strings, on top of the file */
static int
cf_overrides(struct cf_store *s, char *const *overrides, size_t n,
    struct vd_status *st)
{
	char *copy, *name, *value;
	const char *why;
	size_t i, name_len;

	for (i = 0; i < n; i++) {
		copy = xstrdup(overrides[i]);
		if ((why = cf_split(copy, &name, &name_len, &value))) {
			vd_status_set(st, CF_DSN, "-o %.*s: %s",
			    cf_quote_len(strlen(overrides[i])), overrides[i],
			    why);
			free(copy);
			return -1;
		}
		(void)cf_store_set(s, name, name_len, value,
		    CF_ORIGIN_OVERRIDE, 0);
		free(copy);
	}
	return 0;
}

/* config_load - read the file and overrides, fill cfg (see config.h) */
int
config_load(struct vd_config *cfg, const char *path, char *const *overrides,
    size_t n_overrides, struct vd_status *st)
{
	struct cf_store *s;
	FILE *fp = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	s = cf_store_new();
	cfg->raw = s;
	if (cf_open(s, path, &fp, st) < 0)
		goto out;
	if (fp != NULL) {
		rc = cf_read(s, fp, st);
		if (fclose(fp) != 0 && rc == 0) {
			vd_status_set(st, CF_DSN, "close %s: %s", s->file,
			    strerror(errno));
			rc = -1;
		}
		if (rc < 0)
			goto out;
		rc = -1;
		cfg->config_file = xstrdup(s->file);
	}
	if (cf_overrides(s, overrides, n_overrides, st) < 0)
		goto out;
	if (cf_fill(cfg, s, st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		config_free(cfg);
	return rc;
}

/* config_lookup - the expanded value of any parameter, or why not */
int
config_lookup(const struct vd_config *cfg, const char *name,
    const char **value_r, struct vd_status *st)
{
	*value_r = NULL;
	if (cfg->raw == NULL)
		return 0;
	return cf_get(cfg->raw, name, value_r, NULL, st);
}

/* config_get - config_lookup() without the reason */
const char *
config_get(const struct vd_config *cfg, const char *name)
{
	struct vd_status st;
	const char *v;

	if (config_lookup(cfg, name, &v, &st) < 0)
		return NULL;
	return v;
}

/* config_free - release the typed strings and the store */
void
config_free(struct vd_config *cfg)
{
	char *base = (char *)cfg;
	size_t i;

	for (i = 0; i < CF_N_DEFS; i++)
		if (cf_defs[i].offset >= 0 && cf_defs[i].type == CF_T_STR)
			free(*(char **)(base + cf_defs[i].offset));
	free(cfg->config_file);
	cf_store_free(cfg->raw);
	memset(cfg, 0, sizeof(*cfg));
}
