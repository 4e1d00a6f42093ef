# t/base.mk: status, buf, message.
check_PROGRAMS += t/check_base
t_check_base_SOURCES = t/check_base.c
t_check_base_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_base_LDADD = $(CHECK_LDADD)
TESTS += t/check_base
check_PROGRAMS += t/check_textline
t_check_textline_SOURCES = t/check_textline.c
t_check_textline_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_textline_LDADD = $(CHECK_LDADD)
TESTS += t/check_textline
