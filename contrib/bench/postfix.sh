# SPDX-License-Identifier: MIT
# postfix.sh - sourced by contrib/bench/run: end to end through Postfix.
#
# A private Postfix instance (its own configuration directory, queue,
# data directory and mailbox base; no SMTP listener; nothing leaves the
# host), as t/postfix-lib.sh (branch postfix) sets one up, under the
# same machine-wide lock, so that it never runs beside a Postfix test.
# For each transport in turn (virtual(8); vdeliver by pipe(8), as vmail;
# vdeliver --lmtp under spawn(8), as vmail) PF_N messages of 4 KiB to
# 10 maildirs are queued while that transport is in defer_transports,
# then released with one "postqueue -f"; the time from the flush to the
# last "status=sent" record is the figure.  Queueing is not timed, so
# the figure is delivery: qmgr, the delivery agent, the mailbox.  The
# three transports take turns, PF_ROUNDS rounds (default 2); the table
# has each transport's median, and "x virtual" is the median over the
# rounds of virtual(8)'s time over the transport's time in that round.
#
# Needs from run: W, VD, BUSER (unused here), say, TAB, RUNS.
PF_N=${BENCH_POSTFIX_N:-2000}
PF_ROUNDS=${BENCH_POSTFIX_ROUNDS:-2}
PF=$W/pf
PF_ETC=$PF/etc
PF_SPOOL=$PF/spool
PF_LOGDIR=/var/log/vdeliver-bench
PF_LOG=$PF_LOGDIR/bench.$$.log
PF_LOCK=/run/lock/vdeliver-postfix-tests.lock
[ -d /run/lock ] || PF_LOCK=/tmp/vdeliver-postfix-tests.lock
pf_running=no

say "Postfix: waiting for the Postfix test lock ($PF_LOCK)"
exec 8>>"$PF_LOCK"
flock -w 1800 8 || { echo "run: could not take $PF_LOCK" >&2; exit 1; }

if ! id -u vmail >/dev/null 2>&1; then
	if getent passwd 5000 >/dev/null || getent group 5000 >/dev/null; then
		useradd --system --user-group --no-create-home --shell /usr/sbin/nologin vmail
	else
		useradd --uid 5000 --user-group --no-create-home --shell /usr/sbin/nologin vmail
	fi
fi
VMAIL_UID=$(id -u vmail); VMAIL_GID=$(id -g vmail)
mkdir -p "$PF_ETC" "$PF_SPOOL" "$PF/data" "$PF/mail" "$PF/tables" "$PF_LOGDIR"
chmod 755 "$PF" "$PF_ETC" "$PF_SPOOL" "$PF/mail" "$PF/tables"
chown postfix "$PF/data"; chmod 700 "$PF/data"
: > "$PF_LOG"
# vdeliver (as vmail) logs beside Postfix, as virtual(8) does
chgrp vmail "$PF_LOG"; chmod 660 "$PF_LOG"

i=0; : > "$PF/tables/vmailbox"
while [ $i -lt 10 ]; do
	echo "u$i@bench.example u$i/" >> "$PF/tables/vmailbox"
	i=$((i + 1))
done

{
	echo "# Written by vdeliver's contrib/bench/postfix.sh."
	cat "$here/../../t/data/postfix-daemons.cf"
	cat <<EOF
vdeliver  unix  -       n       n       -       -       pipe
  flags=X user=vmail null_sender=
  argv=$VD -c $PF_ETC -f \${sender} -a \${original_recipient} -q \${queue_id} -- \${recipient}
vdeliver-lmtp  unix  -  n       n       -       -       spawn
  user=vmail argv=$VD -c $PF_ETC --lmtp
EOF
} > "$PF_ETC/master.cf"

# pf_main TRANSPORT DEFER: main.cf for one phase
pf_main() {
	{
	cat <<EOF
# Written by vdeliver's contrib/bench/postfix.sh.
queue_directory = $PF_SPOOL
data_directory = $PF/data
myhostname = mx.bench.invalid
mydomain = bench.invalid
maillog_file = $PF_LOG
EOF
	cat "$here/../../t/data/postfix-isolated.cf"
	cat <<EOF
virtual_mailbox_domains = bench.example
virtual_mailbox_base = $PF/mail/$pf_mode
virtual_mailbox_maps = hash:$PF/tables/vmailbox
virtual_minimum_uid = 100
virtual_uid_maps = static:$VMAIL_UID
virtual_gid_maps = static:$VMAIL_GID
virtual_mailbox_limit = 0
vdeliver_destination_recipient_limit = 1
lmtp_line_length_limit = 0
virtual_transport = $1
defer_transports = $2
EOF
	} > "$PF_ETC/main.cf"
	touch -d '1 minute ago' "$PF_ETC/main.cf"
}

pf_stop() {
	[ "$pf_running" = yes ] || return 0
	postfix -c "$PF_ETC" stop >/dev/null 2>&1 || true
	pf_i=0
	while postfix -c "$PF_ETC" status >/dev/null 2>&1 && [ $pf_i -lt 600 ]; do
		sleep 0.1; pf_i=$((pf_i + 1))
	done
	postfix -c "$PF_ETC" status >/dev/null 2>&1 && postfix -c "$PF_ETC" abort >/dev/null 2>&1
	pf_running=no
}
pf_cleanup=pf_cleanup
pf_cleanup() { pf_stop; rm -f "$PF_LOG"; }

# pf_wait WHAT CMD...: poll every 20 ms until CMD succeeds (10 minutes at most)
pf_wait() {
	pf_what=$1; shift
	pf_i=0
	until "$@"; do
		pf_i=$((pf_i + 1))
		[ $pf_i -lt 30000 ] || { echo "run: waited too long for $pf_what" >&2; exit 1; }
		sleep 0.02
	done
}
pf_busy() { [ -n "$(find "$PF_SPOOL/maildrop" "$PF_SPOOL/incoming" "$PF_SPOOL/active" -type f 2>/dev/null | head -1)" ]; }
pf_settled() { ! pf_busy && [ "$(find "$PF_SPOOL/deferred" -type f | wc -l)" -ge "$PF_N" ]; }
# the Postfix delivery agents' records (vdeliver's own say postfix/vdeliver)
pf_sent() { [ "$(tail -c +$((pf_off + 1)) "$PF_LOG" | grep -Ec "postfix/(virtual|pipe|lmtp)\[.*status=sent")" -ge "$PF_N" ]; }
now_ms() { date +%s%3N; }

: > "$W/postfix-results"
: > "$W/postfix-results.raw"
pf_round=1
while [ $pf_round -le "$PF_ROUNDS" ]; do
for pf_mode in virtual pipe lmtp; do
	case $pf_mode in
	virtual) tr=virtual name="virtual(8)" ;;
	pipe) tr=vdeliver name="vdeliver, pipe(8)" ;;
	lmtp) tr="lmtp:unix:private/vdeliver-lmtp" name="vdeliver, LMTP" ;;
	esac
	i=0
	while [ $i -lt 10 ]; do
		mkdir -p "$PF/mail/$pf_mode/u$i/tmp" "$PF/mail/$pf_mode/u$i/new" "$PF/mail/$pf_mode/u$i/cur"
		i=$((i + 1))
	done
	chown -R vmail:vmail "$PF/mail/$pf_mode"; chmod 755 "$PF/mail/$pf_mode"
	pf_main "$tr" "virtual vdeliver lmtp"
	postmap -c "$PF_ETC" "hash:$PF/tables/vmailbox"
	chmod 644 "$PF/tables"/*
	postfix -c "$PF_ETC" start >/dev/null 2>&1 || { echo "run: postfix start failed" >&2; tail "$PF_LOG" >&2; exit 1; }
	pf_running=yes
	say "Postfix, $name, round $pf_round: queueing $PF_N messages"
	# two submitters at a time (not timed)
	seq 0 $((PF_N - 1)) | xargs -P 2 -I {} sh -c \
	    'sendmail -C "$1" -i -f bench@example.org "u$(( {} % 10 ))@bench.example" < "$2"' \
	    sh "$PF_ETC" "$W/msg/4k"
	pf_wait "the queue" pf_settled
	pf_main "$tr" ""
	postfix -c "$PF_ETC" reload >/dev/null 2>&1
	sleep 1
	pf_off=$(stat -c %s "$PF_LOG")
	say "Postfix, $name, round $pf_round: delivering"
	t0=$(now_ms)
	postqueue -c "$PF_ETC" -f
	pf_wait "$PF_N deliveries" pf_sent
	t1=$(now_ms)
	got=$(find "$PF/mail/$pf_mode" -path '*/new/*' -type f | wc -l)
	[ "$got" = "$PF_N" ] || { echo "run: $name: $got messages in the maildirs, not $PF_N" >&2; exit 1; }
	echo "$pf_round$TAB$name$TAB$((t1 - t0))" >> "$W/postfix-results.raw"
	sed 's/^/    /' "$W/postfix-results.raw" | tail -1 >&2
	pf_stop
	rm -rf "$PF/mail/$pf_mode"
done
pf_round=$((pf_round + 1))
done
awk -F'\t' -v n="$PF_N" -v rounds="$PF_ROUNDS" '
function median(a, k,    i, j, t) {
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{ if (!($2 in seen)) { order[++m] = $2; seen[$2] = 1 }
  ms[$2, $1] = $3; if ($2 == "virtual(8)") base[$1] = $3 }
END {
	printf "through Postfix 3.7, %d messages of 4 KiB to 10 maildirs (queued, then one flush), median of %d rounds:\n", n, rounds
	printf "%-28s %11s %10s %10s   %s\n", "transport", "seconds", "per second", "x virtual", "seconds per round"
	for (i = 1; i <= m; i++) {
		name = order[i]; list = ""
		for (r = 1; r <= rounds; r++) { t[r] = ms[name, r]; q[r] = base[r] / ms[name, r]; list = list sprintf(" %.2f", ms[name, r] / 1000) }
		med = median(t, rounds); rq = median(q, rounds)
		printf "%-28s %11.2f %10.1f %10.2f  %s\n", name, med / 1000, n * 1000 / med, rq, list
	}
}' "$W/postfix-results.raw" > "$W/postfix-results"
pf_cleanup
pf_cleanup=
exec 8>&-
