#!/bin/sh
# SPDX-License-Identifier: MIT
# lmtp-dsn: "delivered" notices from the LMTP server.
#
# 1. With a sendmail_path script that keeps its argv and stdin: the
#    recipients with NOTIFY=SUCCESS (and only those, once each, only
#    when delivered) are listed in one notice per transaction, sent with
#    the null sender to the envelope sender; none for a null sender;
#    RET=FULL returns the message; a failing or missing sendmail leaves
#    the replies at 250 and logs a warning; vdeliver_lmtp_dsn = no
#    offers no DSN and refuses its parameters.  Python's email module
#    must parse each notice as multipart/report with a
#    message/delivery-status part.
# 2. As root, t/lmtp-dsn-postfix.sh: the same through a real Postfix
#    (its counts are added to these).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
CHAT="python3 $top_srcdir/t/lmtp_chat.py"
PARSE="python3 $top_srcdir/t/dsn_parse.py"

mkdir -p "$T/cap"; chmod 777 "$T/cap"
cat > "$T/sendmail" <<EOF
#!/bin/sh
# keeps argv (one per line) and stdin as $T/cap/N.argv and N.msg
n=\$(ls "$T/cap" | grep -c '\.msg\$')
printf '%s\n' "\$@" > "$T/cap/\$n.argv"
cat > "$T/cap/\$n.msg"
exit 0
EOF
cat > "$T/sendmail-fail" <<'EOF'
#!/bin/sh
cat > /dev/null
echo "sendmail: fatal: queue file write error" >&2
exit 75
EOF
chmod 755 "$T/sendmail" "$T/sendmail-fail"

cat > "$T/vmailbox" <<'TBL'
a@example.com		example.com/a/
b@example.com		example.com/b/
c@example.com		example.com/c.mbox
"odd user"@example.com	example.com/odd/
TBL
spool_setup <<CF
virtual_mailbox_maps = texthash:$T/vmailbox
myhostname = mx.example.com
sendmail_path = $T/sendmail
CF
as_vuser mkdir "$BASE/example.com"

# session FILE [-o name=value...]: one LMTP session with the lines in FILE
session() {
	s_file=$1; shift
	$CHAT exec "$VDELIVER" --lmtp -c "$CF" "$@" < "$s_file"
}
ncap() { ls "$T/cap" | grep -c '\.msg$' || true; }
marklog() { log_off=$(stat -c %s "$T/maillog" 2>/dev/null || echo 0); }
newlog() { tail -c +$((log_off + 1)) "$T/maillog"; }
: > "$T/maillog"

# --- 1. NOTIFY=SUCCESS on one recipient, NEVER and none on others -------
cat > "$T/s1" <<'EOF'
LHLO client.example
MAIL FROM:<sender@example.org> RET=HDRS ENVID=env+2B1
RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Sales+40example.com
RCPT TO:<b@example.com> NOTIFY=NEVER ORCPT=rfc822;b+40example.com
RCPT TO:<c@example.com>
RCPT TO:<nobody@example.com> NOTIFY=SUCCESS
DATA
Subject: dsn one
Message-ID: <one@example.org>

body
.
QUIT
EOF
marklog
out=$(session "$T/s1")
check "DSN advertised" "250 DSN" "$(printf '%s\n' "$out" | grep '^250 DSN')"
check "replies: unknown user at RCPT, three delivered" \
	"550 5.1.1 <nobody@example.com>: unknown user: \"nobody@example.com\"
250 2.0.0 <a@example.com> delivered to maildir
250 2.0.0 <b@example.com> delivered to maildir
250 2.0.0 <c@example.com> delivered to mailbox" \
	"$(printf '%s\n' "$out" | grep -E '^(550|250 2\.0\.0)')"
check "one notice" 1 "$(ncap)"
check "argv: -i -f <> -- sender" "-i -f <> -- sender@example.org" \
	"$(paste -sd' ' "$T/cap/0.argv")"
check "python: the notice" \
	"structure: multipart/report;delivery-status text/plain message/delivery-status text/rfc822-headers
from: Mail Delivery System <MAILER-DAEMON@mx.example.com> | to: sender@example.org | auto: auto-replied
envelope: dns; mx.example.com | env+1
rcpt: rfc822; a@example.com | rfc822;Sales@example.com | delivered | 2.0.0
returned: text/rfc822-headers subject=dsn one" \
	"$($PARSE "$T/cap/0.msg")"
check "human part names the recipient and its ORCPT" 1 \
	"$(grep -c '^<a@example.com> (expanded from <Sales@example.com>): delivered to maildir$' "$T/cap/0.msg")"
check "headers only: no body" 0 "$(grep -c '^body$' "$T/cap/0.msg")"
check_match "logged" "sender delivery status notification: delivered \\(1 recipient\\) to <sender@example.org> via $T/sendmail" "$(newlog)"
# the mail itself is as ever: X-Original-To from ORCPT
f=$(ls "$BASE"/example.com/a/new/* | head -1)
check "X-Original-To from ORCPT" "X-Original-To: Sales@example.com" "$(grep '^X-Original-To:' "$f")"

# --- 2. a null sender gets no notice ---------------------------------------
sed -e 's/^MAIL FROM:.*/MAIL FROM:<>/' "$T/s1" > "$T/s2"
out=$(session "$T/s2")
check "null sender: delivered" 3 "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 <')"
check "null sender: no notice" 1 "$(ncap)"

# --- 3. RET=FULL, several recipients, a duplicate, a quoted local part ----
cat > "$T/s3" <<'EOF'
LHLO client.example
MAIL FROM:<"odd sender"@example.org> RET=FULL
RCPT TO:<a@example.com> NOTIFY=SUCCESS ORCPT=rfc822;a+40example.com
RCPT TO:<"odd user"@example.com> NOTIFY=SUCCESS ORCPT=rfc822;+22odd+20user+22+40example.com
RCPT TO:<a@example.com> NOTIFY=SUCCESS ORCPT=rfc822;a+40example.com
RCPT TO:<c@example.com> NOTIFY=FAILURE,DELAY
DATA
Subject: dsn full
Message-ID: <full@example.org>

first
..
From the body
.
QUIT
EOF
out=$(session "$T/s3")
check "RET=FULL: four replies 250" 4 "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 <')"
check "RET=FULL: one more notice" 2 "$(ncap)"
check "RET=FULL: to the quoted sender" "-i -f <> -- \"odd sender\"@example.org" \
	"$(paste -sd' ' "$T/cap/1.argv")"
check "python: two recipients, the duplicate once, the message returned" \
	"structure: multipart/report;delivery-status text/plain message/delivery-status message/rfc822
from: Mail Delivery System <MAILER-DAEMON@mx.example.com> | to: \"odd sender\"@example.org | auto: auto-replied
envelope: dns; mx.example.com | -
rcpt: rfc822; a@example.com | rfc822;a@example.com | delivered | 2.0.0
rcpt: rfc822; \"odd user\"@example.com | rfc822;\"odd user\"@example.com | delivered | 2.0.0
returned: message/rfc822 subject=dsn full" \
	"$($PARSE "$T/cap/1.msg")"
printf 'first\n.\nFrom the body\n' > "$T/want-body"
sed -n '/^Message-ID: <full@example.org>$/,/^--/p' "$T/cap/1.msg" | sed '1,2d;$d' | sed '$d' > "$T/got-body"
check_file "RET=FULL: the body, dots and From lines as they were" "$T/want-body" "$T/got-body"

# --- 4. sendmail fails: the mail is delivered, a warning is logged --------
cat > "$T/s4" <<'EOF'
LHLO client.example
MAIL FROM:<sender@example.org>
RCPT TO:<a@example.com> NOTIFY=SUCCESS
DATA
Subject: dsn fail

x
.
QUIT
EOF
marklog
out=$(session "$T/s4" -o sendmail_path="$T/sendmail-fail")
check "failing sendmail: still 250" "250 2.0.0 <a@example.com> delivered to maildir" \
	"$(printf '%s\n' "$out" | grep '^250 2\.0\.0 <')"
check_match "failing sendmail: warning with its exit status and output" \
	"warning: [0-9A-Za-z]{15}: sender delivery status notification to <sender@example.org> not sent: $T/sendmail-fail: exit status 75: sendmail: fatal: queue file write error" \
	"$(newlog)"
marklog
out=$(session "$T/s4" -o sendmail_path="$T/nonexistent")
check "missing sendmail: still 250" "250 2.0.0 <a@example.com> delivered to maildir" \
	"$(printf '%s\n' "$out" | grep '^250 2\.0\.0 <')"
check_match "missing sendmail: warning" \
	"warning: .*not sent: $T/nonexistent: exit status 127: execute $T/nonexistent: No such file or directory" \
	"$(newlog)"
check "failing sendmail: no notice captured" 2 "$(ncap)"

# --- 5. vdeliver_lmtp_dsn = no ---------------------------------------------
cat > "$T/s5" <<'EOF'
LHLO client.example
MAIL FROM:<sender@example.org> RET=FULL
MAIL FROM:<sender@example.org> ENVID=x
MAIL FROM:<sender@example.org>
RCPT TO:<a@example.com> NOTIFY=SUCCESS
RCPT TO:<a@example.com> ORCPT=rfc822;a+40example.com
RCPT TO:<a@example.com>
DATA
Subject: no dsn

x
.
QUIT
EOF
out=$(session "$T/s5" -o vdeliver_lmtp_dsn=no)
check "dsn = no: LHLO ends with SMTPUTF8, no DSN" "250 SMTPUTF8" \
	"$(printf '%s\n' "$out" | grep -E '^250[ -](SMTPUTF8|DSN)')"
check "dsn = no: RET, ENVID, NOTIFY, ORCPT unknown" \
	"555 5.5.4 Unsupported option: RET
555 5.5.4 Unsupported option: ENVID
555 5.5.4 Unsupported option: NOTIFY
555 5.5.4 Unsupported option: ORCPT" "$(printf '%s\n' "$out" | grep '^555')"
check "dsn = no: plain MAIL/RCPT delivered" "250 2.0.0 <a@example.com> delivered to maildir" \
	"$(printf '%s\n' "$out" | grep '^250 2\.0\.0 <')"
check "dsn = no: no notice" 2 "$(ncap)"

# --- 6. the real Postfix (root) --------------------------------------------
if [ "$(id -u)" = 0 ] || [ "${CI:-}" = true ]; then
	sh "$top_srcdir/t/lmtp-dsn-postfix.sh" > "$T/pf.out" 2>&1 && rc=0 || rc=$?
	sed 's/^/    /' "$T/pf.out"
	counts=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$T/pf.out" | tail -1)
	if [ -n "$counts" ]; then
		n_pass=$((n_pass + ${counts% *})); n_fail=$((n_fail + ${counts#* }))
		[ "$rc" = 0 ] || [ "${counts#* }" != 0 ] || fail "lmtp-dsn-postfix.sh exit status $rc"
	elif [ "$rc" = 77 ]; then
		echo "# real Postfix part skipped: $(grep '^SKIP' "$T/pf.out")"
	else
		fail "lmtp-dsn-postfix.sh exit status $rc"
	fi
else
	echo "# the real Postfix part (t/lmtp-dsn-postfix.sh) needs root: not run"
fi
done_testing
