/* SPDX-License-Identifier: MIT */
/*
 * fi-probe - a scripted sequence of file system calls, for the
 * fault-injection shim's self-test (t/fault-selftest.sh)
 *
 * DESCRIPTION
 *	Each argument is one step; words of a step are separated by '='
 *	so that a step stays one argument:
 *	    open=PATH  openat=DIR=NAME  procopen=DIR=NAME  creat=PATH  mkdir=PATH
 *	    write=TEXT  writev=TEXT  fsync  fdatasync  ftruncate=LEN  close
 *	    link=OLD=NEW  rename=OLD=NEW  fork  exec
 *	procopen opens /proc/self/fd/<fd of DIR>/NAME, as liblockfile does
 *	with a directory pinned by an fd.
 *	open and openat (O_WRONLY|O_CREAT|O_APPEND, 0600) make the new fd the
 *	current one; write, fsync... act on it.  fork runs the remaining
 *	steps in a child and the parent waits and prints how it ended;
 *	exec re-executes this program with the remaining steps.  Each step
 *	prints "step ret errno" on standard output (through stdio, whose
 *	own writes the shim does not see).  Exit 0.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* probe_word - the nth '='-separated word of step (static buffer) */
static const char *
probe_word(const char *step, int n)
{
	static char words[4][4096];
	const char *p = step, *eq;
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if ((p = strchr(p, '=')) == NULL)
			return "";
		p++;
	}
	eq = strchr(p, '=');
	len = eq ? (size_t)(eq - p) : strlen(p);
	if (len >= sizeof(words[0]))
		len = sizeof(words[0]) - 1;
	memcpy(words[n], p, len);
	words[n][len] = 0;
	return words[n];
}

/* probe_is - the step's name is name */
static int
probe_is(const char *step, const char *name)
{
	size_t n = strlen(name);

	return strncmp(step, name, n) == 0 && (step[n] == 0 || step[n] == '=');
}

int
main(int argc, char **argv)
{
	int fd = -1, i, status, dirfd;
	long ret;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		errno = 0;
		if (probe_is(s, "open")) {
			ret = open(probe_word(s, 1), O_WRONLY | O_CREAT | O_APPEND,
			    0600);
			if (ret >= 0)
				fd = (int)ret;
		} else if (probe_is(s, "openat")) {
			dirfd = open(probe_word(s, 1), O_RDONLY | O_DIRECTORY);
			ret = openat(dirfd, probe_word(s, 2),
			    O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (ret >= 0)
				fd = (int)ret;
		} else if (probe_is(s, "procopen")) {
			char path[4200];

			dirfd = open(probe_word(s, 1), O_RDONLY | O_DIRECTORY);
			snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd,
			    probe_word(s, 2));
			ret = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (ret >= 0)
				fd = (int)ret;
		} else if (probe_is(s, "creat")) {
			ret = creat(probe_word(s, 1), 0600);
			if (ret >= 0)
				fd = (int)ret;
		} else if (probe_is(s, "mkdir")) {
			ret = mkdir(probe_word(s, 1), 0700);
		} else if (probe_is(s, "write")) {
			const char *t = probe_word(s, 1);

			ret = write(fd, t, strlen(t));
		} else if (probe_is(s, "writev")) {
			const char *t = probe_word(s, 1);
			struct iovec iov[2];
			size_t half = strlen(t) / 2;

			iov[0].iov_base = (void *)t;
			iov[0].iov_len = half;
			iov[1].iov_base = (void *)(t + half);
			iov[1].iov_len = strlen(t) - half;
			ret = writev(fd, iov, 2);
		} else if (probe_is(s, "fsync")) {
			ret = fsync(fd);
		} else if (probe_is(s, "fdatasync")) {
			ret = fdatasync(fd);
		} else if (probe_is(s, "ftruncate")) {
			ret = ftruncate(fd, atol(probe_word(s, 1)));
		} else if (probe_is(s, "close")) {
			ret = close(fd);
		} else if (probe_is(s, "link")) {
			char old[4096];

			snprintf(old, sizeof(old), "%s", probe_word(s, 1));
			ret = link(old, probe_word(s, 2));
		} else if (probe_is(s, "rename")) {
			char old[4096];

			snprintf(old, sizeof(old), "%s", probe_word(s, 1));
			ret = rename(old, probe_word(s, 2));
		} else if (probe_is(s, "fork")) {
			fflush(stdout);
			pid = fork();
			if (pid == 0)
				continue;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (WIFSIGNALED(status))
				printf("child signal %d\n", WTERMSIG(status));
			else
				printf("child exit %d\n", WEXITSTATUS(status));
			return 0;
		} else if (probe_is(s, "exec")) {
			argv[i] = argv[0];
			fflush(stdout);
			execv("/proc/self/exe", argv + i);
			perror("exec");
			return 1;
		} else {
			fprintf(stderr, "fi-probe: unknown step %s\n", s);
			return 2;
		}
		printf("%s %ld %d\n", s, ret, ret < 0 ? errno : 0);
	}
	return 0;
}
