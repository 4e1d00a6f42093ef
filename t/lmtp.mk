# t/lmtp.mk: tests of this area (LMTP server mode).
check_PROGRAMS += t/check_lmtp
t_check_lmtp_SOURCES = t/check_lmtp.c
t_check_lmtp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_lmtp_LDADD = $(CHECK_LDADD)
TESTS += t/check_lmtp
# Sessions against the built vdeliver; the python helpers are data.
dist_check_SCRIPTS += t/lmtp-session.sh t/lmtp-root.sh
TESTS += t/lmtp-session.sh t/lmtp-root.sh
EXTRA_DIST += t/lmtp_session.py t/lmtp_chat.py
