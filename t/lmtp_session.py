#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lmtp_session.py - scripted LMTP sessions against the built vdeliver.

Run by t/lmtp-session.sh (which makes the spool, the tables and the
configuration, and passes them in the environment).  Prints one
"ok - ..." or "FAIL - ..." line per check and exits 1 on any failure.

Sessions run against `vdeliver --lmtp` on a socketpair (stdin/stdout,
stderr captured apart and required to stay empty), against
`--listen unix:` and `--listen inet:`, and under socket activation
(LISTEN_PID/LISTEN_FDS set by a small fork/exec wrapper here, and by
systemd-socket-activate when it is installed).  Waits have generous
deadlines and never decide a result by themselves.
"""
import fcntl
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

VDELIVER = os.environ["VDELIVER"]
CF = os.environ["CF"]
BASE = os.environ["BASE"]
T = os.environ["T"]
TABLE = os.environ["TABLE"]
POSTMAP = os.environ.get("POSTMAP", "postmap")
PFCONF = os.environ["PFCONF"]
VUID = int(os.environ["VUID"])
VGID = int(os.environ["VGID"])
HOST = "mx.example.com"
WAIT = 20  # seconds: a deadline against hangs, not a measurement

n_pass = 0
n_fail = 0


def check(name, cond, detail=""):
    global n_pass, n_fail
    if cond:
        n_pass += 1
        print("ok - " + name)
    else:
        n_fail += 1
        print("FAIL - %s%s" % (name, (": " + detail) if detail else ""))
    sys.stdout.flush()


def check_eq(name, want, got):
    check(name, want == got, "want %r got %r" % (want, got))


def check_match(name, regex, got):
    if isinstance(got, bytes):
        got = got.decode("utf-8", "replace")
    check(name, re.search(regex, got) is not None,
          "%r does not match /%s/" % (got, regex))


# ---- a client -------------------------------------------------------------

class Client:
    """One LMTP connection: send bytes, read whole replies."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(WAIT)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        """One reply (all its lines), joined with \\n."""
        lines = [self.line()]
        while len(lines[-1]) >= 4 and lines[-1][3] == "-":
            lines.append(self.line())
        return "\n".join(lines)

    def replies(self, n):
        return [self.reply() for _ in range(n)]

    def rest(self):
        """Everything until the server closes."""
        data = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return data.decode("utf-8", "replace")

    def close(self):
        self.sock.close()


class StdinSession(Client):
    """vdeliver --lmtp with both ends of stdin/stdout on a socketpair."""

    def __init__(self, *args, env=None):
        mine, theirs = socket.socketpair()
        self.errpath = os.path.join(T, "stderr.%d" % time.monotonic_ns())
        err = open(self.errpath, "wb")
        self.proc = subprocess.Popen(
            [VDELIVER, "--lmtp", "-c", CF] + list(args),
            stdin=theirs.fileno(), stdout=theirs.fileno(), stderr=err,
            env=env, close_fds=True)
        theirs.close()
        err.close()
        super().__init__(mine)

    def finish(self, name):
        """Wait for the exit; stderr must be empty.  Returns the code."""
        self.close()
        try:
            rc = self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        err = open(self.errpath, "rb").read()
        check(name + ": nothing on stderr", err == b"", repr(err[:300]))
        return rc


def lhlo_reply(size="100000"):
    return "\n".join(["250-" + HOST, "250-PIPELINING",
                      "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
                      "250-SIZE " + size if size else "250-SIZE",
                      "250-SMTPUTF8", "250 DSN"])


GREETING = "220 %s LMTP vdeliver ready" % HOST


def start(c):
    """LHLO, after the greeting was read."""
    c.send("LHLO client.example.com\r\n")
    return c.reply()


# ---- mailboxes ------------------------------------------------------------

def maildir_files(name):
    return sorted(glob.glob(os.path.join(BASE, "example.com", name, "new",
                                         "*")))


def mbox_path(name):
    return os.path.join(BASE, "example.com", name)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def size_of(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return -1


def norm_from(data):
    return re.sub(rb"(?m)^(From \S+  )\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$",
                  rb"\1DATE", data)


def wait_for_log(regex):
    """The maillog gets a line matching regex (written asynchronously)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if re.search(regex, read(os.path.join(T, "maillog")).decode(
                    "utf-8", "replace")):
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def run_cli(args, msg):
    p = subprocess.run([VDELIVER, "-c", CF] + args, input=msg,
                       capture_output=True, timeout=WAIT)
    return p.returncode, p.stdout.decode(errors="replace")


# The message as the client sends it (CRLF, dot-stuffed) and as it must be
# stored (LF, unstuffed).
WIRE = (b"Subject: lmtp test\r\n\r\n..leading dot\r\n...two dots\r\n"
        b"From here\r\n.\tdot tab\r\nbare LF line\nlast line\r\n.\r\n")
STORED = (b"Subject: lmtp test\n\n.leading dot\n..two dots\n"
          b"From here\n\tdot tab\nbare LF line\nlast line\n")


# ---- the tests ------------------------------------------------------------

def test_a6():
    """REFERENCE.md A.6: three recipients, one unknown, replies in order."""
    before_full = size_of(mbox_path("full.mbox"))
    n_info = len(maildir_files("info"))
    c = StdinSession()
    check_eq("greeting", GREETING, c.reply())
    c.send("LHLO mx.example.com\r\n")
    check_eq("LHLO reply", lhlo_reply(), c.reply())
    # MAIL, three RCPT and DATA in one write (PIPELINING)
    c.send("MAIL FROM:<bob@example.org> SIZE=1234 BODY=8BITMIME\r\n"
           "RCPT TO:<info@example.com>\r\n"
           "RCPT TO:<nobody@example.com>\r\n"
           "RCPT TO:<full@example.com>\r\n"
           "DATA\r\n")
    r = c.replies(5)
    check_eq("A.6 MAIL", "250 2.1.0 Ok", r[0])
    check_eq("A.6 RCPT info", "250 2.1.5 Ok", r[1])
    check_eq("A.6 RCPT nobody",
             '550 5.1.1 <nobody@example.com>: unknown user: '
             '"nobody@example.com"', r[2])
    check_eq("A.6 RCPT full", "250 2.1.5 Ok", r[3])
    check_eq("A.6 DATA", "354 End data with <CR><LF>.<CR><LF>", r[4])
    c.send(WIRE)
    r = c.replies(2)
    check_eq("A.6 reply 1 (info)",
             "250 2.0.0 <info@example.com> delivered to maildir", r[0])
    check_match("A.6 reply 2 (full): over virtual_mailbox_limit",
                r"^552 5\.2\.2 <full@example\.com> ", r[1])
    c.send("QUIT\r\n")
    check_eq("QUIT", "221 2.0.0 Bye", c.reply())
    check_eq("closed after QUIT", "", c.rest())
    check_eq("A.6 exit", 0, c.finish("A.6"))
    files = maildir_files("info")
    check_eq("A.6 one new maildir file", n_info + 1, len(files))
    want = (b"Return-Path: <bob@example.org>\nX-Original-To: "
            b"info@example.com\nDelivered-To: info@example.com\n" + STORED)
    got = read(files[-1]) if files else b""
    check_eq("A.6 maildir bytes (dot-unstuffed, CRLF to LF)", want, got)
    check_eq("A.6 full mbox unchanged", before_full,
             size_of(mbox_path("full.mbox")))
    # the same message through the command line: the same bytes
    msg = STORED
    rc, out = run_cli(["-f", "bob@example.org", "-a", "info@example.com",
                       "info@example.com"], msg)
    check_eq("command line delivers the same message", 0, rc)
    files2 = maildir_files("info")
    new = [f for f in files2 if f not in files]
    check("command line wrote one file", len(new) == 1, repr(new))
    if new:
        check_eq("LMTP bytes == command line bytes", read(new[0]), got)
    log = read(os.path.join(T, "maillog")).decode(errors="replace")
    check_match("log: delivery record",
                r"[0-9A-Za-z]{15}: to=<info@example\.com>, relay=vdeliver, "
                r"delay=[0-9.]+, delays=0/0/0/[0-9.]+, dsn=2\.0\.0, "
                r"status=sent \(delivered to maildir\)", log)
    check_match("log: RCPT reject record",
                r"[0-9A-Za-z]{15}: reject: RCPT from local: 550 5\.1\.1 "
                r"<nobody@example\.com>: unknown user", log)
    check_match("log: full bounced", r"to=<full@example\.com>.*dsn=5\.2\.2, "
                r"status=bounced", log)


def test_mbox_and_cli():
    """mbox bytes through LMTP equal the command line's (From_ date aside)."""
    path = mbox_path("m.mbox")
    before = read(path) if os.path.exists(path) else b""
    c = StdinSession()
    c.reply()
    start(c)
    c.send("MAIL FROM:<bob@example.org>\r\nRCPT TO:<m@example.com>\r\n"
           "DATA\r\n")
    c.replies(3)
    c.send(WIRE)
    check_eq("mbox delivery", "250 2.0.0 <m@example.com> delivered to mailbox",
             c.reply())
    c.send("QUIT\r\n")
    c.reply()
    c.finish("mbox")
    lmtp_part = read(path)[len(before):]
    mid = read(path)
    rc, out = run_cli(["-f", "bob@example.org", "-a", "m@example.com",
                       "m@example.com"], STORED)
    cli_part = read(path)[len(mid):]
    check_eq("command line mbox delivery", 0, rc)
    check_eq("LMTP mbox bytes == command line bytes", norm_from(cli_part),
             norm_from(lmtp_part))
    check("mbox has the From_ line and >From quoting",
          norm_from(lmtp_part).startswith(b"From bob@example.org  DATE\n")
          and b"\n>From here\n" in lmtp_part, repr(lmtp_part[:200]))


def test_rset_second_txn_null_sender_orcpt():
    """RSET, two transactions on one connection, <>, ORCPT."""
    n = len(maildir_files("info"))
    c = StdinSession()
    c.reply()
    start(c)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<info@example.com>\r\n"
           "RSET\r\nDATA\r\n")
    r = c.replies(4)
    check_eq("RSET", "250 2.0.0 Ok", r[2])
    check_eq("DATA after RSET", "503 5.5.1 Error: need RCPT command", r[3])
    c.send("MAIL FROM:<>\r\n"
           "RCPT TO:<Info@Example.COM> ORCPT=rfc822;Orig+2Bext@Example.ORG "
           "NOTIFY=FAILURE\r\nDATA\r\n")
    r = c.replies(3)
    check_eq("null sender accepted", "250 2.1.0 Ok", r[0])
    check_eq("RCPT with ORCPT", "250 2.1.5 Ok", r[1])
    c.send(b"Subject: second\r\n\r\nbody\r\n.\r\n")
    check_eq("second transaction delivered",
             "250 2.0.0 <Info@Example.COM> delivered to maildir", c.reply())
    # a third one, ORCPT with a quoted local part
    c.send("MAIL FROM:<x@y.example>\r\nRCPT TO:<info@example.com> "
           "ORCPT=rfc822;+22odd+20user+22@example.com\r\nDATA\r\n")
    c.replies(3)
    c.send(b"Subject: third\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    r = c.replies(2)
    check_eq("third transaction", "250 2.0.0 <info@example.com> delivered "
             "to maildir", r[0])
    check_eq("pipelined QUIT after the dot", "221 2.0.0 Bye", r[1])
    c.finish("rset")
    files = maildir_files("info")
    check_eq("two files from one connection", n + 2, len(files))
    # maildir names sort by time; the last two are ours
    by_time = sorted(files, key=os.path.getmtime)
    second, third = read(by_time[-2]), read(by_time[-1])
    check_eq("null sender, ORCPT to X-Original-To, RCPT case kept",
             b"Return-Path: <>\nX-Original-To: Orig+ext@Example.ORG\n"
             b"Delivered-To: Info@Example.COM\nSubject: second\n\nbody\n",
             second)
    check_eq("quoted ORCPT local part",
             b"Return-Path: <x@y.example>\nX-Original-To: "
             b"\"odd user\"@example.com\nDelivered-To: info@example.com\n"
             b"Subject: third\n\nbody\n", third)


def test_quoted_rcpt_and_duplicate():
    """A quoted local part resolves; the same RCPT twice: one delivery."""
    c = StdinSession()
    c.reply()
    start(c)
    n = len(maildir_files("odd"))
    c.send('MAIL FROM:<s@x.example>\r\nRCPT TO:<"odd user"@example.com>\r\n'
           'RCPT TO:<"odd user"@example.com>\r\nDATA\r\n')
    r = c.replies(4)
    check_eq("quoted local part accepted", ["250 2.1.5 Ok"] * 2, r[1:3])
    c.send(b"Subject: q\r\n\r\nx\r\n.\r\n")
    r = c.replies(2)
    check_eq("two replies for two RCPTs",
             ['250 2.0.0 <"odd user"@example.com> delivered to maildir'] * 2,
             r)
    c.send("QUIT\r\n")
    c.reply()
    c.finish("duplicate")
    files = maildir_files("odd")
    check_eq("the same recipient twice is delivered once", n + 1, len(files))
    if files:
        check("Delivered-To in quoted form",
              b'Delivered-To: "odd user"@example.com\n' in read(files[-1]))


def test_limits():
    """SIZE, the message size limit, the line limit, the recipient limit."""
    before = size_of(mbox_path("m.mbox"))
    n = len(maildir_files("info"))
    c = StdinSession("-o", "vdeliver_lmtp_recipient_limit=2")
    c.reply()
    start(c)
    c.send("MAIL FROM:<a@b.example> SIZE=100001\r\n")
    check_eq("SIZE over the limit",
             "552 5.3.4 Message size exceeds fixed limit of 100000 bytes",
             c.reply())
    c.send("MAIL FROM:<a@b.example> SIZE=1000\r\nRCPT TO:<m@example.com>\r\n"
           "RCPT TO:<info@example.com>\r\nRCPT TO:<cli@example.com>\r\n"
           "DATA\r\n")
    r = c.replies(5)
    check_eq("recipient limit", "452 4.5.3 Error: too many recipients", r[3])
    check_eq("DATA with 2 of 3", "354 End data with <CR><LF>.<CR><LF>", r[4])
    # more than announced, and more than the limit: read and dropped
    c.send(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 120 + b".\r\n")
    r = c.replies(2)
    check_eq("message over the limit: each recipient",
             ["552 5.3.4 <m@example.com> message too large (limit 100000 "
              "bytes)", "552 5.3.4 <info@example.com> message too large "
              "(limit 100000 bytes)"], r)
    c.send("NOOP\r\n")
    check_eq("session goes on after a refused message", "250 2.0.0 Ok",
             c.reply())
    check_eq("mbox unchanged by a refused message", before,
             size_of(mbox_path("m.mbox")))
    check_eq("maildir unchanged by a refused message", n,
             len(maildir_files("info")))
    # Message lines have no length limit (RFC 5321 4.5.3.1, as Postfix):
    # a dot-stuffed line across a read chunk, and a CRLF split between
    # two chunks (the server reads 64 KiB at most at a time).
    for name, wire, stored in (
            ("a 70000-byte dot-stuffed line",
             b"Subject: long\r\n\r\n." + b"." + b"y" * 70000 + b"\r\n",
             b"Subject: long\n\n." + b"y" * 70000 + b"\n"),
            ("a CRLF across two reads",
             b"x" * 65535 + b"\r\nend\r\n", b"x" * 65535 + b"\nend\n")):
        c.send("MAIL FROM:<>\r\nRCPT TO:<info@example.com>\r\nDATA\r\n")
        c.replies(3)
        c.send(wire + b".\r\n")
        check_eq(name + ": delivered",
                 "250 2.0.0 <info@example.com> delivered to maildir",
                 c.reply())
        files = sorted(maildir_files("info"), key=os.path.getmtime)
        check_eq(name + ": bytes", b"Return-Path: <>\nX-Original-To: "
                 b"info@example.com\nDelivered-To: info@example.com\n" +
                 stored, read(files[-1]) if files else b"")
    c.send("QUIT\r\n")
    c.reply()
    c.finish("limits")


def test_protocol_errors():
    """Order, syntax, NUL bytes, a 1 MiB command line, HELO, error limit."""
    c = StdinSession()
    c.reply()
    c.send("MAIL FROM:<a@b>\r\nHELO x\r\nEHLO x\r\n")
    r = c.replies(3)
    check_eq("MAIL before LHLO", "503 5.5.1 Error: send LHLO first", r[0])
    check_eq("HELO refused", "500 5.5.1 Error: this is LMTP, send LHLO "
             "(RFC 2033)", r[1])
    start(c)
    c.send("RCPT TO:<info@example.com>\r\nMAIL FROM:<a@b>\r\n"
           "MAIL FROM:<a@b>\r\nRCPT TO:info@example.com\r\n"
           "RCPT TO:<info@example.com> FOO=bar\r\nDATA\r\n")
    r = c.replies(6)
    check_eq("out of order, syntax",
             ["503 5.5.1 Error: need MAIL command", "250 2.1.0 Ok",
              "503 5.5.1 Error: nested MAIL command",
              "501 5.5.4 Syntax: RCPT TO:<address>",
              "555 5.5.4 Unsupported option: FOO",
              "503 5.5.1 Error: no valid recipients"], r)
    c.send(b"RSET\r\nNO\x00OP\r\nNOOP " + b"z" * (1024 * 1024) + b"\r\n"
           b"\x80\xff\x01garbage\r\nVRFY x\r\n")
    r = c.replies(5)
    check_eq("NUL, 1 MiB line, binary",
             ["250 2.0.0 Ok", "500 5.5.2 Error: NUL character in command",
              "500 5.5.2 Error: line too long",
              "500 5.5.1 Error: command not recognized",
              "252 2.0.0 Cannot VRFY; send RCPT TO to find out"], r)
    c.send("QUIT\r\n")
    c.reply()
    c.finish("protocol errors")

    c = StdinSession("-o", "vdeliver_lmtp_error_limit=3")
    c.reply()
    c.send("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n")
    out = c.rest()
    check_eq("error limit", "500 5.5.1 Error: command not recognized\r\n" * 3
             + "421 4.7.0 %s Error: too many errors\r\n" % HOST, out)
    c.finish("error limit")


def test_disconnects_and_timeouts():
    """Early disconnect mid-DATA, and timeouts: nothing delivered."""
    before = size_of(mbox_path("m.mbox"))
    n = len(maildir_files("info"))
    c = StdinSession()
    c.reply()
    start(c)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<m@example.com>\r\n"
           "RCPT TO:<info@example.com>\r\nDATA\r\n")
    c.replies(4)
    c.send(b"Subject: cut\r\n\r\nhalf a message\r\n")
    c.sock.shutdown(socket.SHUT_WR)
    check_eq("disconnect mid-DATA: no reply", "", c.rest())
    check_eq("disconnect mid-DATA: exit 0", 0, c.finish("disconnect"))
    check_eq("disconnect mid-DATA: mbox unchanged", before,
             size_of(mbox_path("m.mbox")))
    check_eq("disconnect mid-DATA: no maildir file", n,
             len(maildir_files("info")))
    check_eq("disconnect mid-DATA: tmp/ empty", [],
             os.listdir(os.path.join(BASE, "example.com", "info", "tmp")))

    c = StdinSession("-o", "vdeliver_lmtp_timeout=1")
    c.reply()
    start(c)
    out = c.rest()  # the server waits 1 s for a command, then gives up
    check_eq("command timeout",
             "421 4.4.2 %s Error: timeout exceeded\r\n" % HOST, out)
    c.finish("command timeout")

    c = StdinSession("-o", "vdeliver_lmtp_timeout=1")
    c.reply()
    start(c)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<m@example.com>\r\nDATA\r\n")
    c.replies(3)
    c.send(b"Subject: slow\r\n\r\npart")
    out = c.rest()
    check_eq("DATA timeout",
             "421 4.4.2 %s Error: timeout exceeded\r\n" % HOST, out)
    c.finish("DATA timeout")
    check_eq("DATA timeout: mbox unchanged", before,
             size_of(mbox_path("m.mbox")))


def test_table_error():
    """A table that fails: 451 4.3.5 with the command line's text."""
    maps = "virtual_mailbox_maps=hash:%s, fail:broken" % TABLE
    rc, out = run_cli(["-o", maps, "-f", "s@x.example",
                       "nobody@example.com"], b"Subject: x\n\nx\n")
    check_eq("command line: table error exit 75", 75, rc)
    cli = out.splitlines()[0] if out else ""
    check_match("command line: 4.3.5 text", r"^4\.3\.5 ", cli)
    c = StdinSession("-o", maps)
    c.reply()
    start(c)
    c.send("MAIL FROM:<s@x.example>\r\nRCPT TO:<nobody@example.com>\r\n"
           "RCPT TO:<info@example.com>\r\nQUIT\r\n")
    r = c.replies(4)
    check_eq("table error: 451 with the command line's text",
             "451 4.3.5 <nobody@example.com>: " + cli[len("4.3.5 "):], r[1])
    check_eq("a recipient the first table knows is accepted",
             "250 2.1.5 Ok", r[2])
    c.finish("table error")


def test_table_reopen():
    """A table file that changes is reopened before the next transaction."""
    c = StdinSession()
    c.reply()
    start(c)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<late@example.com>\r\nRSET\r\n")
    r = c.replies(3)
    check_match("unknown before the change", r"^550 5\.1\.1 ", r[1])
    with open(TABLE, "a") as f:
        f.write("late@example.com example.com/late/\n")
    subprocess.run([POSTMAP, "-c", PFCONF, "hash:" + TABLE], check=True)
    st = os.stat(TABLE + ".db")
    os.utime(TABLE + ".db", (st.st_atime + 5, st.st_mtime + 5))
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<late@example.com>\r\nDATA\r\n")
    r = c.replies(3)
    check_eq("known after the change, same connection", "250 2.1.5 Ok", r[1])
    c.send(b"Subject: late\r\n\r\nx\r\n.\r\nQUIT\r\n")
    r = c.replies(2)
    check_eq("delivered after reopen",
             "250 2.0.0 <late@example.com> delivered to maildir", r[0])
    c.finish("table reopen")


def test_pipes():
    """stdin and stdout may be two pipes (inetd-like wrappers, tests)."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    errpath = os.path.join(T, "stderr.pipes")
    with open(errpath, "wb") as err:
        p = subprocess.Popen([VDELIVER, "--lmtp", "-c", CF], stdin=in_r,
                             stdout=out_w, stderr=err)
    os.close(in_r)
    os.close(out_w)
    os.write(in_w, b"LHLO c\r\nMAIL FROM:<p@x.example>\r\n"
             b"RCPT TO:<info@example.com>\r\nDATA\r\n"
             b"Subject: pipes\r\n\r\nx\r\n.\r\nQUIT\r\n")
    os.close(in_w)
    out = b""
    while True:
        chunk = os.read(out_r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(out_r)
    check_eq("pipes: exit 0", 0, p.wait(WAIT))
    check("pipes: delivered", b"250 2.0.0 <info@example.com> delivered to "
          b"maildir\r\n221 2.0.0 Bye\r\n" in out, repr(out[-200:]))
    check_eq("pipes: nothing on stderr", b"", read(errpath))


def test_config_error():
    """A configuration error: 421 instead of the greeting, nothing on stderr."""
    mine, theirs = socket.socketpair()
    errpath = os.path.join(T, "stderr.cfg")
    with open(errpath, "wb") as err:
        p = subprocess.Popen([VDELIVER, "--lmtp", "-c", T + "/no-such.cf"],
                             stdin=theirs.fileno(), stdout=theirs.fileno(),
                             stderr=err)
    theirs.close()
    c = Client(mine)
    out = c.rest()
    rc = p.wait(WAIT)
    check_match("config error: 421 4.3.5 greeting",
                r"^421 4\.3\.5 \S+ vdeliver: .*no-such\.cf.*\r\n$", out)
    check_eq("config error: exit 75", 75, rc)
    check_eq("config error: nothing on stderr", b"", read(errpath))
    for args, what in ((["-o", "novalue"], "bad -o"),
                       (["--bogus"], "bad option"),
                       (["a@b"], "a recipient")):
        mine, theirs = socket.socketpair()
        with open(errpath, "wb") as err:
            p = subprocess.Popen([VDELIVER, "--lmtp", "-c", CF] + args,
                                 stdin=theirs.fileno(),
                                 stdout=theirs.fileno(), stderr=err)
        theirs.close()
        out = Client(mine).rest()
        p.wait(WAIT)
        check_match("usage error (%s): 421" % what, r"^421 4\.3\.5 ", out)
        check_eq("usage error (%s): nothing on stderr" % what, b"",
                 read(errpath))
    # maillog_file = /dev/stderr is refused in this mode
    mine, theirs = socket.socketpair()
    with open(errpath, "wb") as err:
        p = subprocess.Popen([VDELIVER, "--lmtp", "-c", CF, "-o",
                              "maillog_file=/dev/stderr"],
                             stdin=theirs.fileno(), stdout=theirs.fileno(),
                             stderr=err)
    theirs.close()
    out = Client(mine).rest()
    p.wait(WAIT)
    check_match("maillog_file=/dev/stderr refused", r"^421 4\.3\.5 .*stderr",
                out)
    check_eq("maillog_file=/dev/stderr: nothing on stderr", b"",
             read(errpath))


# ---- listeners ------------------------------------------------------------

class Listener:
    def __init__(self, spec, *args, env=None, pass_fds=(), cmd=None):
        self.errpath = os.path.join(T, "listener.err.%d" % time.monotonic_ns())
        err = open(self.errpath, "wb")
        argv = cmd or ([VDELIVER, "--lmtp", "-c", CF] +
                       (["--listen", spec] if spec else []) + list(args))
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=err, stderr=err, env=env,
                                     pass_fds=pass_fds)
        err.close()

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def errors(self):
        return read(self.errpath)


def connect_unix(path):
    deadline = time.monotonic() + WAIT
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return Client(s)
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect_inet(family, addr, port):
    deadline = time.monotonic() + WAIT
    while True:
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect((addr, port))
            return Client(s)
        except ConnectionRefusedError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def free_port(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def one_delivery(c, rcpt="info@example.com", what="maildir"):
    """A whole transaction on a connected client; returns the replies."""
    check_eq("listener greeting", GREETING, c.reply())
    c.send("LHLO c\r\nMAIL FROM:<l@x.example>\r\nRCPT TO:<%s>\r\nDATA\r\n"
           % rcpt)
    r = c.replies(4)
    c.send(b"Subject: via listener\r\n\r\nx\r\n.\r\nQUIT\r\n")
    r += c.replies(2)
    check_eq("listener delivery (%s)" % rcpt,
             "250 2.0.0 <%s> delivered to %s" % (rcpt, what), r[4])
    check_eq("listener QUIT", "221 2.0.0 Bye", r[5])
    c.close()
    return r


def test_listen_unix():
    path = os.path.join(T, "lmtp.sock")
    # a stale socket file from a dead server is removed
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    lst = Listener("unix:" + path)
    c = connect_unix(path)
    check_eq("unix socket mode 0666", 0o666, os.stat(path).st_mode & 0o777)
    one_delivery(c)
    # a second listener on the same path refuses to start
    other = Listener("unix:" + path)
    rc = other.proc.wait(WAIT)
    check_eq("second listener on a live socket: exit 75", 75, rc)
    check_match("second listener says why", r"another server is listening",
                other.errors())
    check("the live socket survives", os.path.exists(path))
    # SIGHUP is only logged; the listener goes on
    lst.proc.send_signal(signal.SIGHUP)
    c = connect_unix(path)
    one_delivery(c)
    check("SIGHUP logged", wait_for_log(r"SIGHUP: each connection opens "
                                        r"the tables anew"))
    check_eq("listener exits 0 on SIGTERM", 0, lst.stop())
    check_eq("listener: nothing on stderr", b"", lst.errors())
    check("socket file removed at exit", not os.path.exists(path))
    # a regular file at the path is not removed
    with open(path, "w") as f:
        f.write("not a socket")
    other = Listener("unix:" + path)
    check_eq("a file in the way: exit 75", 75, other.proc.wait(WAIT))
    check_eq("the file is left alone", b"not a socket", read(path))
    os.unlink(path)


def test_listen_inet():
    port = free_port(socket.AF_INET, "127.0.0.1")
    lst = Listener("inet:127.0.0.1:%d" % port)
    one_delivery(connect_inet(socket.AF_INET, "127.0.0.1", port))
    check_eq("inet listener exits 0 on SIGINT", 0, lst.stop(signal.SIGINT))
    check_eq("inet listener: nothing on stderr", b"", lst.errors())
    if socket.has_ipv6:
        try:
            port = free_port(socket.AF_INET6, "::1")
        except OSError:
            port = None
        if port:
            lst = Listener("inet:[::1]:%d" % port)
            one_delivery(connect_inet(socket.AF_INET6, "::1", port))
            check_eq("inet [::1] listener exits 0", 0, lst.stop())
    # A flood behind the errors: the 421 still arrives.  On TCP a close()
    # over unread input resets the connection and the client may lose the
    # last reply; the server reads what is left before it closes.
    port = free_port(socket.AF_INET, "127.0.0.1")
    lst = Listener("inet:127.0.0.1:%d" % port, "-o",
                   "vdeliver_lmtp_error_limit=3")
    c = connect_inet(socket.AF_INET, "127.0.0.1", port)
    c.reply()

    def flood():
        try:
            c.send(b"FOO\r\n" * 3 + b"NOOP\r\n" * 50000)
        except OSError:
            pass
    th = threading.Thread(target=flood)
    th.start()
    out = c.rest()
    th.join()
    c.close()
    check_eq("error limit under a flood (TCP)",
             "500 5.5.1 Error: command not recognized\r\n" * 3
             + "421 4.7.0 %s Error: too many errors\r\n" % HOST, out)
    check_eq("flood listener exits 0", 0, lst.stop())
    lst = Listener("inet:nonsense")
    check_eq("bad inet spec: exit 75", 75, lst.proc.wait(WAIT))


def test_process_limit():
    path = os.path.join(T, "limit.sock")
    lst = Listener("unix:" + path, "-o", "vdeliver_lmtp_process_limit=1")
    a = connect_unix(path)
    check_eq("first connection served", GREETING, a.reply())
    b = connect_unix(path)  # queued in the backlog
    b.sock.settimeout(1.0)
    try:
        early = b.sock.recv(100)
    except socket.timeout:
        early = b""
    check_eq("second connection waits while the limit is reached", b"",
             early)
    b.sock.settimeout(WAIT)
    a.send("QUIT\r\n")
    a.reply()
    a.close()
    one_delivery(b)
    check_eq("process limit listener exits 0", 0, lst.stop())
    check_eq("process limit listener: nothing on stderr", b"",
             lst.errors())


def test_sigterm_during_delivery():
    """SIGTERM while a delivery waits for a lock: it finishes, then 421."""
    path = os.path.join(T, "term.sock")
    mbox = mbox_path("locked.mbox")
    with open(mbox, "ab"):
        pass
    os.chown(mbox, VUID, VGID)
    before = size_of(mbox)
    lst = Listener("unix:" + path)
    c = connect_unix(path)
    c.reply()
    c.send("LHLO c\r\nMAIL FROM:<t@x.example>\r\nRCPT TO:<locked@example.com>"
           "\r\nDATA\r\n")
    c.replies(4)
    with open(mbox, "r+b") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        c.send(b"Subject: during shutdown\r\n\r\nx\r\n.\r\n")
        time.sleep(1.5)  # the delivery is now retrying the lock
        lst.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        fcntl.lockf(f, fcntl.LOCK_UN)
    check_eq("delivery in progress finishes after SIGTERM",
             "250 2.0.0 <locked@example.com> delivered to mailbox", c.reply())
    try:
        c.send("NOOP\r\n")
        rest = c.rest()
    except OSError:
        rest = ""
    check_match("then the connection is closed with 421 4.3.2 (or at once)",
                r"^(421 4\.3\.2 [^\r]*\r\n)?$", rest)
    try:
        rc = lst.proc.wait(WAIT)
    except subprocess.TimeoutExpired:
        lst.proc.kill()
        rc = lst.proc.wait()
    check_eq("listener exits 0 after its children", 0, rc)
    check_eq("SIGTERM listener: nothing on stderr", b"", lst.errors())
    check("mbox grew", size_of(mbox) > before)
    check("socket removed", not os.path.exists(path))
    # an idle connection gets 421 4.3.2 at once
    lst = Listener("unix:" + path)
    c = connect_unix(path)
    c.reply()
    lst.proc.send_signal(signal.SIGTERM)
    check_match("idle connection: 421 4.3.2", r"^421 4\.3\.2 ", c.rest())
    check_eq("idle: listener exits 0", 0, lst.proc.wait(WAIT))


def socket_activate(listen_sock, args, accept=False, inetd=False):
    """fork/exec vdeliver with LISTEN_PID/LISTEN_FDS, as systemd does."""
    errpath = os.path.join(T, "sd.err.%d" % time.monotonic_ns())
    err = os.open(errpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    pid = os.fork()
    if pid == 0:
        try:
            fd = listen_sock.fileno()
            if inetd:
                os.dup2(fd, 0)
                os.dup2(fd, 1)
            else:
                os.dup2(fd, 3)
                os.set_inheritable(3, True)
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
            os.dup2(err, 2)
            env = dict(os.environ)
            if not inetd:
                env["LISTEN_PID"] = str(os.getpid())
                env["LISTEN_FDS"] = "1"
                env["LISTEN_FDNAMES"] = "lmtp"
            os.execve(VDELIVER, [VDELIVER, "--lmtp", "-c", CF] + args, env)
        finally:
            os._exit(127)
    os.close(err)
    return pid, errpath


def waitpid_deadline(pid):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        p, status = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_socket_activation():
    # Accept=no: fd 3 is a listening socket, with and without --listen
    for args, what in (([], "Accept=no, no --listen"),
                       (["--listen", "unix:/nonexistent/ignored"],
                        "Accept=no, --listen ignored")):
        path = os.path.join(T, "sd.sock")
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(path)
        ls.listen(5)
        pid, errpath = socket_activate(ls, args)
        ls.close()
        one_delivery(connect_unix(path))
        os.kill(pid, signal.SIGTERM)
        check_eq("%s: exit 0" % what, 0, waitpid_deadline(pid))
        check_eq("%s: nothing on stderr" % what, b"", read(errpath))
        check("%s: socket file left to its owner" % what,
              os.path.exists(path))
        os.unlink(path)
    # Accept=yes: fd 3 is the connected socket, stdin is not a socket
    mine, theirs = socket.socketpair()
    pid, errpath = socket_activate(theirs, [])
    theirs.close()
    one_delivery(Client(mine))
    check_eq("Accept=yes (fd 3): exit 0", 0, waitpid_deadline(pid))
    check_eq("Accept=yes: nothing on stderr", b"", read(errpath))
    # inetd style: the socket on stdin/stdout
    mine, theirs = socket.socketpair()
    pid, errpath = socket_activate(theirs, [], inetd=True)
    theirs.close()
    one_delivery(Client(mine))
    check_eq("inetd style: exit 0", 0, waitpid_deadline(pid))
    sda = shutil.which("systemd-socket-activate")
    if sda is None:
        print("# systemd-socket-activate not installed: the wrapper above "
              "stands in for it")
        return
    path = os.path.join(T, "sda.sock")
    for mode, what in (([], "systemd-socket-activate (Accept=no)"),
                       (["--accept"], "systemd-socket-activate --accept"),
                       (["--inetd", "--accept"],
                        "systemd-socket-activate --inetd --accept"),
                       (["--inetd"],
                        "systemd-socket-activate --inetd (listening stdin)")):
        errpath = os.path.join(T, "sda.err")
        with open(errpath, "wb") as err:
            p = subprocess.Popen([sda, "-l", path] + mode +
                                 [VDELIVER, "--lmtp", "-c", CF],
                                 stdin=subprocess.DEVNULL, stdout=err,
                                 stderr=subprocess.DEVNULL)
        r = one_delivery(connect_unix(path))
        check_eq("%s: delivered" % what,
                 "250 2.0.0 <info@example.com> delivered to maildir", r[4])
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(WAIT)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        if "--accept" not in mode:
            # vdeliver itself was exec'd as the listener
            check_eq("%s: listener exits 0" % what, 0, rc)
        check_eq("%s: nothing on stdout or stderr" % what, b"",
                 read(errpath))
        if os.path.exists(path):
            os.unlink(path)


def main():
    tests = [test_a6, test_mbox_and_cli,
             test_rset_second_txn_null_sender_orcpt,
             test_quoted_rcpt_and_duplicate, test_limits,
             test_protocol_errors, test_disconnects_and_timeouts,
             test_table_error, test_table_reopen, test_pipes, test_config_error, test_listen_unix,
             test_listen_inet, test_process_limit,
             test_sigterm_during_delivery, test_socket_activation]
    only = sys.argv[1:]
    for t in tests:
        if only and t.__name__ not in only:
            continue
        print("# " + t.__name__)
        try:
            t()
        except Exception as e:  # a hang or a crash is a failure, not a stop
            check(t.__name__ + " ran to the end", False, repr(e))
    print("# python: %d passed, %d failed" % (n_pass, n_fail))
    sys.exit(1 if n_fail or not n_pass else 0)


if __name__ == "__main__":
    main()
