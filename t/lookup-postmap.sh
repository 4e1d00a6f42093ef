#!/bin/sh
# SPDX-License-Identifier: MIT
# lookup-postmap.sh - tables built by Debian's postmap are read by our
# code, tables built by dict_build() are read by postmap, with the same
# answers and the same bytes on disk (REFERENCE.md 4.2, 4.3, A.7).
# postmap runs with a private main.cf in $T/pf; /etc/postfix is never
# touched.
. "${top_srcdir:-.}/t/testlib.sh"

need_cmd postmap postfix
need_cmd db5.3_dump db5.3-util
need_cmd cdb tinycdb
Q=$top_builddir/t/check_lookup_query
[ -x "$Q" ] || skip_all "t/check_lookup_query not built (make check builds it)"

PF=$T/pf
mkdir "$PF"
printf 'compatibility_level = 3.6\nsmtputf8_enable = no\n' > "$PF/main.cf"
pm() { postmap -c "$PF" "$@"; }

# the source: folding, quoting, continuation, comments, a duplicate,
# white space, 8-bit bytes, a key ending in ':'
SRC=$T/src
cat > "$SRC" <<'EOF'
# virtual mailboxes
User@Example.COM  example.com/user/
other@example.com	other/mbox
multi   line1
  line2
"a b"@example.com quoted/
@example.com catchall/
k\ ey  escaped
crlf value
key value # not a comment
tab	 	 spaced   value   
user@example.com duplicate-ignored
Ünïcode@Example.com utf8/
alias: x
EOF
printf 'crlf2 v\r\n' >> "$SRC"

# query keys: as written, folded, upper case, and missing ones
KEYS=$T/keys
cat > "$KEYS" <<'EOF'
user@example.com
User@Example.COM
USER@EXAMPLE.COM
other@example.com
multi
"a b"@example.com
a b@example.com
@example.com
k\ ey
crlf
crlf2
key
tab
Ünïcode@example.com
Ünïcode@Example.com
alias:
nosuch@example.com

EOF

# dbdump FILE: the records of a .db, one "key<TAB>value" per line, sorted
dbdump() {
	db5.3_dump -p "$1" | sed -n '/^HEADER=END$/,/^DATA=END$/p' |
		sed '1d;$d' | paste - - | LC_ALL=C sort
}
suffix() { if [ "$1" = cdb ]; then echo cdb; else echo db; fi; }

for t in hash btree cdb; do
	s=$(suffix $t)
	# postmap builds, we read
	cp "$SRC" "$T/pm_$t"
	pm "$t:$T/pm_$t" 2>/dev/null
	check "$t: postmap built the table" 0 $?
	pm -q - "$t:$T/pm_$t" < "$KEYS" > "$T/want_$t" 2>/dev/null
	"$Q" -F -q - "$t:$T/pm_$t" < "$KEYS" > "$T/got_$t" 2>"$T/err_$t"
	check_file "$t: our lookups in postmap's table" "$T/want_$t" "$T/got_$t"
	check "$t: no messages reading postmap's table" "" "$(cat "$T/err_$t")"
	check_match "$t: the answers are not empty" "example.com/user/" \
		"$(cat "$T/got_$t")"
	# without -F the query is taken as given: upper case misses
	"$Q" -q USER@EXAMPLE.COM "$t:$T/pm_$t" >/dev/null 2>&1
	check "$t: unfolded query of an upper-case key misses" 1 $?
	"$Q" -q user@example.com "$t:$T/pm_$t" > "$T/one" 2>&1
	check "$t: folded key found" "example.com/user/" "$(cat "$T/one")"

	# we build, postmap reads
	"$Q" -b "$t:$T/our_$t" "$SRC" 2>"$T/build_err_$t"
	check "$t: dict_build" 0 $?
	check_match "$t: duplicate warned with file:line" \
		"src:12: duplicate entry: \"user@example.com\"" \
		"$(cat "$T/build_err_$t")"
	pm -q - "$t:$T/our_$t" < "$KEYS" > "$T/got2_$t" 2>"$T/err2_$t"
	check_file "$t: postmap lookups in our table" "$T/want_$t" "$T/got2_$t"
	check "$t: postmap has nothing to say about our table" "" \
		"$(cat "$T/err2_$t")"

	# the same bytes on disk
	if [ $t = cdb ]; then
		cdb -d "$T/pm_$t.cdb" > "$T/dump_pm_$t"
		cdb -d "$T/our_$t.cdb" > "$T/dump_our_$t"
	else
		dbdump "$T/pm_$t.db" > "$T/dump_pm_$t"
		dbdump "$T/our_$t.db" > "$T/dump_our_$t"
	fi
	check_file "$t: same records as postmap's" "$T/dump_pm_$t" "$T/dump_our_$t"
	[ "$(wc -l < "$T/dump_our_$t")" -ge 12 ]
	check "$t: dump has the records" 0 $?

	# sequence: postmap -s of our table, our -s of postmap's (db only;
	# postmap 3.7 cannot list cdb)
	"$Q" -s "$t:$T/pm_$t" | LC_ALL=C sort > "$T/seq_our_$t"
	check "$t: our sequence of postmap's table" 0 $?
	if [ $t != cdb ]; then
		pm -s "$t:$T/our_$t" | LC_ALL=C sort > "$T/seq_pm_$t"
		check_file "$t: postmap -s of our table = our -s of postmap's" \
			"$T/seq_pm_$t" "$T/seq_our_$t"
	else
		cdb -l "$T/our_$t.cdb" | grep -c . > "$T/n_cdb"
		check "$t: sequence count" "$(cat "$T/n_cdb")" \
			"$(wc -l < "$T/seq_our_$t" | tr -d ' ')"
	fi
	# no temporary file left behind
	check "$t: no temporary files" "" "$(ls "$T" | grep '\.tmp' || true)"
done

# REFERENCE A.7: the exact key and value bytes
printf 'User@Example.COM  example.com/user/\n' > "$T/a7"
"$Q" -b "hash:$T/a7" "$T/a7" && dbdump "$T/a7.db" > "$T/a7.dump"
check "A.7 hash: key 17 bytes, value 18 bytes" \
	"$(printf 'user@example.com\\00\texample.com/user/\\00')" \
	"$(sed 's/^ //; s/\t /\t/' "$T/a7.dump")"
"$Q" -b "cdb:$T/a7" "$T/a7" && cdb -d "$T/a7.cdb" > "$T/a7.cdump"
check "A.7 cdb: key 16 bytes, value 17 bytes" \
	"+16,17:user@example.com->example.com/user/" "$(head -1 "$T/a7.cdump")"

# postmap's options, byte for byte: -f -N -n -r -w
for t in hash cdb; do
	s=$(suffix $t)
	for opt in -f -N -n -r -w; do
		case $opt in -f) qo=-f ;; -N) qo=-N ;; -n) qo=-n ;; -r) qo=-r ;; -w) qo=-w ;; esac
		cp "$SRC" "$T/opt_pm"
		pm $opt "$t:$T/opt_pm" 2>/dev/null
		"$Q" -b $qo "$t:$T/opt_our" "$SRC" 2>/dev/null
		if [ $t = cdb ]; then
			cdb -d "$T/opt_pm.cdb" > "$T/od_pm"
			cdb -d "$T/opt_our.cdb" > "$T/od_our"
		else
			dbdump "$T/opt_pm.db" > "$T/od_pm"
			dbdump "$T/opt_our.db" > "$T/od_our"
		fi
		check_file "$t $opt: same records as postmap $opt" "$T/od_pm" "$T/od_our"
	done
done

# texthash, inline, static: postmap -q and our folded queries agree
grep -v '^user@example.com duplicate' "$SRC" > "$T/th"
pm -q - "texthash:$T/th" < "$KEYS" > "$T/th_want" 2>/dev/null
"$Q" -F -q - "texthash:$T/th" < "$KEYS" > "$T/th_got" 2>/dev/null
check_file "texthash: same answers as postmap" "$T/th_want" "$T/th_got"
for spec in 'inline:{a=1, B=2, { c = three words }}' 'static:{ any value }'; do
	printf 'a\nb\nB\nc\nzz\n' > "$T/ik"
	pm -q - "$spec" < "$T/ik" > "$T/i_want" 2>/dev/null
	"$Q" -F -q - "$spec" < "$T/ik" > "$T/i_got" 2>&1
	check_file "$spec: same answers as postmap" "$T/i_want" "$T/i_got"
done

# a table postmap is rebuilding in place holds an exclusive lock; a
# lookup waits for it and then answers (here the lock is ours, released
# at once by the holder that took it)
if command -v flock >/dev/null 2>&1; then
	cp "$SRC" "$T/lk"
	pm "hash:$T/lk"
	flock -x "$T/lk.db" -c "sleep 1" &
	sleep 0.2
	out=$("$Q" -F -q user@example.com "hash:$T/lk" 2>&1)
	wait
	check "hash: lookup after an exclusive lock is released" \
		"example.com/user/" "$out"
fi

done_testing
