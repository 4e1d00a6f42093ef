#!/bin/sh
# SPDX-License-Identifier: MIT
# concurrency-maildir: 32 vdeliver processes at once deliver 2,000
# messages into one maildir (created by the first delivery: the
# directory creation races too).  Afterwards each message is in new/
# exactly once and intact, as Python's mailbox module and Dovecot read
# it, and tmp/ is empty (t/concurrent.py).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
spool_setup <<CF
virtual_mailbox_maps = inline:{ md@x=md/ }
CF
procs=${VD_CONC_PROCS:-32}
msgs=${VD_CONC_MESSAGES:-2000}
python3 "$top_srcdir/t/concurrent.py" --vdeliver "$VDELIVER" --config "$CF" \
	--rcpt md@x --mailbox "$BASE/md" --kind maildir --label maildir \
	--procs "$procs" --messages "$msgs" --scratch "$T" > "$T/out" 2>&1
rc=$?
cat "$T/out"
check "maildir: $procs processes, $msgs messages, none lost" 0 "$rc"
check "maildir: nothing in cur/" "0" "$(ls "$BASE/md/cur" 2>/dev/null | wc -l | tr -d ' ')"
done_testing
