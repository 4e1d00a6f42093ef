/* SPDX-License-Identifier: MIT */
/*
 * fuzz_address - address_fold, address_quote, address_split_ext
 *
 * DESCRIPTION
 *	Input: one option byte, then the address (up to a NUL).  The option
 *	byte picks recipient_delimiter (none, "+", "+-", "-", "+=.",
 *	"@", "\"", a space), owner_request_special and the double-bounce
 *	name.  Beyond "no crash, no leak" it checks the invariants:
 *	folding keeps the length and changes only A-Z; a dot-string is
 *	quoted as itself; a quoted local part starts and ends with '"';
 *	a split gives base + delimiter + extension == the address.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "fuzz.h"

static const char *const fuzz_delims[] = {
	"", "+", "+-", "-", "+=.", "@", "\"", " ",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct address_split_opts o;
	char *addr, *folded, *base = NULL, *ext = NULL;
	const char *at;
	struct buf q;
	size_t i, len, blen, llen;
	uint8_t opt;

	if (size < 1)
		return 0;
	fuzz_setup();
	opt = data[0];
	addr = fuzz_cstr(data + 1, size - 1);
	len = strlen(addr);

	folded = address_fold(addr);
	fuzz_check(strlen(folded) == len);
	for (i = 0; i < len; i++)
		fuzz_check(folded[i] == addr[i]
		    || (addr[i] >= 'A' && addr[i] <= 'Z'
			&& folded[i] == addr[i] - 'A' + 'a'));
	free(folded);

	buf_init(&q);
	address_quote(&q, addr);
	fuzz_check(strlen(q.data) == q.len);
	if (*addr != '@' && !address_needs_quote(addr))
		fuzz_check(strcmp(q.data, addr) == 0);
	else if (*addr != '@' && *addr)
		fuzz_check(q.data[0] == '"' && strrchr(q.data, '"') > q.data);
	buf_fini(&q);

	o.delimiters = fuzz_delims[opt & 7];
	o.owner_request_special = (opt & 8) != 0;
	o.double_bounce_sender = (opt & 16) ? "double-bounce" : NULL;
	if (address_split_ext(addr, &o, &base, &ext)) {
		at = strrchr(addr, '@');
		llen = at ? (size_t)(at - addr) : len;
		blen = strlen(base);
		/* base = local part before the delimiter + the domain part */
		fuzz_check(blen + 1 + strlen(ext) == len);
		fuzz_check(strchr(o.delimiters, addr[blen - (len - llen)]));
		fuzz_check(strncmp(base, addr, blen - (len - llen)) == 0);
		fuzz_check(strcmp(base + blen - (len - llen), addr + llen) == 0);
		free(base);
		free(ext);
	}
	free(addr);
	return 0;
}
