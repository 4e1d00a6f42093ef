#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz-replay: every fuzz target over its seed corpus and its regression
# inputs (findings of make fuzz), built with the project's compiler (and
# sanitizers, in the ASan build).  A crash or failed check fails the test.
. "${top_srcdir:-.}/t/testlib.sh"

for t in address message config texthash inline regexp pcre lmtp; do
	bin=$top_builddir/t/fuzz/replay_$t
	[ -x "$bin" ] || { fail "$t: no $bin"; continue; }
	seeds=$(ls "$top_srcdir/t/fuzz/corpus/$t" 2>/dev/null | wc -l | tr -d ' ')
	[ "$seeds" -gt 0 ] || fail "$t: no seeds in t/fuzz/corpus/$t"
	mkdir -p "$T/empty"
	reg=$top_srcdir/t/fuzz/regress/$t
	[ -d "$reg" ] || reg=$T/empty
	out=$("$bin" "$top_srcdir/t/fuzz/corpus/$t" "$reg" 2>&1) && rc=0 || rc=$?
	nreg=$(ls "$reg" | wc -l | tr -d ' ')
	check "$t: $seeds seeds and $nreg regression inputs replayed" "0 replay: $((seeds + nreg)) inputs" "$rc $(echo "$out" | tail -1)"
	[ "$rc" = 0 ] || echo "$out" | tail -30 | sed 's/^/    /'
done

done_testing
