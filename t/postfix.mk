# t/postfix.mk: vdeliver behind a real Postfix 3.7 (end to end, through
# pipe(8), LMTP under spawn(8) and the root LMTP listener), the
# differential corpus against Postfix's own virtual(8), and independent
# readers (Dovecot, Python's mailbox module) of what vdeliver writes.
# The Postfix tests need root; each takes a machine-wide lock, so only
# one private Postfix instance runs at a time, even under make -j.
# The readers run as any user (vdeliver's command line, no MTA).
dist_check_SCRIPTS += t/postfix-e2e.sh t/postfix-e2e-lmtp-spawn.sh \
	t/postfix-e2e-lmtp-listen.sh t/postfix-diff.sh \
	t/readers-python.sh t/readers-dovecot.sh
TESTS += t/postfix-e2e.sh t/postfix-e2e-lmtp-spawn.sh \
	t/postfix-e2e-lmtp-listen.sh t/postfix-diff.sh \
	t/readers-python.sh t/readers-dovecot.sh
EXTRA_DIST += t/postfix-lib.sh t/readers-lib.sh t/mailtool.py t/diff
