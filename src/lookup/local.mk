# src/lookup/: table types and map lists.
noinst_LIBRARIES += src/lookup/libvdlookup.a
src_lookup_libvdlookup_a_SOURCES = \
	src/lookup/dict.h src/lookup/maps.h
