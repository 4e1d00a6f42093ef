# src/: base library (status, buf, log, message), agent library, programs.
noinst_LIBRARIES += src/libvdbase.a src/libvd.a
src_libvdbase_a_SOURCES = \
	src/status.c src/status.h \
	src/creds.c src/creds.h \
	src/buf.c src/buf.h \
	src/log.c src/log.h \
	src/message.c src/message.h \
	src/textline.c src/textline.h
src_libvd_a_SOURCES = \
	src/config.c src/config.h \
	src/address.c src/address.h \
	src/utf8.c src/utf8.h src/casefold_data.h \
	src/resolve.c src/resolve.h \
	src/agent.c src/agent.h \
	src/lmtp.c src/lmtp.h \
	src/lmtp_proto.c src/lmtp_proto.h \
	src/dsn.c src/dsn.h
sbin_PROGRAMS += vdeliver vmap
vdeliver_SOURCES = src/vdeliver.c
vdeliver_LDADD = $(VD_LIBS)
vmap_SOURCES = src/vmap.c
vmap_LDADD = $(VD_LIBS)
