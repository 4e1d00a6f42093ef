/* SPDX-License-Identifier: MIT */
/*
 * agent - resolve and deliver, shared by the command line and LMTP
 *
 * DESCRIPTION
 *	See agent.h.  Privileges: running as root, each delivery runs in a
 *	child process that drops to the recipient's uid and gid for good
 *	(setgroups, setgid, setuid, then a check that root cannot be
 *	regained) before it opens anything in the mailbox tree; the child
 *	sends its status back through a pipe.  A child that dies before it
 *	reports is a temporary failure (4.3.0).  Not running as root,
 *	vdeliver delivers as itself and only to recipients whose table uid
 *	and gid are its own: a mailbox written with the wrong owner would
 *	be worse than a deferred message.
 *
 *	The log record is Postfix's (REFERENCE.md 8.1):
 *	  QUEUEID: to=<rcpt>, orig_to=<orig>, relay=vdeliver, delay=D,
 *	  delays=0/0/0/D, dsn=X.Y.Z, status=sent|bounced|deferred (text)
 */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "agent.h"
#include "creds.h"
#include "deliver/deliver.h"
#include "log.h"

/* What agent_become_owner() changed, for agent_become_root(). */
struct agent_ids {
	bool is_switched;
	gid_t egid;
	int n_groups;
	gid_t groups[256];
};

/*
 * agent_become_owner - as root, take mail_owner's effective uid/gid (and
 * only its group) for opening the tables, as virtual(8) does
 * (set_eugid(var_owner_uid, var_owner_gid)): a table the mail system
 * cannot read is an error, as with Postfix, not something root reads
 * anyway.  Without such a user (no Postfix on the host) the tables are
 * opened as root.  0, or -1 with st.
 */
static int
agent_become_owner(const struct vd_config *cfg, struct agent_ids *ids,
    struct vd_status *st)
{
	const char *owner = config_get(cfg, "mail_owner");
	struct passwd *pw;

	ids->is_switched = false;
	if (geteuid() != 0 || owner == NULL || *owner == 0
	    || (pw = getpwnam(owner)) == NULL || pw->pw_uid == 0)
		return 0;
	ids->egid = getegid();
	if ((ids->n_groups = getgroups(256, ids->groups)) < 0)
		return vd_status_errno(st, errno, "4.3.0", "getgroups");
	if (setgroups(1, &pw->pw_gid) < 0 || setegid(pw->pw_gid) < 0
	    || seteuid(pw->pw_uid) < 0)
		return vd_status_errno(st, errno, "4.3.0",
		    "switch to mail_owner %s", owner);
	ids->is_switched = true;
	return 0;
}

/* agent_become_root - undo agent_become_owner(); 0, or -1 with st */
static int
agent_become_root(const struct agent_ids *ids, struct vd_status *st)
{
	if (!ids->is_switched)
		return 0;
	if (seteuid(0) < 0 || setegid(ids->egid) < 0
	    || setgroups((size_t)ids->n_groups, ids->groups) < 0)
		return vd_status_errno(st, errno, "4.3.0",
		    "switch back to root after opening the tables");
	return 0;
}

int
agent_open(struct agent *a, const struct vd_config *cfg, struct vd_status *st)
{
	struct agent_ids ids;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->relay = "vdeliver";
	vd_hostname(cfg->myhostname, a->hostname, sizeof(a->hostname));
	vd_hostname(NULL, a->sys_hostname, sizeof(a->sys_hostname));
	if (cfg->virtual_mailbox_base == NULL || *cfg->virtual_mailbox_base == 0)
		return vd_status_set(st, "4.3.5",
		    "mail system configuration error (virtual_mailbox_base is not set)");
	if (*cfg->virtual_mailbox_base != '/')
		return vd_status_set(st, "4.3.5",
		    "mail system configuration error (do not specify relative "
		    "pathname: virtual_mailbox_base = %s)",
		    cfg->virtual_mailbox_base);
	if (agent_become_owner(cfg, &ids, st) < 0)
		return -1;
	a->maps.mailbox = maps_open("virtual_mailbox_maps",
	    cfg->virtual_mailbox_maps, cfg->vdeliver_regexp_substitution
	    ? DICT_FLAG_ALLOW_REGSUB : 0);
	a->maps.uid = maps_open("virtual_uid_maps", cfg->virtual_uid_maps, 0);
	a->maps.gid = maps_open("virtual_gid_maps", cfg->virtual_gid_maps, 0);
	return agent_become_root(&ids, st);
}

void
agent_close(struct agent *a)
{
	maps_free(&a->maps.mailbox);
	maps_free(&a->maps.uid);
	maps_free(&a->maps.gid);
}

bool
agent_changed(const struct agent *a)
{
	return (a->maps.mailbox && maps_changed(a->maps.mailbox))
	    || (a->maps.uid && maps_changed(a->maps.uid))
	    || (a->maps.gid && maps_changed(a->maps.gid));
}

void
agent_set_trace(struct agent *a, maps_trace_fn *fn, void *ctx)
{
	struct maps *all[] = { a->maps.mailbox, a->maps.uid, a->maps.gid };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (all[i] == NULL)
			continue;
		all[i]->trace = fn;
		all[i]->trace_ctx = ctx;
	}
}

void
agent_rcpt_init(struct agent_rcpt *r, const char *rcpt, const char *orig)
{
	memset(r, 0, sizeof(*r));
	r->rcpt = xstrdup(rcpt);
	r->orig_rcpt = orig ? xstrdup(orig) : NULL;
}

void
agent_rcpt_fini(struct agent_rcpt *r)
{
	free(r->rcpt);
	free(r->orig_rcpt);
	if (r->is_resolved)
		resolve_fini(&r->target);
	memset(r, 0, sizeof(*r));
}

int
agent_resolve(struct agent *a, struct agent_rcpt *r)
{
	vd_status_clear(&r->st);
	if (a->maps.mailbox == NULL)
		return vd_status_set(&r->st, "4.3.5",
		    "mail system configuration error (no tables open)");
	if (resolve(a->cfg, &a->maps, r->rcpt, &r->target, &r->st) < 0)
		return -1;
	if (geteuid() != 0 && (r->target.uid != geteuid()
		|| !vd_has_group(r->target.gid))) {
		vd_status_set(&r->st, "4.3.5", "mail system configuration "
		    "error (recipient %s has uid/gid %lu/%lu in the tables, but "
		    "vdeliver runs as uid/gid %lu/%lu and is not root: run it "
		    "as that user, or as root)", r->rcpt,
		    (unsigned long)r->target.uid, (unsigned long)r->target.gid,
		    (unsigned long)geteuid(), (unsigned long)getegid());
		log_warn("%s", r->st.text);
		resolve_fini(&r->target);
		return -1;
	}
	r->is_resolved = true;
	return 0;
}

/* agent_quote - the external (RFC 822 quoted) form of addr; caller frees */
static char *
agent_quote(const char *addr)
{
	struct buf b;

	buf_init(&b);
	address_quote(&b, addr);
	return buf_steal(&b);
}

/*
 * agent_request - the delivery request for r.  The addresses go into
 * the From_ line and the headers in their external (RFC 822 quoted)
 * form, as Postfix's mail_copy() writes them: the caller's sender_q,
 * orig_q (NULL: no X-Original-To) and rcpt_q, which q points to.
 */
static void
agent_request(const struct agent *a, const struct vd_message *msg,
    const struct agent_rcpt *r, struct deliver_request *q,
    const char *sender_q, const char *orig_q, const char *rcpt_q)
{
	const struct vd_config *cfg = a->cfg;

	memset(q, 0, sizeof(*q));
	q->path = r->target.path;
	q->base_len = r->target.base_len;
	q->uid = r->target.uid;
	q->gid = r->target.gid;
	q->sender = sender_q;
	q->orig_rcpt = orig_q;
	q->rcpt = rcpt_q;
	q->msg = msg;
	q->lock_mask = cfg->lock_mask;
	q->lock_attempts = cfg->deliver_lock_attempts;
	q->lock_delay_ms = cfg->deliver_lock_delay * 1000;
	q->stale_lock_time = cfg->stale_lock_time;
	q->strict_ownership = cfg->strict_mailbox_ownership;
	q->size_limit = cfg->virtual_mailbox_limit;
	q->maildir_size_in_name = cfg->vdeliver_maildir_size_in_name;
	q->hostname = a->sys_hostname;
}

/* agent_drop - become uid/gid for good; 0, or -1 with st */
static int
agent_drop(uid_t uid, gid_t gid, struct vd_status *st)
{
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return vd_status_errno(st, errno, "4.3.0",
		    "switch to uid/gid %lu/%lu", (unsigned long)uid,
		    (unsigned long)gid);
	if (getuid() != uid || geteuid() != uid || getgid() != gid
	    || getegid() != gid || (uid != 0 && setuid(0) == 0))
		return vd_status_set(st, "4.3.0",
		    "switch to uid/gid %lu/%lu did not take effect",
		    (unsigned long)uid, (unsigned long)gid);
	return 0;
}

/* agent_write_all - write the whole buffer (the child's report) */
static int
agent_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* agent_deliver_child - deliver in a child running as the recipient */
static int
agent_deliver_child(const struct deliver_request *q, struct vd_status *st)
{
	struct vd_status child_st;
	size_t got = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	if (pipe(p) < 0)
		return vd_status_errno(st, errno, "4.3.0", "pipe");
	pid = fork();
	if (pid < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return vd_status_errno(st, errno, "4.3.0", "fork");
	}
	if (pid == 0) {
		(void)close(p[0]);
		vd_status_clear(&child_st);
		if (agent_drop(q->uid, q->gid, &child_st) == 0)
			(void)deliver(q, &child_st);
		_exit(agent_write_all(p[1], &child_st, sizeof(child_st)) < 0);
	}
	(void)close(p[1]);
	while (got < sizeof(child_st)) {
		n = read(p[0], (char *)&child_st + got, sizeof(child_st) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	(void)close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(child_st)) {
		if (WIFSIGNALED(status))
			return vd_status_set(st, "4.3.0",
			    "delivery process died with signal %d",
			    WTERMSIG(status));
		return vd_status_set(st, "4.3.0",
		    "delivery process exited without a report");
	}
	child_st.dsn[sizeof(child_st.dsn) - 1] = 0;
	child_st.text[sizeof(child_st.text) - 1] = 0;
	*st = child_st;
	return vd_status_is_ok(st) ? 0 : -1;
}

/* agent_fmt_delay - Postfix's format_tv(): 2 significant digits */
static void
agent_fmt_delay(char *out, size_t len, double secs)
{
	long long v;
	int digits;
	char *p;

	if (secs < 0)
		secs = 0;
	if (secs >= 10) {
		snprintf(out, len, "%lld", (long long)(secs + 0.5));
		return;
	}
	if (secs < 0.005) {
		snprintf(out, len, "0");
		return;
	}
	/* two significant digits, at most 2 decimals (resolution limit) */
	digits = secs >= 1 ? 1 : 2;
	v = (long long)(secs * (digits == 1 ? 10 : 100) + 0.5);
	snprintf(out, len, "%.*f", digits,
	    (double)v / (digits == 1 ? 10 : 100));
	if (strchr(out, '.')) {
		p = out + strlen(out) - 1;
		while (*p == '0')
			*p-- = 0;
		if (*p == '.')
			*p = 0;
	}
}

/*
 * agent_log - one delivery record per recipient: to_q and orig_q (NULL:
 * no orig_to) are the addresses in their external form.
 */
static void
agent_log(const struct agent *a, const struct agent_rcpt *r,
    const char *to_q, const char *orig_q, const char *queue_id,
    const struct timeval *start)
{
	struct timeval now;
	double secs = 0;
	char delay[32];
	const char *word;

	gettimeofday(&now, NULL);
	if (start)
		secs = (double)(now.tv_sec - start->tv_sec)
		    + (double)(now.tv_usec - start->tv_usec) / 1e6;
	agent_fmt_delay(delay, sizeof(delay), secs);
	word = vd_status_is_ok(&r->st) ? "sent"
	    : vd_status_is_bounce(&r->st) ? "bounced" : "deferred";
	log_info("%s: to=<%s>%s%s%s, relay=%s, delay=%s, delays=0/0/0/%s, "
	    "dsn=%s, status=%s (%s)", queue_id && *queue_id ? queue_id
	    : "NOQUEUE", to_q, orig_q ? ", orig_to=<" : "", orig_q ? orig_q
	    : "", orig_q ? ">" : "", a->relay, delay, delay, r->st.dsn, word,
	    r->st.text);
}

/*
 * agent_is_loop - msg already has a Delivered-To: for the recipient,
 * given in its external form rcpt_q (delivered_hdr.c)
 */
static bool
agent_is_loop(const struct vd_message *msg, const char *rcpt_q)
{
	char *folded = address_fold(rcpt_q);
	bool loop = message_has_delivered_to(msg, folded);

	free(folded);
	return loop;
}

int
agent_deliver(struct agent *a, const struct vd_message *msg,
    const char *sender, struct agent_rcpt *r, const char *queue_id,
    const struct timeval *start)
{
	const struct vd_config *cfg = a->cfg;
	char *rcpt_q, *orig_q = NULL, *sender_q = NULL;
	struct deliver_request q;
	bool log_orig;
	int ret;

	/* Each address is quoted once: headers, loop check and log record. */
	rcpt_q = agent_quote(r->rcpt);
	log_orig = r->orig_rcpt && *r->orig_rcpt
	    && strcasecmp(r->orig_rcpt, r->rcpt) != 0;
	if (r->orig_rcpt && (log_orig
		|| (r->is_resolved && cfg->enable_original_recipient)))
		orig_q = agent_quote(r->orig_rcpt);
	if (!r->is_resolved) {
		if (r->st.dsn[0] == 0)
			vd_status_set(&r->st, "4.3.0",
			    "recipient was not resolved");
		ret = -1;
		goto out;
	}
	sender_q = agent_quote(sender);
	agent_request(a, msg, r, &q, sender_q,
	    cfg->enable_original_recipient ? orig_q : NULL, rcpt_q);
	vd_status_clear(&r->st);
	if (cfg->vdeliver_loop_detection && agent_is_loop(msg, rcpt_q))
		ret = vd_status_set(&r->st, "5.4.6",
		    "mail forwarding loop for %s", rcpt_q);
	else if (geteuid() == 0 && a->last_use) {
		/* one recipient, then exit: no child needed to switch back */
		ret = agent_drop(q.uid, q.gid, &r->st) == 0
		    ? deliver(&q, &r->st) : -1;
	} else if (geteuid() == 0)
		ret = agent_deliver_child(&q, &r->st);
	else
		ret = deliver(&q, &r->st);
	if (ret == 0 && !vd_status_is_ok(&r->st))
		ret = -1;
	if (ret < 0 && r->st.dsn[0] == 0)
		vd_status_set(&r->st, "4.3.0", "delivery failed");
out:
	agent_log(a, r, rcpt_q, log_orig ? orig_q : NULL, queue_id, start);
	free(rcpt_q);
	free(orig_q);
	free(sender_q);
	return ret;
}
