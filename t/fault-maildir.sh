#!/bin/sh
# SPDX-License-Identifier: MIT
# fault-maildir: every file system call of a maildir delivery (the
# directories it makes, tmp/, the link into new/, the fsyncs) fails in
# turn with EIO, ENOSPC, EDQUOT, EINTR, a short write, or SIGKILL
# before/after it; afterwards new/ holds what it held or that plus the
# complete message (never a partial file), the exit status is right and
# never 0 unless file and new/ were fsynced (t/faultrun.py).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
SHIM=$top_builddir/t/faultinject.so
[ -f "$SHIM" ] || skip_all "no $SHIM"
spool_setup <<CF
virtual_mailbox_maps = inline:{ d1@x=d1/md/, d2@x=d2/a/b/md/ }
CF
FIG=${VD_FIGURES:-$T/figures}

# scenario NAME RCPT MAILDIR PRE [faultrun options...]
scenario() {
	name=$1 rcpt=$2 md=$3 pre=$4; shift 4
	python3 "$top_srcdir/t/faultrun.py" --vdeliver "$VDELIVER" --shim "$SHIM" \
		--config "$CF" --base "$BASE" --kind maildir --scenario "$name" \
		--mailbox "$md" --rcpt "$rcpt" --pre "$pre" \
		--uid "$VUID" --gid "$VGID" --scratch "$T" --figures "$FIG" "$@" \
		> "$T/out" 2>&1
	rc=$?
	cat "$T/out"
	check "$name: no loss, no corruption, no false success" 0 "$rc"
}
scenario "maildir" d1@x "$BASE/d1/md" existing
scenario "new maildir, new parents" d2@x "$BASE/d2/a/b/md" absent
[ -n "${VD_FIGURES:-}" ] || cat "$FIG"
done_testing
