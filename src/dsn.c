/* SPDX-License-Identifier: MIT */
/*
 * dsn - "delivered" delivery status notifications (see dsn.h)
 *
 * DESCRIPTION
 *	dsn_build() writes the three parts first, each into a buffer of its
 *	own, then picks a boundary that occurs in none of them nor in the
 *	returned message part, then puts the notice together.  The layout
 *	follows what Postfix 3.7's bounce(8) sends for a "delivered"
 *	notice (a sendmail -N success message delivered by virtual(8)):
 *	the same top headers (Date, From: Mail Delivery System
 *	<MAILER-DAEMON@host>, Subject: Successful Mail Delivery Report, To,
 *	Auto-Submitted: auto-replied, MIME-Version, Content-Type,
 *	Content-Transfer-Encoding, Message-ID), the same part descriptions
 *	and the same field order; without Postfix's X-Postfix-* fields and
 *	Diagnostic-Code (the text part says what was done).  The texts are
 *	this program's own.
 *
 *	dsn_submit() multiplexes writing the notice and reading the
 *	command's output with poll(), so a command that writes much before
 *	it reads cannot deadlock it, and the deadline covers everything:
 *	start, writing, and the wait for the exit status.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "dsn.h"
#include "utf8.h"

#define DSN_BOUNDARY_BASE 60	/* bytes of the boundary before a ".N" */
#define DSN_OUTPUT_MAX 200	/* bytes of the command's output kept */
#define DSN_FD_SCAN_MAX 65536	/* fds closed in the child without close_range */

static const char dsn_days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char dsn_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

void
dsn_text_init(struct dsn_text *t)
{
	buf_init(&t->head);
	buf_init(&t->tail);
	t->body = NULL;
	t->body_len = 0;
}

void
dsn_text_fini(struct dsn_text *t)
{
	buf_fini(&t->head);
	buf_fini(&t->tail);
	t->body = NULL;
	t->body_len = 0;
}

/* dsn_tm - local time of t (UTC when the conversion fails) */
static void
dsn_tm(time_t t, struct tm *tm)
{
	if (localtime_r(&t, tm) == NULL && gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

/* dsn_put_date - RFC 5322 date-time of t, local time with its offset */
static void
dsn_put_date(struct buf *b, time_t t)
{
	struct tm tm;
	long off;
	char sign = '+';

	dsn_tm(t, &tm);
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	buf_printf(b, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    dsn_days[tm.tm_wday >= 0 && tm.tm_wday < 7 ? tm.tm_wday : 0],
	    tm.tm_mday,
	    dsn_months[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
	    off / 60, off % 60);
}

/*
 * dsn_put_value - s on one line: printable ASCII as it is, with utf8
 * valid UTF-8 too, every other byte (CR, LF, other controls, DEL,
 * stray 8-bit bytes) as xtext "+HH"
 */
static void
dsn_put_value(struct buf *b, const char *s, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n, len = strlen(s);

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			buf_putc(b, p[i]);
			continue;
		}
		if (utf8 && p[i] >= 0x80
		    && (n = utf8_seq_len(s + i, len - i)) > 0) {
			buf_append(b, s + i, n);
			i += n - 1;
			continue;
		}
		buf_printf(b, "+%02X", p[i]);
	}
}

/* dsn_put_addr - addr (internal form) in external form, as a value */
static void
dsn_put_addr(struct buf *b, const char *addr, bool utf8)
{
	struct buf q;

	buf_init(&q);
	address_quote(&q, addr);
	dsn_put_value(b, q.data, utf8);
	buf_fini(&q);
}

/* dsn_token - s with every byte but [A-Za-z0-9.-] as '_' (ids, boundary) */
static void
dsn_token(struct buf *b, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '.' || c == '-')
			buf_putc(b, c);
		else
			buf_putc(b, '_');
	}
}

/* dsn_has_8bit - some byte of p[0..n) is >= 0x80 */
static bool
dsn_has_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

/* dsn_contains - needle occurs in p[0..n) */
static bool
dsn_contains(const char *p, size_t n, const char *needle)
{
	return n > 0 && memmem(p, n, needle, strlen(needle)) != NULL;
}

/* dsn_is_address_type - ORCPT type whose value is an address */
static bool
dsn_is_address_type(const char *type)
{
	return strcasecmp(type, "rfc822") == 0 || strcasecmp(type, "utf-8") == 0;
}

size_t
dsn_header_len(const char *msg, size_t len)
{
	size_t pos = 0, end, i;
	bool in_header = false;

	while (pos < len) {
		const char *lf = memchr(msg + pos, '\n', len - pos);

		end = lf ? (size_t)(lf - msg) + 1 : len;
		if ((msg[pos] == ' ' || msg[pos] == '\t') && in_header) {
			pos = end;
			continue;
		}
		for (i = pos; i < end && msg[i] > 0x20 && msg[i] < 0x7f
		    && msg[i] != ':'; i++)
			;
		if (i == pos)
			break;
		while (i < end && (msg[i] == ' ' || msg[i] == '\t'))
			i++;
		if (i >= end || msg[i] != ':')
			break;
		in_header = true;
		pos = end;
	}
	return pos;
}

/* dsn_put_text - the part for people */
static void
dsn_put_text(struct buf *b, const struct dsn_notice *n)
{
	const struct dsn_rcpt *r;
	bool utf8 = n->is_smtputf8;
	struct buf q;
	size_t i;

	buf_puts(b, "This is the mail system at host ");
	dsn_put_value(b, n->hostname, utf8);
	buf_puts(b, ".\n\n"
	    "Your message was successfully delivered to the destination(s)\n"
	    "listed below. It was delivered to the recipient's mailbox, so\n"
	    "you will receive no further notifications about it from this\n"
	    "system.\n\n"
	    "                   The mail system\n");
	buf_init(&q);
	for (i = 0; i < n->n_rcpts; i++) {
		r = &n->rcpts[i];
		buf_reset(&q);
		address_quote(&q, r->rcpt);
		buf_puts(b, "\n<");
		dsn_put_value(b, q.data, utf8);
		buf_putc(b, '>');
		if (r->orcpt_type && r->orcpt && dsn_is_address_type(r->orcpt_type)
		    && strcasecmp(r->orcpt, q.data) != 0) {
			buf_puts(b, " (expanded from <");
			dsn_put_value(b, r->orcpt, utf8);
			buf_puts(b, ">)");
		}
		buf_puts(b, ": ");
		dsn_put_value(b, r->text ? r->text : "delivered", utf8);
		buf_putc(b, '\n');
	}
	buf_fini(&q);
}

/* dsn_put_status - the message/delivery-status fields */
static void
dsn_put_status(struct buf *b, const struct dsn_notice *n)
{
	const struct dsn_rcpt *r;
	bool utf8 = n->is_smtputf8;
	size_t i;

	buf_puts(b, "Reporting-MTA: dns; ");
	dsn_put_value(b, n->hostname, utf8);
	buf_putc(b, '\n');
	if (n->envid) {
		buf_puts(b, "Original-Envelope-Id: ");
		dsn_put_value(b, n->envid, utf8);
		buf_putc(b, '\n');
	}
	buf_puts(b, "Arrival-Date: ");
	dsn_put_date(b, n->arrival);
	buf_putc(b, '\n');
	for (i = 0; i < n->n_rcpts; i++) {
		r = &n->rcpts[i];
		/* RFC 6533: a non-ASCII address is of type utf-8 */
		buf_printf(b, "\nFinal-Recipient: %s; ",
		    utf8 && !utf8_is_ascii(r->rcpt) ? "utf-8" : "rfc822");
		dsn_put_addr(b, r->rcpt, utf8);
		buf_putc(b, '\n');
		if (r->orcpt_type) {
			buf_puts(b, "Original-Recipient: ");
			dsn_put_value(b, r->orcpt_type, false);
			buf_putc(b, ';');
			dsn_put_value(b, r->orcpt ? r->orcpt : "", utf8);
			buf_putc(b, '\n');
		}
		buf_puts(b, "Action: delivered\nStatus: ");
		dsn_put_value(b, r->status ? r->status : "2.0.0", false);
		buf_putc(b, '\n');
	}
}

/*
 * dsn_boundary - "QUEUEID.TIME/HOST", with ".N" added until it occurs
 * in none of the parts
 */
static void
dsn_boundary(struct buf *b, const struct dsn_notice *n,
    const struct buf *text, const struct buf *status, const char *body,
    size_t body_len)
{
	size_t base_len;
	unsigned k;

	dsn_token(b, n->queue_id ? n->queue_id : "", 20);
	buf_printf(b, ".%lld/", (long long)n->now);
	if (b->len < DSN_BOUNDARY_BASE)
		dsn_token(b, n->hostname, DSN_BOUNDARY_BASE - b->len);
	base_len = b->len;
	for (k = 1; dsn_contains(text->data, text->len, b->data)
	    || dsn_contains(status->data, status->len, b->data)
	    || dsn_contains(body, body_len, b->data); k++) {
		b->len = base_len;
		b->data[base_len] = 0;
		buf_printf(b, ".%u", k);
	}
}

void
dsn_build(const struct dsn_notice *n, struct dsn_text *t)
{
	struct buf text, status, bnd;
	struct buf *h = &t->head;
	struct tm tm;
	bool utf8 = n->is_smtputf8, text8, status8, body8;
	const char *body = n->msg ? n->msg : "";
	size_t body_len = n->msg ? n->msg_len : 0;

	if (!n->is_ret_full)
		body_len = dsn_header_len(body, body_len);
	t->body = body;
	t->body_len = body_len;
	buf_init(&text);
	buf_init(&status);
	buf_init(&bnd);
	dsn_put_text(&text, n);
	dsn_put_status(&status, n);
	dsn_boundary(&bnd, n, &text, &status, body, body_len);
	text8 = dsn_has_8bit(text.data, text.len);
	status8 = dsn_has_8bit(status.data, status.len);
	body8 = dsn_has_8bit(body, body_len);

	buf_puts(h, "Date: ");
	dsn_put_date(h, n->now);
	buf_puts(h, "\nFrom: Mail Delivery System <MAILER-DAEMON@");
	dsn_put_value(h, n->hostname, utf8);
	buf_puts(h, ">\nSubject: Successful Mail Delivery Report\nTo: ");
	dsn_put_addr(h, n->sender, utf8);
	buf_puts(h, "\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"");
	buf_append(h, bnd.data, bnd.len);
	buf_printf(h, "\"\nContent-Transfer-Encoding: %s\nMessage-ID: <",
	    text8 || status8 || body8 ? "8bit" : "7bit");
	dsn_tm(n->now, &tm);
	buf_printf(h, "%04d%02d%02d%02d%02d%02d.", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	dsn_token(h, n->queue_id ? n->queue_id : "", 64);
	buf_putc(h, '@');
	dsn_token(h, n->hostname, 255);
	buf_puts(h, ">\n\nThis is a MIME-encapsulated message.\n\n");

	buf_printf(h, "--%s\nContent-Description: Notification\n"
	    "Content-Type: text/plain; charset=%s\n", bnd.data,
	    text8 ? "utf-8" : "us-ascii");
	if (text8)
		buf_puts(h, "Content-Transfer-Encoding: 8bit\n");
	buf_putc(h, '\n');
	buf_append(h, text.data, text.len);

	buf_printf(h, "\n--%s\nContent-Description: Delivery report\n"
	    "Content-Type: message/%sdelivery-status\n", bnd.data,
	    utf8 ? "global-" : "");
	if (status8)
		buf_puts(h, "Content-Transfer-Encoding: 8bit\n");
	buf_putc(h, '\n');
	buf_append(h, status.data, status.len);

	buf_printf(h, "\n--%s\nContent-Description: %s\nContent-Type: %s\n",
	    bnd.data, n->is_ret_full ? "Delivered Message" : "Message Headers",
	    n->is_ret_full ? (utf8 ? "message/global" : "message/rfc822")
	    : (utf8 ? "message/global-headers" : "text/rfc822-headers"));
	if (body8)
		buf_puts(h, "Content-Transfer-Encoding: 8bit\n");
	buf_putc(h, '\n');

	buf_printf(&t->tail, "\n--%s--\n", bnd.data);
	buf_fini(&text);
	buf_fini(&status);
	buf_fini(&bnd);
}

/* ---- Submission ------------------------------------------------------- */

/* dsn_close_from - close every fd >= lo */
static void
dsn_close_from(int lo)
{
	long max, fd;

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	if (close_range((unsigned)lo, ~0U, 0) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > DSN_FD_SCAN_MAX)
		max = DSN_FD_SCAN_MAX;
	for (fd = lo; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * dsn_child - become the command: own process group, default signals,
 * nothing blocked, stdin from in_fd, stdout and stderr to out_fd
 */
static void __attribute__((noreturn))
dsn_child(const char *path, char *const argv[], int in_fd, int out_fd)
{
	struct sigaction sa;
	sigset_t none;
	char msg[600];
	int sig, in, out, n;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* out of the way of 0-2 first, whatever numbers the pipes got */
	if ((in = fcntl(in_fd, F_DUPFD_CLOEXEC, 10)) < 0
	    || (out = fcntl(out_fd, F_DUPFD_CLOEXEC, 10)) < 0
	    || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0
	    || dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	dsn_close_from(3);
	execv(path, argv);
	n = snprintf(msg, sizeof(msg), "execute %s: %s", path, strerror(errno));
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n < sizeof(msg)
	    ? (size_t)n : sizeof(msg) - 1) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

/* dsn_ms_left - milliseconds to the deadline (>= 0), or -1 without one */
static int
dsn_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (deadline->tv_sec == 0)
		return -1;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return 0;
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000
	    + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms < 0)
		return 0;
	return ms > 1000000 ? 1000000 : (int)ms;
}

/* dsn_output - the command's output on one line, for a status text */
static void
dsn_output(char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

int
dsn_submit(const char *sendmail_path, const char *sender,
    const struct dsn_text *t, unsigned timeout, struct vd_status *st)
{
	struct { const char *p; size_t n; } seg[3];
	struct sigaction sa, old_pipe, old_chld;
	struct timespec deadline = { 0, 0 };
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct pollfd pfd[2];
	struct buf to;
	char *argv[7];
	char out[DSN_OUTPUT_MAX + 1], junk[4096];
	size_t out_len = 0, si = 0, off = 0;
	int in[2] = { -1, -1 }, op[2] = { -1, -1 };
	int status = 0, write_err = 0, ms, ret = -1;
	bool is_timeout = false, is_reaped = false;
	ssize_t n;
	pid_t pid = -1, w;

	if (sendmail_path == NULL || *sendmail_path != '/')
		return vd_status_set(st, "4.3.5", "sendmail_path is not an "
		    "absolute pathname: \"%s\"", sendmail_path ? sendmail_path
		    : "");
	seg[0].p = t->head.data;
	seg[0].n = t->head.len;
	seg[1].p = t->body;
	seg[1].n = t->body ? t->body_len : 0;
	seg[2].p = t->tail.data;
	seg[2].n = t->tail.len;
	buf_init(&to);
	address_quote(&to, sender);
	argv[0] = (char *)sendmail_path;
	argv[1] = (char *)"-i";
	argv[2] = (char *)"-f";
	argv[3] = (char *)"<>";
	argv[4] = (char *)"--";
	argv[5] = to.data;
	argv[6] = NULL;
	if (timeout > 0) {
		if (clock_gettime(CLOCK_MONOTONIC, &deadline) < 0) {
			vd_status_errno(st, errno, "4.3.0", "clock_gettime");
			goto out;
		}
		deadline.tv_sec += (time_t)timeout;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0) {
		vd_status_errno(st, errno, "4.3.0", "pipe");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGPIPE, &sa, &old_pipe);
	/* an inherited SIG_IGN would reap the child before waitpid() */
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGCHLD, &sa, &old_chld);
	if ((pid = fork()) < 0) {
		vd_status_errno(st, errno, "4.3.0", "fork");
		goto restore;
	}
	if (pid == 0)
		dsn_child(sendmail_path, argv, in[0], op[1]);
	(void)setpgid(pid, pid);	/* EACCES once it has run exec */
	(void)close(in[0]);
	(void)close(op[1]);
	in[0] = op[1] = -1;
	(void)fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	(void)fcntl(op[0], F_SETFL, fcntl(op[0], F_GETFL) | O_NONBLOCK);

	while (in[1] >= 0 || op[0] >= 0) {
		while (si < 3 && off >= seg[si].n) {
			si++;
			off = 0;
		}
		if (si == 3 && in[1] >= 0) {
			(void)close(in[1]);	/* EOF for the command */
			in[1] = -1;
			continue;
		}
		pfd[0].fd = in[1];
		pfd[0].events = POLLOUT;
		pfd[1].fd = op[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if ((ms = dsn_ms_left(&deadline)) == 0) {
			is_timeout = true;
			break;
		}
		if (poll(pfd, 2, ms) < 0) {
			if (errno == EINTR)
				continue;
			vd_status_errno(st, errno, "4.3.0", "poll");
			goto stop;
		}
		if (pfd[0].revents) {
			n = write(in[1], seg[si].p + off, seg[si].n - off);
			if (n > 0) {
				off += (size_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				write_err = errno;	/* EPIPE: it stopped reading */
				(void)close(in[1]);
				in[1] = -1;
			}
		}
		if (pfd[1].revents) {
			n = read(op[0], junk, sizeof(junk));
			if (n > 0) {
				size_t k = (size_t)n;

				if (k > DSN_OUTPUT_MAX - out_len)
					k = DSN_OUTPUT_MAX - out_len;
				memcpy(out + out_len, junk, k);
				out_len += k;
			} else if (n == 0 || (errno != EAGAIN
			    && errno != EINTR)) {
				(void)close(op[0]);
				op[0] = -1;
			}
		}
	}
	/* The output is closed: the command is exiting (or timed out). */
	while (!is_timeout) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			is_reaped = true;
			break;
		}
		if (w < 0 && errno != EINTR) {
			vd_status_errno(st, errno, "4.3.0", "waitpid");
			goto stop;
		}
		if (dsn_ms_left(&deadline) == 0)
			is_timeout = true;
		else if (w == 0)
			(void)nanosleep(&tick, NULL);
	}
	if (is_timeout) {
		vd_status_set(st, "4.3.0", "%s: no exit within %u s: killed",
		    sendmail_path, timeout);
		goto stop;
	}
	out[out_len] = 0;
	dsn_output(out, out_len);
	if (WIFSIGNALED(status))
		vd_status_set(st, "4.3.0", "%s: killed by signal %d%s%s",
		    sendmail_path, WTERMSIG(status), *out ? ": " : "", out);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		vd_status_set(st, "4.3.0", "%s: exit status %d%s%s",
		    sendmail_path, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    *out ? ": " : "", out);
	else if (write_err)
		vd_status_set(st, "4.3.0", "%s: exited before reading the "
		    "whole notice: %s", sendmail_path, strerror(write_err));
	else
		ret = 0;
	goto restore;
stop:
	if (!is_reaped) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
restore:
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigaction(SIGCHLD, &old_chld, NULL);
out:
	if (in[0] >= 0)
		(void)close(in[0]);
	if (in[1] >= 0)
		(void)close(in[1]);
	if (op[0] >= 0)
		(void)close(op[0]);
	if (op[1] >= 0)
		(void)close(op[1]);
	buf_fini(&to);
	return ret;
}
