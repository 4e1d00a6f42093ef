/* SPDX-License-Identifier: MIT */
/*
 * fuzz - helpers shared by the fuzz targets (see fuzz.h)
 */
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "fuzz.h"

static char fuzz_path[4096];

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

/* fuzz_log_hook - a record must be one line of at most 2000 bytes */
static void
fuzz_log_hook(int prio, const char *text)
{
	(void)prio;
	fuzz_check(strchr(text, '\n') == NULL);
	fuzz_check(strlen(text) <= 2100);
}

/* fuzz_cleanup - remove the scratch file at exit */
static void
fuzz_cleanup(void)
{
	if (fuzz_path[0])
		(void)unlink(fuzz_path);
}

void
fuzz_setup(void)
{
	static int done;
	const char *dir = getenv("TMPDIR");
	int fd;

	if (done)
		return;
	done = 1;
	log_set_hook(fuzz_log_hook);
	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	if ((size_t)snprintf(fuzz_path, sizeof(fuzz_path), "%s/vd-fuzz.XXXXXX",
		dir) >= sizeof(fuzz_path))
		fuzz_fail(__FILE__, __LINE__, "TMPDIR too long");
	if ((fd = mkstemp(fuzz_path)) < 0)
		fuzz_fail(__FILE__, __LINE__, "mkstemp");
	(void)close(fd);
	atexit(fuzz_cleanup);
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = 0;
	return s;
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fuzz_setup();
	if ((fd = open(fuzz_path, O_WRONLY | O_TRUNC)) < 0)
		fuzz_fail(__FILE__, __LINE__, "open scratch file");
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fuzz_fail(__FILE__, __LINE__, "write scratch file");
		off += (size_t)n;
	}
	if (close(fd) < 0)
		fuzz_fail(__FILE__, __LINE__, "close scratch file");
	return fuzz_path;
}
