# SPDX-License-Identifier: MIT
# vmap.sh - vmap against the real postmap: builds, queries, listings,
# exit codes, atomic replacement, case folding, NUL conventions, quoted
# keys, duplicates.  postmap runs with a private configuration directory
# ($T/pf), never /etc/postfix.
. "${top_srcdir:-.}/t/testlib.sh"

need_cmd postmap postfix
need_cmd db5.3_dump db5.3-util
need_cmd cdb tinycdb

mkdir -p "$T/pf"
echo "compatibility_level = 3.6" > "$T/pf/main.cf"
: > "$T/vd.cf"
pm() { postmap -c "$T/pf" "$@"; }
vm() { "$VMAP" -c "$T/vd.cf" "$@"; }
# run CMD...: $rc, $out (stdout), $err (stderr)
run() {
	"$@" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
# db_keys FILE.db: "key|value" per entry, NUL shown as \00, sorted
db_keys() {
	db5.3_dump -p "$1" | sed -n '/^HEADER=END$/,/^DATA=END$/p' |
		sed '1d;$d' | sed 's/^ //' | paste -d'|' - - | sort
}
# cdb_keys FILE.cdb: "+klen,dlen:key->value" per entry, sorted
cdb_keys() { cdb -d "$1" | sed '/^$/d' | sort; }

cat > "$T/src" <<'EOF'
# virtual mailboxes
User@Example.COM  example.com/user/
info@example.com	example.com/info/
@example.org      example.org/catchall/
"a b"@example.com quoted/
multi@example.com first
  second
EOF

for type in hash btree cdb; do
	# --- built by vmap, read by vmap and postmap
	cp "$T/src" "$T/v-$type"
	run vm "$type:$T/v-$type"
	check "$type: vmap build exit" 0 "$rc"
	check "$type: vmap build quiet" "" "$err"
	run vm -q user@example.com "$type:$T/v-$type"
	check "$type: vmap -q" "0 example.com/user/" "$rc $out"
	run vm -q USER@EXAMPLE.COM "$type:$T/v-$type"
	check "$type: vmap -q folds" "0 example.com/user/" "$rc $out"
	run vm -f -q USER@EXAMPLE.COM "$type:$T/v-$type"
	check "$type: vmap -f -q does not fold" "1 " "$rc $out"
	run vm -q '"a b"@example.com' "$type:$T/v-$type"
	check "$type: quoted key" "0 quoted/" "$rc $out"
	run vm -q multi@example.com "$type:$T/v-$type"
	check "$type: continuation line" "0 first  second" "$rc $out"
	run vm -q nobody@example.com "$type:$T/v-$type"
	check "$type: not found" "1 " "$rc $out"
	for k in user@example.com @example.org '"a b"@example.com' nobody@x; do
		want=$(pm -q "$k" "$type:$T/v-$type" 2>&1; echo "rc=$?")
		got=$(vm -q "$k" "$type:$T/v-$type" 2>&1; echo "rc=$?")
		check "$type: postmap -q $k on vmap's table" "$want" "$got"
	done
	# -q -: same bytes and exit status as postmap
	printf 'User@Example.COM\nnobody@x\n"a b"@example.com\n\n@example.org\n' >"$T/keys"
	pm -q - "$type:$T/v-$type" <"$T/keys" >"$T/pm-q" 2>&1; prc=$?
	vm -q - "$type:$T/v-$type" <"$T/keys" >"$T/vm-q" 2>&1; vrc=$?
	check_file "$type: -q - output as postmap" "$T/pm-q" "$T/vm-q"
	check "$type: -q - exit as postmap" "$prc" "$vrc"
	printf 'nobody@x\nnone@y\n' | vm -q - "$type:$T/v-$type" >/dev/null 2>&1
	check "$type: -q - none found" 1 "$?"

	# --- built by postmap, read by vmap
	cp "$T/src" "$T/p-$type"
	pm "$type:$T/p-$type"
	for k in user@example.com USER@example.com info@example.com \
	    @example.org '"a b"@example.com' multi@example.com nobody@x; do
		want=$(pm -q "$k" "$type:$T/p-$type" 2>&1; echo "rc=$?")
		got=$(vm -q "$k" "$type:$T/p-$type" 2>&1; echo "rc=$?")
		check "$type: vmap -q $k on postmap's table" "$want" "$got"
	done
done

# --- the bytes: same files, key for key (hash/btree keys and values
# with NUL, cdb without), as postmap writes them
for type in hash btree; do
	db_keys "$T/v-$type.db" >"$T/vk"
	db_keys "$T/p-$type.db" >"$T/pk"
	check_file "$type: same entries as postmap's" "$T/pk" "$T/vk"
	check "$type: key stored folded with NUL" 1 \
	    "$(grep -c '^user@example\.com\\00|example\.com/user/\\00$' "$T/vk")"
done
cdb_keys "$T/v-cdb.cdb" >"$T/vk"
cdb_keys "$T/p-cdb.cdb" >"$T/pk"
check_file "cdb: same entries as postmap's" "$T/pk" "$T/vk"
check "cdb: key stored folded without NUL" 1 \
    "$(grep -c '^+16,17:user@example\.com->example\.com/user/$' "$T/vk")"

# --- NUL conventions: -N and -n, and lookups of either form
cp "$T/src" "$T/n1"
vm -n hash:"$T/n1"
check "hash -n: no NUL" 1 "$(db_keys "$T/n1.db" | grep -c '^user@example\.com|example\.com/user/$')"
check "hash -n: postmap finds it" "example.com/user/" "$(pm -q user@example.com hash:"$T/n1")"
check "hash -n: vmap finds it" "example.com/user/" "$(vm -q user@example.com hash:"$T/n1")"
vm -N cdb:"$T/n1"
check "cdb -N: with NUL" 1 "$(cdb_keys "$T/n1.cdb" | grep -a -c '^+17,18:user@example\.com')"
check "cdb -N: postmap finds it" "example.com/user/" "$(pm -q user@example.com cdb:"$T/n1")"
check "cdb -N: vmap finds it" "example.com/user/" "$(vm -q user@example.com cdb:"$T/n1")"
pm -n hash:"$T/n1"
check "postmap -n: vmap finds it" "example.com/user/" "$(vm -q user@example.com hash:"$T/n1")"

# --- -f: case kept when building, as postmap -f
cp "$T/src" "$T/f1"
vm -f hash:"$T/f1"
cp "$T/src" "$T/f2"
pm -f hash:"$T/f2"
db_keys "$T/f1.db" >"$T/vk"; db_keys "$T/f2.db" >"$T/pk"
check_file "-f: same entries as postmap -f" "$T/pk" "$T/vk"
check "-f: key as written" 1 "$(grep -c '^User@Example\.COM\\00|' "$T/vk")"
check "-f -q exact case" "example.com/user/" "$(vm -f -q User@Example.COM hash:"$T/f1")"
run vm -q user@example.com hash:"$T/f1"
check "-f table, folded query misses" 1 "$rc"

# --- -s: the same listing as postmap -s (sorted)
for type in hash btree; do
	for who in v p; do
		vm -s "$type:$T/$who-$type" | sort >"$T/vs"
		pm -s "$type:$T/$who-$type" | sort >"$T/ps"
		check_file "$type: -s as postmap on $who's table" "$T/ps" "$T/vs"
	done
done
# postmap 3.7 cannot list cdb; compare with the cdb tool instead
vm -s cdb:"$T/v-cdb" | sort >"$T/vs"
tab=$(printf '\t')
cdb -d "$T/v-cdb.cdb" | sed "/^\$/d; s/^+[0-9]*,[0-9]*://; s/->/$tab/" | sort >"$T/cs"
check_file "cdb: -s lists every entry" "$T/cs" "$T/vs"
check "-s: 5 entries" 5 "$(wc -l <"$T/vs" | tr -d ' ')"
run vm -s static:x
check "-s on static: usage" 64 "$rc"
check_match "-s on static: message" '^vmap: static:x: ' "$err"

# --- duplicates: first wins with a warning, -r, -w; as postmap
printf 'k one\nK two\nk three\n' >"$T/dup"
run vm hash:"$T/dup"
check "dup: exit" 0 "$rc"
check_match "dup: warning" 'duplicate entry: "k"' "$err"
check "dup: first wins" one "$(vm -q k hash:"$T/dup")"
run vm -w hash:"$T/dup"
check "dup -w: quiet" "0 " "$rc $err"
check "dup -w: first wins" one "$(vm -q k hash:"$T/dup")"
run vm -r hash:"$T/dup"
check "dup -r: last wins" "0 three" "$rc $(vm -q k hash:"$T/dup")"
for opt in "" -r -w; do
	cp "$T/dup" "$T/dupp"
	pm $opt hash:"$T/dupp" 2>/dev/null
	vm $opt hash:"$T/dup" 2>/dev/null
	check "dup $opt: same value as postmap" "$(pm -q k hash:"$T/dupp")" \
	    "$(vm -q k hash:"$T/dup")"
done

# --- hostile source lines: what postmap keeps, vmap keeps.  postmap with
# SMTPUTF8 enabled (compatibility_level >= 1) also drops non-UTF-8 lines;
# vmap does not (yet), so compare with postmap at level 0, vdeliver's
# default.
mkdir -p "$T/pf0"
echo "compatibility_level = 0" >"$T/pf0/main.cf"
printf 'a\000b x\nok1 v1\n\001\377key \033val\nonlykey\n"unbalanced v\nok2 \377\n' >"$T/junk"
cp "$T/junk" "$T/junkp"
run vm hash:"$T/junk"
check "junk: exit" 0 "$rc"
check_match "junk: NUL warning" 'junk:1: text after null byte' "$err"
postmap -c "$T/pf0" hash:"$T/junkp" 2>/dev/null
vm -s hash:"$T/junk" | sort >"$T/vs"
postmap -c "$T/pf0" -s hash:"$T/junkp" | sort >"$T/ps"
check_file "junk: same entries as postmap" "$T/ps" "$T/vs"
check "junk: 3 entries" 3 "$(wc -l <"$T/vs" | tr -d ' ')"
check "junk: good lines kept" v1 "$(vm -q ok1 hash:"$T/junk")"

# --- exit codes
run vm
check "usage: no file" 64 "$rc"
check_match "usage: synopsis" '^usage: vmap' "$err"
run vm -q k
check "usage: -q without table" 64 "$rc"
run vm -N -n hash:"$T/src"
check "usage: -N -n" 64 "$rc"
run vm -r -w hash:"$T/src"
check "usage: -r -w" 64 "$rc"
run vm -q k -s hash:"$T/src"
check "usage: -q -s" 64 "$rc"
run vm -Z hash:"$T/src"
check "usage: bad option" 64 "$rc"
run vm regexp:"$T/src"
check "usage: type that cannot be built" 64 "$rc"
run vm nosuch:"$T/src"
check "usage: unknown type" 64 "$rc"
run vm -q k hash:"$T/nonexistent"
check "-q: missing table" 75 "$rc"
check_match "-q: missing table message" "^vmap: hash:$T/nonexistent: " "$err"
head -c 8192 /dev/urandom >"$T/corrupt.db"
run vm -q k hash:"$T/corrupt"
check "-q: corrupt table" 75 "$rc"
run vm -q k nosuch:x
check "-q: unknown type" 75 "$rc"
run vm hash:"$T/nonexistent"
check "build: missing source" 75 "$rc"
check_match "build: missing source message" "^vmap: open $T/nonexistent: No such file" "$err"
run "$VMAP" -c "$T/nonexistent.cf" -q k hash:"$T/v-hash"
check "missing -c file" 75 "$rc"
run vm -h
check "-h exit" 0 "$rc"
check_match "-h lists types" '^table types: .*hash.*cdb' "$out"
if [ -w /dev/full ]; then
	vm -s hash:"$T/v-hash" >/dev/full 2>/dev/null
	check "-s to a full disk" 75 "$?"
fi
# first table with the key wins; an error in a later one is not reached
check "-q: several tables" "example.com/user/" \
    "$(vm -q user@example.com hash:"$T/v-hash" fail:x)"
run vm -q nobody@x hash:"$T/v-hash" fail:x
check "-q: error in a later table" 75 "$rc"
# default_database_type from the configuration
echo "default_database_type = cdb" >"$T/cdb.cf"
cp "$T/src" "$T/dflt"
"$VMAP" -c "$T/cdb.cf" "$T/dflt"
check "default_database_type: cdb built" yes "$([ -f "$T/dflt.cdb" ] && [ ! -f "$T/dflt.db" ] && echo yes)"
check "default_database_type: -q" "example.com/user/" \
    "$("$VMAP" -c "$T/cdb.cf" -q user@example.com "$T/dflt")"
vm "$T/dflt"
check "no type: hash" "example.com/user/" "$(pm -q user@example.com hash:"$T/dflt")"

# --- atomicity: a failed build leaves the old table, and no temp files
mkdir "$T/at"
printf 'k old\n' >"$T/at/t"
vm hash:"$T/at/t"; vm cdb:"$T/at/t"
ls "$T/at" >"$T/at.ls"
# an unreadable source (a directory: read fails, even for root)
rm "$T/at/t"; mkdir "$T/at/t"
for type in hash cdb; do
	run vm "$type:$T/at/t"
	check "$type: unreadable source fails" 75 "$rc"
	check "$type: old table after a failed read" old "$(vm -q k "$type:$T/at/t")"
done
rmdir "$T/at/t"; printf 'k old\n' >"$T/at/t"
check "no temporary files left" "$(cat "$T/at.ls")" "$(ls "$T/at")"
# a directory the builder cannot write (as root: run as nobody)
printf 'k new\n' >"$T/at/t"
chmod 755 "$T/at"; chmod 644 "$T/at/t" "$T/at/t.db" "$T/at/t.cdb"
if [ "$(id -u)" = 0 ]; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	chmod 755 "$T"
else
	as_nobody() { "$@"; }
	chmod 555 "$T/at"
fi
for type in hash cdb; do
	as_nobody "$VMAP" -c "$T/vd.cf" "$type:$T/at/t" >/dev/null 2>"$T/err"
	check "$type: read-only directory fails" 75 "$?"
	check_match "$type: read-only directory message" "^vmap: " "$(cat "$T/err")"
	check "$type: old table in a read-only directory" old "$(vm -q k "$type:$T/at/t")"
done
chmod 755 "$T/at"
check "no temporary files left (read-only)" "$(cat "$T/at.ls")" "$(ls "$T/at")"
# a build killed half way (the source is a pipe that stops) changes nothing
rm "$T/at/t"; mkfifo "$T/at/t"
for type in hash cdb; do
	# read-write open: never blocks, whatever vmap does
	exec 3<>"$T/at/t"
	vm "$type:$T/at/t" >/dev/null 2>&1 &
	pid=$!
	i=0; while [ $i -lt 2000 ]; do echo "key$i value$i"; i=$((i + 1)); done >&3
	sleep 0.2
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	exec 3>&-
	check "$type: old table after a killed build" old "$(vm -q k "$type:$T/at/t")"
	check "$type: killed build: new keys absent" 1 \
	    "$(vm -q key1 "$type:$T/at/t" >/dev/null 2>&1; echo $?)"
done
rm "$T/at/t"; printf 'k new\n' >"$T/at/t"
# and the next build works, over whatever the killed one left
vm hash:"$T/at/t" && vm cdb:"$T/at/t"
check "rebuild after a kill" "new new" "$(vm -q k hash:"$T/at/t") $(vm -q k cdb:"$T/at/t")"

done_testing
