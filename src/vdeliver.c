/* SPDX-License-Identifier: MIT */
/*
 * vdeliver - virtual-domain mailbox delivery agent (command line)
 *
 * DESCRIPTION
 *	vdeliver [-c config] [-o name=value]... [-f sender] [-a orig]
 *	    [-q queue_id] [-n] [-v] [--] recipient...
 *	vdeliver --lmtp [--listen unix:PATH|inet:HOST:PORT] [-c ...] [-o ...]
 *
 *	The message comes on standard input and is spooled completely
 *	before anything is resolved or written.  Every recipient is
 *	resolved before any is delivered.  The first line on standard
 *	output is the worst outcome as "X.Y.Z text" (a defer is worse than
 *	a bounce), so that pipe(8) uses the same status code as virtual(8)
 *	would; with several recipients one line per recipient follows.  The
 *	exit status is that outcome's sysexits code (status.c): 0, 67
 *	unknown user, 75 any temporary failure, others for other bounces.
 *	Only this file (and lmtp.c) exits or writes to stdout.
 */
#include <sys/types.h>
#include <sys/time.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent.h"
#include "buf.h"
#include "config.h"
#include "deliver/deliver.h"
#include "lmtp.h"
#include "log.h"
#include "message.h"
#include "status.h"

#define VD_MAX_RCPT 1000

static const char usage_text[] =
    "usage: vdeliver [-c config] [-o name=value]... [-f sender] "
    "[-a original_recipient] [-q queue_id] [-n] [-v] [--] recipient...\n"
    "       vdeliver --lmtp [--listen unix:PATH|inet:HOST:PORT] "
    "[-c config] [-o name=value]...\n";

/* vd_oom_print - out of memory: say so in pipe(8)'s terms and defer */
static void
vd_oom_print(void)
{
	static const char msg[] = "4.3.0 vdeliver: out of memory\n";

	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to try */
	}
}

/* vd_fail - print the status as pipe(8) wants it and return its code */
static int
vd_fail(const struct vd_status *st)
{
	printf("%s %s\n", st->dsn, st->text);
	fflush(stdout);
	return vd_status_exit(st);
}

/*
 * vd_lmtp_usage - usage error in LMTP mode: the client gets a 421 reply
 * instead of a greeting; nothing goes to stderr (spawn(8) connects it
 * to the client).
 */
static int
vd_lmtp_usage(const char *why, const char *listen)
{
	struct lmtp_opts lo = { .listen = listen };
	struct vd_status st;

	vd_status_set(&st, "4.3.5", "%s", why);
	return lmtp_fail(&st, &lo);
}

/* vd_usage - usage error: a bounce would be wrong, the MTA is misconfigured */
static int
vd_usage(const char *why)
{
	struct vd_status st;

	vd_status_set(&st, "4.3.5", "vdeliver: %s", why);
	fputs(usage_text, stderr);
	return vd_fail(&st);
}

/* Explain mode (-n): every table lookup, as it happens. */
struct vd_trace_state {
	char param[64];		/* the last heading printed */
	char table[4096];
};
static void
vd_trace(void *ctx, const char *param, const char *table, const char *key,
    enum lk_result r, const char *value)
{
	struct vd_trace_state *ts = ctx;
	const char *p;
	int sp = 0;

	/* A heading for each parameter and table as the search reaches it. */
	if (strcmp(ts->param, param) != 0) {
		snprintf(ts->param, sizeof(ts->param), "%s", param);
		ts->table[0] = 0;
		printf("  %s\n", param);
	}
	if (strcmp(ts->table, table) != 0) {
		snprintf(ts->table, sizeof(ts->table), "%s", table);
		fputs("    ", stdout);
		/* inline:{...} may span lines in main.cf: one line here */
		for (p = table; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				sp = 1;
				continue;
			}
			if (sp)
				putchar(' ');
			sp = 0;
			putchar(*p);
		}
		putchar('\n');
	}
	if (r == LK_FOUND)
		printf("      key \"%s\": found \"%s\"\n", key, value);
	else if (r == LK_NOTFOUND)
		printf("      key \"%s\": not found\n", key);
	else
		printf("      key \"%s\": ERROR: %s\n", key, value ? value : "");
}

/* vd_lock_names - "fcntl, dotlock" from the mask */
static void
vd_lock_names(int mask, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s%s%s", mask & LOCK_METHOD_FLOCK ? "flock" : "",
	    (mask & LOCK_METHOD_FLOCK) && (mask & ~LOCK_METHOD_FLOCK) ? ", " : "",
	    mask & LOCK_METHOD_FCNTL ? "fcntl" : "",
	    (mask & LOCK_METHOD_FCNTL) && (mask & LOCK_METHOD_DOTLOCK) ? ", " : "",
	    mask & LOCK_METHOD_DOTLOCK ? "dotlock" : "");
}

/* vd_explain - the -n report for one resolved (or refused) recipient */
static void
vd_explain(const struct vd_config *cfg, const struct agent_rcpt *r)
{
	char locks[64];

	if (r->is_resolved) {
		printf("  mailbox: %s (%s)\n", r->target.path,
		    r->target.is_maildir ? "maildir" : "mbox file");
		printf("  uid/gid: %lu/%lu%s\n", (unsigned long)r->target.uid,
		    (unsigned long)r->target.gid, geteuid() == 0
		    ? " (vdeliver switches to them)" : "");
		if (r->target.is_maildir) {
			printf("  locks: none (maildir)\n");
		} else {
			vd_lock_names(cfg->lock_mask, locks, sizeof(locks));
			printf("  locks: %s (%d attempts, %us apart; dotlocks "
			    "stale after %us)\n", locks,
			    cfg->deliver_lock_attempts,
			    cfg->deliver_lock_delay, cfg->stale_lock_time);
		}
		if (cfg->virtual_mailbox_limit > 0)
			printf("  size limit: %lld bytes per file\n",
			    (long long)cfg->virtual_mailbox_limit);
	}
	if (vd_status_is_ok(&r->st) || r->st.dsn[0] == 0)
		printf("  result: would deliver (exit 0)\n");
	else
		printf("  result: %s %s (exit %d, %s)\n", r->st.dsn, r->st.text,
		    vd_status_exit(&r->st), vd_status_is_defer(&r->st)
		    ? "defer" : "bounce");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lmtp", no_argument, NULL, 'L' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *sender = NULL, *orig = NULL;
	const char *queue_id = NULL, *listen = NULL;
	char **overrides = NULL, **dests = NULL;
	size_t n_dests = 0;
	size_t n_overrides = 0, i, n_rcpt = 0;
	bool explain = false, verbose = false, lmtp = false, lmtp_argv;
	struct lmtp_opts lo;
	struct agent_rcpt *rcpts = NULL;
	struct vd_config cfg;
	struct vd_status st, worst;
	struct vd_message msg;
	struct agent agent;
	struct vd_trace_state trace;
	struct timeval start;
	bool have_cfg = false, have_log = false;
	int c, code;

	memset(&agent, 0, sizeof(agent));
	gettimeofday(&start, NULL);
	vd_oom_hook = vd_oom_print;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	/* LMTP mode: not even getopt may write to stderr. */
	if ((lmtp_argv = lmtp_prepare(argc, argv, "acdfoq")))
		opterr = 0;
	overrides = xcalloc((size_t)argc + 1, sizeof(*overrides));
	dests = xcalloc((size_t)argc + 1, sizeof(*dests));
	/* "+": stop at the first recipient. */
	while ((c = getopt_long(argc, argv, "+a:c:d:f:no:q:vh", longopts,
		    NULL)) != -1) {
		switch (c) {
		case 'a':
			orig = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			/* dovecot-lda's habit: -d recipient */
			dests[n_dests++] = optarg;
			break;
		case 'f':
			sender = optarg;
			break;
		case 'n':
			explain = true;
			break;
		case 'o':
			if (strchr(optarg, '=') == NULL && lmtp_argv) {
				code = vd_lmtp_usage("-o needs name=value",
				    listen);
				goto lmtp_done;
			}
			if (strchr(optarg, '=') == NULL) {
				code = vd_usage("-o needs name=value");
				goto done;
			}
			overrides[n_overrides++] = optarg;
			break;
		case 'q':
			queue_id = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'L':
			lmtp = true;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			code = EX_OK;
			goto done;
		default:
			if (lmtp_argv) {
				code = vd_lmtp_usage("bad command line", listen);
				goto lmtp_done;
			}
			code = vd_usage("bad command line");
			goto done;
		}
	}
	if (listen && !lmtp) {
		code = vd_usage("--listen needs --lmtp");
		goto done;
	}
	lo.listen = listen;
	lo.verbose = verbose;
	if (lmtp && optind < argc) {
		code = vd_lmtp_usage("--lmtp takes no recipients", listen);
		goto lmtp_done;
	}
	if (config_load(&cfg, config_path, overrides, n_overrides, &st) == 0)
		have_cfg = true;
	else if (!lmtp) {
		code = vd_fail(&st);
		goto done;
	} else {
		code = lmtp_fail(&st, &lo);
		goto lmtp_done;
	}
	if (lmtp) {
		code = lmtp_main(&cfg, &lo);
		goto done;
	}
	log_set_postlog(config_get(&cfg, "queue_directory"));
	log_set_hostname(cfg.myhostname);
	if (log_open("vdeliver", cfg.syslog_name, cfg.syslog_facility,
		cfg.maillog_file, verbose, &st) == 0)
		have_log = true;
	else {
		code = vd_fail(&st);
		goto done;
	}

	/*
	 * Recipients: the arguments, plus any -d (dovecot-lda habit).  The
	 * original recipient is -a, or else the recipient as given.
	 */
	if (orig != NULL && *orig == 0)
		orig = NULL;
	rcpts = xcalloc((size_t)argc + 1, sizeof(*rcpts));
	n_rcpt = 0;
	for (i = 0; i < n_dests; i++, n_rcpt++)
		agent_rcpt_init(&rcpts[n_rcpt], dests[i],
		    orig ? orig : dests[i]);
	for (; optind < argc; optind++, n_rcpt++)
		agent_rcpt_init(&rcpts[n_rcpt], argv[optind],
		    orig ? orig : argv[optind]);
	if (n_rcpt == 0) {
		code = vd_usage("no recipient");
		goto done;
	}
	if (n_rcpt > VD_MAX_RCPT) {
		code = vd_usage("too many recipients");
		goto done;
	}
	if (sender == NULL)
		sender = "";

	if (agent_open(&agent, &cfg, &st) < 0) {
		log_warn("%s", st.text);
		{
			code = vd_fail(&st);
			goto done;
		}
	}
	if (explain) {
		printf("vdeliver -n: nothing is written.  config: %s\n",
		    cfg.config_file ? cfg.config_file : "(built-in defaults)");
		printf("virtual_mailbox_base = %s, recipient_delimiter = %s\n",
		    cfg.virtual_mailbox_base, *cfg.recipient_delimiter
		    ? cfg.recipient_delimiter : "(none)");
		agent_set_trace(&agent, vd_trace, &trace);
	}

	/* Resolve everyone before anything is written. */
	for (i = 0; i < n_rcpt; i++) {
		if (explain) {
			printf("recipient %s\n", rcpts[i].rcpt);
			memset(&trace, 0, sizeof(trace));
		}
		if (agent_resolve(&agent, &rcpts[i]) == 0)
			vd_status_set(&rcpts[i].st, "2.0.0", "deliverable");
		if (explain)
			vd_explain(&cfg, &rcpts[i]);
	}
	if (explain) {
		vd_status_set(&worst, "2.0.0", "deliverable");
		for (i = 0; i < n_rcpt; i++)
			if (vd_status_worse(&rcpts[i].st, &worst))
				worst = rcpts[i].st;
		code = vd_status_exit(&worst);
		goto done;
	}

	/* The whole message, before any mailbox is locked. */
	if (message_spool(&msg, STDIN_FILENO, 0, &st) < 0) {
		log_warn("%s", st.text);
		code = vd_fail(&st);
		goto done;
	}
	vd_status_set(&worst, "2.0.0", "delivered");
	/* One recipient: nothing runs as root after its delivery. */
	agent.last_use = n_rcpt == 1;
	for (i = 0; i < n_rcpt; i++) {
		(void)agent_deliver(&agent, &msg, sender, &rcpts[i], queue_id,
		    &start);
		if (i == 0 || vd_status_worse(&rcpts[i].st, &worst))
			worst = rcpts[i].st;
	}
	message_fini(&msg);
	printf("%s %s\n", worst.dsn, worst.text);
	if (n_rcpt > 1)
		for (i = 0; i < n_rcpt; i++)
			printf("%s: %s %s\n", rcpts[i].rcpt, rcpts[i].st.dsn,
			    rcpts[i].st.text);
	code = vd_status_exit(&worst);
done:
	fflush(stdout);
	for (i = 0; i < n_rcpt; i++)
		agent_rcpt_fini(&rcpts[i]);
	free(rcpts);
	agent_close(&agent);
	if (have_log)
		log_close();
	if (have_cfg)
		config_free(&cfg);
lmtp_done:
	free(overrides);
	free(dests);
	return code;
}
