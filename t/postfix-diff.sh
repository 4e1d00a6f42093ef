#!/bin/sh
# SPDX-License-Identifier: MIT
# postfix-diff: the differential corpus (t/diff/cases) runs through one
# Postfix configuration once per mode: virtual(8) itself, then vdeliver
# behind pipe(8), LMTP under spawn(8) and a root LMTP listener.  The
# mailbox trees must be identical byte for byte (after normalising dates,
# queue ids and maildir names), with the same modes and owners, and every
# recipient must get the same dsn= and status=.  t/diff/diffrun.py does
# the per-case work; this script drives Postfix (t/postfix-lib.sh).
#
# VD_DIFF_MODES="virtual pipe" limits the modes (virtual must come first);
# VD_DIFF_CASES=DIR runs another corpus; VD_DIFF_KEEP=DIR keeps the
# trees, logs and results there.
. "${top_srcdir:-.}/t/testlib.sh"
. "$top_srcdir/t/postfix-lib.sh"

CASES=${VD_DIFF_CASES:-$top_srcdir/t/diff/cases}
RUN="$PF_PYTHON $top_srcdir/t/diff/diffrun.py"
W=$T/diff
export PF_ETC PF_BASE PF_TABLES PF

MODES=${VD_DIFF_MODES:-virtual pipe lmtp-spawn lmtp-listen}
case " $MODES " in
*" lmtp-"*)
	pf_main_cf </dev/null
	if ! pf_lmtp_greets; then
		fail "vdeliver --lmtp greets with 220 (modes lmtp-spawn and lmtp-listen not run)"
		MODES=$(echo "$MODES" | sed 's/lmtp-[a-z]*//g')
	fi ;;
esac

pf_main_cf </dev/null
groups=$($RUN plan "$CASES" "$W") || { fail "diffrun plan"; done_testing; }
for g in $groups; do
	for m in $MODES; do
		t0=$(date +%s)
		$RUN prepare "$W" "$g" "$m" || { fail "prepare $g $m"; continue; }
		{ cat "$W/$g/main.cf"; pf_mode_lines "$m"; } | pf_main_cf
		[ "$m" = lmtp-listen ] && pf_listener_start "$W/listener.out"
		pf_clear
		pf_start
		pf_mark
		n=$($RUN submit "$W" "$g") || { fail "submit $g $m"; pf_stop; continue; }
		pf_wait_log "$n" 'postfix/pickup\[[0-9]+\]: [0-9A-F]+: uid='
		pf_wait_queue
		pf_stop
		pf_listener_stop
		pf_log > "$W/$g/$m.log"
		mv "$PF_BASE" "$W/$g/$m.tree"
		mkdir "$PF_BASE"; chmod 755 "$PF_BASE"
		echo "# group $g, mode $m: $(($(date +%s) - t0))s"
	done
done

$RUN compare "$W" $MODES > "$W/result" 2>&1 && rc=0 || rc=$?
cat "$W/result"
n_pass=$((n_pass + $(grep -c '^ok - ' "$W/result" || true)))
n_fail=$((n_fail + $(grep -c '^FAIL - ' "$W/result" || true)))
check "diffrun compare exit status" 0 "$rc"
if [ -n "${VD_DIFF_KEEP:-}" ]; then
	rm -rf "$VD_DIFF_KEEP" && cp -a "$W" "$VD_DIFF_KEEP"
fi
done_testing
