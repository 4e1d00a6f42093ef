#!/bin/sh
# SPDX-License-Identifier: MIT
# lockers-mbox: vdeliver and the other programs that lock an mbox.
# While another process holds the dotlock (liblockfile's dotlockfile)
# or a kernel lock (a python fcntl.lockf or fcntl.flock holder), vdeliver
# tries deliver_lock_attempts times, deliver_lock_delay apart, then
# defers (75, 4.2.0) and leaves the mbox alone; a lock of another kind
# does not stop it; once the holder lets go it delivers.  A dotlock
# older than stale_lock_time, or naming a process that does not exist,
# is removed and delivery proceeds.
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
need_cmd dotlockfile liblockfile-bin
spool_setup <<CF
virtual_mailbox_maps = inline:{ box@x=box.mbox }
deliver_lock_attempts = 3
deliver_lock_delay = 1s
CF
MBOX=$BASE/box.mbox
printf 'Subject: lockers\n\nbody\n' > "$T/msg"
run_vd -c "$CF" -f s@y box@x < "$T/msg"
check "a first message" 0 "$rc"
nmsg() { grep -c '^From ' "$MBOX"; }

# now: seconds since the epoch, with fractions
now() { date +%s.%N; }
# waited_at_least START SECONDS: at least that long since START
waited_at_least() { python3 -c "import sys,time; sys.exit(0 if time.time() - float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }
# wait_for FILE: up to 10 s for a holder to say it is ready
wait_for() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}
holder_pid=
stop_holder() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	[ -n "$holder_pid" ] && wait "$holder_pid" 2>/dev/null
	holder_pid=
	rm -f "$T/ready"
}
at_exit stop_holder

# deliver_blocked LABEL LOCKS WANT_TEXT: vdeliver must wait, then defer
deliver_blocked() {
	before=$(cksum < "$MBOX")
	start=$(now)
	run_vd -c "$CF" -o virtual_mailbox_lock="$2" -f s@y box@x < "$T/msg"
	check "$1: deferred (75)" 75 "$rc"
	check_match "$1: 4.2.0, $3" "^4\\.2\\.0 .*$3" "$out"
	# 3 attempts: 2 pauses of 0.75..1.25 s
	if waited_at_least "$start" 1.5; then pass "$1: waited attempts x delay first"
	else fail "$1: gave up too early"; fi
	check "$1: mbox untouched" "$before" "$(cksum < "$MBOX")"
}
deliver_ok() {
	n=$(nmsg)
	run_vd -c "$CF" -o virtual_mailbox_lock="$2" -f s@y box@x < "$T/msg"
	check "$1: delivered" "0 $((n + 1))" "$rc $(nmsg)"
}

# 1. dotlockfile holds box.mbox.lock (with its pid in it) while a command runs
rm -f "$T/ready"
dotlockfile -l -r 0 -p "$MBOX.lock" sh -c "echo \$\$ > '$T/ready'; exec sleep 60" &
dl_pid=$!
wait_for "$T/ready" || fail "dotlockfile did not take the lock"
holder_pid=$(cat "$T/ready")
check "dotlockfile holds the lock" yes "$([ -e "$MBOX.lock" ] && echo yes)"
deliver_blocked "dotlock held by dotlockfile" dotlock "unable to create lock file .*File exists"
deliver_blocked "default locks, dotlock held" "fcntl, dotlock" "unable to create lock file"
deliver_ok "fcntl only, dotlock held by another" fcntl
kill "$holder_pid"; wait "$dl_pid" 2>/dev/null; holder_pid=
check "dotlockfile removed its lock" no "$([ -e "$MBOX.lock" ] && echo yes || echo no)"
deliver_ok "dotlock free again" dotlock

# 2. a kernel lock holder: python3 fcntl.lockf / fcntl.flock
hold() {	# hold lockf|flock
	rm -f "$T/ready"
	python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "a")
if sys.argv[2] == "lockf":
    fcntl.lockf(f, fcntl.LOCK_EX)
else:
    fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[3], "w").write("locked\n")
time.sleep(60)' "$MBOX" "$1" "$T/ready" &
	holder_pid=$!
	wait_for "$T/ready" || fail "$1 holder did not start"
}
hold lockf
deliver_blocked "fcntl lock held (lockf)" fcntl "unable to lock for exclusive access"
deliver_blocked "default locks, fcntl held" "fcntl, dotlock" "unable to lock for exclusive access"
check "no dotlock left after the deferral" no "$([ -e "$MBOX.lock" ] && echo yes || echo no)"
deliver_ok "flock only, fcntl held by another" flock
stop_holder
deliver_ok "fcntl free again" fcntl
hold flock
deliver_blocked "flock held" flock "unable to lock for exclusive access"
deliver_ok "fcntl only, flock held by another" fcntl
stop_holder
deliver_ok "flock free again" flock

# 3. stale dotlocks
: > "$MBOX.lock"; chmod 0 "$MBOX.lock"
deliver_blocked "a fresh empty dotlock (Postfix's kind)" dotlock "unable to create lock file"
sleep 3
n=$(nmsg)
run_vd -c "$CF" -o stale_lock_time=2s -o virtual_mailbox_lock=dotlock -f s@y box@x < "$T/msg"
check "a dotlock older than stale_lock_time is removed: delivered" "0 $((n + 1))" "$rc $(nmsg)"
check "the stale lock is gone" no "$([ -e "$MBOX.lock" ] && echo yes || echo no)"
check_match "the removal is logged" "stale lock" "$(cat "$T/maillog")"
sh -c 'exit 0' & dead=$!; wait $dead
echo "$dead" > "$MBOX.lock"
deliver_ok "a dotlock naming a process that is gone (liblockfile)" dotlock
check "that lock is gone too" no "$([ -e "$MBOX.lock" ] && echo yes || echo no)"

# 4. the mbox is still a clean sequence of messages
python3 - "$MBOX" > "$T/count" <<'PY'
import mailbox, sys
print(len([m for m in mailbox.mbox(sys.argv[1]) if m.get_payload() == "body\n"]))
PY
check "every message readable, none torn" "$(nmsg)" "$(cat "$T/count")"
done_testing
