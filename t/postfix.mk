# t/postfix.mk: tests of this area.
