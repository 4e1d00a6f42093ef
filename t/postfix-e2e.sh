#!/bin/sh
# SPDX-License-Identifier: MIT
# postfix-e2e: real Postfix 3.7 drives vdeliver through pipe(8), with the
# shipped contrib/postfix/master.cf and main.cf.  Mail submitted with
# sendmail lands in an mbox and a maildir with exactly the bytes
# virtual(8) writes; bounces (unknown user, over virtual_mailbox_limit)
# come back to the sender's own mailbox carrying the status and text
# vdeliver printed; temporary failures (held dotlock, held fcntl lock,
# unreadable table, uid below virtual_minimum_uid) stay in the queue as
# deferred with their 4.x.x code and are delivered once the cause is gone
# and the queue is flushed.
#
# VD_E2E_MODE=virtual runs the same test against Postfix's own virtual(8)
# (a check of the test itself).
. "${top_srcdir:-.}/t/testlib.sh"
. "$top_srcdir/t/postfix-lib.sh"

MODE=${VD_E2E_MODE:-pipe}
case $MODE in
pipe) RELAY=vdeliver; PROG=pipe; TRANSPORT_LINE="" ;;
virtual) RELAY=virtual; PROG=virtual; TRANSPORT_LINE="virtual_transport = virtual" ;;
*) echo "unknown VD_E2E_MODE $MODE"; exit 1 ;;
esac
TOOL="$PF_PYTHON $top_srcdir/t/mailtool.py"
NORM="$PF_PYTHON $top_srcdir/t/diff/diffrun.py normalise"
D=e2e.test
M=$PF_BASE/$D
mkdir -p "$M"; chown vmail:vmail "$M"

cat > "$PF_TABLES/vmailbox" <<EOF
mbox@$D		$D/mbox
maildir@$D	$D/maildir/
sender@$D	$D/sender/
full@$D		$D/full
locked@$D	$D/locked
fcntl@$D	$D/fcntl
lowuid@$D	$D/lowuid/
EOF
echo "unreadable@$D	$D/unreadable/" > "$PF_TABLES/extra"
echo "lowuid@$D	99" > "$PF_TABLES/uids"
echo "info@alias.test	maildir@$D" > "$PF_TABLES/aliases"
pf_main_cf <<EOF
virtual_mailbox_domains = $D
virtual_alias_domains = alias.test
virtual_alias_maps = hash:$PF_TABLES/aliases
virtual_mailbox_maps = hash:$PF_TABLES/vmailbox, hash:$PF_TABLES/extra
virtual_uid_maps = hash:$PF_TABLES/uids, static:$VMAIL_UID
virtual_gid_maps = static:$VMAIL_GID
message_size_limit = 40000
virtual_mailbox_limit = 40000
deliver_lock_attempts = 2
deliver_lock_delay = 1s
$TRANSPORT_LINE
EOF
for t in vmailbox extra uids aliases; do pf_postmap "hash:$PF_TABLES/$t"; done
# a mailbox 100 bytes short of virtual_mailbox_limit
head -c 39900 /dev/zero | tr '\0' x > "$M/full"
chown vmail:vmail "$M/full"; chmod 600 "$M/full"

pf_start

# records TO: the delivery agent's records for TO since the mark, "dsn
# status" (vdeliver's own records, when it shares the log, are not counted)
records() {
	pf_log | grep -F "postfix/$PROG[" | grep -F "to=<$1>," | grep -F "relay=$RELAY" |
		sed -n 's/.*, dsn=\([0-9.]*\), status=\([a-z]*\) .*/\1 \2/p' | paste -sd' '
}
# reason TO: the text in parentheses of TO's last record
reason() {
	pf_log | grep -F "postfix/$PROG[" | grep -F "to=<$1>," | grep -F "relay=$RELAY" | tail -1 |
		sed -n 's/.*, status=[a-z]* (\(.*\))$/\1/p' | sed 's/ *$//'
}

# --- 1. delivery into an mbox and a maildir ------------------------------
cat > "$T/msg1" <<'EOF'
From: Sender <sender@e2e.test>
To: mbox@e2e.test, maildir@e2e.test
Subject: end to end
Date: Mon, 30 Nov 2026 10:00:00 +0100
Message-ID: <e2e-1@e2e.test>

First line.
From here on, an mbox quotes this line.
>From this one stays as it is.
.
Last line.
EOF
pf_mark
pf_submit "sender@$D" "mbox@$D" "maildir@$D" "info@alias.test" < "$T/msg1"
pf_wait_log 3 "postfix/$PROG\\[.*relay=$RELAY, .*status="
pf_wait_queue
check "mbox delivered" "2.0.0 sent" "$(records "mbox@$D")"
check "maildir delivered, directly and through the alias" "2.0.0 sent 2.0.0 sent" "$(records "maildir@$D")"

received="Received: by $PF_HOST (Postfix, from userid 0)
	id QUEUEID; DATE"
{
	echo "From sender@$D  DATE"
	echo "Return-Path: <sender@$D>"
	echo "X-Original-To: mbox@$D"
	echo "Delivered-To: mbox@$D"
	echo "$received"
	sed 's/^From here/>From here/' "$T/msg1"
	echo
} > "$T/want-mbox"
$NORM "$M/mbox" > "$T/got-mbox" 2>&1
check_file "mbox bytes: From_, Return-Path, X-Original-To, Delivered-To, quoting, empty line" \
	"$T/want-mbox" "$T/got-mbox"
check "mbox mode and owner" "600 $VMAIL_UID:$VMAIL_GID" "$(stat -c '%a %u:%g' "$M/mbox")"

check "maildir: two messages in new/" 2 "$(ls "$M/maildir/new" | wc -l)"
check "maildir: tmp/ is empty" 0 "$(ls "$M/maildir/tmp" | wc -l)"
check "maildir: cur/ is empty" 0 "$(ls "$M/maildir/cur" | wc -l)"
check "maildir dirs 0700, vmail" "700 $VMAIL_UID 700 $VMAIL_UID 700 $VMAIL_UID 700 $VMAIL_UID" \
	"$(stat -c '%a %u' "$M/maildir" "$M/maildir/new" "$M/maildir/cur" "$M/maildir/tmp" | paste -sd' ')"
n_direct=0; n_alias=0
for f in "$M"/maildir/new/*; do
	check_match "maildir file name sec.VdevIinoMusec.host" '^[0-9]+\.V[0-9a-f]+I[0-9a-f]+M[0-9]+\.[^/]+$' "$(basename "$f")"
	check "maildir file mode and owner" "600 $VMAIL_UID:$VMAIL_GID" "$(stat -c '%a %u:%g' "$f")"
	orig=$(sed -n 's/^X-Original-To: //p' "$f" | head -1)
	{
		echo "Return-Path: <sender@$D>"
		echo "X-Original-To: $orig"
		echo "Delivered-To: maildir@$D"
		echo "$received"
		cat "$T/msg1"
	} > "$T/want-maildir"
	$NORM "$f" > "$T/got-maildir"
	check_file "maildir bytes (X-Original-To: $orig)" "$T/want-maildir" "$T/got-maildir"
	case $orig in
	"maildir@$D") n_direct=$((n_direct + 1)) ;;
	info@alias.test) n_alias=$((n_alias + 1)) ;;
	esac
done
check "X-Original-To: the recipient, and the alias before rewriting" "1 1" "$n_direct $n_alias"

# --- 2. senders: quoted local part, null sender --------------------------
printf 'Subject: odd\nMessage-ID: <e2e-2@e2e.test>\n\nodd\n' > "$T/msg2"
printf 'Subject: null\nMessage-ID: <e2e-3@e2e.test>\n\nnull\n' > "$T/msg3"
pf_mark
pf_submit '"odd sender"@senders.test' "mbox@$D" < "$T/msg2"
pf_wait_log 1 "postfix/$PROG\\[.*to=<mbox@$D>, .*status="
pf_submit '' "mbox@$D" < "$T/msg3"
pf_wait_log 2 "postfix/$PROG\\[.*to=<mbox@$D>, .*status="
pf_wait_queue
check "odd sender: one argument, written quoted (Return-Path)" 1 \
	"$(grep -c '^Return-Path: <"odd sender"@senders.test>$' "$M/mbox")"
check "odd sender: From_ line" 1 "$(grep -c '^From "odd sender"@senders.test  ' "$M/mbox")"
check "null sender: Return-Path: <>" 1 "$(grep -c '^Return-Path: <>$' "$M/mbox")"
check "null sender: From MAILER-DAEMON" 1 "$(grep -c '^From MAILER-DAEMON  ' "$M/mbox")"

# --- 3. bounces come back to the sender -----------------------------------
printf 'Subject: to nobody\nMessage-ID: <e2e-4@e2e.test>\n\nbounce me\n' > "$T/msg4"
size_full=$(stat -c %s "$M/full")
pf_mark
pf_submit "sender@$D" "nobody@$D" "full@$D" < "$T/msg4"
# (every wait is for a record of any status: a wrong outcome fails the
# checks below at once instead of running into a deadline)
pf_wait_log 2 "postfix/$PROG\\[.*relay=$RELAY, .*status="
[ "$(pf_count "postfix/$PROG\\[.*relay=$RELAY, .*status=bounced")" = 2 ] &&
	pf_wait_log 1 "postfix/$PROG\\[.*to=<sender@$D>, .*status="
pf_wait_queue
check "unknown user bounced" "5.1.1 bounced" "$(records "nobody@$D")"
check "over the limit bounced" "5.2.2 bounced" "$(records "full@$D")"
check "over the limit: the mbox is unchanged" "$size_full" "$(stat -c %s "$M/full")"
dsn=$($TOOL dsn "$M/sender/")
echo "$dsn" | sed 's/^/# bounce: /'
# pipe(8) passes vdeliver's text as an x-unix diagnostic; virtual(8)
# writes its own diagnostic types, so only the status is compared there.
diag() { if [ "$MODE" = pipe ]; then echo " | x-unix; $(reason "$1")"; fi; }
nodiag() { if [ "$MODE" = pipe ]; then cat; else sed 's/ | [^|]*$//'; fi; }
check "bounce: unknown user, status and text as reported" \
	"rfc822; nobody@$D | failed | 5.1.1$(diag "nobody@$D")" \
	"$(echo "$dsn" | grep -F "nobody@$D" | nodiag)"
check "bounce: over the limit, status and text as reported" \
	"rfc822; full@$D | failed | 5.2.2$(diag "full@$D")" \
	"$(echo "$dsn" | grep -F "full@$D" | nodiag)"
check_match "unknown user text" "^unknown user: \"nobody@$D\"" "$(reason "nobody@$D")"
check "the bounce itself has the null sender" 1 \
	"$(grep -l '^Return-Path: <>$' "$M"/sender/new/* | wc -l)"

# --- 4. temporary failures stay queued, then go through ----------------
: > "$M/locked"; chown vmail:vmail "$M/locked"; chmod 600 "$M/locked"
: > "$M/locked.lock"; chown vmail:vmail "$M/locked.lock"
: > "$M/fcntl"; chown vmail:vmail "$M/fcntl"; chmod 600 "$M/fcntl"
$PF_PYTHON -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(3600)
' "$M/fcntl" "$T/fcntl-held" &
holder=$!
holder_stop() { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; }
at_exit holder_stop
pf_until "the fcntl lock" test -e "$T/fcntl-held"
chmod 000 "$PF_TABLES/extra.db"
printf 'Subject: later\nMessage-ID: <e2e-5@e2e.test>\n\nlater\n' > "$T/msg5"
pf_mark
for r in locked fcntl unreadable lowuid; do
	pf_submit "sender@$D" "$r@$D" < "$T/msg5"
done
pf_wait_log 4 "postfix/$PROG\\[.*relay=$RELAY, .*status="
pf_wait_queue
check "held dotlock: deferred" "4.2.0 deferred" "$(records "locked@$D")"
check "held fcntl lock: deferred" "4.2.0 deferred" "$(records "fcntl@$D")"
check "unreadable table: deferred" "4.3.5 deferred" "$(records "unreadable@$D")"
check "uid below virtual_minimum_uid: deferred" "4.3.5 deferred" "$(records "lowuid@$D")"
for r in locked fcntl unreadable lowuid; do echo "# $r: $(reason "$r@$D")"; done
check "the deferred mail is still queued" 4 \
	"$(postqueue -c "$PF_ETC" -p | grep -c "^[0-9A-F]\{8,\}")"
check "nothing written while locked" "0 0" "$(stat -c %s "$M/locked" "$M/fcntl" | paste -sd' ')"

# remove the causes, flush, and everything is delivered
rm -f "$M/locked.lock"
holder_stop
chmod 644 "$PF_TABLES/extra.db"
echo "lowuid@$D	$VMAIL_UID" > "$PF_TABLES/uids"; pf_postmap "hash:$PF_TABLES/uids"
pf_mark
pf_flush
pf_wait_log 4 "postfix/$PROG\\[.*relay=$RELAY, .*status="
pf_wait_queue
for r in locked fcntl unreadable lowuid; do
	check "$r: delivered after the flush" "2.0.0 sent" "$(records "$r@$D")"
done
check "locked mbox got the message" 1 "$(grep -c '^Message-ID: <e2e-5@e2e.test>$' "$M/locked")"
check "fcntl mbox got the message" 1 "$(grep -c '^Message-ID: <e2e-5@e2e.test>$' "$M/fcntl")"
check "unreadable-table maildir got the message" 1 "$(ls "$M/unreadable/new" | wc -l)"
check "lowuid maildir got the message" 1 "$(ls "$M/lowuid/new" | wc -l)"

# --- 5. a maillog_file vdeliver cannot write ------------------------------
# (Postfix writes it through postlogd; pipe(8) runs vdeliver as vmail,
# which cannot reach postlogd's socket either.)  Logging must not stop
# delivery: pipe(8) logs the outcome anyway.
if [ "$MODE" = pipe ]; then
	chgrp root "$PF_LOG"; chmod 644 "$PF_LOG"
	printf 'Subject: no log\nMessage-ID: <e2e-6@e2e.test>\n\nunlogged\n' > "$T/msg6"
	pf_mark
	pf_submit "sender@$D" "mbox@$D" < "$T/msg6"
	pf_wait_log 1 "postfix/$PROG\\[.*to=<mbox@$D>, .*status="
	pf_wait_queue
	check "delivered although maillog_file is not writable for vmail" "2.0.0 sent" "$(records "mbox@$D")"
	[ "$(records "mbox@$D")" = "2.0.0 sent" ] || echo "# vdeliver said: $(reason "mbox@$D")"
	chgrp vmail "$PF_LOG"; chmod 660 "$PF_LOG"
	pf_clear
fi
check "queue empty at the end" yes "$(pf_queue_empty && echo yes)"
done_testing
