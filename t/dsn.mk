# t/dsn.mk: "delivered" notices (src/dsn.c) and LMTP's use of them.
check_PROGRAMS += t/check_dsn
t_check_dsn_SOURCES = t/check_dsn.c
t_check_dsn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_dsn_LDADD = $(CHECK_LDADD)
TESTS += t/check_dsn
# LMTP sessions with a sendmail_path script; as root, the same through
# a real Postfix (t/lmtp-dsn-postfix.sh, run by t/lmtp-dsn.sh, which
# adds its counts; it takes the Postfix tests' machine-wide lock).
dist_check_SCRIPTS += t/lmtp-dsn.sh
TESTS += t/lmtp-dsn.sh
EXTRA_DIST += t/lmtp-dsn-postfix.sh t/dsn_parse.py
