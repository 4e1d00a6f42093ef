# t/deliver.mk: tests of this area.
