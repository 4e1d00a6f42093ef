# t/reliability.mk: tests of this area.
# Placeholder until the fault, concurrency, hostile-input and fuzz suites land.
fuzz:
	@echo "fuzz: no fuzz targets yet"
.PHONY: fuzz
