# man/: manual pages.
dist_man_MANS += man/vdeliver.8 man/vmap.1 man/vdeliver.cf.5
dist_check_SCRIPTS += t/man-lint.sh
TESTS += t/man-lint.sh
