/* SPDX-License-Identifier: MIT */
/*
 * fuzz - what the libFuzzer targets in t/fuzz/ share
 *
 * DESCRIPTION
 *	Each t/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput().  It is
 *	linked twice: with libFuzzer (-fsanitize=fuzzer, by make fuzz in a
 *	separate clang build) and with t/fuzz/replay.c, a main() that feeds
 *	it the seed corpus and the regression inputs in a normal make check
 *	(t/fuzz-replay.sh), under whatever compiler and sanitizers the build
 *	uses.  A target must free everything it allocates (libFuzzer's leak
 *	check is on) and must not write to stdout or stderr: log records go
 *	to fuzz_log_hook(), which checks that each is one line.
 */
#ifndef VD_T_FUZZ_FUZZ_H
#define VD_T_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_setup - once per process: route log records to the checking hook */
void fuzz_setup(void);
/* fuzz_cstr - a NUL-terminated copy of data (NUL bytes kept); free() it */
char *fuzz_cstr(const uint8_t *data, size_t size);
/*
 * fuzz_file - write data to this process's scratch file (in $TMPDIR or
 * /tmp, removed at exit) and return its path (static storage).
 */
const char *fuzz_file(const uint8_t *data, size_t size);
/* fuzz_check - abort() with a message when cond is false */
#define fuzz_check(cond)                                                \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#endif
