# t/lookup.mk: tests of this area (registry, types, maps, interop).
LOOKUP_CHECKS = t/check_lookup t/check_dict_inline t/check_maps \
	t/check_dict_indexed t/check_dict_texthash
check_PROGRAMS += $(LOOKUP_CHECKS)
TESTS += $(LOOKUP_CHECKS)
t_check_lookup_SOURCES = t/check_lookup.c
t_check_lookup_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_lookup_LDADD = $(CHECK_LDADD)
t_check_dict_inline_SOURCES = t/check_dict_inline.c
t_check_dict_inline_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_dict_inline_LDADD = $(CHECK_LDADD)
t_check_maps_SOURCES = t/check_maps.c
t_check_maps_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_maps_LDADD = $(CHECK_LDADD)
t_check_dict_indexed_SOURCES = t/check_dict_indexed.c
t_check_dict_indexed_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_dict_indexed_LDADD = $(CHECK_LDADD)
t_check_dict_texthash_SOURCES = t/check_dict_texthash.c
t_check_dict_texthash_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_dict_texthash_LDADD = $(CHECK_LDADD)
# A test driver for t/lookup-postmap.sh (query, list, build).
check_PROGRAMS += t/check_lookup_query
t_check_lookup_query_SOURCES = t/check_lookup_query.c
t_check_lookup_query_LDADD = $(VD_LIBS)
# Interoperability with Debian's postmap, db5.3_dump and cdb(1).
dist_check_SCRIPTS += t/lookup-postmap.sh
TESTS += t/lookup-postmap.sh
