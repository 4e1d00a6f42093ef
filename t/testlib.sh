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
