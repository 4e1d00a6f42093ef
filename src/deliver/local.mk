# src/deliver/: mbox, maildir, locks.
noinst_LIBRARIES += src/deliver/libvddeliver.a
src_deliver_libvddeliver_a_SOURCES = \
	src/deliver/deliver.h src/deliver/deliver.c \
	src/deliver/copy.h src/deliver/copy.c \
	src/deliver/safe_open.h src/deliver/safe_open.c \
	src/deliver/lock.h src/deliver/lock.c \
	src/deliver/mbox.h src/deliver/mbox.c \
	src/deliver/maildir.h src/deliver/maildir.c
