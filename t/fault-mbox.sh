#!/bin/sh
# SPDX-License-Identifier: MIT
# fault-mbox: every file system call of an mbox delivery (the dotlock
# made by liblockfile included) fails in turn with EIO, ENOSPC, EDQUOT,
# EINTR, a short write, or SIGKILL before/after it; afterwards the mbox
# holds what it held or that plus the complete message, the exit status
# is right and never 0 unless the message was fsynced (t/faultrun.py).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
SHIM=$top_builddir/t/faultinject.so
[ -f "$SHIM" ] || skip_all "no $SHIM"
spool_setup <<CF
virtual_mailbox_maps = inline:{ m1@x=s1/box.mbox, m2@x=s2/box.mbox,
    m3@x=s3/box.mbox, m4@x=s4/box.mbox }
deliver_lock_attempts = 1
CF
FIG=${VD_FIGURES:-$T/figures}

# scenario NAME RCPT DIR PRE [faultrun options...]
scenario() {
	name=$1 rcpt=$2 dir=$3 pre=$4; shift 4
	python3 "$top_srcdir/t/faultrun.py" --vdeliver "$VDELIVER" --shim "$SHIM" \
		--config "$CF" --base "$BASE" --kind mbox --scenario "$name" \
		--mailbox "$BASE/$dir/box.mbox" --rcpt "$rcpt" --pre "$pre" \
		--uid "$VUID" --gid "$VGID" --scratch "$T" --figures "$FIG" "$@" \
		> "$T/out" 2>&1
	rc=$?
	cat "$T/out"
	check "$name: no loss, no corruption, no false success" 0 "$rc"
}
# A message with more than ~500 From_ lines fills copy.c's iovec array:
# it must still be appended in one write, so SIGKILL cannot tear it.
scenario "mbox (fcntl, dotlock)" m1@x s1 existing
scenario "new mbox (fcntl, dotlock)" m2@x s2 absent
scenario "mbox (flock)" m3@x s3 existing --opt virtual_mailbox_lock=flock
scenario "mbox, 1500 From_ lines" m4@x s4 existing --from-lines 1500 \
	--actions kill,killafter,killchild,fail
[ -n "${VD_FIGURES:-}" ] || cat "$FIG"
done_testing
