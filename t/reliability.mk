# t/reliability.mk: "nothing lost, nothing corrupted" -- fault injection,
# concurrency, other lockers, hostile input, security, fuzzing, valgrind.
# See t/RELIABILITY.md for what each suite checks and the last figures.

# The fault-injection shim: an LD_PRELOAD library, built without the
# sanitizers (it is preloaded into sanitized programs too) and without
# libtool: a "program" linked with -shared.
check_PROGRAMS += t/faultinject.so
t_faultinject_so_SOURCES = t/faultinject.c
t_faultinject_so_CPPFLAGS = -D_GNU_SOURCE
t_faultinject_so_CFLAGS = $(VD_WFLAGS) -fPIC
t_faultinject_so_LDFLAGS = -shared -fPIC
t_faultinject_so_LDADD = -ldl
check_PROGRAMS += t/fi-probe
t_fi_probe_SOURCES = t/fi-probe.c

# Python helpers the shell tests run.
# EXTRA_DIST += python helpers (added with the suites)

dist_check_SCRIPTS += t/fault-selftest.sh
TESTS += t/fault-selftest.sh

include t/fuzz/fuzz.mk
