/* SPDX-License-Identifier: MIT */
/*
 * lmtp - LMTP (RFC 2033) server mode
 *
 * DESCRIPTION
 *	vdeliver --lmtp serves one LMTP session on standard input and
 *	output (spawn(8), inetd, systemd Accept=yes), or on fd 3 when
 *	systemd passes one connected socket (LISTEN_FDS=1) and standard
 *	input is not a socket.  In that mode nothing is ever written to
 *	stderr: spawn(8) connects it to the client.
 *
 *	vdeliver --lmtp --listen unix:PATH|inet:HOST:PORT is its own
 *	server: it binds (or takes its listening sockets from systemd,
 *	LISTEN_PID/LISTEN_FDS), accepts in a loop and serves each
 *	connection in a child process, at most vdeliver_lmtp_process_limit
 *	at once.  SIGTERM/SIGINT stop it: no new connections, the children
 *	finish the message in progress, exit 0.
 *
 *	Each RCPT TO is resolved at once through agent_resolve() (250,
 *	550 5.1.1, 451 4.3.5); after the final "." every accepted
 *	recipient gets one reply, in RCPT order, with its delivery result
 *	from agent_deliver() (the same DSN and text as the command line).
 */
#ifndef VD_SRC_LMTP_H
#define VD_SRC_LMTP_H

#include <stdbool.h>

#include "config.h"
#include "status.h"

struct lmtp_opts {
	const char *listen;	/* "unix:PATH", "inet:HOST:PORT", or NULL */
	bool verbose;		/* -v: debug records (never on stderr here) */
};

/*
 * lmtp_prepare - call before the options are parsed.  Returns true when
 * the options (up to the first operand or "--"; with_arg lists the short
 * options that take an argument) include --lmtp; then, unless --listen
 * is there too, nothing will ever be written to stderr (log_no_stderr())
 * and an out-of-memory exit answers "421 4.3.0" instead of a pipe(8)
 * line.
 */
bool lmtp_prepare(int argc, char **argv, const char *with_arg);

/* lmtp_main - run the LMTP mode; returns an exit code */
int lmtp_main(const struct vd_config *cfg, const struct lmtp_opts *o);

/*
 * lmtp_fail - LMTP mode cannot start (configuration or usage error, st
 * is 4.x.x): answer the client "421 <dsn> <host> <text>" instead of a
 * greeting, or, with --listen, print one line on stderr.  Returns the
 * exit code.
 */
int lmtp_fail(const struct vd_status *st, const struct lmtp_opts *o);

/*
 * lmtp_serve - one LMTP session: read commands from in_fd, write replies
 * to out_fd (the same fd for a socket).  Opens the tables, closes them
 * at the end; does not close the fds.  Returns an exit code (0, or 75
 * when the tables could not be opened).  Also used by the tests.
 */
int lmtp_serve(const struct vd_config *cfg, int in_fd, int out_fd);

#endif
