# t/lookup.mk: tests of this area.
