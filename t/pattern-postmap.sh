#!/bin/sh
# SPDX-License-Identifier: MIT
# pattern-postmap.sh - regexp: and pcre: tables against Debian's postmap.
#
# For each table in t/data/pattern and each key in keys.txt, `postmap -q -`
# (Postfix 3.7, a private config directory) and t/pattern-query (our
# dict_regexp_open/dict_pcre_open with DICT_FLAG_ALLOW_REGSUB) must print
# the same bytes.  The warnings must name the same lines with the same
# words once Postfix's "TYPE map FILE, line N: " is written "FILE:N: "
# (Postfix's mac_parse() warnings carry no line; ours do, so they are
# compared without it).  smtputf8_enable = no: the UTF-8 key check is a
# layer above the table types (see the report of the pattern branch).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/t/testlib.sh"

need_cmd postmap postfix
QUERY=$top_builddir/t/pattern-query
[ -x "$QUERY" ] || skip_all "t/pattern-query is not built"
# A private Postfix configuration: never /etc/postfix.
mkdir "$T/pf"
cat >"$T/pf/main.cf" <<'CF'
compatibility_level = 3.6
smtputf8_enable = no
CF
: >"$T/pf/master.cf"
postconf -c "$T/pf" -m 2>/dev/null | grep -qx pcre ||
	skip_all "needs postfix-pcre"

D=$top_srcdir/t/data/pattern
KEYS=$D/keys.txt
n_keys=$(wc -l <"$KEYS")

# norm_postfix, norm_ours: warnings as "FILE:LINE: text", one a line
norm_postfix() {
	sed -n -E \
	    -e 's/^postmap: warning: (regexp|pcre) map ([^,]*), line ([0-9]+): /\2:\3: /p' \
	    -e 's/^postmap: warning: ((truncated macro reference|empty macro name).*)/\1/p'
}
norm_ours() {
	sed -n -E \
	    -e 's/^pattern-query: warning: [^ ]*:[0-9]+: ((truncated macro reference|empty macro name).*)/\1/p' \
	    -e 's/^pattern-query: warning: (regexp|pcre) map ([^,]*), line ([0-9]+): /\2:\3: /p' \
	    -e 's/^pattern-query: warning: //p'
}

# Copy the tables so that both programs name them the same way.
cd "$T" || exit 1
for t in common broken regexp pcre odd; do
	cp "$D/$t.tbl" "$t.tbl"
done

for spec in regexp:common.tbl pcre:common.tbl regexp:broken.tbl \
    pcre:broken.tbl regexp:regexp.tbl pcre:pcre.tbl regexp:odd.tbl \
    pcre:odd.tbl; do
	f=$(echo "$spec" | tr ':/' '__')
	postmap -c "$T/pf" -q - "$spec" <"$KEYS" >"$f.want" 2>"$f.wlog"
	rc=$?
	check "$spec: postmap exit" 0 "$rc"
	"$QUERY" -q - "$spec" <"$KEYS" >"$f.got" 2>"$f.glog"
	rc=$?
	check "$spec: pattern-query exit" 0 "$rc"
	check_file "$spec: values for $n_keys keys" "$f.want" "$f.got"
	norm_postfix <"$f.wlog" >"$f.wwarn"
	norm_ours <"$f.glog" >"$f.gwarn"
	check_file "$spec: warnings" "$f.wwarn" "$f.gwarn"
	# the tables must exercise something: values found, warnings given
	check_match "$spec: some keys found" '^[1-9]' "$(wc -l <"$f.want")"
done
check_match "broken table warns" '^[1-9][0-9]' "$(wc -l <regexp_broken.tbl.wwarn)"

# One key at a time: the value, a newline, exit 0; not found: exit 1.
for spec in regexp:common.tbl pcre:common.tbl; do
	for key in user+ext@example.com nosuch@ empty@group.test; do
		want=$(postmap -c "$T/pf" -q "$key" "$spec" 2>/dev/null)
		wrc=$?
		got=$("$QUERY" -q "$key" "$spec" 2>/dev/null)
		grc=$?
		check "$spec -q $key" "$wrc [$want]" "$grc [$got]"
	done
done

# Inline tables (Postfix 3.7).
for type in regexp pcre; do
	spec="$type:{ {/^(a)b\$/ [\$1]}, {if /^c/}, {/./ C}, {endif} }"
	for key in ab cx d; do
		want=$(postmap -c "$T/pf" -q "$key" "$spec" 2>/dev/null)
		wrc=$?
		got=$("$QUERY" -q "$key" "$spec" 2>/dev/null)
		grc=$?
		check "$type inline -q $key" "$wrc [$want]" "$grc [$got]"
	done
done

done_testing
