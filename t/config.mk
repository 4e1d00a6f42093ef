# t/config.mk: tests of this area (main.cf reader, vmap).
check_PROGRAMS += t/check_config
t_check_config_SOURCES = t/check_config.c
t_check_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_config_LDADD = $(CHECK_LDADD)
TESTS += t/check_config
dist_check_SCRIPTS += t/vmap.sh
TESTS += t/vmap.sh
