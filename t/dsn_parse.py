#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dsn_parse - read delivery status notifications with Python's email module.

SYNOPSIS
    dsn_parse.py PATH...

DESCRIPTION
    Each PATH is a message file or a maildir (every file in new/ and
    cur/, in name order).  Each message is parsed by email (policy
    default, as a mail client would); for a multipart/report one this
    prints

        structure: multipart/report;delivery-status text/plain ...
        from: <From:> | to: <To:> | auto: <Auto-Submitted:>
        envelope: Reporting-MTA | Original-Envelope-Id (or -)
        rcpt: Final-Recipient | Original-Recipient (or -) | Action | Status
        returned: <type> subject=<Subject of the returned part>

    with one rcpt line per recipient block; another message prints
    "message: <Subject>".  The delivery-status part must parse into
    field blocks (Python returns it as a list of header blocks); if it
    does not, "error: ..." is printed and the exit status is 1.
"""
import email
import email.parser
import email.policy
import os
import sys


def paths_of(path):
    if os.path.isdir(os.path.join(path, "new")):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(path, sub)
            out += [os.path.join(d, f) for f in sorted(os.listdir(d))]
        return out
    return [path]


def field(msg, name):
    v = msg.get(name)
    return "-" if v is None else " ".join(str(v).split())


def report(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.get_content_type() != "multipart/report":
        return ["message: %s" % field(msg, "Subject")], True
    parts = msg.get_payload()
    lines = ["structure: multipart/report;%s %s" % (
        msg.get_param("report-type"),
        " ".join(p.get_content_type() for p in parts))]
    lines.append("from: %s | to: %s | auto: %s" % (
        field(msg, "From"), field(msg, "To"), field(msg, "Auto-Submitted")))
    status = [p for p in parts if p.get_content_type() in
              ("message/delivery-status", "message/global-delivery-status")]
    if len(status) != 1 or not isinstance(status[0].get_payload(), list):
        lines.append("error: no parsed delivery-status part")
        return lines, False
    blocks = status[0].get_payload()
    if not blocks:
        lines.append("error: empty delivery-status part")
        return lines, False
    lines.append("envelope: %s | %s" % (field(blocks[0], "Reporting-MTA"),
                                        field(blocks[0], "Original-Envelope-Id")))
    for b in blocks[1:]:
        lines.append("rcpt: %s | %s | %s | %s" % (
            field(b, "Final-Recipient"), field(b, "Original-Recipient"),
            field(b, "Action"), field(b, "Status")))
    ret = parts[2] if len(parts) > 2 else None
    if ret is not None:
        t = ret.get_content_type()
        if t in ("message/rfc822", "message/global"):
            inner = ret.get_payload()[0]
        else:
            inner = email.parser.HeaderParser(
                policy=email.policy.default).parsestr(
                    ret.get_payload(decode=True).decode("utf-8", "replace"))
        lines.append("returned: %s subject=%s" % (t, field(inner, "Subject")))
    return lines, True


def main(argv):
    ok = True
    for path in argv[1:]:
        for p in paths_of(path):
            with open(p, "rb") as f:
                lines, good = report(f.read())
            ok = ok and good
            print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
