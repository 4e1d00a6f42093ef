#!/bin/sh
# SPDX-License-Identifier: MIT
# deliver-interop: Python's mailbox module reads what deliver() wrote
# (mbox and maildir), message for message, byte for byte.
. "${top_srcdir:-.}/t/testlib.sh"
need_cmd python3
TOOL=$top_builddir/t/deliver-tool
B=$T/base
mkdir -p "$B"

printf 'Subject: one\n\nFrom the start\n>From quoted\nfrom lower\n' > "$T/m1"
printf 'Subject: two\r\n\r\nno final newline' > "$T/m2"
printf 'From: x@y\nSubject: three\n\n' > "$T/m3"
for i in 1 2 3; do
	out=$("$TOOL" "$B" box "s$i@example.org" "o$i@example.com" "r$i@example.com" < "$T/m$i")
	check "mbox delivery $i" "2.0.0 delivered to mailbox" "$out"
	out=$("$TOOL" -S -H mx.example.com "$B" md/ "s$i@example.org" "" "r$i@example.com" < "$T/m$i")
	check "maildir delivery $i" "2.0.0 delivered to maildir" "$out"
done
out=$("$TOOL" "$B" box "" "" "r4@example.com" < "$T/m3")
check "null sender delivery" "2.0.0 delivered to mailbox" "$out"

python3 - "$B" "$T" > "$T/py.out" 2>&1 <<'PY'
import mailbox, os, re, sys
base, tmp = sys.argv[1], sys.argv[2]
ok = True
def expect(name, cond):
    global ok
    print(("ok - " if cond else "FAIL - ") + name)
    ok = ok and cond
def body(i):
    b = open(os.path.join(tmp, "m%d" % i), "rb").read().replace(b"\r\n", b"\n")
    return b if b.endswith(b"\n") or not b else b + b"\n"
mb = mailbox.mbox(os.path.join(base, "box"), create=False)
msgs = list(mb)
expect("mbox holds 4 messages", len(msgs) == 4)
for i, m in enumerate(msgs[:3], 1):
    expect("From_ line %d" % i, re.fullmatch(r"s%d@example\.org  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}" % i, m.get_from()) is not None)
    expect("Return-Path %d" % i, m["Return-Path"] == "<s%d@example.org>" % i)
    expect("X-Original-To %d" % i, m["X-Original-To"] == "o%d@example.com" % i)
    expect("Delivered-To %d" % i, m["Delivered-To"] == "r%d@example.com" % i)
    raw = mb.get_bytes(mb.keys()[i - 1])
    want = re.sub(rb"(?m)^From ", b">From ", body(i))
    expect("mbox message %d bytes" % i, raw.split(b"\n", 3)[3] == want)
expect("null sender From_", msgs[3].get_from().startswith("MAILER-DAEMON  "))
expect("null sender Return-Path", msgs[3]["Return-Path"] == "<>")
expect("no X-Original-To when empty", msgs[3]["X-Original-To"] is None)
md = mailbox.Maildir(os.path.join(base, "md"), create=False)
keys = sorted(md.keys(), key=lambda k: md.get_bytes(k))
expect("maildir holds 3 messages", len(keys) == 3)
got = sorted(md.get_bytes(k) for k in keys)
want = sorted(b"Return-Path: <s%d@example.org>\nDelivered-To: r%d@example.com\n" % (i, i) + body(i) for i in (1, 2, 3))
expect("maildir bytes", got == want)
for name in os.listdir(os.path.join(base, "md", "new")):
    size = int(name.rsplit(",S=", 1)[1])
    expect("S= of " + name, size == os.path.getsize(os.path.join(base, "md", "new", name)))
sys.exit(0 if ok else 1)
PY
rc=$?
sed 's/^/  /' "$T/py.out"
check "python mailbox reads it back" 0 "$rc"
done_testing
