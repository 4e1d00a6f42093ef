# SPDX-License-Identifier: MIT
"""vdtest - what the python test drivers in t/ share.

Messages that can be recognised afterwards (a unique Message-ID and a
checksum of the body in X-Checksum), mailbox readers that report every
message that is missing, duplicated or damaged (Python's mailbox module,
and Dovecot's doveadm with a private configuration: no daemon needed),
and a TAP-like reporter whose last line is "N passed, M failed".
"""
import hashlib
import mailbox
import os
import shutil
import subprocess
import sys
import tempfile


class Report:
    """ok/fail lines like t/testlib.sh, and the closing count."""

    def __init__(self):
        self.n_pass = 0
        self.n_fail = 0

    def ok(self, cond, name, detail=""):
        if cond:
            self.n_pass += 1
            print("ok - %s" % name)
        else:
            self.n_fail += 1
            print("FAIL - %s%s" % (name, (": " + detail) if detail else ""))
        sys.stdout.flush()
        return cond

    def check(self, name, want, got):
        return self.ok(want == got, name, "want [%s] got [%s]" % (want, got))

    def note(self, text):
        print("# " + text)
        sys.stdout.flush()

    def figure(self, line, path):
        """note() a line of figures, and append it to path if given."""
        self.note(line)
        if path:
            with open(path, "a") as f:
                f.write(line + "\n")

    def done(self):
        print("%d passed, %d failed" % (self.n_pass, self.n_fail))
        return 0 if self.n_fail == 0 and self.n_pass > 0 else 1


def body_sum(body):
    """The checksum of a body as any reader returns it: CRLF -> LF,
    trailing newlines (the mbox separator line) dropped."""
    if isinstance(body, str):
        body = body.encode("latin-1")
    body = body.replace(b"\r\n", b"\n").rstrip(b"\n")
    return hashlib.sha1(body).hexdigest()


def make_message(n, run, size=0):
    """Message number n of run: (bytes, message_id, checksum).  The body
    has n in it and is padded with text lines to about size bytes."""
    msgid = "<%d.%s@vdtest.invalid>" % (n, run)
    lines = ["message %d of run %s" % (n, run),
             ">From quoted already, stays as is",
             "line with trailing space ",
             "last line %d" % n]
    body = "\n".join(lines) + "\n"
    i = 0
    while len(body) < size:
        body += "padding %d.%d %s\n" % (n, i, "abcdefghij" * 6)
        i += 1
    csum = body_sum(body)
    head = ("From: sender@vdtest.invalid\n"
            "To: rcpt@vdtest.invalid\n"
            "Subject: test %d\n"
            "Message-ID: %s\n"
            "X-Checksum: %s\n\n" % (n, msgid, csum))
    return (head + body).encode(), msgid, csum


class Tally:
    """What a reader found compared with what was sent."""

    def __init__(self, expected):
        self.expected = dict(expected)    # msgid -> checksum
        self.seen = {}
        self.corrupt = []
        self.unknown = []
        self.total = 0

    def add(self, msgid, body, stated=None):
        self.total += 1
        msgid = (msgid or "").strip()
        if msgid not in self.expected:
            self.unknown.append(msgid)
            return
        self.seen[msgid] = self.seen.get(msgid, 0) + 1
        if body_sum(body) != self.expected[msgid] or (
                stated is not None and stated.strip() != self.expected[msgid]):
            self.corrupt.append(msgid)

    @property
    def missing(self):
        return [m for m in self.expected if m not in self.seen]

    @property
    def duplicated(self):
        return [m for m, c in self.seen.items() if c > 1]

    def perfect(self):
        return not (self.missing or self.duplicated or self.corrupt
                    or self.unknown) and self.total == len(self.expected)

    def summary(self):
        return ("%d read, %d expected, %d missing, %d duplicated, "
                "%d corrupt, %d unknown" % (
                    self.total, len(self.expected), len(self.missing),
                    len(self.duplicated), len(self.corrupt),
                    len(self.unknown)))


def read_mbox(path, expected):
    """Tally of an mbox file read with Python's mailbox module."""
    t = Tally(expected)
    if not os.path.exists(path):
        return t
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            msg = box.get_message(key)
            head, _, body = raw.partition(b"\n\n")
            t.add(msg.get("Message-ID"), body, msg.get("X-Checksum"))
    finally:
        box.close()
    return t


def read_maildir(path, expected):
    """Tally of a maildir (new/ and cur/) read with Python's mailbox module."""
    t = Tally(expected)
    if not os.path.isdir(path):
        return t
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        msg = box.get_message(key)
        head, _, body = raw.partition(b"\n\n")
        t.add(msg.get("Message-ID"), body, msg.get("X-Checksum"))
    return t


def doveadm_available():
    return shutil.which("doveadm") is not None


def _owner(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid


def read_dovecot(kind, path, expected, scratch):
    """Tally of a copy of the mailbox as Dovecot reads it.

    doveadm runs without a daemon: a private configuration with
    mail_uid/mail_gid set to the copy's owner, indexes in memory, and
    USER/HOME in the environment instead of a userdb lookup.  It works on
    a copy because Dovecot rewrites an mbox it reads (X-UID, Status) and
    moves maildir files from new/ to cur/."""
    t = Tally(expected)
    work = tempfile.mkdtemp(prefix="dovecot.", dir=scratch)
    os.chmod(work, 0o755)
    copy = os.path.join(work, "box")
    if kind == "mbox":
        shutil.copyfile(path, copy)
        loc = "mbox:%s/folders:INBOX=%s:INDEX=MEMORY" % (work, copy)
        os.mkdir(os.path.join(work, "folders"))
    else:
        shutil.copytree(path, copy, symlinks=True)
        loc = "maildir:%s:INDEX=MEMORY" % copy
    uid, gid = _owner(path)
    if uid == 0 or gid == 0:
        uid, gid = os.getuid() or 65534, os.getgid() or 65534
    for root, dirs, files in os.walk(work):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), uid, gid)
    os.lchown(work, uid, gid)
    conf = os.path.join(scratch, "dovecot-%d.conf" % os.getpid())
    with open(conf, "w") as f:
        f.write("log_path = /dev/stderr\nssl = no\n"
                "mail_uid = %d\nmail_gid = %d\n"
                "first_valid_uid = 1\nfirst_valid_gid = 1\n"
                "mail_location = %s\n" % (uid, gid, loc))
    env = dict(os.environ, USER="vdtest", HOME=work)
    p = subprocess.run(["doveadm", "-c", conf, "-f", "pager", "fetch",
                        "hdr.message-id hdr.x-checksum body", "ALL"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env)
    t.error = p.stderr.decode("latin-1").strip() if p.returncode else ""
    for rec in p.stdout.split(b"\x0c\n"):
        if not rec.strip():
            continue
        fields = {}
        rest = rec
        # hdr.message-id: <..>\nhdr.x-checksum: ..\nbody:\n<body>
        for name in (b"hdr.message-id", b"hdr.x-checksum"):
            line, _, rest = rest.partition(b"\n")
            if line.startswith(name + b":"):
                fields[name] = line[len(name) + 1:].strip().decode("latin-1")
        if rest.startswith(b"body:\n"):
            rest = rest[len(b"body:\n"):]
        t.add(fields.get(b"hdr.message-id"), rest,
              fields.get(b"hdr.x-checksum"))
    shutil.rmtree(work, ignore_errors=True)
    os.unlink(conf)
    return t
