# contrib/bench/bench.mk: `make bench` (contrib/bench/README.md).  Runs
# as root (it installs the peers from Debian and switches users); takes
# about ten minutes and prints one table, also left in bench-results.txt.
bench: vdeliver$(EXEEXT) vmap$(EXEEXT)
	CC='$(CC)' $(SHELL) $(srcdir)/contrib/bench/run ./vdeliver$(EXEEXT) ./vmap$(EXEEXT)
.PHONY: bench
CLEANFILES += bench-results.txt
