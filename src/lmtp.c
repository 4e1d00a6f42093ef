/* SPDX-License-Identifier: MIT */
/*
 * lmtp - LMTP (RFC 2033) server mode (see lmtp.h)
 *
 * DESCRIPTION
 *	The session engine reads commands one line at a time from a fixed
 *	input buffer and processes them strictly in order (RFC 2920):
 *	buffered input is never discarded, and all pending replies are
 *	flushed before the engine blocks on a read and after each delivery
 *	result, so a pipelining client sees every reply as soon as it
 *	exists.  Memory is bounded: a command line is kept up to
 *	vdeliver_lmtp_line_length_limit (the rest is read and dropped, 500
 *	5.5.2), message data goes straight to message_add() in chunks.
 *
 *	Message lines have no length limit: RFC 5321 4.5.3.1 asks for
 *	none where the implementation allows it, Postfix's smtpd and
 *	virtual(8) deliver long lines unchanged, and with
 *	lmtp_line_length_limit = 0 Postfix's lmtp(8) client sends them so;
 *	refusing them would bounce mail that virtual(8) delivers.
 *
 *	Replies (the enhanced code decides what Postfix does with them):
 *	  220 greeting, 250 LHLO (PIPELINING ENHANCEDSTATUSCODES 8BITMIME
 *	      SIZE SMTPUTF8, and DSN unless vdeliver_lmtp_dsn = no)
 *	  MAIL 250 2.1.0 | 552 5.3.4 SIZE over the limit | 501 | 555 | 503
 *	  RCPT 250 2.1.5 | 550 5.1.1 unknown user | 451 4.3.5 table or
 *	      uid/gid trouble | 452 4.5.3 too many recipients | 501 | 503
 *	  DATA 354, then per accepted recipient the delivery result: 250
 *	      2.0.0, 452 4.2.2, 451 4.x.x, 552 5.2.2 / 5.3.4 (message over
 *	      the size limit), 550 5.x.x; 503 without an accepted recipient
 *	  HELO/EHLO 500 5.5.1 (RFC 2033 4.1: no positive reply allowed)
 *	  421 4.4.2 timeout, 421 4.7.0 too many errors, 421 4.3.2 shutdown
 *
 *	Protocol errors (unknown or out-of-order commands, bad syntax,
 *	over-long command lines, NUL bytes) count towards vdeliver_lmtp_error_limit;
 *	rejected recipients do not, since a Postfix request may carry many
 *	unknown users.
 *
 *	DSN (RFC 3461): Postfix's LMTP client sends ORCPT, the source of
 *	X-Original-To, only to a server that offers DSN, and then leaves
 *	the NOTIFY=SUCCESS notices to that server.  So, once the replies
 *	after DATA are written (the client is never kept waiting for them),
 *	the recipients that were delivered, whose RCPT asked for
 *	NOTIFY=SUCCESS and whose reply was written, get one "delivered"
 *	notice per transaction (dsn.c), through sendmail_path, unless the
 *	sender is null; a duplicate RCPT is listed once.  A notice that
 *	cannot be submitted is a warning in the log: the mail is delivered.
 *	With vdeliver_lmtp_dsn = no, DSN is not offered, and RET, ENVID,
 *	NOTIFY and ORCPT are unknown parameters (555 5.5.4).
 *
 *	Each transaction gets a queue id for the log records: 15 letters
 *	and digits from the time (seconds, microseconds), the process id
 *	and a counter, unique on the host (Postfix sends none without
 *	XFORWARD).
 *
 *	Signals: SIGTERM/SIGINT are blocked except while the session waits
 *	for input.  A signal that arrives while a message is being received
 *	or delivered lets it finish (receive, deliver, reply); then, or at
 *	once when the session is waiting for a command, the client gets
 *	421 4.3.2 (QUIT still gets 221) and the session ends.
 *
 *	The listener (--listen) forks one child per connection; the child
 *	keeps the listener's privileges (root: agent_deliver() switches to
 *	each recipient's uid/gid in a process of its own).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "agent.h"
#include "buf.h"
#include "dsn.h"
#include "lmtp.h"
#include "lmtp_proto.h"
#include "log.h"
#include "message.h"

/* vdeliver_lmtp_line_length_limit when unset: a line, CRLF included */
#define LMTP_LINE_LIMIT 4096
#define LMTP_IBUF_SIZE 65536
#define LMTP_DATA_CHUNK 65536
#define LMTP_REPLY_MAX 990	/* reply text, so that a line stays < 1000 */
#define LMTP_MAX_LISTEN 16
#define SD_LISTEN_FDS_START 3

enum lmtp_io_state {
	LMTP_IO_OK,
	LMTP_IO_EOF,
	LMTP_IO_TIMEOUT,
	LMTP_IO_ERROR,
	LMTP_IO_TERM,
};

struct lmtp_io {
	int in_fd;
	int out_fd;
	char *ibuf;
	size_t ipos;
	size_t ilen;
	struct buf out;		/* replies not yet written */
	unsigned timeout;	/* seconds per read or write; 0 = none */
	enum lmtp_io_state state;	/* of reading */
	bool is_write_failed;
	bool in_data;		/* a shutdown signal waits until DATA ends */
	sigset_t waitmask;	/* signal mask while waiting */
};

struct lmtp_txn_rcpt {
	struct agent_rcpt ar;
	char *given;		/* for the replies: <given> */
	size_t dup_of;		/* same recipient earlier, or SIZE_MAX */
	int notify;		/* NOTIFY= (LMTP_NOTIFY_*), 0 when not given */
	char *orcpt_type;	/* ORCPT type and decoded value, or NULL */
	char *orcpt_value;
	bool is_replied;	/* the delivery reply was written */
	bool is_noticed;	/* listed in the success notice */
};

struct lmtp_session {
	const struct vd_config *cfg;
	struct agent agent;
	bool is_agent_open;
	struct lmtp_io io;
	char peer[80];		/* for log records */
	size_t line_limit;	/* text of a command line, without CRLF */
	unsigned long long size_limit;	/* 0 = none */
	int n_errors;
	bool has_lhlo;
	bool is_done;		/* QUIT, 421, or the client is gone */
	/* the transaction */
	bool in_mail;
	char *sender;		/* internal form; "" = null sender */
	int ret;		/* RET= (LMTP_RET_*) */
	char *envid;		/* decoded ENVID=, or NULL */
	bool smtputf8;		/* MAIL had SMTPUTF8 */
	char qid[32];
	struct timeval start;
	struct lmtp_txn_rcpt *rcpts;
	size_t n_rcpts;
	size_t cap_rcpts;
};

static volatile sig_atomic_t lmtp_got_term;	/* session: stop soon */
static int lmtp_oom_fd = STDOUT_FILENO;	/* where "421 out of memory" goes */
static bool lmtp_is_listener;	/* errors go to stderr, not to a client */
static const struct vd_config *lmtp_cfg;	/* for lmtp_fail(), once loaded */
static unsigned long lmtp_qid_counter;

/* lmtp_on_term - SIGTERM/SIGINT in a session: finish, then stop */
static void
lmtp_on_term(int sig)
{
	(void)sig;
	lmtp_got_term = 1;
}

/* lmtp_oom - out of memory in LMTP mode: tell the client, defer */
static void
lmtp_oom(void)
{
	static const char msg[] = "421 4.3.0 out of memory\r\n";

	if (lmtp_oom_fd >= 0 && write(lmtp_oom_fd, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done */
	}
}

bool
lmtp_prepare(int argc, char **argv, const char *with_arg)
{
	bool is_lmtp = false, is_listen = false;
	const char *a;
	int i;

	/* The options as getopt "+" reads them: up to the first operand. */
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == 0)
			break;
		if (strcmp(a, "--lmtp") == 0) {
			is_lmtp = true;
		} else if (strcmp(a, "--listen") == 0) {
			is_listen = true;
			i++;
		} else if (strncmp(a, "--listen=", 9) == 0) {
			is_listen = true;
		} else if (a[1] != '-') {
			/* a cluster like -vc FILE: the first option with an
			 * argument takes the rest, or the next word */
			for (a++; *a; a++) {
				if (strchr(with_arg, *a)) {
					if (a[1] == 0)
						i++;
					break;
				}
			}
		}
	}
	if (!is_lmtp)
		return false;
	if (!is_listen)
		log_no_stderr();
	lmtp_oom_fd = is_listen ? -1 : STDOUT_FILENO;
	vd_oom_hook = lmtp_oom;
	return true;
}

/*
 * lmtp_line_limit - the longest command line, CRLF included
 * (vdeliver_lmtp_line_length_limit; the config reader keeps it >= 512)
 */
static size_t
lmtp_line_limit(const struct vd_config *cfg)
{
	return cfg->vdeliver_lmtp_line_length_limit >= 3
	    ? (size_t)cfg->vdeliver_lmtp_line_length_limit : LMTP_LINE_LIMIT;
}

/* ---- Input and output ------------------------------------------------- */

/* lmtp_io_init - buffers for a session on in_fd/out_fd */
static void
lmtp_io_init(struct lmtp_io *io, int in_fd, int out_fd, unsigned timeout)
{
	memset(io, 0, sizeof(*io));
	io->in_fd = in_fd;
	io->out_fd = out_fd;
	io->ibuf = xmalloc(LMTP_IBUF_SIZE);
	buf_init(&io->out);
	io->timeout = timeout;
	io->state = LMTP_IO_OK;
	sigemptyset(&io->waitmask);
}

/* lmtp_io_fini - free the buffers (the fds are the caller's) */
static void
lmtp_io_fini(struct lmtp_io *io)
{
	free(io->ibuf);
	buf_fini(&io->out);
	io->ibuf = NULL;
}

/* lmtp_ts_sub - a - b, for timespecs */
static struct timespec
lmtp_ts_sub(struct timespec a, struct timespec b)
{
	struct timespec r;

	r.tv_sec = a.tv_sec - b.tv_sec;
	r.tv_nsec = a.tv_nsec - b.tv_nsec;
	if (r.tv_nsec < 0) {
		r.tv_sec--;
		r.tv_nsec += 1000000000L;
	}
	return r;
}

/*
 * lmtp_io_wait - wait until fd is ready for events, at most the timeout.
 * Waiting for input is where a shutdown signal is noticed.  Returns
 * LMTP_IO_OK, or LMTP_IO_TIMEOUT, LMTP_IO_TERM, LMTP_IO_ERROR.
 */
static enum lmtp_io_state
lmtp_io_wait(struct lmtp_io *io, int fd, short events)
{
	struct timespec deadline, now, left;
	struct pollfd pfd;
	int n;

	if (clock_gettime(CLOCK_MONOTONIC, &deadline) < 0)
		return LMTP_IO_ERROR;
	deadline.tv_sec += (time_t)io->timeout;
	for (;;) {
		if (events == POLLIN && lmtp_got_term && !io->in_data)
			return LMTP_IO_TERM;
		if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
			return LMTP_IO_ERROR;
		left = lmtp_ts_sub(deadline, now);
		if (io->timeout > 0 && left.tv_sec < 0)
			return LMTP_IO_TIMEOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = ppoll(&pfd, 1, io->timeout > 0 ? &left : NULL,
		    &io->waitmask);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return LMTP_IO_ERROR;
		if (n > 0)
			return LMTP_IO_OK;
	}
}

/*
 * lmtp_io_flush - write every pending reply; 0, or -1 once a write
 * failed or timed out (the client is gone or does not read: later
 * replies are dropped).  Writing still works after the client closed
 * its sending side.
 */
static int
lmtp_io_flush(struct lmtp_io *io)
{
	size_t off = 0;
	ssize_t n;

	while (!io->is_write_failed && off < io->out.len) {
		if (lmtp_io_wait(io, io->out_fd, POLLOUT) != LMTP_IO_OK) {
			io->is_write_failed = true;
			break;
		}
		n = write(io->out_fd, io->out.data + off, io->out.len - off);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			io->is_write_failed = true;
		else
			off += (size_t)n;
	}
	buf_reset(&io->out);
	return io->is_write_failed ? -1 : 0;
}

/* lmtp_io_fill - more input: flush the replies first, then wait; 0 or -1 */
static int
lmtp_io_fill(struct lmtp_io *io)
{
	enum lmtp_io_state w;
	ssize_t n;

	if (io->ipos < io->ilen)
		return 0;
	if (io->state != LMTP_IO_OK)
		return -1;
	if (lmtp_io_flush(io) < 0) {
		io->state = LMTP_IO_ERROR;
		return -1;
	}
	io->ipos = io->ilen = 0;
	for (;;) {
		if ((w = lmtp_io_wait(io, io->in_fd, POLLIN)) != LMTP_IO_OK) {
			io->state = w;
			return -1;
		}
		n = read(io->in_fd, io->ibuf, LMTP_IBUF_SIZE);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			io->state = LMTP_IO_ERROR;
			return -1;
		}
		if (n == 0) {
			io->state = LMTP_IO_EOF;
			return -1;
		}
		io->ilen = (size_t)n;
		return 0;
	}
}

/*
 * lmtp_io_getline - append up to max bytes of the current line to out;
 * *complete_r says whether its LF came too (it is included).  0, or -1
 * when the input ended, timed out or failed first.
 */
static int
lmtp_io_getline(struct lmtp_io *io, struct buf *out, size_t max,
    bool *complete_r)
{
	const char *p, *lf;
	size_t n;

	*complete_r = false;
	while (max > 0) {
		if (lmtp_io_fill(io) < 0)
			return -1;
		p = io->ibuf + io->ipos;
		n = io->ilen - io->ipos;
		if (n > max)
			n = max;
		if ((lf = memchr(p, '\n', n)) != NULL) {
			n = (size_t)(lf - p) + 1;
			*complete_r = true;
		}
		buf_append(out, p, n);
		io->ipos += n;
		max -= n;
		if (*complete_r)
			break;
	}
	return 0;
}

/*
 * lmtp_io_linger - before closing a socket that still has unread input:
 * a close() would reset the connection, and the client could lose the
 * last reply (a 421).  Close our sending side, then read and drop what
 * the client still sends, for at most 2 s or 1 MiB.
 */
static void
lmtp_io_linger(struct lmtp_io *io)
{
	struct pollfd pfd;
	size_t total = 0;
	ssize_t n;
	int pending = 0, i;

	if (io->in_fd != io->out_fd || ioctl(io->in_fd, FIONREAD, &pending) < 0
	    || pending <= 0 || shutdown(io->out_fd, SHUT_WR) < 0)
		return;
	for (i = 0; i < 20 && total < 1024 * 1024; i++) {
		pfd.fd = io->in_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return;
		if (pfd.revents == 0)
			continue;
		n = read(io->in_fd, io->ibuf, LMTP_IBUF_SIZE);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			return;
		if (n > 0)
			total += (size_t)n;
	}
}

/* ---- Replies ---------------------------------------------------------- */

/* lmtp_vreply - queue one reply line "code[sep]dsn text" */
static void
lmtp_vreply(struct lmtp_session *s, int code, char sep, const char *dsn,
    const char *fmt, va_list ap) VD_PRINTF(5, 0);

static void
lmtp_vreply(struct lmtp_session *s, int code, char sep, const char *dsn,
    const char *fmt, va_list ap)
{
	char text[LMTP_REPLY_MAX + 1];
	char *p;

	vsnprintf(text, sizeof(text), fmt, ap);
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (dsn)
		buf_printf(&s->io.out, "%d%c%s %s\r\n", code, sep, dsn, text);
	else
		buf_printf(&s->io.out, "%d%c%s\r\n", code, sep, text);
}

/* lmtp_reply - one reply; dsn NULL for 220, 354 and the LHLO lines */
static void
lmtp_reply(struct lmtp_session *s, int code, const char *dsn,
    const char *fmt, ...) VD_PRINTF(4, 5);

static void
lmtp_reply(struct lmtp_session *s, int code, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lmtp_vreply(s, code, ' ', dsn, fmt, ap);
	va_end(ap);
}

/* lmtp_error - a reply to a protocol error: counts towards the limit */
static void
lmtp_error(struct lmtp_session *s, int code, const char *dsn,
    const char *fmt, ...) VD_PRINTF(4, 5);

static void
lmtp_error(struct lmtp_session *s, int code, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lmtp_vreply(s, code, ' ', dsn, fmt, ap);
	va_end(ap);
	s->n_errors++;
}

/*
 * lmtp_code - the reply code for a delivery or resolution status, in the
 * class of its DSN: 250; 452 (4.2.2 mailbox full, 4.3.1 system full,
 * 4.5.3), 450 (other 4.2.x: mailbox busy), 451; 552 (5.2.2, 5.3.4), 500
 * (5.5.x), 550.
 */
static int
lmtp_code(const struct vd_status *st)
{
	const char *d = st->dsn;

	if (d[0] == '2')
		return 250;
	if (d[0] == '4') {
		if (strcmp(d, "4.2.2") == 0 || strcmp(d, "4.3.1") == 0
		    || strcmp(d, "4.5.3") == 0)
			return 452;
		if (strncmp(d, "4.2.", 4) == 0)
			return 450;
		return 451;
	}
	if (strcmp(d, "5.2.2") == 0 || strcmp(d, "5.3.4") == 0)
		return 552;
	if (strncmp(d, "5.5.", 4) == 0)
		return 500;
	return 550;
}

/* lmtp_close421 - a final 421 reply, and the session ends */
static void
lmtp_close421(struct lmtp_session *s, const char *dsn, const char *text)
{
	lmtp_reply(s, 421, dsn, "%s %s", s->agent.hostname, text);
	s->is_done = true;
}

/* ---- The transaction -------------------------------------------------- */

/* lmtp_qid_put - n base-62 digits of v */
static void
lmtp_qid_put(char *out, unsigned long long v, int n)
{
	static const char digits[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	while (n-- > 0) {
		out[n] = digits[v % 62];
		v /= 62;
	}
}

/* lmtp_new_qid - time (6), microseconds (4), pid (4), counter (1) */
static void
lmtp_new_qid(char *out, size_t len, const struct timeval *tv)
{
	char id[16];

	lmtp_qid_put(id, (unsigned long long)tv->tv_sec, 6);
	lmtp_qid_put(id + 6, (unsigned long long)tv->tv_usec, 4);
	lmtp_qid_put(id + 10, (unsigned long long)getpid(), 4);
	lmtp_qid_put(id + 14, lmtp_qid_counter++, 1);
	id[15] = 0;
	snprintf(out, len, "%s", id);
}

/* lmtp_txn_rcpt_fini - free what one recipient of the transaction holds */
static void
lmtp_txn_rcpt_fini(struct lmtp_txn_rcpt *t)
{
	agent_rcpt_fini(&t->ar);
	free(t->given);
	free(t->orcpt_type);
	free(t->orcpt_value);
	t->given = t->orcpt_type = t->orcpt_value = NULL;
}

/* lmtp_txn_reset - forget the sender and the recipients */
static void
lmtp_txn_reset(struct lmtp_session *s)
{
	size_t i;

	for (i = 0; i < s->n_rcpts; i++)
		lmtp_txn_rcpt_fini(&s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->n_rcpts = s->cap_rcpts = 0;
	free(s->sender);
	s->sender = NULL;
	free(s->envid);
	s->envid = NULL;
	s->ret = LMTP_RET_NONE;
	s->smtputf8 = false;
	s->in_mail = false;
	s->qid[0] = 0;
}

/* lmtp_reopen - tables changed since they were opened: open them again */
static void
lmtp_reopen(struct lmtp_session *s)
{
	struct vd_status st;

	if (s->is_agent_open && !agent_changed(&s->agent))
		return;
	if (s->is_agent_open) {
		log_info("a table changed: reopening the tables");
		agent_close(&s->agent);
		s->is_agent_open = false;
	}
	if (agent_open(&s->agent, s->cfg, &st) < 0)
		log_warn("%s", st.text);
	else
		s->is_agent_open = true;
}

/* lmtp_do_lhlo - LHLO: the EHLO-style reply (RFC 2033 4.1) */
static void
lmtp_do_lhlo(struct lmtp_session *s, const struct lmtp_cmd *cmd)
{
	struct buf *o = &s->io.out;

	if (cmd->arg_len == 0) {
		lmtp_error(s, 501, "5.5.4", "Syntax: LHLO hostname");
		return;
	}
	lmtp_txn_reset(s);
	s->has_lhlo = true;
	buf_printf(o, "250-%s\r\n", s->agent.hostname);
	buf_puts(o, "250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
	    "250-8BITMIME\r\n");
	if (s->size_limit > 0)
		buf_printf(o, "250-SIZE %llu\r\n", s->size_limit);
	else
		buf_puts(o, "250-SIZE\r\n");
	if (s->cfg->vdeliver_lmtp_dsn)
		buf_puts(o, "250-SMTPUTF8\r\n250 DSN\r\n");
	else
		buf_puts(o, "250 SMTPUTF8\r\n");
}

/* lmtp_do_mail - MAIL FROM: start a transaction */
static void
lmtp_do_mail(struct lmtp_session *s, const struct lmtp_cmd *cmd)
{
	struct lmtp_mail m;
	struct lmtp_err err;

	if (!s->has_lhlo) {
		lmtp_error(s, 503, "5.5.1", "Error: send LHLO first");
		return;
	}
	if (s->in_mail) {
		lmtp_error(s, 503, "5.5.1", "Error: nested MAIL command");
		return;
	}
	if (lmtp_parse_mail(cmd->arg, cmd->arg_len, &m, &err) < 0) {
		lmtp_error(s, err.code, err.dsn, "%s", err.text);
		return;
	}
	if (!s->cfg->vdeliver_lmtp_dsn && (m.ret != LMTP_RET_NONE || m.envid)) {
		/* DSN is not offered: its parameters are unknown ones */
		lmtp_error(s, 555, "5.5.4", "Unsupported option: %s",
		    m.ret != LMTP_RET_NONE ? "RET" : "ENVID");
		lmtp_mail_fini(&m);
		return;
	}
	if (s->size_limit > 0 && m.has_size && m.size > s->size_limit) {
		lmtp_reply(s, 552, "5.3.4",
		    "Message size exceeds fixed limit of %llu bytes",
		    s->size_limit);
		lmtp_mail_fini(&m);
		return;
	}
	lmtp_reopen(s);
	s->sender = m.sender;
	m.sender = NULL;
	s->envid = m.envid;
	m.envid = NULL;
	s->ret = m.ret;
	s->smtputf8 = m.smtputf8;
	lmtp_mail_fini(&m);
	gettimeofday(&s->start, NULL);
	lmtp_new_qid(s->qid, sizeof(s->qid), &s->start);
	s->in_mail = true;
	lmtp_reply(s, 250, "2.1.0", "Ok");
}

/* lmtp_log_reject - a recipient refused at RCPT time (smtpd's format) */
static void
lmtp_log_reject(const struct lmtp_session *s, int code,
    const struct agent_rcpt *ar, const char *given)
{
	struct buf from, to;

	buf_init(&from);
	buf_init(&to);
	address_quote(&from, s->sender);
	address_quote(&to, ar->rcpt);
	log_info("%s: reject: RCPT from %s: %d %s <%s>: %s; from=<%s> to=<%s> "
	    "proto=LMTP", s->qid, s->peer, code, ar->st.dsn, given,
	    ar->st.text, from.data, to.data);
	buf_fini(&from);
	buf_fini(&to);
}

/* lmtp_do_rcpt - RCPT TO: resolve now, answer now */
static void
lmtp_do_rcpt(struct lmtp_session *s, const struct lmtp_cmd *cmd)
{
	const struct vd_config *cfg = s->cfg;
	struct lmtp_txn_rcpt *t;
	struct lmtp_rcpt r;
	struct lmtp_err err;
	size_t i;
	int code;

	if (!s->in_mail) {
		lmtp_error(s, 503, "5.5.1", "Error: need MAIL command");
		return;
	}
	if (lmtp_parse_rcpt(cmd->arg, cmd->arg_len, &r, &err) < 0) {
		lmtp_error(s, err.code, err.dsn, "%s", err.text);
		return;
	}
	if (!cfg->vdeliver_lmtp_dsn && (r.notify != 0 || r.orcpt_type)) {
		lmtp_error(s, 555, "5.5.4", "Unsupported option: %s",
		    r.notify != 0 ? "NOTIFY" : "ORCPT");
		lmtp_rcpt_fini(&r);
		return;
	}
	if (cfg->vdeliver_lmtp_recipient_limit > 0
	    && s->n_rcpts >= (size_t)cfg->vdeliver_lmtp_recipient_limit) {
		lmtp_reply(s, 452, "4.5.3", "Error: too many recipients");
		lmtp_rcpt_fini(&r);
		return;
	}
	if (s->n_rcpts == s->cap_rcpts) {
		s->cap_rcpts = s->cap_rcpts ? 2 * s->cap_rcpts : 8;
		s->rcpts = xrealloc(s->rcpts, s->cap_rcpts * sizeof(*s->rcpts));
	}
	t = &s->rcpts[s->n_rcpts];
	memset(t, 0, sizeof(*t));
	agent_rcpt_init(&t->ar, r.addr, r.orcpt ? r.orcpt : r.addr);
	t->given = r.given;
	r.given = NULL;
	t->notify = r.notify;
	t->orcpt_type = r.orcpt_type;
	r.orcpt_type = NULL;
	t->orcpt_value = r.orcpt_value;
	r.orcpt_value = NULL;
	lmtp_rcpt_fini(&r);
	if (!s->is_agent_open)
		vd_status_set(&t->ar.st, "4.3.5",
		    "mail system configuration error (tables not open)");
	if (s->is_agent_open && agent_resolve(&s->agent, &t->ar) == 0) {
		t->dup_of = SIZE_MAX;
		for (i = 0; i < s->n_rcpts; i++) {
			const struct agent_rcpt *o = &s->rcpts[i].ar;

			if (strcmp(o->rcpt, t->ar.rcpt) == 0
			    && strcmp(o->orig_rcpt, t->ar.orig_rcpt) == 0) {
				t->dup_of = i;
				break;
			}
		}
		s->n_rcpts++;
		lmtp_reply(s, 250, "2.1.5", "Ok");
		return;
	}
	if (t->ar.st.dsn[0] == 0)
		vd_status_set(&t->ar.st, "4.3.0", "recipient was not resolved");
	code = lmtp_code(&t->ar.st);
	lmtp_reply(s, code, t->ar.st.dsn, "<%s>: %s", t->given, t->ar.st.text);
	lmtp_log_reject(s, code, &t->ar, t->given);
	lmtp_txn_rcpt_fini(t);
}

/*
 * lmtp_read_data - the message, up to the "." line: dot-unstuffing,
 * CRLF (or a bare LF) to LF; lines of any length, in chunks.  A problem
 * with the message (too big, spool error) is left in *fail, and the rest
 * is read and dropped.  Returns 0 at the "." line, -1 when the input
 * ended, timed out or failed first.
 */
static int
lmtp_read_data(struct lmtp_session *s, struct vd_message *msg,
    struct vd_status *fail)
{
	struct vd_status st;
	struct buf chunk;
	bool complete, at_start = true;
	size_t skip, n;
	const char *p;
	int ret = -1;

	buf_init(&chunk);
	s->io.in_data = true;
	for (;;) {
		buf_reset(&chunk);
		if (lmtp_io_getline(&s->io, &chunk, LMTP_DATA_CHUNK,
			&complete) < 0)
			break;
		p = chunk.data;
		n = chunk.len;
		skip = 0;
		if (at_start) {
			if (complete && ((n == 2 && p[0] == '.')
				|| (n == 3 && p[0] == '.' && p[1] == '\r'))) {
				ret = 0;
				break;
			}
			if (n > 0 && p[0] == '.')
				skip = 1;
		}
		if (fail->dsn[0] == 0
		    && message_add(msg, p + skip, n - skip, true, &st) < 0)
			*fail = st;
		at_start = complete;
	}
	s->io.in_data = false;
	buf_fini(&chunk);
	return ret;
}

/*
 * lmtp_send_dsn - after the replies to DATA: one "delivered" notice to
 * the sender for the recipients that asked for it (see the top)
 */
static void
lmtp_send_dsn(struct lmtp_session *s, const struct vd_message *msg)
{
	struct dsn_notice n;
	struct dsn_text text;
	struct dsn_rcpt *dr;
	struct lmtp_txn_rcpt *t;
	struct vd_status st;
	struct buf from;
	const char *path = NULL;
	size_t i, n_dr = 0;

	if (!s->cfg->vdeliver_lmtp_dsn || s->sender == NULL || *s->sender == 0)
		return;
	dr = xcalloc(s->n_rcpts ? s->n_rcpts : 1, sizeof(*dr));
	for (i = 0; i < s->n_rcpts; i++) {
		t = &s->rcpts[i];
		if (!t->is_replied || !vd_status_is_ok(&t->ar.st)
		    || (t->notify & LMTP_NOTIFY_SUCCESS) == 0
		    || (t->dup_of != SIZE_MAX
		    && s->rcpts[t->dup_of].is_noticed))
			continue;
		t->is_noticed = true;
		dr[n_dr].rcpt = t->ar.rcpt;
		dr[n_dr].orcpt_type = t->orcpt_type;
		dr[n_dr].orcpt = t->orcpt_value;
		dr[n_dr].status = t->ar.st.dsn;
		dr[n_dr].text = t->ar.st.text;
		n_dr++;
	}
	if (n_dr == 0) {
		free(dr);
		return;
	}
	buf_init(&from);
	address_quote(&from, s->sender);
	dsn_text_init(&text);
	if (config_lookup(s->cfg, "sendmail_path", &path, &st) == 0
	    && path == NULL)
		vd_status_set(&st, "4.3.5", "sendmail_path is not set");
	if (path == NULL) {
		log_warn("%s: sender delivery status notification to <%s> not "
		    "sent: %s", s->qid, from.data, st.text);
		goto out;
	}
	memset(&n, 0, sizeof(n));
	n.hostname = s->agent.hostname;
	n.queue_id = s->qid;
	n.sender = s->sender;
	n.envid = s->envid;
	n.is_ret_full = s->ret == LMTP_RET_FULL;
	n.is_smtputf8 = s->smtputf8;
	n.arrival = s->start.tv_sec;
	n.now = time(NULL);
	n.rcpts = dr;
	n.n_rcpts = n_dr;
	n.msg = msg->data;
	n.msg_len = msg->len;
	dsn_build(&n, &text);
	if (dsn_submit(path, s->sender, &text, s->cfg->vdeliver_lmtp_timeout,
		&st) < 0)
		log_warn("%s: sender delivery status notification to <%s> not "
		    "sent: %s", s->qid, from.data, st.text);
	else
		log_info("%s: sender delivery status notification: delivered "
		    "(%zu recipient%s) to <%s> via %s", s->qid, n_dr,
		    n_dr == 1 ? "" : "s", from.data, path);
out:
	dsn_text_fini(&text);
	buf_fini(&from);
	free(dr);
}

/* lmtp_do_data - DATA: receive, then one reply per accepted recipient */
static void
lmtp_do_data(struct lmtp_session *s, const struct lmtp_cmd *cmd)
{
	struct vd_message msg;
	struct vd_status fail;
	struct lmtp_txn_rcpt *t;
	struct buf from;
	size_t i;

	if (cmd->arg_len > 0) {
		lmtp_error(s, 501, "5.5.4", "Syntax: DATA");
		return;
	}
	if (!s->in_mail) {
		lmtp_error(s, 503, "5.5.1", "Error: need RCPT command");
		return;
	}
	if (s->n_rcpts == 0) {
		/* the usual end of a pipelined request: not a client error */
		lmtp_reply(s, 503, "5.5.1", "Error: no valid recipients");
		return;
	}
	lmtp_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	message_init(&msg, (size_t)(s->size_limit > SIZE_MAX ? SIZE_MAX
	    : s->size_limit));
	vd_status_clear(&fail);
	if (lmtp_read_data(s, &msg, &fail) < 0) {
		log_info("%s: %s after DATA from %s: nothing delivered", s->qid,
		    s->io.state == LMTP_IO_TIMEOUT ? "timeout"
		    : "lost connection", s->peer);
		if (s->io.state == LMTP_IO_TIMEOUT)
			lmtp_close421(s, "4.4.2", "Error: timeout exceeded");
		s->is_done = true;
		goto out;
	}
	if (fail.dsn[0] == 0)
		(void)message_finish(&msg, &fail);
	buf_init(&from);
	address_quote(&from, s->sender);
	if (fail.dsn[0]) {
		log_info("%s: reject: DATA from %s: %d %s %s; from=<%s> "
		    "proto=LMTP", s->qid, s->peer, lmtp_code(&fail), fail.dsn,
		    fail.text, from.data);
	} else {
		log_info("%s: from=<%s>, size=%zu, nrcpt=%zu (lmtp from %s)",
		    s->qid, from.data, msg.len, s->n_rcpts, s->peer);
	}
	buf_fini(&from);
	for (i = 0; i < s->n_rcpts; i++) {
		t = &s->rcpts[i];
		/*
		 * A client that is gone would deliver the rest again: stop
		 * here (the ones delivered already may then come twice, the
		 * duplicate RFC 2033 section 4.2 accepts).
		 */
		if (s->io.is_write_failed) {
			log_info("%s: lost connection after end of DATA from "
			    "%s: %zu of %zu recipients left for the client to "
			    "retry", s->qid, s->peer, s->n_rcpts - i,
			    s->n_rcpts);
			s->is_done = true;
			break;
		}
		if (fail.dsn[0])
			t->ar.st = fail;
		else if (t->dup_of != SIZE_MAX)
			t->ar.st = s->rcpts[t->dup_of].ar.st;
		else
			(void)agent_deliver(&s->agent, &msg, s->sender, &t->ar,
			    s->qid, &s->start);
		lmtp_reply(s, lmtp_code(&t->ar.st), t->ar.st.dsn, "<%s> %s",
		    t->given, t->ar.st.text);
		/* the client waits for each reply in turn */
		t->is_replied = lmtp_io_flush(&s->io) == 0;
	}
	if (s->io.is_write_failed)
		s->is_done = true;
	if (fail.dsn[0] == 0)
		lmtp_send_dsn(s, &msg);
out:
	message_fini(&msg);
	lmtp_txn_reset(s);
}

/* lmtp_command - one command line (line end removed) */
static void
lmtp_command(struct lmtp_session *s, const char *line, size_t len)
{
	struct lmtp_cmd cmd;
	struct lmtp_err err;

	if (lmtp_parse_command(line, len, &cmd, &err) < 0) {
		lmtp_error(s, err.code, err.dsn, "%s", err.text);
		return;
	}
	if (lmtp_got_term && cmd.verb != LMTP_VERB_QUIT) {
		lmtp_close421(s, "4.3.2", "Service shutting down, closing "
		    "transmission channel");
		return;
	}
	switch (cmd.verb) {
	case LMTP_VERB_EMPTY:
		lmtp_error(s, 500, "5.5.2", "Error: bad syntax");
		break;
	case LMTP_VERB_UNKNOWN:
		lmtp_error(s, 500, "5.5.1", "Error: command not recognized");
		break;
	case LMTP_VERB_NOTIMPL:
		lmtp_error(s, 502, "5.5.1", "Error: command not implemented");
		break;
	case LMTP_VERB_HELO:
	case LMTP_VERB_EHLO:
		lmtp_error(s, 500, "5.5.1",
		    "Error: this is LMTP, send LHLO (RFC 2033)");
		break;
	case LMTP_VERB_LHLO:
		lmtp_do_lhlo(s, &cmd);
		break;
	case LMTP_VERB_MAIL:
		lmtp_do_mail(s, &cmd);
		break;
	case LMTP_VERB_RCPT:
		lmtp_do_rcpt(s, &cmd);
		break;
	case LMTP_VERB_DATA:
		lmtp_do_data(s, &cmd);
		break;
	case LMTP_VERB_RSET:
		if (cmd.arg_len > 0) {
			lmtp_error(s, 501, "5.5.4", "Syntax: RSET");
			break;
		}
		lmtp_txn_reset(s);
		lmtp_reply(s, 250, "2.0.0", "Ok");
		break;
	case LMTP_VERB_NOOP:
		lmtp_reply(s, 250, "2.0.0", "Ok");
		break;
	case LMTP_VERB_VRFY:
		if (cmd.arg_len == 0) {
			lmtp_error(s, 501, "5.5.4", "Syntax: VRFY address");
			break;
		}
		lmtp_reply(s, 252, "2.0.0",
		    "Cannot VRFY; send RCPT TO to find out");
		break;
	case LMTP_VERB_QUIT:
		lmtp_reply(s, 221, "2.0.0", "Bye");
		s->is_done = true;
		break;
	}
}

/*
 * lmtp_read_command - the next command line into line (at most the
 * limit is kept; the rest is read and dropped).  0, or -1.
 */
static int
lmtp_read_command(struct lmtp_session *s, struct buf *line,
    bool *too_long_r)
{
	bool complete;

	*too_long_r = false;
	buf_reset(line);
	if (lmtp_io_getline(&s->io, line, s->line_limit + 2, &complete) < 0)
		return -1;
	while (!complete) {
		*too_long_r = true;
		buf_reset(line);
		if (lmtp_io_getline(&s->io, line, LMTP_IBUF_SIZE,
			&complete) < 0)
			return -1;
	}
	line->len--;
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		line->len--;
	line->data[line->len] = 0;
	if (line->len > s->line_limit)
		*too_long_r = true;
	return 0;
}

/* lmtp_peer - "local", or "unknown[addr]" for an IP client */
static void
lmtp_peer(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	const void *a = NULL;

	snprintf(out, len, "local");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (a && inet_ntop(ss.ss_family, a, host, sizeof(host)))
		snprintf(out, len, "unknown[%s]", host);
}

/* lmtp_is_socket - fd is a socket */
static bool
lmtp_is_socket(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

int
lmtp_serve(const struct vd_config *cfg, int in_fd, int out_fd)
{
	struct lmtp_session s;
	struct vd_status st;
	struct sigaction sa, old_term, old_int;
	sigset_t block, old_mask;
	struct timeval tv;
	struct buf line;
	bool too_long;
	int code = EX_OK;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.line_limit = lmtp_line_limit(cfg) - 2;
	/*
	 * 0 = none; the config reader sets it to virtual_mailbox_limit
	 * when main.cf has 0 (a bigger message could never be delivered
	 * to an mbox), and keeps it >= 0.
	 */
	s.size_limit =
	    (unsigned long long)cfg->vdeliver_lmtp_message_size_limit;
	lmtp_io_init(&s.io, in_fd, out_fd, cfg->vdeliver_lmtp_timeout);
	lmtp_peer(in_fd, s.peer, sizeof(s.peer));
	lmtp_oom_fd = out_fd;
	buf_init(&line);

	/* SIGTERM/SIGINT only while waiting for input (see above). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lmtp_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	s.io.waitmask = old_mask;
	sigdelset(&s.io.waitmask, SIGTERM);
	sigdelset(&s.io.waitmask, SIGINT);
	if (lmtp_is_socket(out_fd)) {
		tv.tv_sec = (time_t)cfg->vdeliver_lmtp_timeout;
		tv.tv_usec = 0;
		/* a backstop for a write that poll() said would not block */
		(void)setsockopt(out_fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv));
	}

	log_debug("connect from %s", s.peer);
	if (agent_open(&s.agent, cfg, &st) < 0) {
		log_warn("%s", st.text);
		lmtp_reply(&s, 421, st.dsn, "%s %s", s.agent.hostname, st.text);
		code = vd_status_exit(&st);
		goto out;
	}
	s.is_agent_open = true;
	lmtp_reply(&s, 220, NULL, "%s LMTP vdeliver ready", s.agent.hostname);
	while (!s.is_done) {
		if (lmtp_read_command(&s, &line, &too_long) < 0)
			break;
		if (too_long)
			lmtp_error(&s, 500, "5.5.2", "Error: line too long");
		else
			lmtp_command(&s, line.data, line.len);
		if (!s.is_done && cfg->vdeliver_lmtp_error_limit > 0
		    && s.n_errors >= cfg->vdeliver_lmtp_error_limit) {
			log_info("too many errors from %s", s.peer);
			lmtp_close421(&s, "4.7.0", "Error: too many errors");
		}
	}
	switch (s.io.state) {
	case LMTP_IO_TIMEOUT:
		if (!s.is_done) {
			log_info("timeout after %s from %s", s.in_mail
			    ? "MAIL" : "command", s.peer);
			lmtp_close421(&s, "4.4.2", "Error: timeout exceeded");
		}
		break;
	case LMTP_IO_TERM:
		lmtp_close421(&s, "4.3.2",
		    "Service shutting down, closing transmission channel");
		break;
	case LMTP_IO_EOF:
		if (s.in_mail)
			log_info("lost connection after MAIL from %s", s.peer);
		break;
	default:
		break;
	}
out:
	(void)lmtp_io_flush(&s.io);
	if (s.io.state != LMTP_IO_EOF && s.io.state != LMTP_IO_ERROR)
		lmtp_io_linger(&s.io);
	log_debug("disconnect from %s", s.peer);
	lmtp_txn_reset(&s);
	if (s.is_agent_open)
		agent_close(&s.agent);
	buf_fini(&line);
	lmtp_io_fini(&s.io);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return code;
}

/* ---- systemd socket activation --------------------------------------- */

/*
 * lmtp_sd_fds - the number of sockets systemd passed (from fd 3), as
 * sd_listen_fds(3): only when LISTEN_PID is this process.  The variables
 * are removed and the fds get FD_CLOEXEC.
 */
static int
lmtp_sd_fds(void)
{
	static int cached = -1;
	const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
	char *end;
	long pid, n = 0;
	int fd;

	if (cached >= 0)
		return cached;
	if (pid_s == NULL || fds_s == NULL)
		goto out;
	errno = 0;
	pid = strtol(pid_s, &end, 10);
	if (errno || *end || pid != (long)getpid())
		goto out;
	n = strtol(fds_s, &end, 10);
	if (errno || *end || n < 0 || n > LMTP_MAX_LISTEN)
		n = 0;
	for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			n = 0;
			break;
		}
	}
out:
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	cached = (int)n;
	return cached;
}

/* lmtp_is_listening - fd is a listening socket */
static bool
lmtp_is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* ---- The listener ----------------------------------------------------- */

struct lmtp_listener {
	int fds[LMTP_MAX_LISTEN];
	size_t n_fds;
	char *unix_path;	/* to remove at exit, or NULL */
	dev_t unix_dev;
	ino_t unix_ino;
};

static volatile sig_atomic_t lmtp_l_term, lmtp_l_hup;

/* lmtp_l_on_signal - the listener's signal flags */
static void
lmtp_l_on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		lmtp_l_term = 1;
	else if (sig == SIGHUP)
		lmtp_l_hup = 1;
}

/* lmtp_bind_unix - a listening socket at path, mode 0666; 0 or -1 */
static int
lmtp_bind_unix(struct lmtp_listener *l, const char *path,
    struct vd_status *st)
{
	struct sockaddr_un sun;
	struct stat sb;
	mode_t old_umask;
	int fd, probe, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path == 0)
		return vd_status_set(st, "4.3.5", "--listen unix: needs a path");
	if (strlen(path) >= sizeof(sun.sun_path))
		return vd_status_set(st, "4.3.5", "--listen unix:%s: path too "
		    "long", path);
	memcpy(sun.sun_path, path, strlen(path));
	/* A socket file left by a dead server is removed; a live one is not. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return vd_status_set(st, "4.3.5", "--listen unix:%s: "
			    "exists and is not a socket", path);
		if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return vd_status_errno(st, errno, "4.3.5", "socket");
		r = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
		(void)close(probe);
		if (r == 0)
			return vd_status_set(st, "4.3.5", "--listen unix:%s: "
			    "another server is listening there", path);
		if (unlink(path) < 0 && errno != ENOENT)
			return vd_status_errno(st, errno, "4.3.5",
			    "remove stale socket %s", path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return vd_status_errno(st, errno, "4.3.5", "socket");
	old_umask = umask(0111);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (r < 0 || listen(fd, SOMAXCONN) < 0 || lstat(path, &sb) < 0) {
		vd_status_errno(st, errno, "4.3.5", "--listen unix:%s", path);
		(void)close(fd);
		return -1;
	}
	l->fds[l->n_fds++] = fd;
	l->unix_path = xstrdup(path);
	l->unix_dev = sb.st_dev;
	l->unix_ino = sb.st_ino;
	return 0;
}

/* lmtp_bind_inet - listening sockets for HOST:PORT ([v6]:PORT); 0 or -1 */
static int
lmtp_bind_inet(struct lmtp_listener *l, const char *spec,
    struct vd_status *st)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *host = NULL, *port;
	const char *colon;
	int fd = -1, on = 1, e, ret = -1;

	if ((colon = strrchr(spec, ':')) == NULL || colon[1] == 0)
		return vd_status_set(st, "4.3.5",
		    "--listen inet:%s: expected HOST:PORT", spec);
	host = xstrndup(spec, (size_t)(colon - spec));
	port = (char *)colon + 1;
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']') {
			vd_status_set(st, "4.3.5", "--listen inet:%s: bad "
			    "[address]", spec);
			goto out;
		}
		memmove(host, host + 1, n - 2);
		host[n - 2] = 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	e = getaddrinfo(*host && strcmp(host, "*") != 0 ? host : NULL, port,
	    &hints, &res);
	if (e != 0) {
		vd_status_set(st, "4.3.5", "--listen inet:%s: %s", spec,
		    gai_strerror(e));
		goto out;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (l->n_fds >= LMTP_MAX_LISTEN)
			break;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			vd_status_errno(st, errno, "4.3.5", "socket");
			goto out;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0
		    || listen(fd, SOMAXCONN) < 0) {
			vd_status_errno(st, errno, "4.3.5", "--listen inet:%s",
			    spec);
			(void)close(fd);
			goto out;
		}
		l->fds[l->n_fds++] = fd;
	}
	ret = l->n_fds > 0 ? 0 : vd_status_set(st, "4.3.5",
	    "--listen inet:%s: no address", spec);
out:
	if (res)
		freeaddrinfo(res);
	free(host);
	return ret;
}

/* lmtp_listener_close - close the sockets, remove our socket file */
static void
lmtp_listener_close(struct lmtp_listener *l)
{
	struct stat sb;
	size_t i;

	for (i = 0; i < l->n_fds; i++)
		(void)close(l->fds[i]);
	l->n_fds = 0;
	if (l->unix_path && lstat(l->unix_path, &sb) == 0
	    && sb.st_dev == l->unix_dev && sb.st_ino == l->unix_ino
	    && unlink(l->unix_path) < 0)
		log_warn("remove %s: %s", l->unix_path, strerror(errno));
	free(l->unix_path);
	l->unix_path = NULL;
}

/* lmtp_child - a connection's process: serve it, then exit */
static void __attribute__((noreturn))
lmtp_child(const struct vd_config *cfg, struct lmtp_listener *l, int fd,
    const sigset_t *mask)
{
	struct sigaction sa;
	sigset_t m = *mask;
	size_t i;
	int code, null_fd;

	for (i = 0; i < l->n_fds; i++) {
		/* a listening stdin (inetd "wait") becomes /dev/null */
		if (l->fds[i] <= STDERR_FILENO
		    && (null_fd = open("/dev/null", O_RDWR)) >= 0) {
			(void)dup2(null_fd, l->fds[i]);
			if (null_fd != l->fds[i])
				(void)close(null_fd);
		} else {
			(void)close(l->fds[i]);
		}
	}
	free(l->unix_path);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = lmtp_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a signal that came before the handler: the listener is stopping */
	if (lmtp_l_term)
		lmtp_got_term = 1;
	sigaddset(&m, SIGTERM);
	sigaddset(&m, SIGINT);
	sigdelset(&m, SIGCHLD);
	sigdelset(&m, SIGHUP);
	sigprocmask(SIG_SETMASK, &m, NULL);
	code = lmtp_serve(cfg, fd, fd);
	if (close(fd) < 0 && code == 0)
		code = EX_IOERR;
	log_close();
	exit(code);
}

/* lmtp_listen_loop - accept, fork, reap, until SIGTERM/SIGINT */
static int
lmtp_listen_loop(const struct vd_config *cfg, struct lmtp_listener *l)
{
	struct pollfd pfds[LMTP_MAX_LISTEN];
	struct sigaction sa;
	sigset_t block, old_mask, waitmask;
	const struct timespec backoff = { 0, 100 * 1000 * 1000 };
	pid_t *pids, pid;
	size_t i, j, n_children = 0, limit;
	int status, n, fd;

	limit = cfg->vdeliver_lmtp_process_limit > 0
	    ? (size_t)cfg->vdeliver_lmtp_process_limit : 1;
	pids = xcalloc(limit, sizeof(*pids));
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = lmtp_l_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = lmtp_l_on_signal;	/* SIGCHLD only wakes ppoll */
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	waitmask = old_mask;
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGCHLD);
	for (i = 0; i < l->n_fds; i++)
		(void)fcntl(l->fds[i], F_SETFL,
		    fcntl(l->fds[i], F_GETFL) | O_NONBLOCK);
	log_info("ready: %zu listening socket%s, at most %zu connections",
	    l->n_fds, l->n_fds == 1 ? "" : "s", limit);

	while (!lmtp_l_term) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < n_children; i++)
				if (pids[i] == pid)
					break;
			if (i < n_children)
				pids[i] = pids[--n_children];
			if (WIFSIGNALED(status))
				log_warn("connection process %ld killed by "
				    "signal %d", (long)pid, WTERMSIG(status));
		}
		if (lmtp_l_hup) {
			lmtp_l_hup = 0;
			log_info("SIGHUP: each connection opens the tables "
			    "anew; restart to read main.cf again");
		}
		/* At the limit, new connections wait in the backlog. */
		for (i = 0; i < l->n_fds; i++) {
			pfds[i].fd = n_children < limit ? l->fds[i] : -1;
			pfds[i].events = POLLIN;
			pfds[i].revents = 0;
		}
		n = ppoll(pfds, l->n_fds, NULL, &waitmask);
		if (n < 0) {
			if (errno != EINTR)
				log_warn("poll: %s", strerror(errno));
			continue;
		}
		for (i = 0; i < l->n_fds && n_children < limit; i++) {
			if ((pfds[i].revents & POLLIN) == 0)
				continue;
			fd = accept4(l->fds[i], NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0) {
				if (errno == EAGAIN || errno == EINTR
				    || errno == ECONNABORTED)
					continue;
				log_warn("accept: %s", strerror(errno));
				/* out of fds or memory: do not spin */
				(void)nanosleep(&backoff, NULL);
				continue;
			}
			fflush(NULL);
			pid = fork();
			if (pid == 0)
				lmtp_child(cfg, l, fd, &old_mask);
			if (pid < 0)
				log_warn("fork: %s", strerror(errno));
			else
				pids[n_children++] = pid;
			(void)close(fd);
		}
	}

	/* Stop: no new connections; each child finishes its message. */
	lmtp_listener_close(l);
	log_info("stopping: waiting for %zu connection%s", n_children,
	    n_children == 1 ? "" : "s");
	for (i = 0; i < n_children; i++)
		(void)kill(pids[i], SIGTERM);
	for (j = 0; j < n_children; j++) {
		while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR)
			;
		if (pid < 0)
			break;
	}
	free(pids);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return EX_OK;
}

/*
 * lmtp_listen_open - the sockets: from systemd, a listening socket on
 * stdin (inetd "wait"), or bound here; 0 or -1
 */
static int
lmtp_listen_open(struct lmtp_listener *l, const char *spec, int n_sd,
    struct vd_status *st)
{
	int fd;

	memset(l, 0, sizeof(*l));
	if (n_sd == 0 && spec == NULL) {
		l->fds[l->n_fds++] = STDIN_FILENO;
		return 0;
	}
	if (n_sd > 0) {
		for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n_sd;
		    fd++) {
			if (!lmtp_is_listening(fd))
				return vd_status_set(st, "4.3.5", "socket "
				    "activation: fd %d is not a listening "
				    "socket", fd);
			l->fds[l->n_fds++] = fd;
		}
		if (spec)
			log_info("using %d socket%s from systemd instead of %s",
			    n_sd, n_sd == 1 ? "" : "s", spec);
		return 0;
	}
	if (strncmp(spec, "unix:", 5) == 0)
		return lmtp_bind_unix(l, spec + 5, st);
	if (strncmp(spec, "inet:", 5) == 0)
		return lmtp_bind_inet(l, spec + 5, st);
	return vd_status_set(st, "4.3.5", "--listen %s: expected unix:PATH "
	    "or inet:HOST:PORT", spec);
}

/*
 * lmtp_session_fds - where a single session talks: fd 0/1, or fd 3 when
 * systemd passed one connected socket and stdin is not a socket.
 */
static void
lmtp_session_fds(int n_sd, int *in_r, int *out_r)
{
	*in_r = STDIN_FILENO;
	*out_r = STDOUT_FILENO;
	if (n_sd == 1 && !lmtp_is_socket(STDIN_FILENO)
	    && lmtp_is_socket(SD_LISTEN_FDS_START)
	    && !lmtp_is_listening(SD_LISTEN_FDS_START))
		*in_r = *out_r = SD_LISTEN_FDS_START;
}

int
lmtp_main(const struct vd_config *cfg, const struct lmtp_opts *o)
{
	struct lmtp_listener l;
	struct vd_status st;
	int n_sd, in, out, code;
	bool is_listener;

	lmtp_cfg = cfg;
	log_set_postlog(config_get(cfg, "queue_directory"));
	log_set_hostname(cfg->myhostname);
	if (log_open("vdeliver", cfg->syslog_name, cfg->syslog_facility,
		cfg->maillog_file, o->verbose, &st) < 0)
		return lmtp_fail(&st, o);
	n_sd = lmtp_sd_fds();
	/*
	 * Without --listen: Accept=no (fd 3 listens), or inetd "wait" and
	 * systemd-socket-activate --inetd (stdin listens).
	 */
	is_listener = o->listen != NULL || (n_sd > 0
	    && !lmtp_is_socket(STDIN_FILENO)
	    && lmtp_is_listening(SD_LISTEN_FDS_START))
	    || (n_sd == 0 && lmtp_is_listening(STDIN_FILENO));
	lmtp_is_listener = is_listener;
	if (!is_listener) {
		lmtp_session_fds(n_sd, &in, &out);
		code = lmtp_serve(cfg, in, out);
		log_close();
		return code;
	}
	if (lmtp_listen_open(&l, o->listen, n_sd, &st) < 0) {
		log_error("%s", st.text);
		lmtp_listener_close(&l);
		log_close();
		return lmtp_fail(&st, o);
	}
	code = lmtp_listen_loop(cfg, &l);
	log_info("stopped");
	log_close();
	return code;
}

int
lmtp_fail(const struct vd_status *st, const struct lmtp_opts *o)
{
	struct vd_status lst;
	char host[256], line[1200];
	int in, out, n;

	if ((o && o->listen) || lmtp_is_listener) {
		fprintf(stderr, "vdeliver: %s\n", st->text);
		return vd_status_exit(st);
	}
	/* Tell the admin too, through syslog (maillog_file may be the
	 * trouble). */
	if (log_open("vdeliver", lmtp_cfg ? lmtp_cfg->syslog_name : "postfix",
		lmtp_cfg ? lmtp_cfg->syslog_facility : "mail", NULL, false,
		&lst) == 0) {
		log_error("%s", st->text);
		log_close();
	}
	vd_hostname(lmtp_cfg ? lmtp_cfg->myhostname : NULL, host, sizeof(host));
	lmtp_session_fds(lmtp_sd_fds(), &in, &out);
	n = snprintf(line, sizeof(line), "421 %s %s vdeliver: %.*s\r\n",
	    vd_status_is_defer(st) ? st->dsn : "4.3.5", host,
	    LMTP_REPLY_MAX - 300, st->text);
	if (n > 0 && (size_t)n < sizeof(line)
	    && write(out, line, (size_t)n) < 0) {
		/* the client is gone; nothing else to tell */
	}
	return vd_status_exit(st) == EX_OK ? EX_TEMPFAIL : vd_status_exit(st);
}
