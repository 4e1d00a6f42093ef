# t/pattern.mk: regexp and pcre tables.
