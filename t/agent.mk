# t/agent.mk: address, resolve, agent and the vdeliver command line.
check_PROGRAMS += t/check_address
t_check_address_SOURCES = t/check_address.c
t_check_address_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_address_LDADD = $(CHECK_LDADD)
TESTS += t/check_address
check_PROGRAMS += t/check_resolve
t_check_resolve_SOURCES = t/check_resolve.c
t_check_resolve_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_resolve_LDADD = $(CHECK_LDADD)
TESTS += t/check_resolve
dist_check_SCRIPTS += t/vdeliver-cli.sh
TESTS += t/vdeliver-cli.sh
dist_check_SCRIPTS += t/vdeliver-root.sh
TESTS += t/vdeliver-root.sh
