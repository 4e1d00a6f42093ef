#!/bin/sh
# SPDX-License-Identifier: MIT
# postfix-e2e: real Postfix 3.7 drives vdeliver with the shipped
# contrib/postfix/master.cf and main.cf.  Mail submitted with sendmail
# lands in an mbox and a maildir with exactly the bytes virtual(8)
# writes; bounces (unknown user, over virtual_mailbox_limit) come back to
# the sender's own mailbox carrying the status and text vdeliver
# reported; temporary failures (held dotlock, held fcntl lock, unreadable
# table, uid below virtual_minimum_uid) stay in the queue as deferred
# with their 4.x.x code and are delivered once the cause is gone and the
# queue is flushed; a maillog_file vdeliver cannot write does not stop
# delivery.
#
# VD_E2E_MODE selects how Postfix reaches vdeliver, with the shipped
# main.cf lines of that mode (t/postfix-lib.sh, pf_mode_lines):
#   pipe         pipe(8), the "vdeliver" service (the default)
#   lmtp-spawn   LMTP, "vdeliver --lmtp" under spawn(8) as vmail
#   lmtp-listen  LMTP, the standalone listener run as root
#   virtual      Postfix's own virtual(8) (a check of the test itself)
# (t/postfix-e2e-lmtp-spawn.sh and t/postfix-e2e-lmtp-listen.sh run the
# LMTP modes.)  With LMTP, Postfix's lmtp(8) client logs and bounces
# vdeliver's reply in its own words: "host SOCKET[SOCKET] said: 550
# 5.1.1 <rcpt>: TEXT (in reply to RCPT TO command)" in the log,
# "smtp; 550 5.1.1 <rcpt>: TEXT" as the Diagnostic-Code; the checks take
# the code and vdeliver's TEXT out of that form and expect the TEXT that
# pipe(8) passes on as it is.
. "${top_srcdir:-.}/t/testlib.sh"
. "$top_srcdir/t/postfix-lib.sh"

MODE=${VD_E2E_MODE:-pipe}
case $MODE in
pipe) PROG=pipe; RELAY=vdeliver ;;
virtual) PROG=virtual; RELAY=virtual ;;
# (lmtp(8) names the server myhostname[socket])
lmtp-spawn) PROG=lmtp; RELAY="$PF_HOST[private/vdeliver-lmtp]" ;;
lmtp-listen) PROG=lmtp; RELAY="$PF_HOST[$PF_LMTP_SOCK]" ;;
*) echo "unknown VD_E2E_MODE $MODE"; exit 1 ;;
esac
# the same as an extended regular expression, for pf_wait_log
RELAY_RE=$(printf '%s' "$RELAY" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
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
$(pf_mode_lines "$MODE")
EOF
for t in vmailbox extra uids aliases; do pf_postmap "hash:$PF_TABLES/$t"; done
# a mailbox 100 bytes short of virtual_mailbox_limit
head -c 39900 /dev/zero | tr '\0' x > "$M/full"
chown vmail:vmail "$M/full"; chmod 600 "$M/full"

case $MODE in
lmtp-*)
	pf_lmtp_greets || { fail "vdeliver --lmtp greets with 220"; done_testing; } ;;
esac
[ "$MODE" = lmtp-listen ] && pf_listener_start "$T/listener.out"
pf_start

# records TO: the delivery agent's records for TO since the mark, "dsn
# status" (vdeliver's own records, when it shares the log, are not counted)
records() {
	pf_log | grep -F "postfix/$PROG[" | grep -F "to=<$1>," | grep -F "relay=$RELAY, " |
		sed -n 's/.*, dsn=\([0-9.]*\), status=\([a-z]*\) .*/\1 \2/p' | paste -sd' '
}
# reason TO: the text in parentheses of TO's last record
reason() {
	pf_log | grep -F "postfix/$PROG[" | grep -F "to=<$1>," | grep -F "relay=$RELAY, " | tail -1 |
		sed -n 's/.*, status=[a-z]* (\(.*\))$/\1/p' | sed 's/ *$//'
}
is_lmtp() { case $MODE in lmtp-*) return 0 ;; esac; return 1; }
# said TO: vdeliver's reply as lmtp(8) quotes it in TO's last record
# ("host RELAY said: REPLY (in reply to COMMAND command)"): "REPLY |
# COMMAND"; nothing when the record is not in that form
said() {
	sd_r=$(reason "$1")
	case $sd_r in
	"host $RELAY said: "*" (in reply to "*" command)") ;;
	*) return 0 ;;
	esac
	sd_r=${sd_r#"host $RELAY said: "}
	sd_cmd=${sd_r##* (in reply to }
	printf '%s | %s\n' "${sd_r% (in reply to *}" "${sd_cmd% command)}"
}
# reply TO: "CODE X.Y.Z | COMMAND" of that reply
reply() { said "$1" | sed -n 's/^\([0-9]\{3\} [0-9.]*\) .* | /\1 | /p'; }
# vdtext TO: the text vdeliver reported for TO: pipe(8) logs it as it is;
# in a reply it follows the code and "<RCPT>: " (RCPT time) or "<RCPT> "
# (after DATA)
vdtext() {
	if is_lmtp; then
		said "$1" | sed 's/ | [^|]*$//' | sed -n "s/^[0-9]\{3\} [0-9.]* <$1>:\{0,1\} //p"
	else
		reason "$1"
	fi
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
pf_wait_log 3 "postfix/$PROG\\[.*relay=$RELAY_RE, .*status="
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
is_lmtp && check "lmtp(8) logs vdeliver's reply" "250 2.0.0 <mbox@$D> delivered to mailbox" \
	"$(reason "mbox@$D")"

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
pf_wait_log 2 "postfix/$PROG\\[.*relay=$RELAY_RE, .*status="
[ "$(pf_count "postfix/$PROG\\[.*relay=$RELAY_RE, .*status=bounced")" = 2 ] &&
	pf_wait_log 1 "postfix/$PROG\\[.*to=<sender@$D>, .*status="
pf_wait_queue
check "unknown user bounced" "5.1.1 bounced" "$(records "nobody@$D")"
check "over the limit bounced" "5.2.2 bounced" "$(records "full@$D")"
check "over the limit: the mbox is unchanged" "$size_full" "$(stat -c %s "$M/full")"
if is_lmtp; then
	# The unknown user is refused at RCPT time.  The message (a few
	# hundred bytes) is far below the SIZE vdeliver offers in LHLO
	# (virtual_mailbox_limit, as vdeliver_lmtp_message_size_limit is
	# not set), so MAIL ... SIZE= is accepted, and the mailbox that would
	# grow past the limit is refused in the reply after DATA, like
	# pipe(8)'s and virtual(8)'s 5.2.2.  A message over the offered SIZE
	# never reaches vdeliver: message_size_limit keeps it out of the
	# queue, and lmtp(8) bounces one itself before MAIL (see below).
	check "unknown user: 550 5.1.1 in reply to RCPT TO" "550 5.1.1 | RCPT TO" "$(reply "nobody@$D")"
	check "over the limit: 552 5.2.2 in reply to end of DATA" "552 5.2.2 | end of DATA" "$(reply "full@$D")"
fi
check_match "unknown user: vdeliver's text" "^unknown user: \"nobody@$D\"\$" "$(vdtext "nobody@$D")"
[ "$MODE" = virtual ] ||
	check_match "over the limit: vdeliver's text" \
		"^delivery failed to mailbox $M/full: error writing message: File too large\$" "$(vdtext "full@$D")"
dsn=$($TOOL dsn "$M/sender/")
echo "$dsn" | sed 's/^/# bounce: /'
# pipe(8) passes vdeliver's text as an x-unix diagnostic, lmtp(8) the
# whole reply as an smtp one; virtual(8) writes its own diagnostic types,
# so only the status is compared there.
diag() {
	case $MODE in
	pipe) echo " | x-unix; $(vdtext "$1")" ;;
	lmtp-*) echo " | smtp; $(said "$1" | sed 's/ | [^|]*$//')" ;;
	esac
}
nodiag() { if [ "$MODE" = virtual ]; then sed 's/ | [^|]*$//'; else cat; fi; }
check "bounce: unknown user, status and text as reported" \
	"rfc822; nobody@$D | failed | 5.1.1$(diag "nobody@$D")" \
	"$(echo "$dsn" | grep -F "nobody@$D" | nodiag)"
check "bounce: over the limit, status and text as reported" \
	"rfc822; full@$D | failed | 5.2.2$(diag "full@$D")" \
	"$(echo "$dsn" | grep -F "full@$D" | nodiag)"
check "the bounce itself has the null sender" 1 \
	"$(grep -l '^Return-Path: <>$' "$M"/sender/new/* | wc -l)"

# At SIZE time, asked directly (Postfix never sends such a MAIL: see
# above): vdeliver offers virtual_mailbox_limit and refuses a bigger
# SIZE= with 552 5.3.4; a SIZE= at the limit is accepted.
if is_lmtp; then
	printf 'LHLO t\r\nMAIL FROM:<sender@%s> SIZE=40001\r\nMAIL FROM:<sender@%s> SIZE=40000\r\nQUIT\r\n' "$D" "$D" |
		"$VDELIVER" -c "$PF_ETC" --lmtp 2>&1 | tr -d '\r' > "$T/size.out"
	check "SIZE: offered, over refused with 552 5.3.4, at the limit accepted" \
		"250-SIZE 40000|552 5.3.4 Message size exceeds fixed limit of 40000 bytes|250 2.1.0 Ok" \
		"$(grep -E '^250-SIZE|^552|^250 2\.1\.0' "$T/size.out" | paste -sd'|')"
fi

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
# The unreadable table.  pipe(8) runs vdeliver afresh for each delivery,
# and it opens the tables then.  An LMTP session opens them at its first
# MAIL and keeps them while lmtp(8) reuses the connection (an idle one
# is kept for lmtp_connection_cache_time_limit, 2 s), so a chmod would
# not reach a session that is open already: the equivalent is to wait
# until every session has ended, so that the next one opens the tables
# afresh, as pipe(8)'s vdeliver does.
#
# An unreadable table: every mode opens its tables as mail_owner, as
# virtual(8) does (the root listener too), so mode 000 defers them all.
is_lmtp && pf_wait_lmtp_idle
chmod 000 "$PF_TABLES/extra.db"
printf 'Subject: later\nMessage-ID: <e2e-5@e2e.test>\n\nlater\n' > "$T/msg5"
pf_mark
for r in locked fcntl unreadable lowuid; do
	pf_submit "sender@$D" "$r@$D" < "$T/msg5"
done
pf_wait_log 4 "postfix/$PROG\\[.*relay=$RELAY_RE, .*status="
pf_wait_queue
check "held dotlock: deferred" "4.2.0 deferred" "$(records "locked@$D")"
check "held fcntl lock: deferred" "4.2.0 deferred" "$(records "fcntl@$D")"
check "unreadable table: deferred" "4.3.5 deferred" "$(records "unreadable@$D")"
check "uid below virtual_minimum_uid: deferred" "4.3.5 deferred" "$(records "lowuid@$D")"
for r in locked fcntl unreadable lowuid; do echo "# $r: $(reason "$r@$D")"; done
if is_lmtp; then
	# a busy mailbox is found at delivery, after DATA (450); the table
	# and the uid at RCPT time (451)
	check "held dotlock: 450 4.2.0 in reply to end of DATA" "450 4.2.0 | end of DATA" "$(reply "locked@$D")"
	check "held fcntl lock: 450 4.2.0 in reply to end of DATA" "450 4.2.0 | end of DATA" "$(reply "fcntl@$D")"
	check "unreadable table: 451 4.3.5 in reply to RCPT TO" "451 4.3.5 | RCPT TO" "$(reply "unreadable@$D")"
	check "uid below virtual_minimum_uid: 451 4.3.5 in reply to RCPT TO" "451 4.3.5 | RCPT TO" "$(reply "lowuid@$D")"
fi
if [ "$MODE" != virtual ]; then
	check_match "held dotlock: vdeliver's text" \
		"^delivery failed to mailbox $M/locked: unable to create lock file $M/locked\\.lock: File exists\$" \
		"$(vdtext "locked@$D")"
	check_match "held fcntl lock: vdeliver's text" \
		"^delivery failed to mailbox $M/fcntl: unable to lock for exclusive access: Resource temporarily unavailable\$" \
		"$(vdtext "fcntl@$D")"
	check "unreadable table: vdeliver's text" \
		"mail system configuration error (virtual_mailbox_maps lookup failed for unreadable@$D)" \
		"$(vdtext "unreadable@$D")"
	check "uid below virtual_minimum_uid: vdeliver's text" \
		"mail system configuration error (recipient lowuid@$D: bad uid 99 in virtual_uid_maps)" \
		"$(vdtext "lowuid@$D")"
fi
check "the deferred mail is still queued" 4 \
	"$(postqueue -c "$PF_ETC" -p | grep -c "^[0-9A-F]\{8,\}")"
check "nothing written while locked" "0 0" "$(stat -c %s "$M/locked" "$M/fcntl" | paste -sd' ')"

# remove the causes, flush, and everything is delivered (an LMTP session
# that found the table unreadable keeps the surrogate until it ends, as
# a virtual(8) process does: wait for the sessions to end again)
rm -f "$M/locked.lock"
holder_stop
chmod 644 "$PF_TABLES/extra.db"
echo "lowuid@$D	$VMAIL_UID" > "$PF_TABLES/uids"; pf_postmap "hash:$PF_TABLES/uids"
is_lmtp && pf_wait_lmtp_idle
pf_mark
pf_flush
pf_wait_log 4 "postfix/$PROG\\[.*relay=$RELAY_RE, .*status="
pf_wait_queue
for r in locked fcntl unreadable lowuid; do
	check "$r: delivered after the flush" "2.0.0 sent" "$(records "$r@$D")"
done
check "locked mbox got the message" 1 "$(grep -c '^Message-ID: <e2e-5@e2e.test>$' "$M/locked")"
check "fcntl mbox got the message" 1 "$(grep -c '^Message-ID: <e2e-5@e2e.test>$' "$M/fcntl")"
check "unreadable-table maildir got the message" 1 "$(ls "$M/unreadable/new" | wc -l)"
check "lowuid maildir got the message" 1 "$(ls "$M/lowuid/new" | wc -l)"

# --- 5. a maillog_file vdeliver cannot write ------------------------------
# (Postfix writes it through postlogd; pipe(8) and spawn(8) run vdeliver
# as vmail, which cannot reach postlogd's socket either.)  Logging must
# not stop delivery: Postfix logs the outcome anyway.  vdeliver opens the
# log when it starts: under spawn(8), wait for the cached sessions to end
# so that a new one meets the unwritable file.  The root listener can
# write any file, and opened it at its start: no such case there.
case $MODE in
pipe | lmtp-spawn)
	[ "$MODE" = lmtp-spawn ] && pf_wait_lmtp_idle
	chgrp root "$PF_LOG"; chmod 644 "$PF_LOG"
	printf 'Subject: no log\nMessage-ID: <e2e-6@e2e.test>\n\nunlogged\n' > "$T/msg6"
	pf_mark
	pf_submit "sender@$D" "mbox@$D" < "$T/msg6"
	pf_wait_log 1 "postfix/$PROG\\[.*to=<mbox@$D>, .*status="
	pf_wait_queue
	check "delivered although maillog_file is not writable for vmail" "2.0.0 sent" "$(records "mbox@$D")"
	[ "$(records "mbox@$D")" = "2.0.0 sent" ] || echo "# vdeliver said: $(reason "mbox@$D")"
	check "the message is in the mbox" 1 "$(grep -c '^Message-ID: <e2e-6@e2e.test>$' "$M/mbox")"
	check "vdeliver wrote no record of its own" 0 "$(pf_count "postfix/vdeliver\\[")"
	chgrp vmail "$PF_LOG"; chmod 660 "$PF_LOG"
	pf_clear
	;;
esac
check "queue empty at the end" yes "$(pf_queue_empty && echo yes)"
done_testing
