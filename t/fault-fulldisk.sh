#!/bin/sh
# SPDX-License-Identifier: MIT
# fault-fulldisk: a real full file system.  The mailbox base is a small
# tmpfs (mount -t tmpfs -o size=...), nearly filled; a message that does
# not fit leaves the mbox at its old length, byte for byte, and nothing
# in the maildir, with exit 75 and 4.3.0 (ENOSPC); once there is room the
# same message is delivered.  Root only (mount).
. "${top_srcdir:-.}/t/testlib.sh"
need_root "mounts a tmpfs"
need_cmd python3

FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=1m,mode=0755 vdtest-full "$FS" ||
	skip_all "cannot mount a tmpfs here"
umount_fs() { umount "$FS" 2>/dev/null || umount -l "$FS" 2>/dev/null; }
at_exit umount_fs

ensure_user vdtest1
VUID=$(id -u vdtest1); VGID=$(id -g vdtest1)
BASE=$FS/mail
mkdir -p "$BASE"
chown "$VUID:$VGID" "$BASE"
CF=$T/main.cf
cat > "$CF" <<CF
virtual_mailbox_base = $BASE
virtual_mailbox_maps = inline:{ box@x=box.mbox, md@x=md/ }
virtual_uid_maps = static:$VUID
virtual_gid_maps = static:$VGID
virtual_minimum_uid = 1
maillog_file = $T/maillog
CF

# an mbox and a maildir with one message each
printf 'Subject: first\n\nfirst message\n' > "$T/small"
run_vd -c "$CF" -f s@y box@x < "$T/small"
check "first mbox delivery" 0 "$rc"
run_vd -c "$CF" -f s@y md@x < "$T/small"
check "first maildir delivery" 0 "$rc"
cp "$BASE/box.mbox" "$T/box.before"
ls "$BASE/md/new" > "$T/new.before"

# fill the file system, leaving less room than the big message needs
python3 - "$T/big" <<'PY'
import sys
body = "".join("line %06d of a message that cannot fit %s\n" % (i, "x" * 40)
               for i in range(4000))
open(sys.argv[1], "w").write("Subject: big\n\n" + body)
PY
dd if=/dev/zero of="$FS/filler" bs=4k 2>/dev/null
rm -f "$FS/filler"
dd if=/dev/zero of="$FS/filler" bs=4k count=$(( $(df -k --output=avail "$FS" | tail -1) / 4 - 8 )) 2>/dev/null
free=$(df -k --output=avail "$FS" | tail -1 | tr -d ' ')
big=$(( $(wc -c < "$T/big") / 1024 ))
check "the big message (${big}k) does not fit in ${free}k" yes "$([ "$big" -gt "$free" ] && echo yes || echo no)"

run_vd -c "$CF" -f s@y box@x < "$T/big"
check "mbox, disk full: exit 75" 75 "$rc"
check_match "mbox, disk full: 4.3.0 (ENOSPC)" '^4\.3\.0 .*No space left on device' "$out"
check_file "mbox, disk full: old length, same bytes" "$T/box.before" "$BASE/box.mbox"
check "mbox, disk full: no lock file left" "" "$(ls "$BASE" | grep '\.lock$')"

run_vd -c "$CF" -f s@y md@x < "$T/big"
check "maildir, disk full: exit 75" 75 "$rc"
check_match "maildir, disk full: 4.3.0 (ENOSPC)" '^4\.3\.0 .*No space left on device' "$out"
ls "$BASE/md/new" > "$T/new.after"
check_file "maildir, disk full: new/ unchanged" "$T/new.before" "$T/new.after"
check "maildir, disk full: tmp/ empty" "" "$(ls "$BASE/md/tmp")"

rm -f "$FS/filler"
run_vd -c "$CF" -f s@y box@x < "$T/big"
check "mbox, room again: delivered" 0 "$rc"
check "mbox grew by the message" yes \
	"$([ "$(wc -c < "$BASE/box.mbox")" -gt "$(( $(wc -c < "$T/box.before") + $(wc -c < "$T/big") ))" ] && echo yes || echo no)"
run_vd -c "$CF" -f s@y md@x < "$T/big"
check "maildir, room again: delivered" 0 "$rc"
check "maildir: two messages" 2 "$(ls "$BASE/md/new" | wc -l | tr -d ' ')"
done_testing
