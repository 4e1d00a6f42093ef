#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mailtool - read mailboxes with Python's own mailbox and email modules.

SYNOPSIS
    mailtool.py list PATH...       one line per message, mbox or maildir
    mailtool.py dsn PATH           the delivery-status parts of bounces
    mailtool.py expect SENT OUT SENDER RCPT   what a reader must return
    mailtool.py compare PATH WANT [SENDER]   PATH holds exactly WANT
    mailtool.py body PATH N        the raw bytes of message N (from 1)

DESCRIPTION
    An independent reader for what vdeliver (and virtual(8)) wrote: a
    PATH ending in "/" or holding new/ and cur/ is opened as
    mailbox.Maildir, anything else as mailbox.mbox.  Messages are listed
    in delivery order (mbox: file order; maildir: by file name, which
    starts with the delivery time).

    list prints "N<TAB>Message-ID<TAB>Subject<TAB>sha256 of the body".

    dsn prints, for every multipart/report message, one line per
    recipient: "Final-Recipient | Action | Status | Diagnostic-Code",
    with the header fields' text as Postfix wrote them.

    expect SENT OUT SENDER RCPT: for each SENT/NAME.eml (a message as
    handed to vdeliver), write OUT/NAME.maildir and OUT/NAME.mbox, the
    bytes a reader must return for it: Return-Path, X-Original-To and
    Delivered-To, then the message with LF line ends and a final newline
    (mbox: "From " lines quoted as ">From ").

    compare PATH WANT [SENDER]: every message of PATH, as the mailbox
    module returns it (mbox: without the From_ line and the separating
    empty line), equals the WANT file with its Message-ID, and each WANT
    file is read exactly once; with SENDER, each From_ line is
    "From SENDER  <date>".  Exit status 1 on any mismatch.
"""
import difflib
import email
import email.policy
import hashlib
import mailbox
import os
import re
import sys


def open_box(path):
    if path.endswith("/") or os.path.isdir(os.path.join(path, "new")):
        return mailbox.Maildir(path, factory=None, create=False), "maildir"
    if not os.path.isfile(path):
        sys.exit("mailtool: %s: no such mailbox" % path)
    return mailbox.mbox(path, factory=None, create=False), "mbox"


def messages(path):
    """[(key, raw bytes as stored, mailbox.Message)] in delivery order."""
    box, kind = open_box(path)
    out = []
    keys = list(box.keys())
    if kind == "maildir":
        keys.sort()
    for k in keys:
        raw = box.get_bytes(k)
        out.append((k, raw, box.get_message(k)))
    box.close()
    return out, kind


def split(raw):
    """(list of header lines, body bytes) of one message's bytes."""
    i = raw.find(b"\n\n")
    if i < 0:
        head, body = raw, b""
    else:
        head, body = raw[:i + 1], raw[i + 2:]
    return head.split(b"\n")[:-1] if head.endswith(b"\n") else head.split(b"\n"), body


def header(msg, name):
    v = msg.get(name)
    return "" if v is None else " ".join(str(v).split())


def cmd_list(paths):
    for p in paths:
        msgs, kind = messages(p)
        for n, (k, raw, msg) in enumerate(msgs, 1):
            _, body = split(raw)
            print("%d\t%s\t%s\t%s" % (n, header(msg, "Message-ID"),
                                      header(msg, "Subject"),
                                      hashlib.sha256(body).hexdigest()))
    return 0


def cmd_dsn(path):
    msgs, kind = messages(path)
    for k, raw, msg in msgs:
        m = email.message_from_bytes(raw, policy=email.policy.compat32)
        if m.get_content_type() != "multipart/report":
            continue
        for part in m.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            # the per-message block, then one block per recipient
            blocks = part.get_payload()
            for b in blocks[1:]:
                print(" | ".join(" ".join(str(b.get(f, "")).split()) for f in (
                    "Final-Recipient", "Action", "Status", "Diagnostic-Code")))
    return 0


def mid_of(data):
    m = email.message_from_bytes(data, policy=email.policy.compat32)
    return header(m, "Message-ID")


def cmd_expect(sentdir, outdir, sender, rcpt):
    """What a delivery of each SENT/*.eml must store, as a reader returns
    it: NAME.maildir (the file's bytes) and NAME.mbox (the message
    between the From_ line and the separating empty line)."""
    os.makedirs(outdir, exist_ok=True)
    for n in sorted(os.listdir(sentdir)):
        if not n.endswith(".eml"):
            continue
        with open(os.path.join(sentdir, n), "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        if not data.endswith(b"\n"):
            data += b"\n"
        head = ("Return-Path: <%s>\nX-Original-To: %s\nDelivered-To: %s\n"
                % (sender, rcpt, rcpt)).encode()
        base = os.path.join(outdir, n[:-4])
        with open(base + ".maildir", "wb") as f:
            f.write(head + data)
        with open(base + ".mbox", "wb") as f:
            f.write(head + re.sub(rb"(?m)^From ", b">From ", data))
    return 0


def cmd_compare(path, wantdir, sender=None):
    """Every message of PATH is one of WANTDIR's (by Message-ID), byte
    for byte, and every one of those is there exactly once."""
    msgs, kind = messages(path)
    want = {}
    for n in sorted(os.listdir(wantdir)):
        if n.endswith("." + kind):
            with open(os.path.join(wantdir, n), "rb") as f:
                data = f.read()
            want[mid_of(data)] = (n, data)
    bad = 0
    seen = {}
    for k, raw, msg in msgs:
        mid = header(msg, "Message-ID")
        if mid not in want:
            print("%s: message %s (Message-ID %s) was never sent" % (path, k, mid))
            bad += 1
            continue
        seen[mid] = seen.get(mid, 0) + 1
        name, data = want[mid]
        if raw != data:
            print("%s: %s (%s) differs:" % (path, name, header(msg, "Subject")))
            for l in difflib.unified_diff(data.decode("utf-8", "replace").splitlines(),
                                          raw.decode("utf-8", "replace").splitlines(),
                                          "sent", "read", lineterm="", n=1):
                print("    " + l[:200])
            bad += 1
        if kind == "mbox" and sender is not None:
            frm = msg.get_from()
            if not re.match(r"^%s  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$"
                            % re.escape(sender or "MAILER-DAEMON"), frm):
                print("%s: %s: From_ line %r" % (path, name, frm))
                bad += 1
    for mid, (name, _) in sorted(want.items()):
        if seen.get(mid, 0) != 1:
            print("%s: %s read %d times" % (path, name, seen.get(mid, 0)))
            bad += 1
    print("%s: %d messages read (%s), %d expected, %d problems" % (
        path, len(msgs), kind, len(want), bad))
    return 1 if bad else 0


def cmd_body(path, n):
    msgs, kind = messages(path)
    sys.stdout.buffer.write(msgs[int(n) - 1][1])
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "list":
        return cmd_list(argv[2:])
    if len(argv) == 3 and argv[1] == "dsn":
        return cmd_dsn(argv[2])
    if len(argv) in (4, 5) and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
    if len(argv) == 6 and argv[1] == "expect":
        return cmd_expect(argv[2], argv[3], argv[4], argv[5])
    if len(argv) == 4 and argv[1] == "body":
        return cmd_body(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
