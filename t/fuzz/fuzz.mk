# t/fuzz/fuzz.mk: libFuzzer targets, their regression replay, make fuzz.
fuzz:
	@echo "fuzz: no fuzz targets yet"
.PHONY: fuzz
