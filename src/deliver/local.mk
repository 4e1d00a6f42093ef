# src/deliver/: mbox, maildir, locks.
noinst_LIBRARIES += src/deliver/libvddeliver.a
src_deliver_libvddeliver_a_SOURCES = \
	src/deliver/deliver.h src/deliver/deliver.c
