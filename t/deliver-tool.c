/* SPDX-License-Identifier: MIT */
/*
 * deliver-tool - call deliver() directly, for the shell tests
 *
 * SYNOPSIS
 *	deliver-tool [-l lock_mask] [-L limit] [-S] [-H host]
 *	    base mailbox sender orig_rcpt rcpt < message
 *
 * DESCRIPTION
 *	Spools stdin as vdeliver does (CRLF to LF, final newline) and
 *	delivers it to base/mailbox as the current user, with the
 *	addresses used verbatim.  Prints "<dsn> <text>" and exits with
 *	the sysexits code of the status.  Lock delays are 10 ms, 5 tries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "message.h"
#include "status.h"
#include "deliver/deliver.h"

int
main(int argc, char **argv)
{
	struct deliver_request req;
	struct vd_message msg;
	struct vd_status st;
	struct buf path;
	int c;

	memset(&req, 0, sizeof(req));
	req.lock_mask = LOCK_METHOD_FCNTL | LOCK_METHOD_DOTLOCK;
	req.lock_attempts = 5;
	req.lock_delay_ms = 10;
	req.stale_lock_time = 500;
	req.strict_ownership = true;
	while ((c = getopt(argc, argv, "l:L:SH:")) != -1) {
		switch (c) {
		case 'l':
			req.lock_mask = atoi(optarg);
			break;
		case 'L':
			req.size_limit = atoll(optarg);
			break;
		case 'S':
			req.maildir_size_in_name = true;
			break;
		case 'H':
			req.hostname = optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 5) {
		fprintf(stderr, "usage: deliver-tool [-l mask] [-L limit] [-S] "
		    "[-H host] base mailbox sender orig rcpt\n");
		return EX_USAGE;
	}
	buf_init(&path);
	buf_printf(&path, "%s/%s", argv[optind], argv[optind + 1]);
	if (message_spool(&msg, STDIN_FILENO, 0, &st) < 0) {
		printf("%s %s\n", st.dsn, st.text);
		return vd_status_exit(&st);
	}
	req.path = path.data;
	req.base_len = strlen(argv[optind]);
	req.uid = geteuid();
	req.gid = getegid();
	req.sender = argv[optind + 2];
	req.orig_rcpt = argv[optind + 3];
	req.rcpt = argv[optind + 4];
	req.msg = &msg;
	(void)deliver(&req, &st);
	printf("%s %s\n", st.dsn, st.text);
	message_fini(&msg);
	buf_fini(&path);
	return vd_status_exit(&st);
}
