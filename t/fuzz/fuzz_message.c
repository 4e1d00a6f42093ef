/* SPDX-License-Identifier: MIT */
/*
 * fuzz_message - message_add()'s CRLF and chunk handling, and the
 * Delivered-To header scanner (src/message.c)
 *
 * DESCRIPTION
 *	Input: a control byte, then the message.  The control byte picks a
 *	chunk size pattern (1 to 64 bytes, or variable), whether CRLF is
 *	converted, and a size limit.  The message is added chunk by chunk
 *	and also in one piece: both must give the same bytes, and those
 *	must equal a direct conversion (CRLF -> LF, a bare CR kept, a final
 *	LF added to a non-empty message).
 *	Then message_has_delivered_to() runs for the address found in the
 *	message's first Delivered-To line (if any) and a fixed one; for
 *	that first header (when it is the first line) the answer must be
 *	yes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "message.h"
#include "fuzz.h"

/* fuzz_convert - the expected spooled bytes; *len_r; caller frees */
static char *
fuzz_convert(const uint8_t *p, size_t n, bool crlf, size_t *len_r)
{
	char *out = malloc(n + 2);
	size_t i, o = 0;

	if (out == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (crlf && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		out[o++] = (char)p[i];
	}
	if (o > 0 && out[o - 1] != '\n')
		out[o++] = '\n';
	*len_r = o;
	return out;
}

/* fuzz_spool - add data in chunks of the pattern; 0 or -1 (st) */
static int
fuzz_spool(struct vd_message *msg, const uint8_t *p, size_t n, bool crlf,
    size_t limit, unsigned pattern, struct vd_status *st)
{
	size_t off = 0, chunk, k = 0;

	message_init(msg, limit);
	while (off < n) {
		if (pattern == 0)
			chunk = n;
		else if (pattern < 8)
			chunk = pattern;
		else
			chunk = 1 + (size_t)(p[k++ % n] % 17);
		if (chunk > n - off)
			chunk = n - off;
		if (message_add(msg, p + off, chunk, crlf, st) < 0)
			return -1;
		off += chunk;
	}
	return message_finish(msg, st);
}

/* fuzz_first_delivered - the value of a first line "Delivered-To: v" */
static char *
fuzz_first_delivered(const char *d, size_t len)
{
	const char *eol, *v;
	size_t vlen, i;
	char *s;

	if (len < 13 || strncasecmp(d, "Delivered-To:", 13) != 0)
		return NULL;
	eol = memchr(d, '\n', len);
	if (eol == NULL)
		return NULL;
	for (v = d + 13; v < eol && (*v == ' ' || *v == '\t'); v++)
		;
	/* The scanner skips any isspace() byte; keep to values it sees alike. */
	if (v < eol && (*v == '\v' || *v == '\f' || *v == '\r'))
		return NULL;
	vlen = (size_t)(eol - v);
	if (memchr(v, 0, vlen) || memchr(v, '\r', vlen))
		return NULL;
	s = fuzz_cstr((const uint8_t *)v, vlen);
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	/* The scanner compares the whole rest of the line; no trailing WS trim. */
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_message a, b;
	struct vd_status sta, stb;
	size_t want_len, limit;
	unsigned pattern;
	bool crlf;
	char *want, *addr;
	int ra, rb;

	if (size < 1)
		return 0;
	fuzz_setup();
	pattern = data[0] & 15;
	crlf = (data[0] & 16) == 0;
	limit = (data[0] & 32) ? (size_t)(data[0] & 0xc0) : 0;
	data++;
	size--;

	ra = fuzz_spool(&a, data, size, crlf, limit, pattern, &sta);
	rb = fuzz_spool(&b, data, size, crlf, limit, 0, &stb);
	fuzz_check(ra == rb);
	if (ra == 0) {
		want = fuzz_convert(data, size, crlf, &want_len);
		fuzz_check(a.len == want_len && b.len == want_len);
		fuzz_check(memcmp(a.data, want, want_len) == 0);
		fuzz_check(memcmp(b.data, want, want_len) == 0);
		fuzz_check(limit == 0 || a.len <= limit);
		free(want);

		addr = fuzz_first_delivered(a.data, a.len);
		if (addr) {
			fuzz_check(message_has_delivered_to(&a, addr));
			free(addr);
		}
		(void)message_has_delivered_to(&a, "user@example.com");
		(void)message_has_delivered_to(&a, "");
	} else {
		fuzz_check(strcmp(sta.dsn, stb.dsn) == 0);
		fuzz_check(limit > 0 && strcmp(sta.dsn, "5.3.4") == 0);
	}
	message_fini(&a);
	message_fini(&b);
	return 0;
}
