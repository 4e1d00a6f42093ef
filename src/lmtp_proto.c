/* SPDX-License-Identifier: MIT */
/*
 * lmtp_proto - LMTP command and parameter parser (see lmtp_proto.h)
 *
 * DESCRIPTION
 *	Every function walks its input with an explicit length and a
 *	character class table of its own; a byte that belongs to no class
 *	(a control character, NUL) ends the parse with an error.  Address
 *	syntax is RFC 5321 4.1.2, read leniently where Postfix is lenient:
 *	dots in a dot-string may be anywhere (Postfix itself sends
 *	"a..b" quoted, but other clients may not), a local part without a
 *	domain is accepted (RFC 5321 allows it only for "postmaster"; the
 *	lookup then decides), 8-bit bytes are accepted everywhere an
 *	SMTPUTF8 address may have them, domain labels are not checked
 *	beyond their characters.
 *
 * SEE ALSO
 *	RFC 5321 4.1.2 (paths), RFC 1870, 1652, 3461 (xtext), 6531, 6533
 */
#include <sys/types.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lmtp_proto.h"
#include "utf8.h"

/* lmtp_err_set - fill in a reply for a line that could not be used */
static int
lmtp_err_set(struct lmtp_err *err, int code, const char *dsn,
    const char *fmt, ...) VD_PRINTF(4, 5);

static int
lmtp_err_set(struct lmtp_err *err, int code, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->dsn, sizeof(err->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* lmtp_is_blank - SP or HTAB */
static bool
lmtp_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* lmtp_is_alnum - ASCII letter or digit (no locale) */
static bool
lmtp_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9');
}

/* lmtp_is_atext - RFC 5322 atext, plus 8-bit bytes (RFC 6531) */
static bool
lmtp_is_atext(unsigned char c)
{
	return lmtp_is_alnum(c) || c >= 0x80
	    || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* lmtp_is_qtext - RFC 5321 qtextSMTP, plus 8-bit bytes */
static bool
lmtp_is_qtext(unsigned char c)
{
	return (c >= 32 && c <= 126 && c != '"' && c != '\\') || c >= 0x80;
}

/* lmtp_is_domain_char - letters, digits, "-", ".", "_", 8-bit bytes */
static bool
lmtp_is_domain_char(unsigned char c)
{
	return lmtp_is_alnum(c) || c == '-' || c == '.' || c == '_' || c >= 0x80;
}

/* lmtp_hexval - value of one hex digit, or -1 */
static int
lmtp_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* lmtp_word_eq - s[0..len) equals word, ignoring ASCII case */
static bool
lmtp_word_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

static const struct {
	const char *name;
	enum lmtp_verb verb;
} lmtp_verbs[] = {
	{ "LHLO", LMTP_VERB_LHLO },
	{ "HELO", LMTP_VERB_HELO },
	{ "EHLO", LMTP_VERB_EHLO },
	{ "MAIL", LMTP_VERB_MAIL },
	{ "RCPT", LMTP_VERB_RCPT },
	{ "DATA", LMTP_VERB_DATA },
	{ "RSET", LMTP_VERB_RSET },
	{ "NOOP", LMTP_VERB_NOOP },
	{ "QUIT", LMTP_VERB_QUIT },
	{ "VRFY", LMTP_VERB_VRFY },
	/* SMTP commands that exist but are not offered here */
	{ "EXPN", LMTP_VERB_NOTIMPL },
	{ "HELP", LMTP_VERB_NOTIMPL },
	{ "ETRN", LMTP_VERB_NOTIMPL },
	{ "TURN", LMTP_VERB_NOTIMPL },
	{ "ATRN", LMTP_VERB_NOTIMPL },
	{ "SEND", LMTP_VERB_NOTIMPL },
	{ "SOML", LMTP_VERB_NOTIMPL },
	{ "SAML", LMTP_VERB_NOTIMPL },
	{ "BDAT", LMTP_VERB_NOTIMPL },
	{ "AUTH", LMTP_VERB_NOTIMPL },
	{ "STARTTLS", LMTP_VERB_NOTIMPL },
	{ "XFORWARD", LMTP_VERB_NOTIMPL },
	{ "XCLIENT", LMTP_VERB_NOTIMPL },
};

int
lmtp_parse_command(const char *line, size_t len, struct lmtp_cmd *cmd,
    struct lmtp_err *err)
{
	const char *p = line, *end = line + len, *verb;
	size_t i, verb_len;

	memset(cmd, 0, sizeof(*cmd));
	cmd->arg = "";
	if (memchr(line, 0, len) != NULL) {
		cmd->verb = LMTP_VERB_UNKNOWN;
		return lmtp_err_set(err, 500, "5.5.2",
		    "Error: NUL character in command");
	}
	while (p < end && lmtp_is_blank((unsigned char)*p))
		p++;
	while (end > p && lmtp_is_blank((unsigned char)end[-1]))
		end--;
	if (p == end) {
		cmd->verb = LMTP_VERB_EMPTY;
		return 0;
	}
	verb = p;
	while (p < end && !lmtp_is_blank((unsigned char)*p))
		p++;
	verb_len = (size_t)(p - verb);
	while (p < end && lmtp_is_blank((unsigned char)*p))
		p++;
	cmd->arg = p;
	cmd->arg_len = (size_t)(end - p);
	cmd->verb = LMTP_VERB_UNKNOWN;
	for (i = 0; i < sizeof(lmtp_verbs) / sizeof(lmtp_verbs[0]); i++) {
		if (lmtp_word_eq(verb, verb_len, lmtp_verbs[i].name)) {
			cmd->verb = lmtp_verbs[i].verb;
			cmd->name = lmtp_verbs[i].name;
			break;
		}
	}
	return 0;
}

/*
 * lmtp_scan_domain - a domain or address literal at s; returns its
 * length, or 0 when there is none.
 */
static size_t
lmtp_scan_domain(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 0 && s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c < 33 || c > 126 || c == '[' || c == '\\')
				return 0;
		}
		return i < len && i > 1 ? i + 1 : 0;
	}
	while (i < len && lmtp_is_domain_char((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * lmtp_scan_local - a local part at s: a dot-string or a quoted string.
 * Appends the unquoted form to internal.  Returns its length on the
 * wire, or 0 when there is none.  An empty quoted string ("") is a
 * local part of 2 bytes.
 */
static size_t
lmtp_scan_local(const char *s, size_t len, struct buf *internal)
{
	size_t i = 0;

	if (len > 0 && s[0] == '"') {
		for (i = 1; i < len; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '"')
				return i + 1;
			if (c == '\\') {
				if (i + 1 >= len)
					return 0;
				c = (unsigned char)s[++i];
				if ((c < 32 || c > 126) && c < 0x80)
					return 0;
			} else if (!lmtp_is_qtext(c)) {
				return 0;
			}
			buf_putc(internal, c);
		}
		return 0;
	}
	while (i < len && (lmtp_is_atext((unsigned char)s[i]) || s[i] == '.'))
		i++;
	buf_append(internal, s, i);
	return i;
}

/*
 * lmtp_scan_mailbox - local-part ["@" domain] at s; appends the internal
 * form.  Returns the length on the wire, or 0.
 */
static size_t
lmtp_scan_mailbox(const char *s, size_t len, struct buf *internal)
{
	size_t n, d;

	if ((n = lmtp_scan_local(s, len, internal)) == 0)
		return 0;
	if (n < len && s[n] == '@') {
		if ((d = lmtp_scan_domain(s + n + 1, len - n - 1)) == 0)
			return 0;
		buf_putc(internal, '@');
		buf_append(internal, s + n + 1, d);
		n += 1 + d;
	}
	return n;
}

int
lmtp_parse_mailbox(const char *s, size_t len, struct buf *internal)
{
	buf_reset(internal);
	if (len == 0 || lmtp_scan_mailbox(s, len, internal) != len)
		return -1;
	return 0;
}

int
lmtp_parse_path(const char *s, size_t len, bool allow_null, size_t *used_r,
    struct buf *internal, struct buf *given)
{
	size_t i = 1, d, n;

	buf_reset(internal);
	if (given)
		buf_reset(given);
	if (len < 2 || s[0] != '<')
		return -1;
	if (s[1] == '>') {
		if (!allow_null)
			return -1;
		*used_r = 2;
		return 0;
	}
	/* A-d-l ":" -- a source route, dropped (RFC 5321 4.1.2, C) */
	if (s[1] == '@') {
		for (;;) {
			if (i >= len || s[i] != '@')
				return -1;
			i++;
			if ((d = lmtp_scan_domain(s + i, len - i)) == 0)
				return -1;
			i += d;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i < len && s[i] == ':') {
				i++;
				break;
			}
			return -1;
		}
	}
	if ((n = lmtp_scan_mailbox(s + i, len - i, internal)) == 0)
		return -1;
	if (i + n >= len || s[i + n] != '>')
		return -1;
	if (given)
		buf_append(given, s + i, n);
	*used_r = i + n + 1;
	return 0;
}

int
lmtp_xtext_decode(const char *s, size_t len, struct buf *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			if (len - i < 3)
				return -1;
			hi = lmtp_hexval((unsigned char)s[i + 1]);
			lo = lmtp_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_putc(out, hi * 16 + lo);
			i += 2;
		} else if (c >= 33 && c <= 126 && c != '=') {
			buf_putc(out, c);
		} else {
			return -1;
		}
	}
	return 0;
}

int
lmtp_uxtext_decode(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t i, j, n;
	int v;

	for (i = 0; i < len; i++) {
		if (u[i] == '\\') {
			if (len - i < 5 || u[i + 1] != 'x' || u[i + 2] != '{')
				return -1;
			cp = 0;
			for (j = i + 3; j < len && u[j] != '}'; j++) {
				if (j - (i + 3) >= 6
				    || (v = lmtp_hexval(u[j])) < 0)
					return -1;
				cp = cp * 16 + (unsigned long)v;
			}
			if (j >= len || j == i + 3 || cp == 0 || cp > 0x10ffff
			    || (cp >= 0xd800 && cp <= 0xdfff))
				return -1;
			utf8_put(out, (uint32_t)cp);
			i = j;
		} else if (u[i] >= 0x80) {
			if ((n = utf8_seq_len(s + i, len - i)) == 0)
				return -1;
			buf_append(out, s + i, n);
			i += n - 1;
		} else if (u[i] >= 33 && u[i] <= 126 && u[i] != '+'
		    && u[i] != '=') {
			buf_putc(out, u[i]);
		} else {
			return -1;
		}
	}
	return 0;
}

/* One "keyword[=value]" of a MAIL or RCPT command. */
struct lmtp_param {
	const char *key;
	size_t key_len;
	const char *val;	/* NULL: no "=" */
	size_t val_len;
};

/*
 * lmtp_next_param - the next parameter in s[*pos..len); returns 1 with
 * p filled in, 0 at the end, -1 for bad syntax.  Parameters are
 * separated by white space; esmtp-keyword and esmtp-value of RFC 5321
 * 4.1.2, with 8-bit bytes allowed in values (RFC 6531).
 */
static int
lmtp_next_param(const char *s, size_t len, size_t *pos, struct lmtp_param *p)
{
	size_t i = *pos;

	while (i < len && lmtp_is_blank((unsigned char)s[i]))
		i++;
	if (i == len) {
		*pos = i;
		return 0;
	}
	p->key = s + i;
	if (!lmtp_is_alnum((unsigned char)s[i]))
		return -1;
	while (i < len && (lmtp_is_alnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	p->key_len = (size_t)(s + i - p->key);
	p->val = NULL;
	p->val_len = 0;
	if (i < len && s[i] == '=') {
		p->val = s + ++i;
		while (i < len && ((unsigned char)s[i] >= 0x80
			|| ((unsigned char)s[i] >= 33 && (unsigned char)s[i] <= 126
			    && s[i] != '=')))
			i++;
		p->val_len = (size_t)(s + i - p->val);
		if (p->val_len == 0)
			return -1;
	}
	if (i < len && !lmtp_is_blank((unsigned char)s[i]))
		return -1;
	*pos = i;
	return 1;
}

/* lmtp_param_name - the keyword, upper case, for messages (cut short) */
static void
lmtp_param_name(const struct lmtp_param *p, char *out, size_t size)
{
	size_t i;

	for (i = 0; i < p->key_len && i + 1 < size; i++)
		out[i] = (char)((p->key[i] >= 'a' && p->key[i] <= 'z')
		    ? p->key[i] - 'a' + 'A' : p->key[i]);
	out[i] = 0;
}

/*
 * lmtp_skip_keyword - "FROM:" or "TO:" (any case) at the start of arg,
 * then optional blanks; *off_r is the offset of what follows.  0 or -1.
 */
static int
lmtp_skip_keyword(const char *arg, size_t len, const char *kw, size_t *off_r)
{
	size_t n = strlen(kw), i;

	if (len < n || strncasecmp(arg, kw, n) != 0)
		return -1;
	for (i = n; i < len && lmtp_is_blank((unsigned char)arg[i]); i++)
		;
	*off_r = i;
	return 0;
}

void
lmtp_mail_init(struct lmtp_mail *m)
{
	memset(m, 0, sizeof(*m));
}

void
lmtp_mail_fini(struct lmtp_mail *m)
{
	free(m->sender);
	free(m->envid);
	memset(m, 0, sizeof(*m));
}

/* lmtp_parse_size - SIZE=digits, saturating; 0 or -1 */
static int
lmtp_parse_size(const struct lmtp_param *p, unsigned long long *size_r)
{
	unsigned long long v = 0;
	size_t i;

	if (p->val == NULL)
		return -1;
	for (i = 0; i < p->val_len; i++) {
		unsigned d = (unsigned)(p->val[i] - '0');

		if (p->val[i] < '0' || p->val[i] > '9')
			return -1;
		if (v > (ULLONG_MAX - d) / 10)
			v = ULLONG_MAX;
		else
			v = v * 10 + d;
	}
	*size_r = v;
	return 0;
}

int
lmtp_parse_mail(const char *arg, size_t len, struct lmtp_mail *m,
    struct lmtp_err *err)
{
	struct lmtp_param p;
	struct buf addr, tmp;
	size_t off, used, pos;
	char name[40];
	int r, ret = -1;
	bool seen_body = false, seen_ret = false;

	lmtp_mail_init(m);
	buf_init(&addr);
	buf_init(&tmp);
	if (lmtp_skip_keyword(arg, len, "FROM:", &off) < 0) {
		lmtp_err_set(err, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		goto out;
	}
	if (off >= len || arg[off] != '<') {
		lmtp_err_set(err, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		goto out;
	}
	if (lmtp_parse_path(arg + off, len - off, true, &used, &addr, NULL) < 0) {
		lmtp_err_set(err, 501, "5.1.7", "Bad sender address syntax");
		goto out;
	}
	pos = off + used;
	if (pos < len && !lmtp_is_blank((unsigned char)arg[pos])) {
		lmtp_err_set(err, 501, "5.1.7", "Bad sender address syntax");
		goto out;
	}
	while ((r = lmtp_next_param(arg, len, &pos, &p)) > 0) {
		lmtp_param_name(&p, name, sizeof(name));
		if (lmtp_word_eq(p.key, p.key_len, "SIZE")) {
			if (m->has_size)
				goto dup;
			if (lmtp_parse_size(&p, &m->size) < 0)
				goto bad_value;
			m->has_size = true;
		} else if (lmtp_word_eq(p.key, p.key_len, "BODY")) {
			if (seen_body)
				goto dup;
			seen_body = true;
			if (p.val && lmtp_word_eq(p.val, p.val_len, "7BIT"))
				m->body = LMTP_BODY_7BIT;
			else if (p.val
			    && lmtp_word_eq(p.val, p.val_len, "8BITMIME"))
				m->body = LMTP_BODY_8BITMIME;
			else
				goto bad_value;
		} else if (lmtp_word_eq(p.key, p.key_len, "SMTPUTF8")) {
			if (m->smtputf8)
				goto dup;
			if (p.val)
				goto bad_value;
			m->smtputf8 = true;
		} else if (lmtp_word_eq(p.key, p.key_len, "RET")) {
			if (seen_ret)
				goto dup;
			seen_ret = true;
			if (p.val && lmtp_word_eq(p.val, p.val_len, "FULL"))
				m->ret = LMTP_RET_FULL;
			else if (p.val && lmtp_word_eq(p.val, p.val_len, "HDRS"))
				m->ret = LMTP_RET_HDRS;
			else
				goto bad_value;
		} else if (lmtp_word_eq(p.key, p.key_len, "ENVID")) {
			if (m->envid)
				goto dup;
			buf_reset(&tmp);
			if (p.val == NULL || p.val_len > LMTP_ENVID_MAX
			    || lmtp_xtext_decode(p.val, p.val_len, &tmp) < 0)
				goto bad_value;
			m->envid = xstrndup(tmp.data, tmp.len);
		} else {
			lmtp_err_set(err, 555, "5.5.4", "Unsupported option: %s",
			    name);
			goto out;
		}
	}
	if (r < 0) {
		lmtp_err_set(err, 501, "5.5.4", "Bad parameter syntax");
		goto out;
	}
	m->sender = xstrndup(addr.data, addr.len);
	ret = 0;
	goto out;
dup:
	lmtp_err_set(err, 501, "5.5.4", "Duplicate %s parameter", name);
	goto out;
bad_value:
	lmtp_err_set(err, 501, "5.5.4", "Bad %s parameter value", name);
out:
	if (ret < 0)
		lmtp_mail_fini(m);
	buf_fini(&addr);
	buf_fini(&tmp);
	return ret;
}

void
lmtp_rcpt_init(struct lmtp_rcpt *r)
{
	memset(r, 0, sizeof(*r));
}

void
lmtp_rcpt_fini(struct lmtp_rcpt *r)
{
	free(r->addr);
	free(r->given);
	free(r->orcpt_type);
	free(r->orcpt);
	free(r->orcpt_value);
	memset(r, 0, sizeof(*r));
}

/* lmtp_parse_notify - NEVER, or a list of SUCCESS, FAILURE, DELAY */
static int
lmtp_parse_notify(const char *s, size_t len, int *mask_r)
{
	size_t i = 0, n;
	int mask = 0;

	while (i <= len) {
		for (n = 0; i + n < len && s[i + n] != ','; n++)
			;
		if (lmtp_word_eq(s + i, n, "NEVER"))
			mask |= LMTP_NOTIFY_NEVER;
		else if (lmtp_word_eq(s + i, n, "SUCCESS"))
			mask |= LMTP_NOTIFY_SUCCESS;
		else if (lmtp_word_eq(s + i, n, "FAILURE"))
			mask |= LMTP_NOTIFY_FAILURE;
		else if (lmtp_word_eq(s + i, n, "DELAY"))
			mask |= LMTP_NOTIFY_DELAY;
		else
			return -1;
		i += n + 1;
	}
	if ((mask & LMTP_NOTIFY_NEVER) && mask != LMTP_NOTIFY_NEVER)
		return -1;
	*mask_r = mask;
	return 0;
}

/*
 * lmtp_parse_orcpt - "type;value": sets r->orcpt_type and
 * r->orcpt_value, and r->orcpt when the decoded value is an address.
 * -1 for bad syntax.
 */
static int
lmtp_parse_orcpt(const char *s, size_t len, struct lmtp_rcpt *r)
{
	struct buf dec, addr;
	size_t t;
	int ret = -1, dr;

	if (len > LMTP_ORCPT_MAX)
		return -1;
	for (t = 0; t < len && (lmtp_is_alnum((unsigned char)s[t])
		|| s[t] == '-'); t++)
		;
	if (t == 0 || t >= len || s[t] != ';' || t + 1 == len)
		return -1;
	buf_init(&dec);
	buf_init(&addr);
	if (lmtp_word_eq(s, t, "utf-8"))
		dr = lmtp_uxtext_decode(s + t + 1, len - t - 1, &dec);
	else
		dr = lmtp_xtext_decode(s + t + 1, len - t - 1, &dec);
	if (dr < 0)
		goto out;
	r->orcpt_type = xstrndup(s, t);
	r->orcpt_value = xstrndup(dec.data, dec.len);
	if ((lmtp_word_eq(s, t, "rfc822") || lmtp_word_eq(s, t, "utf-8"))
	    && lmtp_parse_mailbox(dec.data, dec.len, &addr) == 0)
		r->orcpt = xstrndup(addr.data, addr.len);
	ret = 0;
out:
	buf_fini(&dec);
	buf_fini(&addr);
	return ret;
}

int
lmtp_parse_rcpt(const char *arg, size_t len, struct lmtp_rcpt *r,
    struct lmtp_err *err)
{
	struct lmtp_param p;
	struct buf addr, given;
	size_t off, used, pos;
	char name[40];
	int rc, ret = -1;
	bool seen_notify = false;

	lmtp_rcpt_init(r);
	buf_init(&addr);
	buf_init(&given);
	if (lmtp_skip_keyword(arg, len, "TO:", &off) < 0
	    || off >= len || arg[off] != '<') {
		lmtp_err_set(err, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		goto out;
	}
	if (lmtp_parse_path(arg + off, len - off, false, &used, &addr,
		&given) < 0) {
		lmtp_err_set(err, 501, "5.1.3", "Bad recipient address syntax");
		goto out;
	}
	pos = off + used;
	if (pos < len && !lmtp_is_blank((unsigned char)arg[pos])) {
		lmtp_err_set(err, 501, "5.1.3", "Bad recipient address syntax");
		goto out;
	}
	while ((rc = lmtp_next_param(arg, len, &pos, &p)) > 0) {
		lmtp_param_name(&p, name, sizeof(name));
		if (lmtp_word_eq(p.key, p.key_len, "NOTIFY")) {
			if (seen_notify)
				goto dup;
			seen_notify = true;
			if (p.val == NULL
			    || lmtp_parse_notify(p.val, p.val_len, &r->notify) < 0)
				goto bad_value;
		} else if (lmtp_word_eq(p.key, p.key_len, "ORCPT")) {
			if (r->orcpt_type)
				goto dup;
			if (p.val == NULL
			    || lmtp_parse_orcpt(p.val, p.val_len, r) < 0)
				goto bad_value;
		} else {
			lmtp_err_set(err, 555, "5.5.4", "Unsupported option: %s",
			    name);
			goto out;
		}
	}
	if (rc < 0) {
		lmtp_err_set(err, 501, "5.5.4", "Bad parameter syntax");
		goto out;
	}
	r->addr = xstrndup(addr.data, addr.len);
	r->given = xstrndup(given.data, given.len);
	ret = 0;
	goto out;
dup:
	lmtp_err_set(err, 501, "5.5.4", "Duplicate %s parameter", name);
	goto out;
bad_value:
	lmtp_err_set(err, 501, "5.5.4", "Bad %s parameter value", name);
out:
	if (ret < 0)
		lmtp_rcpt_fini(r);
	buf_fini(&addr);
	buf_fini(&given);
	return ret;
}
