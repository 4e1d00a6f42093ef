# t/lookup.mk: tests of this area (registry, types, maps, interop).
LOOKUP_CHECKS = t/check_lookup t/check_dict_inline t/check_maps
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
