# SPDX-License-Identifier: MIT
# testlib.sh - sourced by the shell tests in t/ (run by automake's harness).
#
# Gives: $VDELIVER, $VMAP (the built programs), $T (a scratch directory,
# removed at exit), ok/fail counters, and helpers that print one line per
# check.  A test ends with `done_testing`, which prints
# "N passed, M failed" and exits 1 on any failure.  `skip_all REASON`
# exits 77 (automake SKIP), except under CI=true, where a skip is a
# failure: CI installs everything the tests need.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
VDELIVER=${VDELIVER:-$top_builddir/vdeliver}
VMAP=${VMAP:-$top_builddir/vmap}
DATA=$top_srcdir/t/data
T=$(mktemp -d "${TMPDIR:-/tmp}/vd-$(basename "$0" .sh).XXXXXX")
chmod 755 "$T"
n_pass=0
n_fail=0
cleanup_hooks=""
trap 'for h in $cleanup_hooks; do $h; done; rm -rf "$T"' EXIT

at_exit() { cleanup_hooks="$1 $cleanup_hooks"; }

pass() { n_pass=$((n_pass + 1)); echo "ok - $*"; }
fail() { n_fail=$((n_fail + 1)); echo "FAIL - $*"; }

skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL - skipped under CI: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root: $*"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip_all "needs $1 (apt-get install ${2:-$1})"; }

# check NAME WANT GOT: string equality
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1: want [$2] got [$3]"
	fi
}

# check_file NAME WANTFILE GOTFILE: byte equality, with a diff on failure
check_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1: $3 differs from $2"
		diff -u "$2" "$3" | head -40 | sed 's/^/    /'
	fi
}

# check_match NAME REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1: [$3] does not match /$2/"
	fi
}

# run_vd: run vdeliver, leaving $rc, $out (stdout+stderr) set
run_vd() {
	out=$("$VDELIVER" "$@" 2>&1) && rc=0 || rc=$?
}

done_testing() {
	echo "$n_pass passed, $n_fail failed"
	[ "$n_fail" = 0 ] && [ "$n_pass" -gt 0 ]
	exit $?
}

# spool_setup: a scratch spool in $T/mail and a config in $T/main.cf.
# Delivers as the current user; as root, as the test user vdtest1 (made
# here if missing), since root itself is below virtual_minimum_uid.
# Sets VUID, VGID, BASE, CF.  Extra main.cf lines come on stdin.
ensure_user() {	# ensure_user NAME: a system user with its own group
	id -u "$1" >/dev/null 2>&1 ||
		useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$1" ||
		id -u "$1" >/dev/null 2>&1
}
spool_setup() {
	BASE=$T/mail
	CF=$T/main.cf
	mkdir -p "$BASE"
	if [ "$(id -u)" = 0 ]; then
		ensure_user vdtest1
		VUID=$(id -u vdtest1); VGID=$(id -g vdtest1)
		chown "$VUID:$VGID" "$BASE"
	else
		VUID=$(id -u); VGID=$(id -g)
	fi
	{
		echo "virtual_mailbox_base = $BASE"
		echo "virtual_uid_maps = static:$VUID"
		echo "virtual_gid_maps = static:$VGID"
		echo "virtual_minimum_uid = 1"
		echo "maillog_file = $T/maillog"
		cat
	} > "$CF"
}
# as_vuser CMD...: run a command as the delivering user (to make files)
as_vuser() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$VUID" --regid="$VGID" --clear-groups "$@"
	else
		"$@"
	fi
}
# norm_from: replace the From_ line date with DATE
norm_from() { sed -E 's/^(From [^ ]*  )[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}$/\1DATE/' "$@"; }
