#!/bin/sh
# SPDX-License-Identifier: MIT
# vdeliver-cli: the command line, exact mailbox bytes, status and exit codes.
. "${top_srcdir:-.}/t/testlib.sh"

spool_setup <<CF
virtual_mailbox_maps = inline:{ a@x.org=x.org/a/, m@x.org=x.org/m.mbox,
    nodir@x.org=nodir/m.mbox, {"odd user"@x.org = x.org/odd/} }
recipient_delimiter = +
deliver_lock_attempts = 2
deliver_lock_delay = 1s
CF
as_vuser mkdir "$BASE/x.org"

MSG=$T/msg
printf 'Subject: hi\n\nFrom here\n>From there\n.\nlast line' > "$MSG"

# --- mbox: REFERENCE.md A.1 -------------------------------------------------
run_vd -c "$CF" -f bob@example.org -a Info@Example.com m@x.org < "$MSG"
check "mbox exit" 0 "$rc"
check "mbox output" "2.0.0 delivered to mailbox" "$out"
cat > "$T/want" <<'EOF2'
From bob@example.org  DATE
Return-Path: <bob@example.org>
X-Original-To: Info@Example.com
Delivered-To: m@x.org
Subject: hi

>From here
>From there
.
last line

EOF2
norm_from "$BASE/x.org/m.mbox" > "$T/got"
check_file "mbox bytes (A.1)" "$T/want" "$T/got"
check "mbox mode" 600 "$(stat -c %a "$BASE/x.org/m.mbox")"
check "mbox owner" "$VUID:$VGID" "$(stat -c %u:%g "$BASE/x.org/m.mbox")"

# null sender, no -a: X-Original-To is the recipient as given (case kept)
cp "$BASE/x.org/m.mbox" "$T/before"
printf 'Subject: two\n\nbody\n' > "$T/m2"
run_vd -c "$CF" -f '' M+Ext@X.org < "$T/m2"
check "null sender exit" 0 "$rc"
tail -c +$(($(stat -c %s "$T/before") + 1)) "$BASE/x.org/m.mbox" | norm_from > "$T/got"
printf 'From MAILER-DAEMON  DATE\nReturn-Path: <>\nX-Original-To: M+Ext@X.org\nDelivered-To: M+Ext@X.org\nSubject: two\n\nbody\n\n' > "$T/want"
check_file "null sender, extension kept in headers" "$T/want" "$T/got"

# enable_original_recipient = no: no X-Original-To
cp "$BASE/x.org/m.mbox" "$T/before"
printf 'S: 3\n\nb\n' | "$VDELIVER" -c "$CF" -o enable_original_recipient=no -f s@y m@x.org >/dev/null
tail -c +$(($(stat -c %s "$T/before") + 1)) "$BASE/x.org/m.mbox" | norm_from > "$T/got"
printf 'From s@y  DATE\nReturn-Path: <s@y>\nDelivered-To: m@x.org\nS: 3\n\nb\n\n' > "$T/want"
check_file "enable_original_recipient = no" "$T/want" "$T/got"

# CRLF input is stored as LF; an existing Delivered-To is delivered again
cp "$BASE/x.org/m.mbox" "$T/before"
printf 'Delivered-To: m@x.org\r\nSubject: crlf\r\n\r\nline\r\nFrom x\r\n' > "$T/m3"
run_vd -c "$CF" -f s@y m@x.org < "$T/m3"
check "existing Delivered-To still delivered" 0 "$rc"
tail -c +$(($(stat -c %s "$T/before") + 1)) "$BASE/x.org/m.mbox" | norm_from > "$T/got"
printf 'From s@y  DATE\nReturn-Path: <s@y>\nX-Original-To: m@x.org\nDelivered-To: m@x.org\nDelivered-To: m@x.org\nSubject: crlf\n\nline\n>From x\n\n' > "$T/want"
check_file "CRLF to LF, From quoted" "$T/want" "$T/got"

# vdeliver_loop_detection = yes: a Delivered-To for this recipient bounces 5.4.6
cp "$BASE/x.org/m.mbox" "$T/before"
run_vd -c "$CF" -o vdeliver_loop_detection=yes -f s@y M@x.org < "$T/m3"
check "loop detection exit" 69 "$rc"
check "loop detection text" "5.4.6 mail forwarding loop for M@x.org" "$out"
check "loop: mbox unchanged" "$(stat -c %s "$T/before")" "$(stat -c %s "$BASE/x.org/m.mbox")"
run_vd -c "$CF" -o vdeliver_loop_detection=yes -f s@y m@x.org < "$MSG"
check "loop detection passes other mail" 0 "$rc"

# --- maildir: REFERENCE.md A.2 ----------------------------------------------
run_vd -c "$CF" -f bob@example.org -a Info@Example.com a+tag@x.org < "$MSG"
check "maildir exit" 0 "$rc"
check "maildir output" "2.0.0 delivered to maildir" "$out"
set -- "$BASE"/x.org/a/new/*
check "one file in new/" 1 "$#"
printf 'Return-Path: <bob@example.org>\nX-Original-To: Info@Example.com\nDelivered-To: a+tag@x.org\nSubject: hi\n\nFrom here\n>From there\n.\nlast line\n' > "$T/want"
check_file "maildir bytes (A.2)" "$T/want" "$1"
check_match "maildir name" '^[0-9]+\.V[0-9a-f]+I[0-9a-f]+M[0-9]+\.' "$(basename "$1")"
check "maildir file mode" 600 "$(stat -c %a "$1")"
check "maildir dir modes" "700 700 700 700" "$(stat -c %a "$BASE/x.org/a" "$BASE/x.org/a/tmp" "$BASE/x.org/a/new" "$BASE/x.org/a/cur" | tr '\n' ' ' | sed 's/ $//')"
check "tmp/ left empty" "" "$(ls -A "$BASE/x.org/a/tmp")"
run_vd -c "$CF" -o vdeliver_maildir_size_in_name=yes -f s@y a@x.org < "$MSG"
check_match "maildir ,S= size" ',S=[0-9]+$' "$(ls "$BASE/x.org/a/new" | sort | tail -n 2 | grep ',S=' || true)"
f=$(ls "$BASE"/x.org/a/new/*,S=*)
check "size in name is the file size" "${f##*,S=}" "$(stat -c %s "$f")"

# $1 in a regexp result: dropped as in Postfix (unknown user), unless allowed
printf '/^(.*)@sub\\.org$/ x.org/sub-$1/\n' > "$T/sub.re"
run_vd -c "$CF" -o virtual_mailbox_maps=regexp:$T/sub.re -f s@y jo@sub.org < "$MSG"
check "regexp \$1 refused by default" 67 "$rc"
run_vd -c "$CF" -o virtual_mailbox_maps=regexp:$T/sub.re -o vdeliver_regexp_substitution=yes -f s@y jo@sub.org < "$MSG"
check "regexp \$1 with vdeliver_regexp_substitution" 0 "$rc"
check "substituted mailbox" 1 "$(ls "$BASE/x.org/sub-jo/new" | wc -l)"

# quoted local part: "odd user"@x.org
run_vd -c "$CF" -f s@y 'Odd User@x.org' < "$MSG"
check "quoted local part resolves" 0 "$rc"

# --- refusals -----------------------------------------------------------------
run_vd -c "$CF" -f s@y Nobody@X.org < "$MSG"
check "unknown user exit" 67 "$rc"
check "unknown user text" '5.1.1 unknown user: "nobody@x.org"' "$out"

run_vd -c "$CF" -f s@y nodir@x.org < "$MSG"
check "mbox missing directory defers" 75 "$rc"
check_match "mbox missing directory text" '^4\.2\.0 ' "$out"
check "mbox parent not created" no "$([ -e "$BASE/nodir" ] && echo yes || echo no)"

run_vd -c "$CF" -o virtual_uid_maps=static:99 -o virtual_minimum_uid=100 -f s@y m@x.org < "$MSG"
check "uid below minimum defers" 75 "$rc"
check_match "uid below minimum text" '^4\.3\.5 mail system configuration error' "$out"

run_vd -c "$CF" -o virtual_gid_maps=static:0 -f s@y m@x.org < "$MSG"
check "gid 0 defers" 75 "$rc"

run_vd -c "$CF" -o virtual_mailbox_maps=static:x.org/../../etc/m -f s@y m@x.org < "$MSG"
check "dotdot result defers" 75 "$rc"
check_match "dotdot text" '^4\.3\.5 ' "$out"

run_vd -c "$CF" -o virtual_mailbox_maps=hash:$T/nosuch -f s@y m@x.org < "$MSG"
check "missing table defers" 75 "$rc"
check_match "missing table text" '^4\.3\.5 ' "$out"

printf 'virtual_mailbox_lock = fcntl, bogus\n' > "$T/bad.cf"
run_vd -c "$T/bad.cf" -f s@y m@x.org < "$MSG"
check "bad config defers" 75 "$rc"
check_match "bad config names file:line" "^4\.3\.5 .*bad\.cf:1: .*bogus" "$out"

run_vd -c "$T/does-not-exist.cf" -f s@y m@x.org < "$MSG"
check "missing -c file defers" 75 "$rc"

if [ "$(id -u)" != 0 ]; then
	run_vd -c "$CF" -o virtual_uid_maps=static:$((VUID + 1)) -f s@y m@x.org < "$MSG"
	check "other uid as non-root defers" 75 "$rc"
	check_match "other uid text" '^4\.3\.5 .*not root' "$out"
fi

# locked mailbox: a dotlock held by someone else defers after the attempts
size_before=$(stat -c %s "$BASE/x.org/m.mbox")
as_vuser touch "$BASE/x.org/m.mbox.lock"
run_vd -c "$CF" -f s@y m@x.org < "$MSG"
check "dotlocked mbox defers" 75 "$rc"
check_match "dotlocked text" '^4\.2\.0 .*lock' "$out"
rm -f "$BASE/x.org/m.mbox.lock"
check "mbox unchanged after defer" "$size_before" "$(stat -c %s "$BASE/x.org/m.mbox")"

# size limit: per file, bounces 5.2.2, file unchanged
run_vd -c "$CF" -o message_size_limit=100 -o virtual_mailbox_limit=$((size_before + 10)) -f s@y m@x.org < "$MSG"
check "over the size limit bounces" 73 "$rc"
check_match "size limit text" '^5\.2\.2 ' "$out"
check "mbox unchanged after size limit" "$size_before" "$(stat -c %s "$BASE/x.org/m.mbox")"

# symlinked and hard-linked mailboxes are refused
ln -s "$T/msg" "$BASE/x.org/link.mbox"
run_vd -c "$CF" -o 'virtual_mailbox_maps=static:x.org/link.mbox' -f s@y m@x.org < "$MSG"
check "symlinked mbox refused" 75 "$rc"
check "symlink target untouched" "$(cat "$MSG")" "$(cat "$T/msg")"
as_vuser ln "$BASE/x.org/m.mbox" "$BASE/x.org/hard.mbox"
run_vd -c "$CF" -o 'virtual_mailbox_maps=static:x.org/hard.mbox' -f s@y m@x.org < "$MSG"
check "hard-linked mbox refused" 75 "$rc"
check "hard-linked mbox unchanged" "$size_before" "$(stat -c %s "$BASE/x.org/m.mbox")"
rm -f "$BASE/x.org/hard.mbox"

# several recipients: all resolved first; the worst status decides
run_vd -c "$CF" -f s@y m@x.org nobody@x.org a@x.org < "$MSG"
check "mixed recipients exit (bounce)" 67 "$rc"
check "mixed recipients first line" '5.1.1 unknown user: "nobody@x.org"' "$(echo "$out" | head -n 1)"
check "one line per recipient" 4 "$(echo "$out" | wc -l)"
run_vd -c "$CF" -f s@y m@x.org nodir@x.org nobody@x.org < "$MSG"
check "a defer beats a bounce" 75 "$rc"

# log records, Postfix's format
check_match "log record sent" 'NOQUEUE: to=<a\+tag@x\.org>, orig_to=<Info@Example\.com>, relay=vdeliver, delay=[0-9.]+, delays=0/0/0/[0-9.]+, dsn=2\.0\.0, status=sent \(delivered to maildir\)' "$(cat "$T/maillog")"
run_vd -c "$CF" -q 4AbCdEf -f s@y nobody@x.org < "$MSG"
check_match "log host is the first label of myhostname" '^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} vdtesthost postfix/vdeliver\[' "$(printf 'S\n\nb\n' | "$VDELIVER" -c "$CF" -o myhostname=vdtesthost.example.org -o maillog_file="$T/hostlog" nobody@x.org >/dev/null; cat "$T/hostlog")"
check_match "log record bounced with queue id" '4AbCdEf: to=<nobody@x\.org>, relay=vdeliver, .*dsn=5\.1\.1, status=bounced \(unknown user: "nobody@x\.org"\)' "$(cat "$T/maillog")"

# -n explains and writes nothing
before=$(find "$BASE" | sort | md5sum)
run_vd -n -c "$CF" a+x@x.org < /dev/null
check "explain exit" 0 "$rc"
check_match "explain shows the keys" 'key "a\+x@x\.org": not found' "$out"
check_match "explain shows the hit" 'key "a@x\.org": found "x\.org/a/"' "$out"
check_match "explain shows the mailbox" "mailbox: $BASE/x.org/a/ \\(maildir\\)" "$out"
run_vd -n -c "$CF" nobody@x.org < /dev/null
check "explain unknown exit" 67 "$rc"
run_vd -n -c "$CF" -o "virtual_uid_maps=hash:$T/nosuch, static:1" a@x.org < /dev/null
check "explain table error exit" 75 "$rc"
check_match "explain shows the table error" "key \"a@x\\.org\": ERROR: hash:$T/nosuch: " "$out"
check "explain wrote nothing" "$before" "$(find "$BASE" | sort | md5sum)"

# usage
run_vd -c "$CF" < "$MSG"
check "no recipient defers" 75 "$rc"

done_testing
