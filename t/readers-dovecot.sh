#!/bin/sh
# SPDX-License-Identifier: MIT
# readers-dovecot: Dovecot 2.3 (doveadm, a private config, no daemon)
# opens a copy of the mbox and the maildir vdeliver wrote for the whole
# corpus: the message count is right, and each message fetched whole
# ("text") is, byte for byte, what was sent plus Return-Path,
# X-Original-To and Delivered-To (mbox: with "From " lines quoted).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd doveadm dovecot-core
. "$top_srcdir/t/readers-lib.sh"

# Dovecot writes index, uidlist and lock files: give it copies.
DV=$T/dovecot
mkdir -p "$DV/run" "$DV/mail" "$DV/got"
cp -a "$MBOX" "$DV/mail/inbox"
cp -a "$MAILDIR" "$DV/mail/Maildir"
chown -R "$VUID:$VGID" "$DV/mail"
cat > "$DV/dovecot.conf" <<EOF
# vdeliver t/readers-dovecot.sh: doveadm only, nothing listens.
base_dir = $DV/run
state_dir = $DV/run
log_path = $DV/log
info_log_path = $DV/log
ssl = no
protocols =
mail_uid = $VUID
mail_gid = $VGID
first_valid_uid = 1
first_valid_gid = 1
EOF
USER_NAME=$(id -un "$VUID")

# dv LOCATION ARGS...: doveadm with the private config, for that mail_location
dv() {
	loc=$1; shift
	env -i PATH=/usr/bin:/bin USER="$USER_NAME" HOME="$DV" \
		doveadm -c "$DV/dovecot.conf" -o "mail_location=$loc" "$@"
}

# read_box NAME LOCATION WANTDIR KIND
read_box() {
	uids=$(dv "$2" -f pager fetch uid mailbox INBOX all 2>"$DV/err") && rc=0 || rc=$?
	check "doveadm fetch uid ($1)" 0 "$rc"
	[ "$rc" = 0 ] || sed 's/^/# /' "$DV/err"
	uids=$(echo "$uids" | sed -n 's/^uid: //p')
	check "Dovecot: $N_SENT messages in the $1" "$N_SENT" "$(echo "$uids" | grep -c .)"
	n_same=0; n_diff=0
	for u in $uids; do
		dv "$2" -f pager fetch text mailbox INBOX uid "$u" > "$DV/got/raw" 2>>"$DV/err"
		# the pager format: "text:" on a line of its own, then the bytes
		tail -c +7 "$DV/got/raw" > "$DV/got/msg"
		mid=$(sed -n '/^$/q; s/^[Mm][Ee][Ss][Ss][Aa][Gg][Ee]-[Ii][Dd]: *//p' "$DV/got/msg" | head -1)
		name=$(grep -l -F -x "Message-ID: $mid" "$3"/*."$4" | head -1)
		if [ -n "$name" ] && cmp -s "$name" "$DV/got/msg"; then
			n_same=$((n_same + 1))
		else
			n_diff=$((n_diff + 1))
			echo "# $1 uid $u ($mid) differs from ${name:-any message sent}:"
			[ -n "$name" ] && diff "$name" "$DV/got/msg" | head -10 | sed 's/^/#   /'
		fi
	done
	check "Dovecot: every message of the $1 as sent" "$N_SENT 0" "$n_same $n_diff"
}

read_box mbox "mbox:$DV/mail:INBOX=$DV/mail/inbox:INDEX=MEMORY" "$WANT_MBOX" mbox
read_box maildir "maildir:$DV/mail/Maildir:INDEX=MEMORY" "$WANT_MAILDIR" maildir
done_testing
