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
EXTRA_DIST += t/vdtest.py t/concurrent.py t/faultrun.py t/hostile.py t/hostile \
	t/RELIABILITY.md

dist_check_SCRIPTS += t/fault-selftest.sh
TESTS += t/fault-selftest.sh

# Every call of a delivery fails in turn (t/faultrun.py).
dist_check_SCRIPTS += t/fault-mbox.sh t/fault-maildir.sh t/fault-fulldisk.sh
TESTS += t/fault-mbox.sh t/fault-maildir.sh t/fault-fulldisk.sh

# A table of hostile inputs (data in t/hostile/); security as root.
dist_check_SCRIPTS += t/hostile-input.sh t/security-root.sh
TESTS += t/hostile-input.sh t/security-root.sh

# vdeliver next to dotlockfile and fcntl/flock holders.
dist_check_SCRIPTS += t/lockers-mbox.sh
TESTS += t/lockers-mbox.sh

# 32 processes x 2,000 messages into one mbox (four lock settings) and
# into one maildir.
dist_check_SCRIPTS += t/concurrency-mbox.sh t/concurrency-maildir.sh
TESTS += t/concurrency-mbox.sh t/concurrency-maildir.sh

include t/fuzz/fuzz.mk

# make check-valgrind: each Check program (t/check_*) in process
# (CK_FORK=no) under valgrind, and each fuzz replay over its corpus; fails
# on any memory error or definite leak.  Not in a sanitizer build.
VALGRIND = valgrind
VALGRIND_FLAGS = -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=40 \
	--suppressions=$(abs_top_srcdir)/t/valgrind.supp
EXTRA_DIST += t/valgrind.supp
check-valgrind: $(check_PROGRAMS)
	@if test -n '$(VD_SANFLAGS)'; then \
	    echo "check-valgrind: this is a sanitizer build; use a plain one" >&2; exit 1; fi; \
	pass=0; failed=0; phase=tests; \
	for t in $(TESTS) -- $(check_PROGRAMS); do \
	    case $$phase:$$t in \
	    *:--) phase=progs; continue ;; \
	    tests:t/check_*) args= ;; \
	    progs:t/fuzz/replay_*) n=$${t#t/fuzz/replay_}; \
	        args="$(abs_top_srcdir)/t/fuzz/corpus/$$n $(abs_top_srcdir)/t/fuzz/regress/$$n" ;; \
	    *) continue ;; \
	    esac; \
	    if CK_FORK=no top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	        $(VALGRIND) $(VALGRIND_FLAGS) --log-file=$$t.valgrind.log \
	        ./$$t $$args > $$t.valgrind.out 2>&1; then \
	        pass=$$((pass + 1)); echo "PASS: $$t (valgrind)"; \
	    else \
	        failed=$$((failed + 1)); echo "FAIL: $$t (valgrind)"; \
	        tail -20 $$t.valgrind.out; cat $$t.valgrind.log; \
	    fi; \
	done; \
	echo "check-valgrind: $$pass passed, $$failed failed"; \
	test $$failed = 0
.PHONY: check-valgrind
CLEANFILES += t/*.valgrind.log t/*.valgrind.out t/fuzz/*.valgrind.log t/fuzz/*.valgrind.out

# make reliability-figures: the figures of the last run of these suites
# (from their logs, and from _build-fuzz after make fuzz), for
# t/RELIABILITY.md.
reliability-figures:
	@for f in t/fault-mbox.log t/fault-maildir.log t/concurrency-mbox.log \
	    t/concurrency-maildir.log t/hostile-input.log; do \
	    test -f $$f && sed -n 's/^# \(fault\|concurrency\|hostile\): /\1: /p' $$f; \
	done; \
	for f in t/fault-fulldisk.log t/lockers-mbox.log t/security-root.log \
	    t/fault-selftest.log t/fuzz-replay.log; do \
	    test -f $$f && echo "$$f: $$(grep " passed, " $$f | tail -1)"; \
	done; \
	test -f _build-fuzz/fuzz-figures.txt && cat _build-fuzz/fuzz-figures.txt; true
.PHONY: reliability-figures
