# t/deliver.mk: tests of this area (src/deliver/).
EXTRA_DIST += t/deliver_test.h
check_PROGRAMS += t/check_copy
t_check_copy_SOURCES = t/check_copy.c t/deliver_test.h
t_check_copy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_copy_LDADD = $(CHECK_LDADD)
TESTS += t/check_copy
check_PROGRAMS += t/check_mbox
t_check_mbox_SOURCES = t/check_mbox.c t/deliver_test.h
t_check_mbox_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_mbox_LDADD = $(CHECK_LDADD)
TESTS += t/check_mbox
check_PROGRAMS += t/check_maildir
t_check_maildir_SOURCES = t/check_maildir.c t/deliver_test.h
t_check_maildir_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_maildir_LDADD = $(CHECK_LDADD)
TESTS += t/check_maildir
