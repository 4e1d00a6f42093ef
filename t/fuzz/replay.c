/* SPDX-License-Identifier: MIT */
/*
 * replay - run a fuzz target over files, without libFuzzer
 *
 * SYNOPSIS
 *	replay_<target> FILE|DIR...
 *
 * DESCRIPTION
 *	Each file (each regular file of a directory, in name order) is read
 *	into a buffer of exactly its size, so that the sanitizers see any
 *	read past the end, and passed to LLVMFuzzerTestOneInput().  Prints
 *	"replay: N inputs" and exits 0; a finding crashes the program (an
 *	abort() or a sanitizer report), which fails t/fuzz-replay.sh.
 *	Exit 2 when a file cannot be read or nothing was given.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* replay_file - one input; 0, or -1 when it cannot be read */
static int
replay_file(const char *path)
{
	struct stat sb;
	unsigned char *data;
	size_t got = 0, n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &sb) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	data = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1);
	if (data == NULL)
		abort();
	while (got < (size_t)sb.st_size
	    && (n = fread(data + got, 1, (size_t)sb.st_size - got, fp)) > 0)
		got += n;
	fclose(fp);
	(void)LLVMFuzzerTestOneInput(data, got);
	free(data);
	return 0;
}

/* replay_cmp - qsort by name */
static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_dir - every regular file of dir, in name order; count or -1 */
static long
replay_dir(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	long count = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				abort();
		}
		if ((names[n++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i])
		    >= sizeof(path) || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (replay_file(path) < 0)
			count = -1;
		else if (count >= 0)
			count++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	long total = 0, n;
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			n = replay_dir(argv[i]);
		else
			n = replay_file(argv[i]) < 0 ? -1 : 1;
		if (n < 0)
			bad = 1;
		else
			total += n;
	}
	printf("replay: %ld inputs\n", total);
	return bad ? 2 : 0;
}
