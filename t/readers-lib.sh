# SPDX-License-Identifier: MIT
# readers-lib.sh - sourced by t/readers-*.sh after t/testlib.sh: vdeliver
# (the command line, no MTA) delivers every message of the differential
# corpus (t/diff/cases) into one mbox and one maildir, for an independent
# reader to check.  Gives:
#	$MBOX, $MAILDIR		the mailboxes ($MAILDIR ends in /)
#	$SENT			the messages as handed to vdeliver (NAME.eml)
#	$WANT_MBOX, $WANT_MAILDIR	NAME.mbox / NAME.maildir: the bytes a
#				reader must return for each (t/mailtool.py expect)
#	$N_SENT			how many
#	$PY			python3
PY=$(command -v /usr/bin/python3 || command -v python3 || true)
[ -n "$PY" ] || skip_all "needs python3"
SENDER=alice@sender.test
spool_setup <<EOF2
virtual_mailbox_maps = inline:{ box@readers.test=readers.mbox, md@readers.test=readers.maildir/ }
EOF2
MBOX=$BASE/readers.mbox
MAILDIR=$BASE/readers.maildir/
SENT=$T/sent
WANT_MBOX=$T/want-mbox
WANT_MAILDIR=$T/want-maildir
N_SENT=$("$PY" "$top_srcdir/t/diff/diffrun.py" messages "$top_srcdir/t/diff/cases" "$SENT")
n_bad=0
for f in "$SENT"/*.eml; do
	run_vd -c "$CF" -f "$SENDER" -- box@readers.test md@readers.test < "$f"
	if [ "$rc" != 0 ]; then
		n_bad=$((n_bad + 1))
		echo "# $(basename "$f"): exit $rc: $out"
	fi
done
check "vdeliver delivered all $N_SENT messages of the corpus" 0 "$n_bad"
"$PY" "$top_srcdir/t/mailtool.py" expect "$SENT" "$WANT_MBOX" "$SENDER" box@readers.test
"$PY" "$top_srcdir/t/mailtool.py" expect "$SENT" "$WANT_MAILDIR" "$SENDER" md@readers.test
