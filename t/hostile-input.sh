#!/bin/sh
# SPDX-License-Identifier: MIT
# hostile-input: a table of hostile inputs (t/hostile.py, data in t/hostile/):
# message contents, envelope addresses, table results, uid/gid values,
# mailbox file types and owners, configuration files.  Each case has its
# exit status, status text and mailbox state; for all of them nothing
# outside the base changes, and as root nothing is written as root.
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
if [ "$(id -u)" = 0 ]; then
	ensure_user vdtest1
	VUID=$(id -u vdtest1); VGID=$(id -g vdtest1)
else
	VUID=$(id -u); VGID=$(id -g)
fi
python3 "$top_srcdir/t/hostile.py" --vdeliver "$VDELIVER" --scratch "$T" \
	--uid "$VUID" --gid "$VGID" --data "$top_srcdir/t/hostile" \
	${VD_FIGURES:+--figures "$VD_FIGURES"} > "$T/out" 2>&1
rc=$?
cat "$T/out"
check "hostile cases" 0 "$rc"
done_testing
