#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mailtool - read mailboxes with Python's own mailbox and email modules.

SYNOPSIS
    mailtool.py list PATH...       one line per message, mbox or maildir
    mailtool.py dsn PATH           the delivery-status parts of bounces
    mailtool.py compare PATH SENT  PATH holds exactly the messages SENT
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

    compare: SENT is a directory of *.eml files, the messages as they
    were handed to the delivery agent (after Postfix's own changes, if
    any: the caller writes them so).  Every message in PATH must be one
    of them, matched by Message-ID, with the same headers in the same
    order after the delivery headers (Return-Path, X-Original-To,
    Delivered-To) and the same body bytes (mbox: after undoing >From
    quoting of "From " lines and dropping the separating empty line).
    Exit status 1 and a description on any mismatch.
"""
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


DELIVERY = (b"return-path:", b"x-original-to:", b"delivered-to:")


def unquote_mbox(body):
    """Undo mboxo quoting of "From " lines (">From " stays ambiguous, so
    only a line that was "From " can come back: the caller's file says)."""
    return re.sub(rb"(?m)^>From ", b"From ", body)


def cmd_compare(path, sentdir):
    sent = {}
    for n in sorted(os.listdir(sentdir)):
        if not n.endswith(".eml"):
            continue
        with open(os.path.join(sentdir, n), "rb") as f:
            data = f.read()
        m = email.message_from_bytes(data, policy=email.policy.compat32)
        sent[header(m, "Message-ID")] = (n, data)
    msgs, kind = messages(path)
    bad = 0
    seen = set()
    for k, raw, msg in msgs:
        mid = header(msg, "Message-ID")
        if mid not in sent:
            print("%s: message %s (%s) was never sent" % (path, k, mid))
            bad += 1
            continue
        seen.add(mid)
        name, want = sent[mid]
        got_head, got_body = split(raw)
        want_head, want_body = split(want)
        if kind == "mbox":
            # the reader keeps the mbox's separating empty line, if any
            if got_body.endswith(b"\n\n"):
                got_body = got_body[:-1]
            got_body = unquote_mbox(got_body)
            want_body = unquote_mbox(want_body)
        if not want.endswith(b"\n"):
            want_body += b"\n"
        lower = [h.lower() for h in got_head[:3]]
        if not all(lower[i].startswith(DELIVERY[i]) for i in range(3)):
            print("%s: %s: the first headers are not Return-Path, "
                  "X-Original-To, Delivered-To: %r" % (path, name, got_head[:3]))
            bad += 1
        if got_head[3:] != want_head:
            print("%s: %s: headers differ:\n  got  %r\n  want %r" % (
                path, name, got_head[3:], want_head))
            bad += 1
        if got_body != want_body:
            print("%s: %s: body differs (%d bytes, want %d)" % (
                path, name, len(got_body), len(want_body)))
            bad += 1
    for mid, (name, _) in sorted(sent.items()):
        if mid not in seen:
            print("%s: %s (%s) is missing" % (path, name, mid))
            bad += 1
    if len(msgs) != len(sent):
        print("%s: %d messages, %d sent" % (path, len(msgs), len(sent)))
        bad += 1
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
    if len(argv) == 4 and argv[1] == "compare":
        return cmd_compare(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "body":
        return cmd_body(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
