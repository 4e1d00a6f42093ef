# t/pattern.mk: regexp and pcre tables.
check_PROGRAMS += t/check_pattern t/pattern-query
t_check_pattern_SOURCES = t/check_pattern.c
t_check_pattern_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_pattern_LDADD = $(CHECK_LDADD)
t_pattern_query_SOURCES = t/pattern-query.c
t_pattern_query_LDADD = $(VD_LIBS)
TESTS += t/check_pattern
dist_check_SCRIPTS += t/pattern-postmap.sh
TESTS += t/pattern-postmap.sh
