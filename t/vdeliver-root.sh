#!/bin/sh
# SPDX-License-Identifier: MIT
# vdeliver-root: as root, each recipient is delivered as its own uid/gid;
# nothing is written as root, outside the base, or through a symlink.
. "${top_srcdir:-.}/t/testlib.sh"
need_root "switches uid/gid per recipient"

ensure_user vdtest1; ensure_user vdtest2
U1=$(id -u vdtest1); G1=$(id -g vdtest1)
U2=$(id -u vdtest2); G2=$(id -g vdtest2)
BASE=$T/mail
mkdir -p "$BASE/u1" "$BASE/u2" "$T/canary"
chown vdtest1:vdtest1 "$BASE/u1"; chown vdtest2:vdtest2 "$BASE/u2"
chmod 755 "$BASE"
echo "canary" > "$T/canary/file"
cat > "$T/main.cf" <<CF
virtual_mailbox_base = $BASE
virtual_mailbox_maps = inline:{ one@x=u1/md/, two@x=u2/two.mbox,
    evil@x=u1/evil.mbox, dirlink@x=u1/dl/md/, foreign@x=u2/foreign.mbox,
    deep@x=u1/a/b/c/, root@x=u1/root.mbox }
virtual_uid_maps = inline:{ one@x=$U1, two@x=$U2, evil@x=$U1, dirlink@x=$U1,
    foreign@x=$U1, deep@x=$U1, root@x=0 }
virtual_gid_maps = inline:{ one@x=$G1, two@x=$G2, evil@x=$G1, dirlink@x=$G1,
    foreign@x=$G1, deep@x=$G1, root@x=0 }
virtual_minimum_uid = 100
maillog_file = $T/maillog
deliver_lock_attempts = 1
CF
CF=$T/main.cf
printf 'Subject: root test\n\nbody\n' > "$T/msg"

run_vd -c "$CF" -f s@y one@x two@x deep@x < "$T/msg"
check "two users, one run" 0 "$rc"
f=$(ls "$BASE"/u1/md/new/*)
check "maildir file owner" "$U1:$G1 600" "$(stat -c '%u:%g %a' "$f")"
check "maildir dirs owned by the recipient" "$U1:$G1 700|$U1:$G1 700|$U1:$G1 700|$U1:$G1 700" \
	"$(stat -c '%u:%g %a' "$BASE/u1/md" "$BASE/u1/md/tmp" "$BASE/u1/md/new" "$BASE/u1/md/cur" | paste -sd'|')"
check "missing parents created as the recipient" "$U1:$G1 700" "$(stat -c '%u:%g %a' "$BASE/u1/a/b")"
check "mbox created as the recipient" "$U2:$G2 600" "$(stat -c '%u:%g %a' "$BASE/u2/two.mbox")"
check "nothing under the base owned by root" "" "$(find "$BASE" -mindepth 1 -user root)"

# a mailbox that is a symlink to a file outside the base
ln -s "$T/canary/file" "$BASE/u1/evil.mbox"
chown -h vdtest1:vdtest1 "$BASE/u1/evil.mbox"
run_vd -c "$CF" -f s@y evil@x < "$T/msg"
check "symlinked mbox refused" 75 "$rc"
check "symlink target unchanged" canary "$(cat "$T/canary/file")"

# a directory component that is a symlink
ln -s "$T/canary" "$BASE/u1/dl"
chown -h vdtest1:vdtest1 "$BASE/u1/dl"
chmod 777 "$T/canary"
run_vd -c "$CF" -f s@y dirlink@x < "$T/msg"
check "symlinked directory refused" 75 "$rc"
check "nothing written through the link" "file" "$(ls -A "$T/canary")"

# an mbox owned by another user (strict_mailbox_ownership = yes)
touch "$BASE/u2/foreign.mbox"; chown vdtest2:vdtest2 "$BASE/u2/foreign.mbox"
chmod 666 "$BASE/u2/foreign.mbox"; chmod 777 "$BASE/u2"
run_vd -c "$CF" -o deliver_lock_attempts=1 -o virtual_mailbox_lock=fcntl -f s@y foreign@x < "$T/msg"
check "foreign-owned mbox refused" 75 "$rc"
check_match "foreign-owned text" '^4\.2\.0 .*not owned by recipient' "$out"
check "foreign-owned mbox unchanged" 0 "$(stat -c %s "$BASE/u2/foreign.mbox")"
run_vd -c "$CF" -o strict_mailbox_ownership=no -o virtual_mailbox_lock=fcntl -f s@y foreign@x < "$T/msg"
check "strict_mailbox_ownership = no accepts it" 0 "$rc"

# uid 0 from a table is never used
run_vd -c "$CF" -f s@y root@x < "$T/msg"
check "uid 0 refused" 75 "$rc"
check "nothing written as root, anywhere below the base" "" "$(find "$BASE" -mindepth 1 -user root)"

# as root, tables are opened as mail_owner (virtual(8) does the same):
# one only root can read defers, 4.3.5
printf 'one@x u1/md/\n' > "$T/private"; chmod 600 "$T/private"
run_vd -c "$CF" -o mail_owner=vdtest2 -o "virtual_mailbox_maps=texthash:$T/private" -f s@y one@x < "$T/msg"
check "table unreadable by mail_owner defers" 75 "$rc"
check_match "table unreadable by mail_owner: 4.3.5" '^4\.3\.5 mail system configuration error' "$out"
chmod 644 "$T/private"
run_vd -c "$CF" -o mail_owner=vdtest2 -o "virtual_mailbox_maps=texthash:$T/private" -o "virtual_uid_maps=static:$U1" -o "virtual_gid_maps=static:$G1" -f s@y one@x < "$T/msg"
check "table readable by mail_owner: delivered" 0 "$rc"
check "vdeliver is root again after opening the tables" "$U1:$G1" "$(stat -c %u:%g "$(ls -t "$BASE"/u1/md/new/* | head -n 1)")"

# not root: a recipient whose table uid is not vdeliver's own is deferred,
# and nothing is written for it (not even as the wrong user)
chmod 777 "$BASE/u2"
out=$(setpriv --reuid="$U1" --regid="$G1" --clear-groups "$VDELIVER" -c "$CF" \
	-o maillog_file= -o syslog_facility=mail -f s@y two@x < "$T/msg" 2>&1) && rc=0 || rc=$?
check "other uid as non-root defers" 75 "$rc"
check_match "other uid text" '^4\.3\.5 .*not root' "$out"
check "nothing written for the refused recipient" 1 "$(grep -c '^From ' "$BASE/u2/two.mbox")"

# maillog_file that the delivering user cannot open (postlogd owns
# Postfix's): the records go to the postlog socket; without one, to
# syslog; the delivery never fails because of the log
touch "$T/rootlog"; chmod 600 "$T/rootlog"
mkdir -p "$T/q/public"; chmod 755 "$T/q" "$T/q/public"
python3 - "$T/q/public/postlog" "$T/postlog.got" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
s.settimeout(20)
open(sys.argv[2] + ".ready", "w").close()
try:
    data = s.recv(4096)
except socket.timeout:
    data = b"TIMEOUT"
open(sys.argv[2], "wb").write(data)
PY
pid=$!
i=0; while [ ! -e "$T/postlog.got.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
out=$(setpriv --reuid="$U1" --regid="$G1" --clear-groups "$VDELIVER" -c "$CF" \
	-o maillog_file="$T/rootlog" -o queue_directory="$T/q" -f s@y one@x < "$T/msg" 2>&1) && rc=0 || rc=$?
wait $pid
check "unwritable maillog_file: delivered" "0 2.0.0 delivered to maildir" "$rc $out"
check_match "record sent to postlogd" '^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [^ ]+ postfix/vdeliver\[[0-9]+\]: NOQUEUE: to=<one@x>, .*status=sent \(delivered to maildir\)$' "$(cat "$T/postlog.got")"
out=$(setpriv --reuid="$U1" --regid="$G1" --clear-groups "$VDELIVER" -c "$CF" \
	-o maillog_file="$T/rootlog" -o queue_directory="$T/noq" -f s@y one@x < "$T/msg" 2>&1) && rc=0 || rc=$?
check "no postlogd either: delivered, logged to syslog" "0 2.0.0 delivered to maildir" "$rc $out"
check "root's log untouched" 0 "$(stat -c %s "$T/rootlog")"

done_testing
