#!/bin/sh
# SPDX-License-Identifier: MIT
# run-fuzz.sh SRCDIR FUZZBUILD: what `make fuzz` runs.
#
# Configures FUZZBUILD (once) as a clang build with
# -fsanitize=fuzzer-no-link,address,undefined, links each target of
# $FUZZ_TARGETS with -fsanitize=fuzzer, and runs it for $FUZZ_SECONDS
# (default 60) over a scratch copy of t/fuzz/corpus/TARGET plus
# t/fuzz/regress/TARGET (read only: the repository's seeds are never
# modified).  Targets run $FUZZ_JOBS at a time (default: the number of
# CPUs).  Prints one line of figures per target and fails on any finding
# (crash, sanitizer report, leak, timeout, out of memory); the input
# that found it is kept in FUZZBUILD/fuzz-work/TARGET/artifacts/, to be
# added to t/fuzz/regress/TARGET/ once the bug is fixed.
set -u
src=$1
fb=$2
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-address message config texthash inline regexp pcre lmtp}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
cc=${FUZZ_CC:-clang}

command -v "$cc" >/dev/null 2>&1 || {
	echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
}
mkdir -p "$fb" || exit 1
if [ ! -f "$fb/Makefile" ]; then
	echo "fuzz: configuring $fb with $cc"
	(cd "$fb" && "$src/configure" -q CC="$cc" \
		CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all") ||
		{ echo "fuzz: configure failed (see $fb/config.log)" >&2; exit 1; }
fi
progs=""
for t in $targets; do progs="$progs t/fuzz/fuzz_$t"; done
echo "fuzz: building$progs"
make -C "$fb" -s -j"$jobs" FUZZ_ENGINE=-fsanitize=fuzzer $progs ||
	{ echo "fuzz: build failed" >&2; exit 1; }

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

# run_one TARGET: one fuzzing session; leaves work/TARGET/{log,rc}
run_one() {
	t=$1
	w=$fb/fuzz-work/$t
	rm -rf "$w"
	mkdir -p "$w/corpus" "$w/artifacts"
	if [ -d "$src/t/fuzz/corpus/$t" ]; then
		cp "$src/t/fuzz/corpus/$t"/* "$w/corpus/" 2>/dev/null
	fi
	mkdir -p "$w/regress"
	if [ -d "$src/t/fuzz/regress/$t" ]; then
		cp "$src/t/fuzz/regress/$t"/* "$w/regress/" 2>/dev/null
	fi
	(cd "$w" && "$fb/t/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=25 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$w/artifacts/" \
		"$w/corpus" "$w/regress" > "$w/log" 2>&1
	echo $? > "$w/rc")
}

set -- $targets
while [ $# -gt 0 ]; do
	n=0
	while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
		run_one "$1" &
		shift
		n=$((n + 1))
	done
	wait
done

fail=0
total=0
: > "$fb/fuzz-figures.txt"
for t in $targets; do
	w=$fb/fuzz-work/$t
	rc=$(cat "$w/rc" 2>/dev/null || echo 99)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+' "$w/log" | tail -1 | cut -d' ' -f2)
	seeds=$(ls "$src/t/fuzz/corpus/$t" 2>/dev/null | wc -l | tr -d ' ')
	corpus=$(ls "$w/corpus" | wc -l | tr -d ' ')
	runs=${runs:-0}
	total=$((total + runs))
	if [ "$rc" = 0 ] && [ "$seeds" -gt 0 ]; then
		res=ok
	else
		res="FINDING (exit $rc)"
		[ "$seeds" -gt 0 ] || res="NO SEEDS in t/fuzz/corpus/$t"
		fail=1
	fi
	line="fuzz: $t: $runs executions in ${secs}s, coverage ${cov:-?}, corpus $seeds seeds -> $corpus, $res"
	echo "$line" | tee -a "$fb/fuzz-figures.txt"
	if [ "$res" != ok ]; then
		grep -E 'ERROR|SUMMARY|runtime error|check failed|Test unit written' "$w/log" | head -20 | sed 's/^/    /'
		ls "$w/artifacts" | sed "s|^|    artifact: $w/artifacts/|"
	fi
done
echo "fuzz: $total executions in all" | tee -a "$fb/fuzz-figures.txt"
[ $fail = 0 ] && echo "fuzz: no findings" || echo "fuzz: FINDINGS (logs in $fb/fuzz-work/*/log)"
exit $fail
