#!/bin/sh
# SPDX-License-Identifier: MIT
# security-root: as root, with two test users.  vdeliver writes only
# below virtual_mailbox_base, only as the recipient's uid/gid, never
# through a symlink, also while an attacker swaps the mailbox (or a
# directory on the way) for a symlink during the deliveries; nothing
# outside the base changes (a canary tree, and find -newer over /etc,
# /root, /home, /var/mail, /var/spool, /usr, /opt, /srv; and nothing
# owned by the test users anywhere but the test spools).
. "${top_srcdir:-.}/t/testlib.sh"
need_root "switches to test users"
need_cmd python3
ensure_user vdtest1; ensure_user vdtest2
U1=$(id -u vdtest1); G1=$(id -g vdtest1)
U2=$(id -u vdtest2); G2=$(id -g vdtest2)
BASE=$T/mail
CAN=$T/canary
mkdir -p "$BASE/u1" "$BASE/u2" "$BASE/rootdir" "$CAN/dir"
chown vdtest1:vdtest1 "$BASE/u1"; chown vdtest2:vdtest2 "$BASE/u2"
chmod 700 "$BASE/u1" "$BASE/u2"; chmod 755 "$BASE" "$BASE/rootdir"
echo canary > "$CAN/file"; chmod 666 "$CAN/file"; chmod 777 "$CAN" "$CAN/dir"
cat > "$T/main.cf" <<CF
virtual_mailbox_base = $BASE
virtual_mailbox_maps = inline:{ one@x=u1/box.mbox, two@x=u2/box.mbox,
    cross@x=u1/cross.mbox, crossmd@x=u1/md/, rootdir@x=rootdir/box.mbox,
    rootmd@x=rootdir/md/, race@x=u1/race.mbox, racedir@x=u1/rd/md/ }
virtual_uid_maps = inline:{ one@x=$U1, two@x=$U2, cross@x=$U2, crossmd@x=$U2,
    rootdir@x=$U1, rootmd@x=$U1, race@x=$U1, racedir@x=$U1 }
virtual_gid_maps = inline:{ one@x=$G1, two@x=$G2, cross@x=$G2, crossmd@x=$G2,
    rootdir@x=$G1, rootmd@x=$G1, race@x=$G1, racedir@x=$G1 }
virtual_minimum_uid = 100
maillog_file = $T/maillog
deliver_lock_attempts = 1
CF
CF=$T/main.cf
printf 'Subject: security\n\nbody\n' > "$T/msg"
canary_sum() { find "$CAN" -printf '%p %y %U %s %l\n' | sort | cksum; cat "$CAN/file" | cksum; }
canary0=$(canary_sum)
touch "$T/stamp"
sleep 1	# find -newer compares whole seconds on some file systems

# 1. each user gets a mailbox of its own, owned by it
run_vd -c "$CF" -f s@y one@x two@x < "$T/msg"
check "two users delivered" 0 "$rc"
check "owners" "$U1:$G1 600|$U2:$G2 600" \
	"$(stat -c '%u:%g %a' "$BASE/u1/box.mbox" "$BASE/u2/box.mbox" | paste -sd'|' -)"

# 2. a table that sends user 2 into user 1's directory: EACCES, nothing written
run_vd -c "$CF" -f s@y cross@x < "$T/msg"
check_match "user 2 cannot write into user 1's directory (mbox)" '^4\.2\.0 ' "$out"
run_vd -c "$CF" -f s@y crossmd@x < "$T/msg"
check_match "user 2 cannot write into user 1's directory (maildir)" '^4\.2\.0 ' "$out"
check "nothing made in u1 by user 2" "box.mbox" "$(ls -A "$BASE/u1")"

# 3. a root-owned directory below the base: the recipient cannot write,
#    and vdeliver does not write there as root either
run_vd -c "$CF" -f s@y rootdir@x < "$T/msg"
check_match "root-owned directory: mbox refused" '^4\.2\.0 ' "$out"
run_vd -c "$CF" -f s@y rootmd@x < "$T/msg"
check_match "root-owned directory: maildir refused" '^4\.2\.0 ' "$out"
check "nothing written in the root-owned directory" "" "$(ls -A "$BASE/rootdir")"

# 4. races: the mailbox, or a directory on the way, is swapped for a
#    symlink to the canary while 150 deliveries run
python3 - "$BASE/u1" "$CAN" "$T/stop" "$U1" "$G1" > "$T/swapper.out" 2>&1 <<'PY' &
import os, sys, time
d, can, stop, uid, gid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
box, rd = os.path.join(d, "race.mbox"), os.path.join(d, "rd")
n = 0
while not os.path.exists(stop) and n < 2000000:
    n += 1
    for target, name, real in ((os.path.join(can, "file"), box, None),
                               (os.path.join(can, "dir"), rd, "dir")):
        tmp = name + ".swap"
        try:
            os.symlink(target, tmp)
            os.lchown(tmp, uid, gid)
            os.rename(tmp, name)          # the link replaces the real one
            time.sleep(0.0005)
            if real == "dir":
                os.unlink(name)
                os.makedirs(name + "/md", exist_ok=True)
                for p in (name, name + "/md"):
                    os.chown(p, uid, gid)
            else:
                os.unlink(name)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
                os.chown(tmp, uid, gid)
                os.rename(tmp, name)      # a real mbox again
            time.sleep(0.0005)
        except OSError:
            pass
print("swaps", n)
PY
swapper=$!
i=0; ok_box=0; ok_dir=0; bad=0
while [ $i -lt 150 ]; do
	run_vd -c "$CF" -f s@y race@x < "$T/msg"
	case $rc in 0) ok_box=$((ok_box + 1));; 75) ;; *) bad=$((bad + 1)); echo "race: $out";; esac
	run_vd -c "$CF" -f s@y racedir@x < "$T/msg"
	case $rc in 0) ok_dir=$((ok_dir + 1));; 75) ;; *) bad=$((bad + 1)); echo "race: $out";; esac
	i=$((i + 1))
done
touch "$T/stop"; wait $swapper
cat "$T/swapper.out"
echo "# race: $ok_box mbox and $ok_dir maildir deliveries went through, the rest deferred"
check "race: every delivery ended in 0 or 75" 0 "$bad"
check "race: the canary is untouched" "$canary0" "$(canary_sum)"
check "race: nothing in the canary directory" "" "$(ls -A "$CAN/dir")"

# 5. the rest of the system
check "nothing below the base owned by root but what the test made" "$BASE/rootdir" \
	"$(find "$BASE" -mindepth 1 -user root | sort | paste -sd' ' -)"
check "every file below u1 is vdtest1's" "" "$(find "$BASE/u1" -mindepth 1 ! -user vdtest1)"
newer=$(find /etc /root /home /var/mail /var/spool /usr /opt /srv -xdev -newer "$T/stamp" \
	! -path '/etc/passwd*' ! -path '/etc/group*' ! -path '/etc/shadow*' \
	! -path '/etc/gshadow*' ! -path '/etc/subuid*' ! -path '/etc/subgid*' \
	! -path '/etc/.pwd.lock' ! -path '/etc/ld.so.cache' 2>/dev/null)
check "nothing new or changed in /etc, /root, /home, /var/mail, /var/spool, /usr, /opt, /srv" "" "$newer"
# Anything the test users wrote anywhere (vdeliver writes as them) must be
# in a test's scratch directory ($TMPDIR/vd-*, where parallel tests run).
tmp=${TMPDIR:-/tmp}
byusers=$(find / -xdev \( -path /proc -o -path /sys -o -path "$tmp/vd-*" \) -prune \
	-o -newer "$T/stamp" \( -user vdtest1 -o -user vdtest2 \) -print 2>/dev/null)
check "nothing written by the test users outside the test spools, anywhere" "" "$byusers"
done_testing
