# t/lmtp.mk: tests of this area (LMTP server mode).
check_PROGRAMS += t/check_lmtp
t_check_lmtp_SOURCES = t/check_lmtp.c
t_check_lmtp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_lmtp_LDADD = $(CHECK_LDADD)
TESTS += t/check_lmtp
