# t/: the test library and the fragments of each area.
noinst_LIBRARIES += t/libtest.a
t_libtest_a_SOURCES = t/testlib.c t/testlib.h
t_libtest_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
EXTRA_DIST += t/testlib.sh t/data
include t/base.mk
include t/lookup.mk
include t/pattern.mk
include t/deliver.mk
include t/config.mk
include t/agent.mk
include t/lmtp.mk
include t/postfix.mk
include t/reliability.mk
include contrib/bench/bench.mk
include t/dsn.mk
