#!/bin/sh
# SPDX-License-Identifier: MIT
# man-lint: the manual pages render and mandoc finds no warning or error
# in them (style remarks aside), and every parameter vdeliver reads is
# documented in vdeliver.cf(5).
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd mandoc

for m in vdeliver.8 vmap.1 vdeliver.cf.5; do
	page=$top_srcdir/man/$m
	lint=$(mandoc -Tlint -W warning "$page" 2>&1) && rc=0 || rc=$?
	check "$m: mandoc -Tlint -W warning" "0 []" "$rc [$lint]"
	check_match "$m: renders" "NAME" "$(mandoc -Thtml "$page" 2>/dev/null)"
done

# the typed parameters of src/config.c, each with an entry in vdeliver.cf.5
params=$(sed -n 's/^[[:space:]]*CF_\(STR\|BOOL\|INT\|LONG\|SIZE\|TIME\)(\([a-z_0-9]*\),.*/\2/p' "$top_srcdir/src/config.c")
[ -n "$params" ] && pass "parameters found in src/config.c" || fail "no parameters found in src/config.c"
missing=""
for p in $params; do
	# an entry heading: ".B name", or ".BR a ", " b" for two at once
	grep -Eq "^\.BR? (.* )?$p( |\$)" "$top_srcdir/man/vdeliver.cf.5" || missing="$missing $p"
done
check "every parameter is in vdeliver.cf.5" "" "$missing"

done_testing
