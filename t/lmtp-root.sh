#!/bin/sh
# SPDX-License-Identifier: MIT
# lmtp-root: the LMTP listener running as root delivers each recipient as
# its own uid/gid; a session running as a mail user defers recipients of
# other users with the command line's 4.3.5 text.
. "${top_srcdir:-.}/t/testlib.sh"
need_root "switches uid/gid per recipient"
need_cmd python3
need_cmd setpriv util-linux
CHAT="python3 $top_srcdir/t/lmtp_chat.py"

ensure_user vdtest1; ensure_user vdtest2
U1=$(id -u vdtest1); G1=$(id -g vdtest1)
U2=$(id -u vdtest2); G2=$(id -g vdtest2)
BASE=$T/mail
mkdir -p "$BASE/u1" "$BASE/u2" "$T/u1log"
chown vdtest1:vdtest1 "$BASE/u1" "$T/u1log"; chown vdtest2:vdtest2 "$BASE/u2"
chmod 755 "$BASE"
CF=$T/main.cf
cat > "$CF" <<CF
virtual_mailbox_base = $BASE
virtual_mailbox_maps = inline:{ one@x=u1/md/, two@x=u2/two.mbox }
virtual_uid_maps = inline:{ one@x=$U1, two@x=$U2 }
virtual_gid_maps = inline:{ one@x=$G1, two@x=$G2 }
virtual_minimum_uid = 100
maillog_file = $T/maillog
myhostname = mx.example.com
CF

"$VDELIVER" --lmtp -c "$CF" --listen "unix:$T/lmtp.sock" 2>"$T/listener.err" &
LPID=$!
stop_listener() { kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null; }
at_exit stop_listener

printf '%s\n' 'LHLO client.example' 'MAIL FROM:<s@y.example>' 'RCPT TO:<one@x>' \
	'RCPT TO:<two@x>' 'DATA' 'Subject: root lmtp' '' 'body' '.' 'QUIT' > "$T/script"
out=$($CHAT "unix:$T/lmtp.sock" < "$T/script")
check "two users, one transaction" "250 2.0.0 <one@x> delivered to maildir
250 2.0.0 <two@x> delivered to mailbox
221 2.0.0 Bye" "$(printf '%s\n' "$out" | tail -n 3)"
f=$(ls "$BASE"/u1/md/new/* 2>/dev/null | head -n 1)
check "maildir file owned by recipient one" "$U1:$G1 600" "$(stat -c '%u:%g %a' "$f")"
check "mbox owned by recipient two" "$U2:$G2 600" "$(stat -c '%u:%g %a' "$BASE/u2/two.mbox")"
check "nothing under the base owned by root" "" "$(find "$BASE" -mindepth 1 -user root)"
kill "$LPID"; wait "$LPID"; rc=$?
check "listener exits 0 on SIGTERM" 0 "$rc"
check "listener wrote nothing on stderr" "" "$(cat "$T/listener.err")"
check "socket removed" no "$([ -e "$T/lmtp.sock" ] && echo yes || echo no)"

# Not root: the session delivers as itself and defers other users.
AS_U1="setpriv --reuid=$U1 --regid=$G1 --clear-groups"
printf '%s\n' 'LHLO client.example' 'MAIL FROM:<s@y.example>' 'RCPT TO:<two@x>' \
	'RCPT TO:<one@x>' 'DATA' 'Subject: as vdtest1' '' 'x' '.' 'QUIT' > "$T/script"
out=$($CHAT exec $AS_U1 "$VDELIVER" --lmtp -c "$CF" -o maillog_file="$T/u1log/log" \
	< "$T/script") && rc=0 || rc=$?
check "not root: nothing on stderr" 0 "$rc"
check "not root: another user's recipient deferred at RCPT (agent's 4.3.5 text)" \
	"451 4.3.5 <two@x>: mail system configuration error (recipient two@x has uid/gid $U2/$G2 in the tables, but vdeliver runs as uid/gid $U1/$G1 and is not root: run it as that user, or as root)" \
	"$(printf '%s\n' "$out" | grep '^451 ')"
check "not root: own recipient delivered" "250 2.0.0 <one@x> delivered to maildir" \
	"$(printf '%s\n' "$out" | grep '^250 2.0.0')"
check "not root: maildir now has two files" 2 "$(ls "$BASE"/u1/md/new | wc -l)"
done_testing
