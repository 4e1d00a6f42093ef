#!/bin/sh
# SPDX-License-Identifier: MIT
# concurrency-mbox: 32 vdeliver processes at once deliver 2,000 messages
# into one mbox, for each of virtual_mailbox_lock = fcntl, flock, dotlock
# and Postfix's default "fcntl, dotlock" (on the disk $TMPDIR is on).
# Afterwards each message is there exactly once and intact, as Python's
# mailbox module and Dovecot read it (t/concurrent.py).
# VD_CONC_PROCS / VD_CONC_MESSAGES change the sizes for a quick run.
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
spool_setup <<CF
virtual_mailbox_maps = inline:{ fcntl@x=fcntl.mbox, flock@x=flock.mbox,
    dotlock@x=dotlock.mbox, default@x=default.mbox }
CF
procs=${VD_CONC_PROCS:-32}
msgs=${VD_CONC_MESSAGES:-2000}
for mode in fcntl flock dotlock default; do
	lock=$mode
	[ "$mode" = default ] && lock=
	python3 "$top_srcdir/t/concurrent.py" --vdeliver "$VDELIVER" --config "$CF" \
		--rcpt "$mode@x" --mailbox "$BASE/$mode.mbox" --kind mbox \
		${lock:+--lock "$lock"} --label "mbox lock=${lock:-default (fcntl, dotlock)}" \
		--procs "$procs" --messages "$msgs" --scratch "$T" > "$T/out" 2>&1
	rc=$?
	cat "$T/out"
	check "mbox, lock ${lock:-default}: $procs processes, $msgs messages, none lost" 0 "$rc"
	check "mbox, lock ${lock:-default}: no lock file left" "" "$(ls "$BASE" | grep '\.lock$')"
done
done_testing
