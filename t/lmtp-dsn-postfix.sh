#!/bin/sh
# SPDX-License-Identifier: MIT
# lmtp-dsn-postfix: success notices through a real Postfix 3.7 (run by
# t/lmtp-dsn.sh as root).  A message submitted with "sendmail -N
# success" to a virtual recipient must bring its sender one "delivered"
# notice whichever agent delivers it:
#   A. virtual(8): Postfix's own bounce(8) notice (the model);
#   B. vdeliver --lmtp under spawn(8) (user=vmail, contrib/postfix):
#      vdeliver's notice, and none from Postfix;
#   C. the root LMTP listener, submitting with the real sendmail;
#   D. vdeliver_lmtp_dsn = no under spawn(8): Postfix's own notice again
#      (Action: delivered with lmtp_assume_final = yes, relayed
#      without), and X-Original-To is then the RCPT address.
# The notices are read with Python's email module (t/dsn_parse.py) and
# must agree field for field with Postfix's.
#
# Why B relays: sendmail run by vmail cannot reach this private instance
# (Postfix's postdrop, set-gid, reads only /etc/postfix/main.cf, and
# accepts another configuration directory only when that file lists it),
# so B's sendmail_path is a script that hands its argv and stdin to a
# root process here, which runs /usr/sbin/sendmail -C $PF_ETC with them.
# In C the listener runs as root and uses /usr/sbin/sendmail itself
# (MAIL_CONFIG names the instance).
. "${top_srcdir:-.}/t/testlib.sh"
. "$top_srcdir/t/postfix-lib.sh"

PARSE="$PF_PYTHON $top_srcdir/t/dsn_parse.py"
D=dsn.test
M=$PF_BASE/$D
mkdir -p "$M" "$PF/run"; chown vmail:vmail "$M"
cat > "$PF_TABLES/vmailbox" <<EOF
rcpt@$D		$D/rcpt/
sA@$D		$D/sA/
sB@$D		$D/sB/
sC@$D		$D/sC/
sD1@$D		$D/sD1/
sD2@$D		$D/sD2/
EOF
echo "info@alias.test	rcpt@$D" > "$PF_TABLES/aliases"
for t in vmailbox aliases; do pf_postmap "hash:$PF_TABLES/$t"; done

# B's sendmail: argv (NUL-separated) and stdin into $PF/relay/new
mkdir -p "$PF/relay/tmp" "$PF/relay/new"; chown -R vmail:vmail "$PF/relay"
cat > "$PF/bin/relay-sendmail" <<EOF
#!/bin/sh
PATH=/usr/bin:/bin
f=$PF/relay/tmp/\$\$
printf '%s\\0' "\$@" > "\$f.argv" && cat > "\$f.msg" || exit 75
mv "\$f.msg" $PF/relay/new/ && mv "\$f.argv" $PF/relay/new/ || exit 75
EOF
chmod 755 "$PF/bin/relay-sendmail"
cat > "$T/relay.py" <<'EOF'
import os, subprocess, sys, time
d, etc, log = sys.argv[1], sys.argv[2], sys.argv[3]
while True:
    for a in sorted(f for f in os.listdir(d) if f.endswith(".argv")):
        base = os.path.join(d, a[:-5])
        with open(base + ".argv", "rb") as f:
            args = [x.decode() for x in f.read().split(b"\0")[:-1]]
        with open(base + ".msg", "rb") as m:
            rc = subprocess.call(["/usr/sbin/sendmail", "-C", etc] + args, stdin=m)
        with open(log, "a") as f:
            f.write("%s rc=%d\n" % (" ".join(args), rc))
        os.unlink(base + ".argv")
        os.unlink(base + ".msg")
    time.sleep(0.1)
EOF
$PF_PYTHON "$T/relay.py" "$PF/relay/new" "$PF_ETC" "$T/relay.log" &
relay_pid=$!
relay_stop() { kill "$relay_pid" 2>/dev/null || true; wait "$relay_pid" 2>/dev/null || true; }
at_exit relay_stop

# phase NAME TRANSPORT [main.cf lines on stdin]: (re)start with them
phase() {
	ph_transport=$2
	pf_stop
	{
		cat <<EOF
virtual_mailbox_domains = $D
virtual_alias_domains = alias.test
virtual_alias_maps = hash:$PF_TABLES/aliases
virtual_mailbox_maps = hash:$PF_TABLES/vmailbox
virtual_uid_maps = static:$VMAIL_UID
virtual_gid_maps = static:$VMAIL_GID
virtual_transport = $ph_transport
lmtp_line_length_limit = 0
EOF
		cat
	} | pf_main_cf
	pf_start
	pf_mark
}

# send SENDER: the test message, NOTIFY=SUCCESS, ENVID, to rcpt@$D
send() {
	printf 'From: Tester <%s>\nTo: rcpt@%s\nSubject: dsn via %s\nMessage-ID: <%s@%s>\n\nbody\n.\nend\n' \
		"$1" "$D" "$1" "$1" "$D" > "$T/msg"
	sendmail -C "$PF_ETC" -i -N success -V "envid-$1" -f "$1@$D" -- "rcpt@$D" < "$T/msg"
}
# notice SENDER: what Python reads from SENDER's mailbox, the sender
# replaced by SENDER
notice() { $PARSE "$M/$1/" | sed "s/$1/SENDER/g"; }
want_notice() {
	cat <<EOF
structure: multipart/report;delivery-status text/plain message/delivery-status text/rfc822-headers
from: Mail Delivery System <MAILER-DAEMON@$PF_HOST> | to: SENDER@$D | auto: auto-replied
envelope: dns; $PF_HOST | envid-SENDER
rcpt: rfc822; rcpt@$D | rfc822;rcpt@$D | $1 | 2.0.0
returned: text/rfc822-headers subject=dsn via SENDER
EOF
}
# wait_notice SENDER: the notice has been delivered, the queue is idle
wait_notice() {
	pf_wait_log 1 "to=<$1@$D>, .*status="
	pf_wait_queue
}
# xorig SUBJECT: the X-Original-To of rcpt's message with that subject
xorig() { grep '^X-Original-To:' $(grep -l "^Subject: $1\$" "$M"/rcpt/new/*); }
n_msgs() { ls "$M/$1/new" 2>/dev/null | wc -l; }
null_rp() { grep -l '^Return-Path: <>$' "$M/$1"/new/* 2>/dev/null | wc -l; }
bounce_lines() { pf_count "postfix/bounce\\[.*sender delivery status notification"; }

# --- A. virtual(8): Postfix's own notice -----------------------------------
phase A virtual < /dev/null
send sA
wait_notice sA
check "A virtual(8): one notice, from bounce(8)" "1 1" "$(n_msgs sA) $(bounce_lines)"
check "A virtual(8): Postfix's notice" "$(want_notice delivered)" "$(notice sA)"
notice sA | sed 's/^/# A: /'
check "A virtual(8): null Return-Path" 1 "$(null_rp sA)"

# --- B. vdeliver --lmtp under spawn(8) -----------------------------------
phase B lmtp:unix:private/vdeliver-lmtp <<EOF
sendmail_path = $PF/bin/relay-sendmail
EOF
send sB
wait_notice sB
check "B spawn: one notice, none from Postfix" "1 0" "$(n_msgs sB) $(bounce_lines)"
check "B spawn: vdeliver's notice reads as Postfix's" "$(want_notice delivered)" "$(notice sB)"
check "B spawn: null Return-Path" 1 "$(null_rp sB)"
check "B spawn: sendmail argv" "-i -f <> -- sB@$D rc=0" "$(cat "$T/relay.log")"
check "B spawn: logged by vdeliver" 1 \
	"$(pf_count "vdeliver\\[.*: sender delivery status notification: delivered \\(1 recipient\\) to <sB@$D> via $PF/bin/relay-sendmail")"
check "B spawn: the notice's own delivery asked for none" 0 \
	"$(pf_count "sender delivery status notification: delivered .* to <>")"
# with DSN offered, X-Original-To comes from ORCPT (an alias shows)
pf_mark
printf 'Subject: orig B\n\nx\n' | sendmail -C "$PF_ETC" -i -f "sB@$D" -- info@alias.test
pf_wait_log 1 "to=<rcpt@$D>, orig_to=<info@alias.test>, .*status="
pf_wait_queue
check "B spawn: X-Original-To is the alias" "X-Original-To: info@alias.test" \
	"$(xorig 'orig B')"

# --- C. the root listener with the real sendmail --------------------------
phase C "lmtp:unix:$PF_LMTP_SOCK" <<EOF
sendmail_path = /usr/sbin/sendmail
EOF
pf_listener_start "$T/listener.err"
send sC
wait_notice sC
check "C listener: one notice, none from Postfix" "1 0" "$(n_msgs sC) $(bounce_lines)"
check "C listener: vdeliver's notice reads as Postfix's" "$(want_notice delivered)" "$(notice sC)"
check "C listener: submitted by root's sendmail (pickup uid=0, from=<>)" 1 \
	"$(pf_count "postfix/pickup\\[.*uid=0 from=<>")"
pf_listener_stop
check "C listener: nothing on stdout or stderr" "" "$(cat "$T/listener.err")"

# --- D. vdeliver_lmtp_dsn = no: Postfix sends the notice ------------------
phase D1 lmtp:unix:private/vdeliver-lmtp <<EOF
sendmail_path = $PF/bin/relay-sendmail
vdeliver_lmtp_dsn = no
lmtp_assume_final = yes
EOF
send sD1
wait_notice sD1
check "D dsn = no: one notice, from bounce(8)" "1 1" "$(n_msgs sD1) $(bounce_lines)"
check "D dsn = no, lmtp_assume_final = yes: Postfix's notice, delivered" \
	"$(want_notice delivered)" "$(notice sD1)"
check "D dsn = no: vdeliver submitted nothing" 1 "$(wc -l < "$T/relay.log")"
pf_mark
printf 'Subject: orig D\n\nx\n' | sendmail -C "$PF_ETC" -i -f "sD1@$D" -- info@alias.test
pf_wait_log 1 "to=<rcpt@$D>, orig_to=<info@alias.test>, .*status="
pf_wait_queue
check "D dsn = no: X-Original-To is the RCPT address" "X-Original-To: rcpt@$D" \
	"$(xorig 'orig D')"

phase D2 lmtp:unix:private/vdeliver-lmtp <<EOF
sendmail_path = $PF/bin/relay-sendmail
vdeliver_lmtp_dsn = no
EOF
send sD2
wait_notice sD2
check "D dsn = no, lmtp_assume_final = no: Postfix says relayed" \
	"$(want_notice relayed)" "$(notice sD2)"
check "queue empty at the end" yes "$(pf_queue_empty && echo yes)"
done_testing
