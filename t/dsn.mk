# t/dsn.mk: "delivered" notices (src/dsn.c) and LMTP's use of them.
check_PROGRAMS += t/check_dsn
t_check_dsn_SOURCES = t/check_dsn.c
t_check_dsn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_dsn_LDADD = $(CHECK_LDADD)
TESTS += t/check_dsn
