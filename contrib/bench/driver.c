/* SPDX-License-Identifier: MIT */
/*
 * driver - run delivery commands interleaved and print their medians
 *
 * SYNOPSIS
 *	driver [-r runs] [-w warmup] [-j writers] [-s sequential] [-b name]
 *	    specfile
 *
 * DESCRIPTION
 *	Each line of specfile is one command, fields separated by TABs:
 *
 *	    name  uid:gid|-  stdin-file  reset  argv0  argv1 ...
 *
 *	reset is done after every run and not timed: "-" nothing,
 *	"maildir:DIR" removes the files in DIR/new, "trunc:FILE:SIZE"
 *	truncates FILE back to SIZE bytes; after a reset the file system is
 *	synced (syncfs), so that no run pays for the one before.
 *
 *	A run of a command is "writers" streams at once, each of
 *	"sequential" deliveries one after the other (each process with its
 *	own open of the stdin file, stdout and stderr to /dev/null, as
 *	uid:gid with no supplementary groups when given); it lasts until
 *	the last of them has exited.  Runs go round robin, A B C A B C ..., and the order is
 *	rotated every round, so that machine noise falls on every command
 *	alike.  Whole-process times: fork, exec, delivery, exit.
 *
 *	Output, one line per command, TABs: name, median wall time per
 *	delivery (microseconds), deliveries per second at that median,
 *	median CPU time (user + system, of the process and the children it
 *	reaped) per delivery, the fastest run's wall time per delivery, the
 *	number of runs, and, with -b, the median over the rounds of this
 *	command's wall time divided by that of the command called name in
 *	the same round (neighbours in time share the machine's state, so
 *	this ratio is steadier than the ratio of the medians; "-" without
 *	-b).  A command that exits non-zero or dies stops the
 *	driver with exit 1 (a benchmark of failing deliveries is no
 *	benchmark).
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 64
#define MAX_ARGS 64

struct cmd {
	char *name;
	int as_user;
	uid_t uid;
	gid_t gid;
	char *input;
	char *reset;
	char *argv[MAX_ARGS + 1];
	double *wall;		/* per delivery, microseconds, one per run */
	double *cpu;
	double *ratio;		/* wall / the -b command's wall, per round */
};

static int writers = 1, sequential = 1;

/* die - print and exit 1 */
static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* now_us - the monotonic clock, microseconds */
static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* tv_us - a timeval in microseconds */
static double
tv_us(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

/* spawn - start one instance of c */
static pid_t
spawn(const struct cmd *c)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		die("fork");
	if (pid > 0)
		return pid;
	if ((fd = open(c->input, O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		_exit(126);
	(void)close(fd);
	if ((fd = open("/dev/null", O_WRONLY)) < 0 || dup2(fd, 1) < 0
	    || dup2(fd, 2) < 0)
		_exit(126);
	(void)close(fd);
	if (c->as_user && (setgroups(1, &c->gid) < 0 || setgid(c->gid) < 0
		|| setuid(c->uid) < 0))
		_exit(126);
	execv(c->argv[0], c->argv);
	_exit(127);
}

/* reset - undo the run's delivery (not timed) */
static void
reset(const struct cmd *c)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;
	long long size;
	char *colon;
	int fd;

	if (strncmp(c->reset, "maildir:", 8) == 0) {
		snprintf(path, sizeof(path), "%s/new", c->reset + 8);
		if ((dir = opendir(path)) == NULL)
			die(path);
		while ((d = readdir(dir)) != NULL)
			if (d->d_name[0] != '.' && unlinkat(dirfd(dir),
				d->d_name, 0) < 0)
				die("unlink");
		fd = dirfd(dir);
		if (syncfs(fd) < 0)
			die("syncfs");
		closedir(dir);
	} else if (strncmp(c->reset, "trunc:", 6) == 0) {
		snprintf(path, sizeof(path), "%s", c->reset + 6);
		if ((colon = strrchr(path, ':')) == NULL)
			die("trunc:FILE:SIZE");
		*colon = 0;
		size = atoll(colon + 1);
		if ((fd = open(path, O_WRONLY)) < 0 || ftruncate(fd, size) < 0
		    || syncfs(fd) < 0)
			die(path);
		(void)close(fd);
	}
}

/*
 * run - one run of c: "writers" streams at once, each "sequential"
 * deliveries one after the other (a stream starts its next delivery when
 * its last one has exited); stores the run's times in slot.
 */
static void
run(struct cmd *c, int slot)
{
	struct rusage ru;
	double t0, cpu = 0;
	pid_t pids[1024];
	int done[1024], i, running = 0, status;
	pid_t pid;

	t0 = now_us();
	for (i = 0; i < writers; i++) {
		pids[i] = spawn(c);
		done[i] = 0;
		running++;
	}
	while (running > 0) {
		while ((pid = wait4(-1, &status, 0, &ru)) < 0)
			if (errno != EINTR)
				die("wait4");
		for (i = 0; i < writers && pids[i] != pid; i++)
			;
		if (i == writers)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "driver: %s: %s %d\n", c->name,
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status)
			    : WTERMSIG(status));
			exit(1);
		}
		cpu += tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime);
		if (++done[i] < sequential)
			pids[i] = spawn(c);
		else {
			pids[i] = -1;
			running--;
		}
	}
	if (slot >= 0) {
		c->wall[slot] = (now_us() - t0) / (writers * sequential);
		c->cpu[slot] = cpu / (writers * sequential);
	}
	if (*c->reset != '-')
		reset(c);
}

/* cmp_double - qsort order */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median - of v[0..n) (sorts v) */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* parse - one spec line into c */
static void
parse(char *line, struct cmd *c)
{
	char *f[MAX_ARGS + 5], *p = line, *t;
	int n = 0, i;

	line[strcspn(line, "\n")] = 0;
	while (n < MAX_ARGS + 4 && (t = strsep(&p, "\t")) != NULL)
		f[n++] = t;
	if (n < 5) {
		fprintf(stderr, "driver: bad spec line: %s\n", line);
		exit(2);
	}
	c->name = strdup(f[0]);
	if (strcmp(f[1], "-") != 0) {
		c->as_user = 1;
		c->uid = (uid_t)atol(f[1]);
		c->gid = (gid_t)atol(strchr(f[1], ':') ? strchr(f[1], ':') + 1
		    : f[1]);
	}
	c->input = strdup(f[2]);
	c->reset = strdup(f[3]);
	for (i = 4; i < n; i++)
		c->argv[i - 4] = strdup(f[i]);
	c->argv[n - 4] = NULL;
}

int
main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	char line[8192];
	int runs = 21, warmup = 2, n = 0, ch, r, i, k, base = -1;
	const char *base_name = NULL;
	FILE *fp;

	while ((ch = getopt(argc, argv, "b:r:w:j:s:")) != -1) {
		switch (ch) {
		case 'b':
			base_name = optarg;
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'j':
			writers = atoi(optarg);
			break;
		case 's':
			sequential = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || runs < 1 || writers < 1 || writers > 1024
	    || sequential < 1)
		goto usage;
	if ((fp = fopen(argv[optind], "r")) == NULL)
		die(argv[optind]);
	memset(cmds, 0, sizeof(cmds));
	while (n < MAX_CMDS && fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		parse(line, &cmds[n]);
		cmds[n].wall = calloc((size_t)runs, sizeof(double));
		cmds[n].cpu = calloc((size_t)runs, sizeof(double));
		cmds[n].ratio = calloc((size_t)runs, sizeof(double));
		if (base_name && strcmp(cmds[n].name, base_name) == 0)
			base = n;
		n++;
	}
	fclose(fp);
	for (r = 0; r < warmup; r++)
		for (i = 0; i < n; i++)
			run(&cmds[i], -1);
	for (r = 0; r < runs; r++) {
		for (k = 0; k < n; k++)
			run(&cmds[(k + r) % n], r);
		for (i = 0; base >= 0 && i < n; i++)
			cmds[i].ratio[r] = cmds[i].wall[r] / cmds[base].wall[r];
	}
	for (i = 0; i < n; i++) {
		double w = median(cmds[i].wall, runs);

		printf("%s\t%.0f\t%.1f\t%.0f\t%.0f\t%d\t", cmds[i].name, w,
		    1e6 / w, median(cmds[i].cpu, runs), cmds[i].wall[0], runs);
		if (base >= 0)
			printf("%.2f\n", median(cmds[i].ratio, runs));
		else
			printf("-\n");
	}
	return 0;
usage:
	fprintf(stderr, "usage: driver [-r runs] [-w warmup] [-j writers] "
	    "[-s sequential] [-b name] specfile\n");
	return 2;
}
