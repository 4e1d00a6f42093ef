/* SPDX-License-Identifier: MIT */
/*
 * log - one-line log records (see log.h)
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_RECLEN 2000

static int log_fd = -1;		/* maillog_file, or -1 */
static bool log_fd_is_dgram;	/* log_fd is Postfix's postlog socket */
static char log_postlog[256];	/* $queue_directory/public/postlog */
static char log_myhostname[256];	/* for maillog_file records */
static bool log_syslog;		/* openlog() done */
static bool log_verbose;
static bool log_fd_is_stderr;	/* maillog_file = /dev/stderr */
static bool log_stderr_ok = true;
static char log_prog[64] = "vdeliver";
static char log_host[256];
static void (*log_hook)(int, const char *);

static const struct {
	const char *name;
	int facility;
} log_facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

void
vd_hostname(const char *name, char *out, size_t len)
{
	if (name && *name)
		snprintf(out, len, "%s", name);
	else if (gethostname(out, len) < 0)
		snprintf(out, len, "localhost");
	out[len - 1] = 0;
}

void
log_set_hostname(const char *myhostname)
{
	snprintf(log_myhostname, sizeof(log_myhostname), "%s",
	    myhostname ? myhostname : "");
}

void
log_set_postlog(const char *queue_directory)
{
	int n;

	log_postlog[0] = 0;
	if (queue_directory == NULL || *queue_directory != '/')
		return;
	n = snprintf(log_postlog, sizeof(log_postlog), "%s/public/postlog",
	    queue_directory);
	if (n < 0 || (size_t)n >= sizeof(log_postlog))
		log_postlog[0] = 0;
}

/* log_postlog_connect - Postfix's postlog socket, or -1 */
static int
log_postlog_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	if (log_postlog[0] == 0 || strlen(log_postlog) >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, log_postlog, strlen(log_postlog));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* log_syslog_open - syslog with the facility; 0, or -1 with st */
static int
log_syslog_open(const char *syslog_facility, struct vd_status *st)
{
	int facility = -1;
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]); i++)
		if (strcasecmp(syslog_facility ? syslog_facility : "mail",
			log_facilities[i].name) == 0)
			facility = log_facilities[i].facility;
	if (facility < 0)
		return vd_status_set(st, "4.3.5", "unknown syslog_facility \"%s\"",
		    syslog_facility);
	openlog(log_prog, LOG_PID | LOG_NDELAY, facility);
	log_syslog = true;
	return 0;
}

int
log_open(const char *prog, const char *syslog_name,
    const char *syslog_facility, const char *maillog_file, bool verbose,
    struct vd_status *st)
{
	char *dot;
	int saved;

	log_close();
	log_verbose = verbose;
	snprintf(log_prog, sizeof(log_prog), "%s/%s",
	    syslog_name && *syslog_name ? syslog_name : "postfix", prog);
	/* Postfix writes the first label of myhostname */
	vd_hostname(log_myhostname, log_host, sizeof(log_host));
	if ((dot = strchr(log_host, '.')) != NULL)
		*dot = 0;
	if (maillog_file && *maillog_file) {
		if (strcmp(maillog_file, "/dev/stderr") == 0) {
			if (!log_stderr_ok)
				return vd_status_set(st, "4.3.5",
				    "maillog_file = /dev/stderr is not allowed in this mode");
			if ((log_fd = dup(STDERR_FILENO)) < 0)
				return vd_status_errno(st, errno, "4.3.5",
				    "open maillog_file %s", maillog_file);
			log_fd_is_stderr = true;
			return 0;
		}
		log_fd = open(maillog_file,
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
		if (log_fd >= 0)
			return 0;
		saved = errno;
		/*
		 * Not ours to write (pipe(8) runs vdeliver as vmail, and
		 * postlogd owns Postfix's maillog_file): hand the records to
		 * postlogd as Postfix's own programs do, or else to syslog.
		 * A log that cannot be written never stops a delivery.
		 */
		if ((log_fd = log_postlog_connect()) >= 0) {
			log_fd_is_dgram = true;
			return 0;
		}
		if (log_syslog_open(syslog_facility, st) < 0)
			return -1;
		log_warn("open maillog_file %s: %s; logging to syslog",
		    maillog_file, strerror(saved));
		return 0;
	}
	return log_syslog_open(syslog_facility, st);
}

void
log_close(void)
{
	if (log_fd >= 0)
		(void)close(log_fd);
	log_fd = -1;
	log_fd_is_stderr = false;
	log_fd_is_dgram = false;
	if (log_syslog)
		closelog();
	log_syslog = false;
}

void
log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

void
log_no_stderr(void)
{
	log_stderr_ok = false;
}

void
log_set_hook(void (*hook)(int prio, const char *text))
{
	log_hook = hook;
}

/* log_write_fd - one record in postlogd's format, written in one call */
static void
log_write_fd(int fd, const char *text)
{
	char line[LOG_RECLEN + 256];
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (localtime_r(&now, &tm) == NULL
	    || strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm) == 0)
		stamp[0] = 0;
	n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s\n", stamp,
	    log_host[0] ? log_host : "localhost", log_prog, (long)getpid(),
	    text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* postlogd adds the newline itself */
	if (log_fd_is_dgram) {
		if (send(fd, line, (size_t)n - 1, 0) < 0) {
			/* postlogd gone: the record is lost, as in Postfix */
		}
		return;
	}
	if (write(fd, line, (size_t)n) < 0) {
		/* a log that cannot be written must not stop a delivery */
	}
}

/* log_vlog - format, cut, and send one record */
static void log_vlog(int prio, const char *prefix, const char *fmt, va_list ap)
    VD_PRINTF(3, 0);

static void
log_vlog(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char text[LOG_RECLEN + 1];
	size_t n;
	char *p;
	int saved = errno;

	n = (size_t)snprintf(text, sizeof(text), "%s", prefix);
	if (n < sizeof(text))
		vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (log_hook)
		log_hook(prio, text);
	else if (log_fd >= 0)
		log_write_fd(log_fd, text);
	else if (log_syslog)
		syslog(prio, "%s", text);
	else if (log_stderr_ok)
		fprintf(stderr, "%s: %s\n", log_prog, text);
	/* -v: a copy of every record on stderr as well */
	if (log_verbose && log_stderr_ok && !log_hook && !log_fd_is_stderr
	    && (log_fd >= 0 || log_syslog))
		fprintf(stderr, "%s: %s\n", log_prog, text);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, "", fmt, ap);
	va_end(ap);
}
