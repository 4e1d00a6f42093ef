/* SPDX-License-Identifier: MIT */
/*
 * config - main.cf reader: Postfix syntax, defaults, typed parameters
 *
 * DESCRIPTION
 *	config_load() reads a file in Postfix main.cf syntax (or PATH/main.cf
 *	when PATH is a directory, so -c /etc/postfix reuses a live Postfix
 *	configuration), applies -o name=value overrides (they win over the
 *	file), expands $name, ${name}, $(name), ${name?value}, ${name:value},
 *	${name?{a}:{b}}, ${{a} == {b} ? {x} : {y}} (and != < <= > >=, with
 *	the "level" variants for compatibility levels), and fills struct
 *	vd_config from the table of parameters in config.c, each with
 *	Postfix's default.  Parameters vdeliver does not use are stored and
 *	ignored: only the parameters vdeliver reads (and what they refer
 *	to) are expanded and checked, so a broken unrelated line in a live
 *	Postfix main.cf does not stop delivery.  Syntax errors (a line
 *	without '=') stop the whole file, as in Postfix.  A missing default
 *	file (SYSCONFDIR/vdeliver/main.cf) means built-in defaults; a file
 *	named with -c must exist.
 *
 *	Expansion is lazy (at use), recursive and cached.  A reference loop
 *	($a -> $b -> $a), more than CONFIG_DEPTH_MAX nested references, or a
 *	value that expands to more than CONFIG_VALUE_MAX bytes is an error
 *	that names the parameter, never a crash.  Nothing here writes to
 *	stdout or stderr.
 *
 *	Errors are one line that names the place: "FILE:LINE: parameter
 *	NAME: ..." for a bad value in the file, "-o NAME: ..." for an
 *	override, with status 4.3.5 (a configuration error defers).
 */
#ifndef VD_SRC_CONFIG_H
#define VD_SRC_CONFIG_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define CONFIG_DEFAULT_FILE SYSCONFDIR "/vdeliver/main.cf"
#define CONFIG_DEPTH_MAX 100		/* nested references/expressions */
#define CONFIG_VALUE_MAX (1024 * 1024)	/* bytes of one expanded value */

struct vd_config {
	/* virtual(8) parameters, named as in main.cf */
	char *virtual_mailbox_base;
	char *virtual_mailbox_maps;
	char *virtual_uid_maps;
	char *virtual_gid_maps;
	long virtual_minimum_uid;	/* >= 1, default 100 */
	off_t virtual_mailbox_limit;	/* bytes, 0 = none; default 51200000 */
	off_t message_size_limit;	/* default 10240000 */
	char *virtual_mailbox_lock;	/* "fcntl, dotlock" */
	int lock_mask;			/* parsed virtual_mailbox_lock (LOCK_METHOD_*) */
	int deliver_lock_attempts;	/* default 20 */
	unsigned deliver_lock_delay;	/* seconds, default 1 */
	unsigned stale_lock_time;	/* seconds, default 500 */
	char *recipient_delimiter;	/* a set of characters, default "" */
	bool owner_request_special;	/* default yes */
	char *double_bounce_sender;	/* default "double-bounce" */
	bool enable_original_recipient;	/* default yes */
	bool strict_mailbox_ownership;	/* default yes */
	char *syslog_name;		/* default "postfix" (expanded) */
	char *syslog_facility;		/* default "mail" */
	char *maillog_file;		/* default "" = syslog */
	char *myhostname;		/* default: gethostname() */
	bool smtputf8_enable;		/* yes from compatibility_level 1 */
	/* vdeliver's own parameters */
	bool vdeliver_maildir_size_in_name;	/* ",S=<size>"; default no */
	int vdeliver_lmtp_process_limit;	/* default 100 */
	int vdeliver_lmtp_recipient_limit;	/* default 1000 */
	unsigned vdeliver_lmtp_timeout;		/* seconds, default 300 */
	int vdeliver_lmtp_error_limit;		/* default 20 */
	bool vdeliver_regexp_substitution;	/* $1 in regexp/pcre; default no */
	bool vdeliver_loop_detection;	/* Delivered-To loop check; default no */
	/* SIZE limit in LMTP; 0 in main.cf means virtual_mailbox_limit */
	off_t vdeliver_lmtp_message_size_limit;	/* effective; 0 = none */
	int vdeliver_lmtp_line_length_limit;	/* command line, default 4096 */
	/* LMTP offers DSN and sends "delivered" notices; default yes */
	bool vdeliver_lmtp_dsn;
	/* other Postfix parameters vdeliver reads */
	char *default_database_type;	/* vmap without a type; "hash" */
	/* where the values came from */
	char *config_file;		/* NULL: built-in defaults only */
	/* private: the raw name = value store, for config_get() */
	void *raw;
};

/*
 * config_load - path: a file, a directory holding main.cf, or NULL for
 * the default file.  overrides: n "name=value" strings.  Returns 0, or
 * -1 with st (and cfg freed).  Free with config_free().
 */
int config_load(struct vd_config *cfg, const char *path,
    char *const *overrides, size_t n_overrides, struct vd_status *st);
/*
 * config_get - the expanded value of any parameter (from the file, an
 * override, or a Postfix default vdeliver knows); NULL when unset or
 * when the value does not expand (config_lookup tells why).  Borrowed:
 * valid until config_free().
 */
const char *config_get(const struct vd_config *cfg, const char *name);
/*
 * config_lookup - config_get() that reports errors: 0 with *value_r
 * (NULL when unset), or -1 with st (4.3.5, "FILE:LINE: parameter NAME:
 * ...").
 */
int config_lookup(const struct vd_config *cfg, const char *name,
    const char **value_r, struct vd_status *st);
/* config_free - release everything config_load() allocated */
void config_free(struct vd_config *cfg);

#endif
