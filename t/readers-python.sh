#!/bin/sh
# SPDX-License-Identifier: MIT
# readers-python: Python's mailbox module (mailbox.mbox, mailbox.Maildir)
# parses the mbox and the maildir vdeliver wrote for the whole corpus and
# finds every message once, byte for byte as sent plus Return-Path,
# X-Original-To and Delivered-To (mbox: From_ line "From sender  date",
# "From " lines quoted), and the Subject and Message-ID of each.
. "${top_srcdir:-.}/t/testlib.sh"
. "$top_srcdir/t/readers-lib.sh"

for box in "$MBOX" "$MAILDIR"; do
	case $box in */) want=$WANT_MAILDIR ;; *) want=$WANT_MBOX ;; esac
	out=$("$PY" "$top_srcdir/t/mailtool.py" compare "$box" "$want" "$SENDER" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/# /'
	check "python mailbox reads $(basename "$box") as sent" 0 "$rc"
	check "python mailbox: $N_SENT messages in $(basename "$box")" "$N_SENT" \
		"$("$PY" "$top_srcdir/t/mailtool.py" list "$box" | wc -l)"
done

# Subject and Message-ID as the email parser sees them, in both mailboxes
"$PY" "$top_srcdir/t/mailtool.py" list "$MBOX" | cut -f2,3 | sort > "$T/l-mbox"
"$PY" "$top_srcdir/t/mailtool.py" list "$MAILDIR" | cut -f2,3 | sort > "$T/l-maildir"
for f in "$SENT"/*.eml; do
	"$PY" - "$f" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.compat32)
h = lambda n: " ".join(str(m.get(n, "")).split())
print("%s\t%s" % (h("Message-ID"), h("Subject")))
PYEOF
done | sort > "$T/l-sent"
check_file "Message-ID and Subject of every mbox message" "$T/l-sent" "$T/l-mbox"
check_file "Message-ID and Subject of every maildir message" "$T/l-sent" "$T/l-maildir"
done_testing
