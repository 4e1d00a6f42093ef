# contrib/bench/bench.mk: `make bench`.
bench:
	@echo "no benchmarks yet"
.PHONY: bench
