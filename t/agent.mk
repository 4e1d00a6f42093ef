# t/agent.mk: address, resolve, agent and the vdeliver command line.
check_PROGRAMS += t/check_address
t_check_address_SOURCES = t/check_address.c
t_check_address_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_address_LDADD = $(CHECK_LDADD)
TESTS += t/check_address
