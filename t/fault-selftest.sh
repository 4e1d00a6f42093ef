#!/bin/sh
# SPDX-License-Identifier: MIT
# fault-selftest: the fault-injection shim (t/faultinject.so) counts the
# calls in scope, in one sequence across fork and exec, fails the Nth
# with the errno asked for, and kills where it is told to.
. "${top_srcdir:-.}/t/testlib.sh"

SHIM=$top_builddir/t/faultinject.so
PROBE=$top_builddir/t/fi-probe
[ -f "$SHIM" ] || skip_all "no $SHIM (make check builds it)"
# A sanitized probe must not mind the shim being loaded first.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

S=$T/scope
mkdir -p "$S" "$T/out"

# probe [VAR=value...] -- steps...: run under the shim; sets $out, $rc
probe() {
	rm -f "$T/state" "$T/log"
	: > "$T/log"
	out=$(env FI_STATE="$T/state" FI_LOG="$T/log" FI_SCOPE="$S" \
		LD_PRELOAD="$SHIM" "$@" 2>&1) && rc=0 || rc=$?
}
logcol() { cut -f"$1" "$T/log" | paste -sd' ' -; }

# 1. counting: only calls on paths (and fds) in scope
probe "$PROBE" open="$S/a" write=hello fsync close open="$T/out/b" write=x close
check "no fault: exit 0" 0 "$rc"
check "calls in scope counted, in order" "open write fsync close" "$(logcol 3)"
check "sequence numbers" "1 2 3 4" "$(logcol 1)"
check "path of an fd call" "$S/a" "$(sed -n 2p "$T/log" | cut -f9)"
check "write length logged" "5" "$(sed -n 2p "$T/log" | cut -f8)"
check "a new file is marked creat" "creat" "$(sed -n 1p "$T/log" | cut -f8)"
check "data written" "hello" "$(cat "$S/a")"
probe "$PROBE" open="$S/a" close
check "an existing file is not marked creat" "-" "$(sed -n 1p "$T/log" | cut -f8)"

# 2. fail the Nth call, with the errno asked for
rm -f "$S/a"
probe env FI_FAIL=2 FI_ERRNO=ENOSPC "$PROBE" open="$S/a" write=hello fsync close
check "2nd call fails with ENOSPC" "write=hello -1 28" "$(echo "$out" | sed -n 2p)"
check "the failed write wrote nothing" "" "$(cat "$S/a")"
check "log flags the injection" "- FAIL - -" "$(logcol 7)"
probe env FI_FAIL=fsync:1 FI_ERRNO=EDQUOT "$PROBE" open="$S/a" write=x fsync fsync close
check "group spec: 1st fsync fails with EDQUOT" "fsync -1 122|fsync 0 0" \
	"$(echo "$out" | grep '^fsync' | paste -sd'|' -)"
probe env FI_FAIL=2- FI_ERRNO=EIO "$PROBE" open="$S/a" write=x write=y close
check "open-ended range" "0 -1 -1 -1" "$(logcol 5 | sed 's/^[0-9]*/0/')"
check "close fails but the fd is closed" "close -1 5" "$(echo "$out" | sed -n 4p)"
probe env FI_FAIL=3 "$PROBE" open="$S/a" close close
check "the fd really was closed (EBADF next)" "close -1 9" "$(echo "$out" | sed -n 3p)"

# 3. every group, and openat/rename/link/mkdir paths
rm -rf "$S"/*
probe "$PROBE" mkdir="$S/d" openat="$S/d=f" writev=abcdef fdatasync ftruncate=3 close \
	link="$S/d/f=$S/d/g" rename="$S/d/g=$S/d/h"
check "groups" "mkdir open open write fdatasync ftruncate close link rename" "$(logcol 3)"
check "openat name resolved through its dirfd" "$S/d/f" "$(sed -n 3p "$T/log" | cut -f9)"
check "link logs both names" "$S/d/f	$S/d/g" "$(sed -n 8p "$T/log" | cut -f9-10)"
check "ftruncate took effect" "abc" "$(cat "$S/d/h")"
probe "$PROBE" procopen="$S/d=p" write=x close
check "a /proc/self/fd/N/name path is resolved and counted" "open $S/d/p" \
	"$(sed -n 2p "$T/log" | cut -f3,9 | tr '\t' ' ')"
probe env FI_FAIL=link:1 FI_ERRNO=EIO "$PROBE" link="$S/d/h=$S/d/i"
check "link fails" "link=$S/d/h=$S/d/i -1 5" "$(echo "$out" | sed -n 1p)"
check "no new name after a failed link" "f h p" "$(ls "$S/d" | paste -sd' ' -)"
probe env FI_FAIL=1 FI_ERRNO=EDQUOT "$PROBE" mkdir="$S/e"
check "mkdir fails, nothing made" "no" "$([ -d "$S/e" ] && echo yes || echo no)"
probe env FI_FAIL=1 "$PROBE" rename="$T/out/b=$S/moved"
check "a rename into scope counts" "rename -1 5" "$(logcol 3) $(logcol 5) $(logcol 6)"

# 4. short writes and EINTR
rm -rf "$S"/*
probe env FI_FAIL=2 FI_ACTION=short "$PROBE" open="$S/a" write=abcdef writev=ghijkl close
check "short write returns half" "write=abcdef 3 0" "$(echo "$out" | sed -n 2p)"
check "short write flag" "SHORT" "$(sed -n 2p "$T/log" | cut -f7)"
probe env FI_FAIL=write:1 FI_ACTION=short "$PROBE" open="$S/b" writev=abcdef close
check "short writev writes half" "abc" "$(cat "$S/b")"
probe env FI_FAIL=write:1- FI_ACTION=torn FI_ERRNO=ENOSPC "$PROBE" open="$S/t" write=abcdef write=ghij ftruncate=0 close
check "torn: short, then ENOSPC; other groups untouched" "write=abcdef 3 0|write=ghij -1 28|ftruncate=0 0 0" \
	"$(echo "$out" | sed -n 2,4p | paste -sd'|' -)"
probe env FI_FAIL=2 FI_ACTION=eintr "$PROBE" open="$S/c" write=x close
check "eintr" "write=x -1 4" "$(echo "$out" | sed -n 2p)"

# 5. one sequence across fork and exec
rm -rf "$S"/*
probe "$PROBE" open="$S/a" write=1 fork write=2 exec open="$S/b" write=3 close
check "fork + exec: one sequence" "1 2 3 4 5 6" "$(logcol 1)"
check "the child's calls come from another pid" "2" "$(cut -f2 "$T/log" | sort -u | wc -l | tr -d ' ')"
probe env FI_FAIL=4 "$PROBE" open="$S/a" write=1 fork write=2 exec open="$S/b" write=3 close
check "a fault after exec hits the 4th call" "open=$S/b -1 5" "$(echo "$out" | grep "^open=$S/b")"

# 6. SIGKILL before and after a call; tree and self
rm -rf "$S"/*
probe env FI_FAIL=2 FI_ACTION=kill "$PROBE" open="$S/a" write=x close
check "kill: exit by SIGKILL" 137 "$rc"
check "kill before the call: nothing written" "" "$(cat "$S/a")"
check "kill logged" "KILL" "$(sed -n 2p "$T/log" | cut -f7)"
probe env FI_FAIL=2 FI_ACTION=killafter "$PROBE" open="$S/a" write=x close
check "killafter: exit by SIGKILL" 137 "$rc"
check "killafter: the call was made" "x" "$(cat "$S/a")"
probe env FI_FAIL=3 FI_ACTION=kill "$PROBE" open="$S/a" fork write=y close
check "kill in a child takes the parent too (FI_KILL=tree)" "137 no" \
	"$rc $(echo "$out" | grep -q 'child signal' && echo yes || echo no)"
probe env FI_FAIL=3 FI_ACTION=kill FI_KILL=self "$PROBE" open="$S/a" fork write=y close
check "FI_KILL=self: the parent sees the child die" "0 child signal 9" \
	"$rc $(echo "$out" | grep 'child')"

# 7. without any FI_ variable the shim does nothing
out=$(LD_PRELOAD="$SHIM" "$PROBE" open="$S/z" write=ok close 2>&1) && rc=0 || rc=$?
check "passive without FI_ variables" "0 ok" "$rc $(cat "$S/z")"

done_testing
