# t/lmtp.mk: tests of this area.
