/* SPDX-License-Identifier: MIT */
/*
 * buf - growable, length-tracked, NUL-terminated byte buffer
 *
 * DESCRIPTION
 *	Strings built from input go into a struct buf.  data is always
 *	NUL-terminated (after buf_init it is ""), len excludes the NUL.
 *	Allocation failure calls vd_oom(), which does not return.
 */
#ifndef VD_SRC_BUF_H
#define VD_SRC_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "status.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/* buf_init - empty buffer; the embedded struct is the caller's */
void buf_init(struct buf *b);
/* buf_fini - release the memory; b may be used again after buf_init */
void buf_fini(struct buf *b);
/* buf_reset - length 0, memory kept */
void buf_reset(struct buf *b);
/* buf_reserve - make room for n more bytes plus the NUL */
void buf_reserve(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) VD_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) VD_PRINTF(2, 0);
/* buf_steal - hand the string to the caller (free() it); b is reset */
char *buf_steal(struct buf *b);

/* vd_oom - log "out of memory" and leave with a temporary failure */
void vd_oom(void) __attribute__((noreturn));
/* vd_oom_hook - replace what vd_oom() does before it exits (mains set it) */
extern void (*vd_oom_hook)(void);

/* Allocation wrappers: never NULL (vd_oom() instead). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
