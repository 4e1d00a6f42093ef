# SPDX-License-Identifier: MIT
# postfix-lib.sh - a private, isolated Postfix instance for the tests.
#
# Sourced after t/testlib.sh.  Sourcing it needs root (need_root skips
# otherwise) and Postfix (need_cmd), takes the machine-wide test lock
# (every Postfix test runs alone, even under make -j), makes the users
# (vmail, uid 5000 when free; vdtest1, vdtest2), and lays out an
# instance in $PF that never touches /etc/postfix or /var/spool/postfix:
#
#	$PF_ETC		main.cf, master.cf (postfix -c $PF_ETC)
#	$PF_SPOOL	queue_directory
#	$PF_BASE	virtual_mailbox_base (root-owned, 0755)
#	$PF_TABLES	a place for lookup tables
#	$PF_LOG		maillog_file, below /var/log (postlogd; no syslog)
#
# No SMTP listener at all; mail comes in with sendmail -C $PF_ETC;
# default_transport and relay_transport are error:, so nothing leaves.
# master.cf gets the services of contrib/postfix/master.cf exactly as
# shipped (PF_CONTRIB=DIR: another copy), with only the binary path (a
# copy of $VDELIVER that vmail can run), the config directory, the
# mailbox base and the LMTP socket directory changed.  vmail may append
# to the log, so vdeliver's own records land there too.
#
#	pf_main_cf		write main.cf: the base lines, the shipped
#				contrib/postfix/main.cf, then the lines on
#				stdin, each replacing its parameter in place
#	pf_start, pf_stop	start/stop (pf_stop runs at exit, too)
#	pf_submit SENDER RCPT... < MSG	sendmail -i -C ...
#	pf_wait_queue		until nothing is active/incoming/maildrop
#	pf_wait_log N ERE	until N lines of the log (since pf_mark) match
#	pf_mark, pf_log		log offset; the log since the mark
#	pf_flush, pf_clear	postqueue -f; postsuper -d ALL (stopped)
# The delivery modes of contrib/postfix (pipe, lmtp-spawn, lmtp-listen;
# virtual: Postfix's own virtual(8), the reference):
#	pf_mode_lines MODE	the main.cf lines that select MODE, taken
#				from the shipped main.cf (pf_main_cf input)
#	pf_lmtp_greets		vdeliver --lmtp answers with 220
#	pf_listener_start [OUT], pf_listener_stop
#				the root listener on $PF_LMTP_SOCK, the
#				shipped socket path; stopped at exit too
#	pf_lmtp_sessions	vdeliver processes other than the listener
#	pf_wait_lmtp_idle	until Postfix has closed its cached LMTP
#				connections (no session process is left)
# The waits poll with a generous deadline (PF_DEADLINE seconds, 60):
# they wait for Postfix, they do not time it.

need_root "runs a private Postfix instance (pipe(8) user=vmail, virtual(8) as root)"
need_cmd postfix postfix
need_cmd postmap postfix
need_cmd postqueue postfix
need_cmd postsuper postfix
need_cmd sendmail postfix
need_cmd flock util-linux
need_cmd "${PF_PYTHON:-python3}" python3

PF_DEADLINE=${PF_DEADLINE:-60}
PF_NAME=$(basename "$0" .sh)
PF=$T/pf
PF_ETC=$PF/etc
PF_SPOOL=$PF/spool
PF_DATA=$PF/data
PF_BASE=$PF/mail
PF_TABLES=$PF/tables
PF_LOGDIR=/var/log/vdeliver-tests
PF_LOG=$PF_LOGDIR/$PF_NAME.$$.log
PF_HOST=mx.vdtest.invalid
PF_CONTRIB=${PF_CONTRIB:-$top_srcdir/contrib/postfix}
PF_PYTHON=${PF_PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || echo python3)}
pf_running=no

# One Postfix test at a time on the machine (make -j2 check, several
# build trees): the lock is held until the test exits.
PF_LOCK=${PF_LOCK:-/run/lock/vdeliver-postfix-tests.lock}
[ -d "$(dirname "$PF_LOCK")" ] || PF_LOCK=/tmp/vdeliver-postfix-tests.lock
exec 8>>"$PF_LOCK"
if ! flock -w 1800 8; then
	echo "FAIL - could not take $PF_LOCK in 30 minutes (a stuck Postfix test?)"
	exit 1
fi

# Users: vmail (as in the Postfix docs; pipe(8) and spawn(8) user=vmail)
# and two others for per-user uid maps.
if ! id -u vmail >/dev/null 2>&1; then
	if getent passwd 5000 >/dev/null || getent group 5000 >/dev/null; then
		useradd --system --user-group --no-create-home --shell /usr/sbin/nologin vmail
	else
		useradd --uid 5000 --user-group --no-create-home --shell /usr/sbin/nologin vmail
	fi
fi
ensure_user vdtest1
ensure_user vdtest2
VMAIL_UID=$(id -u vmail); VMAIL_GID=$(id -g vmail)
U1=$(id -u vdtest1); G1=$(id -g vdtest1)
U2=$(id -u vdtest2); G2=$(id -g vdtest2)
export VMAIL_UID VMAIL_GID U1 G1 U2 G2

mkdir -p "$PF_ETC" "$PF_SPOOL" "$PF_DATA" "$PF_BASE" "$PF_TABLES" "$PF_LOGDIR"
chmod 755 "$PF" "$PF_ETC" "$PF_SPOOL" "$PF_BASE" "$PF_TABLES"
chown postfix "$PF_DATA"; chmod 700 "$PF_DATA"
: > "$PF_LOG"
# vmail may append to the log too, so vdeliver's own records (it reads
# maillog_file from the same main.cf) land beside Postfix's, as an admin
# sharing main.cf would set it up (VD_TEST_SHARED_LOG=no: root's only).
if [ "${VD_TEST_SHARED_LOG:-yes}" = yes ]; then
	chgrp vmail "$PF_LOG"; chmod 660 "$PF_LOG"
fi
: > "$PF_ETC/main.cf"
for pf_m in cdb pcre; do
	postconf -c "$PF_ETC" -m 2>/dev/null | grep -qx "$pf_m" ||
		skip_all "needs Postfix map type $pf_m (apt-get install postfix-$pf_m)"
done

# pipe(8) and spawn(8) run vdeliver as vmail, which may not be able to
# reach the build tree (a clone below /root): use a copy in $PF/bin.
mkdir -p "$PF/bin"
cp "$VDELIVER" "$PF/bin/vdeliver" || skip_all "build vdeliver first ($VDELIVER)"
chmod 755 "$PF/bin" "$PF/bin/vdeliver"
VDELIVER=$PF/bin/vdeliver

# pf_sed: the shipped files, with this build's binary and this instance's
# config directory.
pf_sed() {
	sed -e "s|/usr/sbin/vdeliver|$VDELIVER|g" -e "s|/etc/postfix|$PF_ETC|g" \
	    -e "s|/var/mail/vhosts|$PF_BASE|g" -e "s|/run/vdeliver/|$PF/run/|g" "$@"
}

# master.cf: the daemons a virtual-only Postfix needs (no smtpd, no
# local(8), nothing chrooted), then contrib/postfix/master.cf.
{
	echo "# Written by vdeliver's t/postfix-lib.sh for a test instance."
	cat "$top_srcdir/t/data/postfix-daemons.cf"
	pf_sed "$PF_CONTRIB/master.cf"
} > "$PF_ETC/master.cf"

# pf_main_cf: main.cf = the instance's lines, the shipped main.cf, then
# the "name = value" lines on stdin, which replace earlier settings of the
# same name in place (Postfix would warn about a second setting).
pf_main_cf() {
	cat > "$PF_ETC/main.cf.extra"
	{
		cat <<MAIN
# Written by vdeliver's t/postfix-lib.sh for a test instance.
queue_directory = $PF_SPOOL
data_directory = $PF_DATA
myhostname = $PF_HOST
mydomain = vdtest.invalid
maillog_file = $PF_LOG
MAIN
		cat "$top_srcdir/t/data/postfix-isolated.cf"
		# Sanitizer builds: the run-time options reach vdeliver.
		pf_env=""
		for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
			eval "pf_v=\${$v:-}"
			[ -n "$pf_v" ] && pf_env="$pf_env $v"
		done
		if [ -n "$pf_env" ]; then
			echo "import_environment = $(postconf -d -h import_environment)$pf_env"
			echo "export_environment = $(postconf -d -h export_environment)$pf_env"
		fi
		pf_sed "$PF_CONTRIB/main.cf"
	} | awk -v extra="$PF_ETC/main.cf.extra" '
	function pname(l) { sub(/[ \t]*=.*/, "", l); return l }
	BEGIN {
		while ((getline l < extra) > 0) {
			if (l ~ /^[A-Za-z0-9_]+[ \t]*=/) { n = pname(l); val[n] = l; order[++k] = n }
			else if (l ~ /^[ \t]/ && n != "") val[n] = val[n] "\n" l
		}
	}
	/^[A-Za-z0-9_]+[ \t]*=/ { cur = pname($0); if (cur in val) { if (!(cur in done)) { print val[cur]; done[cur] = 1 } skip = 1; next } skip = 0 }
	/^[ \t]/ && skip { next }
	{ skip = 0; print }
	END { for (i = 1; i <= k; i++) if (!(order[i] in done)) { print val[order[i]]; done[order[i]] = 1 } }
	' > "$PF_ETC/main.cf"
}
pf_postconf() { postconf -c "$PF_ETC" "$@"; }

# pf_start: start the instance and wait until the master answers.  The
# integrity checks (2-3 s) run on the first start only: postfix-script
# skips them when $queue_directory/quick-start exists.
pf_started=no
pf_start() {
	[ "$pf_started" = yes ] && : > "$PF_SPOOL/quick-start"
	if ! postfix -c "$PF_ETC" start >/dev/null 2>&1; then
		echo "postfix start failed; log:"; tail -20 "$PF_LOG" | sed 's/^/    /'
		fail "postfix -c $PF_ETC start"
		done_testing
	fi
	pf_running=yes
	pf_started=yes
	pf_until "postfix status" postfix -c "$PF_ETC" status
	pf_master=$(sed -n 's/^ *\([0-9][0-9]*\).*/\1/p' "$PF_SPOOL/pid/master.pid" 2>/dev/null)
}

# pf_stop: stop it and wait until the master has gone.
pf_stop() {
	[ "$pf_running" = yes ] || return 0
	postfix -c "$PF_ETC" stop >/dev/null 2>&1 || true
	pf_i=0
	while postfix -c "$PF_ETC" status >/dev/null 2>&1 && [ $pf_i -lt $((PF_DEADLINE * 10)) ]; do
		sleep 0.1; pf_i=$((pf_i + 1))
	done
	if postfix -c "$PF_ETC" status >/dev/null 2>&1; then
		postfix -c "$PF_ETC" abort >/dev/null 2>&1 || true
	fi
	# the master this test started, should postfix(1) fail to stop it
	if [ -n "${pf_master:-}" ] && kill -0 "$pf_master" 2>/dev/null &&
	    grep -q master "/proc/$pf_master/cmdline" 2>/dev/null; then
		kill "$pf_master" 2>/dev/null || true
	fi
	pf_running=no
}

# pf_until WHAT CMD...: poll CMD until it succeeds (deadline: a failure)
pf_until() {
	pf_what=$1; shift
	pf_i=0
	while ! "$@" >/dev/null 2>&1; do
		pf_i=$((pf_i + 1))
		if [ $pf_i -gt $((PF_DEADLINE * 10)) ]; then
			fail "waited ${PF_DEADLINE}s for $pf_what"
			pf_diag
			return 1
		fi
		sleep 0.1
	done
}

# pf_diag: what the queue holds, after a wait ran into its deadline
pf_diag() {
	echo "# queue files:"
	(cd "$PF_SPOOL" && find maildrop incoming active deferred hold -type f 2>/dev/null) | sed 's/^/#   /'
	postqueue -c "$PF_ETC" -p 2>&1 | head -40 | sed 's/^/#   /'
}

pf_submit() {	# pf_submit SENDER RCPT... < MSG
	pf_s=$1; shift
	sendmail -C "$PF_ETC" -i -f "$pf_s" -- "$@"
}

# pf_queue_busy: true while a message is in maildrop, incoming or active
pf_queue_busy() {
	[ -n "$(find "$PF_SPOOL/maildrop" "$PF_SPOOL/incoming" "$PF_SPOOL/active" -type f 2>/dev/null | head -1)" ]
}
pf_queue_idle() { ! pf_queue_busy; }
pf_wait_queue() { pf_until "the queue to settle" pf_queue_idle; }
pf_queue_empty() { postqueue -c "$PF_ETC" -p 2>/dev/null | grep -q '^Mail queue is empty'; }
pf_wait_empty() { pf_until "an empty queue" pf_queue_empty; }

pf_mark() { pf_offset=$(stat -c %s "$PF_LOG"); }
pf_mark
pf_log() { tail -c +$((pf_offset + 1)) "$PF_LOG"; }
pf_count() { pf_log | grep -Ec -- "$1" || true; }
pf_has() { [ "$(pf_count "$2")" -ge "$1" ]; }
pf_wait_log() {	# pf_wait_log N ERE
	pf_until "$1 log lines matching /$2/" pf_has "$1" "$2"
}
pf_flush() { postqueue -c "$PF_ETC" -f; }
pf_clear() { postsuper -c "$PF_ETC" -d ALL >/dev/null 2>&1 || true; }

# pf_postmap TYPE:FILE (as root; readable by vmail and postfix)
pf_postmap() { postmap -c "$PF_ETC" "$1"; }

# pf_mode_lines MODE: the main.cf lines that select the mode (from the
# shipped contrib/postfix/main.cf, where the LMTP ones are comments)
pf_mode_lines() {
	case $1 in
	virtual) echo "virtual_transport = virtual" ;;
	pipe) ;;	# contrib's default: virtual_transport = vdeliver
	lmtp-spawn)
		pf_sed "$PF_CONTRIB/main.cf" | sed -n 's/^#\(virtual_transport = lmtp:unix:private\/.*\)/\1/p'
		pf_sed "$PF_CONTRIB/main.cf" | sed -n 's/^#\(lmtp_line_length_limit = .*\)/\1/p' ;;
	lmtp-listen)
		pf_sed "$PF_CONTRIB/main.cf" | sed -n 's/^#\(virtual_transport = lmtp:unix:\/.*\)/\1/p'
		pf_sed "$PF_CONTRIB/main.cf" | sed -n 's/^#\(lmtp_line_length_limit = .*\)/\1/p' ;;
	*) echo "unknown mode $1" >&2; exit 1 ;;
	esac
}

# pf_lmtp_greets: vdeliver's LMTP server, with this main.cf, greets
# with 220 (run pf_main_cf first)
pf_lmtp_greets() {
	printf 'QUIT\r\n' | "$VDELIVER" -c "$PF_ETC" --lmtp 2>/dev/null | head -1 | grep -q '^220 '
}

# pf_listener_start [OUT]: the standalone listener, as root, on the
# socket the shipped main.cf names; its output goes to OUT
# ($PF/listener.out).  It reads main.cf when it starts; MAIL_CONFIG
# points a sendmail it runs (success notices) at this instance.
# Returns once the socket is there, so no delivery meets its absence.
PF_LMTP_SOCK=$PF/run/lmtp
pf_listener_pid=""
pf_listener_start() {
	mkdir -p "$PF/run"
	rm -f "$PF_LMTP_SOCK"
	MAIL_CONFIG=$PF_ETC "$VDELIVER" -c "$PF_ETC" --lmtp \
		--listen "unix:$PF_LMTP_SOCK" >"${1:-$PF/listener.out}" 2>&1 &
	pf_listener_pid=$!
	pf_until "the LMTP listener's socket" test -S "$PF_LMTP_SOCK"
}
pf_listener_stop() {
	[ -n "$pf_listener_pid" ] || return 0
	kill "$pf_listener_pid" 2>/dev/null || true
	wait "$pf_listener_pid" 2>/dev/null || true
	pf_listener_pid=""
}
at_exit pf_listener_stop

# pf_lmtp_sessions: the pids of the running $VDELIVER processes other
# than the listener: spawn(8)'s one per connection, the listener's
# children (one per connection, and one per delivery to a recipient)
pf_lmtp_sessions() {
	for pf_p in /proc/[0-9]*; do
		[ "${pf_p#/proc/}" = "$pf_listener_pid" ] && continue
		[ "$(readlink "$pf_p/exe" 2>/dev/null)" = "$VDELIVER" ] && echo "${pf_p#/proc/}"
	done
	return 0
}
pf_no_lmtp_session() { [ -z "$(pf_lmtp_sessions)" ]; }
# pf_wait_lmtp_idle: Postfix keeps an idle LMTP connection for reuse
# (lmtp_connection_cache_time_limit, 2 s), and vdeliver opens its tables
# per session: wait until every session has ended, so that the next
# delivery opens the tables afresh, as each pipe(8) run does.
pf_wait_lmtp_idle() { pf_until "the LMTP sessions to end" pf_no_lmtp_session; }

pf_cleanup() {
	pf_stop
	if [ "$n_fail" = 0 ]; then
		rm -f "$PF_LOG"
	else
		echo "# Postfix log kept: $PF_LOG"
	fi
}
at_exit pf_cleanup
# a killed test still stops its Postfix (the EXIT trap runs)
trap 'exit 1' HUP INT PIPE TERM
