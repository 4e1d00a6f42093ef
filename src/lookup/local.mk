# src/lookup/: table types and map lists.
noinst_LIBRARIES += src/lookup/libvdlookup.a
src_lookup_libvdlookup_a_SOURCES = \
	src/lookup/dict.h src/lookup/dict_impl.h src/lookup/maps.h \
	src/lookup/dict_open.c src/lookup/maps.c \
	src/lookup/dict_db.c src/lookup/dict_cdb.c \
	src/lookup/dict_text.c src/lookup/dict_text.h \
	src/lookup/dict_texthash.c src/lookup/dict_inline.c \
	src/lookup/dict_static.c src/lookup/dict_fail.c \
	src/lookup/dict_pattern.c src/lookup/dict_pattern.h \
	src/lookup/dict_regexp.c src/lookup/dict_pcre.c
