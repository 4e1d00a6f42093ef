#!/bin/sh
# SPDX-License-Identifier: MIT
# lmtp-session: scripted LMTP sessions against vdeliver --lmtp (stdin,
# --listen unix:/inet:, socket activation); the checks are in
# t/lmtp_session.py, which needs python3.
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
need_cmd postmap postfix

TABLE=$T/vmailbox
cat > "$TABLE" <<'TBL'
info@example.com	example.com/info/
m@example.com		example.com/m.mbox
full@example.com	example.com/full.mbox
locked@example.com	example.com/locked.mbox
cli@example.com		example.com/cli/
"odd user"@example.com	example.com/odd/
TBL
# A private Postfix configuration for postmap: never /etc/postfix.
mkdir "$T/pf"
printf 'compatibility_level = 3.6\n' > "$T/pf/main.cf"
: > "$T/pf/master.cf"
postmap -c "$T/pf" "hash:$TABLE" || skip_all "postmap cannot build hash: tables"
spool_setup <<CF
virtual_mailbox_maps = hash:$TABLE
virtual_mailbox_limit = 100000
message_size_limit = 100000
myhostname = mx.example.com
deliver_lock_attempts = 10
deliver_lock_delay = 1s
CF
as_vuser mkdir "$BASE/example.com"
# a mailbox that is already at the size limit
head -c 100000 /dev/zero | tr '\0' x > "$BASE/example.com/full.mbox"
chmod 600 "$BASE/example.com/full.mbox"
[ "$(id -u)" = 0 ] && chown "$VUID:$VGID" "$BASE/example.com/full.mbox"

export VDELIVER CF BASE T TABLE VUID VGID
POSTMAP=$(command -v postmap); PFCONF=$T/pf; export POSTMAP PFCONF
if python3 "$top_srcdir/t/lmtp_session.py" "$@"; then
	pass "python sessions"
else
	fail "python sessions (see the FAIL lines above)"
fi
done_testing
