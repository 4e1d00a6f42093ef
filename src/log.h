/* SPDX-License-Identifier: MIT */
/*
 * log - one-line log records to syslog, a maillog file, or stderr
 *
 * DESCRIPTION
 *	log_open() picks the destination once: syslog(3) with the tag
 *	"<syslog_name>/<prog>[pid]" and the given facility, or, when
 *	maillog_file is set, lines in Postfix's postlogd format appended
 *	to that file ("/dev/stderr" is allowed), or sent to postlogd when
 *	the file cannot be opened (log_set_postlog()).  Before log_open() and
 *	after log_close() records go to stderr.  Warnings get the prefix
 *	"warning: ", errors "error: ", as in Postfix.  Debug records are
 *	written only when verbose.  Records are cut at 2000 bytes.
 *	Nothing here exits.
 */
#ifndef VD_SRC_LOG_H
#define VD_SRC_LOG_H

#include <stdbool.h>

#include "status.h"

/* log_open - choose the destination; returns 0, or -1 with st set */
int log_open(const char *prog, const char *syslog_name,
    const char *syslog_facility, const char *maillog_file, bool verbose,
    struct vd_status *st);
void log_close(void);
/*
 * log_set_postlog - where Postfix's postlog socket is: queue_directory
 * + "/public/postlog".  It is used when maillog_file is set but cannot
 * be opened: records then go to postlogd, as from Postfix's own
 * programs; without it, to syslog with a warning.  Call before
 * log_open().
 */
void log_set_postlog(const char *queue_directory);
/* log_set_hostname - myhostname, whose first label maillog_file records
 * carry (Postfix's postlogd format); default gethostname().  Call before
 * log_open(). */
void log_set_hostname(const char *myhostname);
/* vd_hostname - name (myhostname) when set, else gethostname(), else
 * "localhost"; NUL-terminated in out[0..len) */
void vd_hostname(const char *name, char *out, size_t len);
/* log_set_verbose - also write debug records (to the same place) */
void log_set_verbose(bool verbose);
/* log_no_stderr - never write to fd 2 (LMTP mode under spawn(8)) */
void log_no_stderr(void);
/* log_set_hook - tests: receive every record instead of writing it */
void log_set_hook(void (*hook)(int prio, const char *text));

void log_info(const char *fmt, ...) VD_PRINTF(1, 2);
void log_warn(const char *fmt, ...) VD_PRINTF(1, 2);
void log_error(const char *fmt, ...) VD_PRINTF(1, 2);
void log_debug(const char *fmt, ...) VD_PRINTF(1, 2);

#endif
