#!/bin/sh
# SPDX-License-Identifier: MIT
# vmap-bench.sh - vmap against postmap on one large table.
#
# usage: contrib/bench/vmap-bench.sh [VMAP] [ENTRIES] [RUNS]
#
# Generates ENTRIES (default 1000000) lines "userN@domainM.example
# domainM.example/userN/", builds hash and cdb tables from the same input
# with vmap and with postmap (a private Postfix configuration directory,
# never /etc/postfix), then runs a one-key query as a whole process RUNS
# times (default 50) with each program and prints the median of each and
# the ratio vmap/postmap.  Not part of `make check`: it takes minutes and
# the numbers depend on the machine.
set -eu
VMAP=${1:-./vmap}
N=${2:-1000000}
RUNS=${3:-50}
command -v postmap >/dev/null || { echo "needs postmap (apt-get install postfix)" >&2; exit 77; }
[ -x "$VMAP" ] || { echo "no vmap at $VMAP" >&2; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/vmap-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir "$W/pf"
echo "compatibility_level = 3.6" >"$W/pf/main.cf"
# Postfix waits while main.cf is younger than a second: age it.
touch -d '1 minute ago' "$W/pf/main.cf"
: >"$W/vd.cf"

# now_ns: nanoseconds (GNU date)
now_ns() { date +%s%N; }
# elapsed CMD...: run once, print the wall time in microseconds
elapsed() {
	t0=$(now_ns)
	"$@" >/dev/null
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}
# median_us CMD...: the median of RUNS whole-process runs, microseconds
median_us() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		elapsed "$@"
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "generating $N entries"
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "user%d@domain%d.example domain%d.example/user%d/\n", i, i % 1000, i % 1000, i }' >"$W/src"
key="user$((N / 2))@domain$((N / 2 % 1000)).example"

printf '%-6s %-8s %12s %12s %8s\n' type what vmap postmap ratio
for type in hash cdb; do
	cp "$W/src" "$W/v-$type"
	cp "$W/src" "$W/p-$type"
	bv=$(elapsed "$VMAP" -c "$W/vd.cf" "$type:$W/v-$type")
	bp=$(elapsed postmap -c "$W/pf" "$type:$W/p-$type")
	printf '%-6s %-8s %10dms %10dms %8s\n' "$type" build $((bv / 1000)) \
	    $((bp / 1000)) "$(ratio "$bv" "$bp")"
	want=$(postmap -c "$W/pf" -q "$key" "$type:$W/p-$type")
	got=$("$VMAP" -c "$W/vd.cf" -q "$key" "$type:$W/v-$type")
	[ "$want" = "$got" ] || { echo "$type: vmap -q gave [$got], postmap [$want]" >&2; exit 1; }
	qv=$(median_us "$VMAP" -c "$W/vd.cf" -q "$key" "$type:$W/v-$type")
	qp=$(median_us postmap -c "$W/pf" -q "$key" "$type:$W/p-$type")
	printf '%-6s %-8s %10dus %10dus %8s\n' "$type" query $qv $qp "$(ratio "$qv" "$qp")"
done
