# t/config.mk: tests of this area.
