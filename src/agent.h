/* SPDX-License-Identifier: MIT */
/*
 * agent - what the command line mode and the LMTP server share
 *
 * DESCRIPTION
 *	An agent holds the configuration and the three open map lists.
 *	agent_resolve() decides a recipient without writing anything (so the
 *	LMTP server can answer RCPT TO at once and the command line can
 *	resolve every recipient before any is written).  agent_deliver()
 *	delivers one message to one resolved recipient: as root, in a child
 *	process that switches to the recipient's uid/gid first; otherwise as
 *	the current user, refusing (4.3.5) a recipient whose table uid/gid
 *	is not the process's own.  It logs one record in Postfix's format
 *	and leaves the outcome in r->st (2.0.0 on success).
 */
#ifndef VD_SRC_AGENT_H
#define VD_SRC_AGENT_H

#include <sys/time.h>
#include <stdbool.h>

#include "config.h"
#include "lookup/maps.h"
#include "message.h"
#include "resolve.h"
#include "status.h"

struct agent {
	const struct vd_config *cfg;	/* borrowed */
	struct resolve_maps maps;
	char hostname[256];
	char sys_hostname[256];	/* gethostname(), for maildir file names */
	const char *relay;		/* "vdeliver" in log records */
	bool last_use;		/* as root: the process ends after one
				 * delivery, so it may drop to the
				 * recipient itself instead of forking */
};

struct agent_rcpt {
	char *rcpt;		/* as given: case and extension are kept */
	char *orig_rcpt;	/* X-Original-To, or NULL */
	struct vd_target target;	/* valid when is_resolved */
	bool is_resolved;
	struct vd_status st;	/* outcome of resolve, then of delivery */
};

/* agent_open - open the map lists; 0, or -1 with st */
int agent_open(struct agent *a, const struct vd_config *cfg,
    struct vd_status *st);
/* agent_close - close the tables */
void agent_close(struct agent *a);
/* agent_changed - a table file changed since agent_open(): reopen */
bool agent_changed(const struct agent *a);
/* agent_set_trace - report every table lookup (vdeliver -n) */
void agent_set_trace(struct agent *a, maps_trace_fn *fn, void *ctx);

/* agent_rcpt_init - r takes copies of rcpt and orig (orig may be NULL) */
void agent_rcpt_init(struct agent_rcpt *r, const char *rcpt,
    const char *orig);
void agent_rcpt_fini(struct agent_rcpt *r);

/* agent_resolve - 0 resolved, or -1 with r->st (5.1.1, 4.3.5) */
int agent_resolve(struct agent *a, struct agent_rcpt *r);

/*
 * agent_deliver - deliver msg from sender ("" = null sender) to the
 * resolved r; logs "<queue_id>: to=<...>, ..." (queue_id may be NULL)
 * with the delay since start.  Returns 0 delivered, -1 otherwise; r->st
 * is set either way.
 */
int agent_deliver(struct agent *a, const struct vd_message *msg,
    const char *sender, struct agent_rcpt *r, const char *queue_id,
    const struct timeval *start);

#endif
