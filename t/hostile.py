# SPDX-License-Identifier: MIT
"""hostile - a table of hostile inputs, each with the outcome it must have.

usage: hostile.py --vdeliver BIN --scratch DIR --uid U --gid G
           [--data t/hostile] [--only REGEX] [--figures FILE]

Each case gets a fresh spool (DIR/cN/mail) and main.cf, an optional
setup (symlinks, FIFOs, foreign owners...), one vdeliver run (command
line, or an LMTP session on standard input), and is judged on:
  - the exit status and the first line of output (the DSN and text);
  - the mailbox: with exit 0 exactly one more message in the mailbox the
    case names (read back with Python's mailbox module, its bytes as the
    case says); otherwise every file below the base byte for byte as it
    was, and nothing new;
  - always: nothing outside the base changed (a canary tree that the
    symlink cases point into, /etc/passwd), and when root, no file below
    the base is owned by root unless the setup made it so, and no
    program ran that a shell metacharacter could have started.
Prints one line per case and "N passed, M failed".
"""
import argparse
import hashlib
import mailbox
import os
import re
import shutil
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vdtest  # noqa: E402

MSG = b"Subject: hostile\nFrom: a@example.org\n\nbody line\n"
IS_ROOT = os.geteuid() == 0
PWNED = "/tmp/vdtest-hostile-pwned"


class Case:
    def __init__(self, name, rc, want=None, rcpt="a@x", msg=MSG,
                 sender="s@y", args=None, cf=None, cf_text=None,
                 cf_file=None, setup=None, box="a.mbox", check=None,
                 lmtp=None, lmtp_want=None, root_only=False, rc_alt=(),
                 timeout=60, known_bug=None, after=None):
        self.name = name
        self.rc = rc                  # wanted exit status
        self.rc_alt = tuple(rc_alt)   # other acceptable (status, regex)
        self.want = want              # regex for the first output line
        self.rcpt = rcpt if isinstance(rcpt, list) else [rcpt]
        self.msg = msg
        self.sender = sender
        self.args = args              # replaces -f sender -- rcpt
        self.cf = cf or {}            # main.cf name -> value (None: drop)
        self.cf_text = cf_text        # a whole main.cf ({base} {dir}...)
        self.cf_file = cf_file        # a file in t/hostile/ (same fields)
        self.setup = setup            # fn(ctx) before the run
        self.box = box                # mailbox (below the base) to check
        self.check = check            # fn(ctx, raw_message) -> problem
        self.lmtp = lmtp              # LMTP session bytes
        self.lmtp_want = lmtp_want    # regexes, in order, over the replies
        self.root_only = root_only
        self.timeout = timeout
        self.known_bug = known_bug    # why this case fails today (reported)
        self.after = after            # fn(ctx) -> problem, after the run


class Ctx:
    def __init__(self, top, n, a):
        self.dir = os.path.join(top, "c%02d" % n)
        self.base = os.path.join(self.dir, "mail")
        self.a = a
        self.uid, self.gid = a.uid, a.gid
        self.canary = os.path.join(top, "canary")

    def path(self, rel):
        return os.path.join(self.base, rel.lstrip("/"))

    def own(self, p, uid=None, gid=None):
        if IS_ROOT:
            os.lchown(p, self.uid if uid is None else uid,
                      self.gid if gid is None else gid)

    def mkdir(self, rel):
        p = self.path(rel)
        os.makedirs(p, exist_ok=True)
        d = p
        while d != self.base and d.startswith(self.base):
            self.own(d)
            d = os.path.dirname(d)
        return p

    def write(self, rel, data, mode=0o600):
        p = self.path(rel)
        self.mkdir(os.path.dirname(rel)) if os.path.dirname(rel) else None
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        self.own(p)
        return p

    def symlink(self, target, rel):
        p = self.path(rel)
        os.symlink(target, p)
        self.own(p)
        return p


# ---- what the cases use -------------------------------------------------

def contains(*needles):
    def check(ctx, raw):
        for nd in needles:
            if nd not in raw:
                return "stored message lacks %r" % nd[:40]
        return None
    return check


def lacks(*needles):
    def check(ctx, raw):
        for nd in needles:
            if nd in raw:
                return "stored message has %r" % nd[:40]
        return None
    return check


def both(*checks):
    def check(ctx, raw):
        for c in checks:
            p = c(ctx, raw)
            if p:
                return p
        return None
    return check


def header_is(name, value):
    """The stored message's header (first occurrence) equals value."""
    def check(ctx, raw):
        head = raw.split(b"\n\n", 1)[0]
        for line in head.split(b"\n"):
            if line.lower().startswith(name.lower() + b":"):
                got = line[len(name) + 1:].strip()
                return None if got == value else "%s: %r, want %r" % (
                    name.decode(), got[:80], value[:80])
        return "no %s header" % name.decode()
    return check


def no_pwned(ctx, raw):
    return "a shell ran: %s exists" % PWNED if os.path.exists(PWNED) else None


def big_line(n):
    return b"Subject: big\nX-Long: " + b"x" * n + b"\n\nbody\n"


def eightbit():
    junk = bytes(range(0x80, 0x100))
    return (b"Subject: \xe9t\xe9 " + junk[:40] + b"\nX-Junk: " + junk + b"\n\n"
            + junk * 4 + b"\n\xff\xfe\xfd\n")


def setup_symlink_to(target):
    def setup(ctx):
        ctx.symlink(target, "a.mbox")
    return setup


def setup_canary_link(ctx):
    ctx.symlink(os.path.join(ctx.canary, "file"), "a.mbox")


def setup_inside_link(ctx):
    ctx.write("other.mbox", b"From x  Thu Jan  1 00:00:00 1970\n\nold\n\n")
    ctx.symlink("other.mbox", "a.mbox")


def setup_dangling(ctx):
    ctx.symlink(os.path.join(ctx.canary, "does-not-exist"), "a.mbox")


def setup_hardlink(ctx):
    p = ctx.write("other.mbox", b"")
    os.link(p, ctx.path("a.mbox"))


def setup_hardlink_outside(ctx):
    os.link(os.path.join(ctx.canary, "linkme"), ctx.path("a.mbox"))


def setup_dir(ctx):
    ctx.mkdir("a.mbox")


def setup_fifo(ctx):
    os.mkfifo(ctx.path("a.mbox"), 0o600)
    ctx.own(ctx.path("a.mbox"))


def setup_foreign(ctx):
    p = ctx.write("a.mbox", b"", mode=0o666)
    os.chown(p, 65534, 65534)
    os.chmod(ctx.base, 0o777)


def setup_rootowned(ctx):
    p = ctx.write("a.mbox", b"", mode=0o666)
    os.chown(p, 0, 0)


def setup_new_symlink(ctx):
    ctx.mkdir("md/tmp")
    ctx.mkdir("md/cur")
    os.makedirs(os.path.join(ctx.canary, "dir"), exist_ok=True)
    ctx.symlink(os.path.join(ctx.canary, "dir"), "md/new")


def setup_tmp_symlink(ctx):
    ctx.mkdir("md/new")
    ctx.mkdir("md/cur")
    os.makedirs(os.path.join(ctx.canary, "dir"), exist_ok=True)
    ctx.symlink(os.path.join(ctx.canary, "dir"), "md/tmp")


def setup_maildir_file(ctx):
    ctx.write("md", b"not a directory\n")


def setup_dir_link(ctx):
    os.makedirs(os.path.join(ctx.canary, "dir"), exist_ok=True)
    ctx.symlink(os.path.join(ctx.canary, "dir"), "sub")


def setup_no_base(ctx):
    shutil.rmtree(ctx.base)


def setup_base_is_file(ctx):
    shutil.rmtree(ctx.base)
    with open(ctx.base, "w") as f:
        f.write("x\n")


def setup_existing_mbox_no_nl(ctx):
    ctx.write("a.mbox", b"From x  Thu Jan  1 00:00:00 1970\n\nno final newline")


def texthash(ctx, name, text):
    p = os.path.join(ctx.dir, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def long_addr(n):
    return "l" * n + "@x"


MAPS_UIDS = "inline:{ a@x=%d }"


def uid_case(name, value, key="virtual_uid_maps", want=r"^4\.3\.5 "):
    return Case("%s %s" % (key.replace("virtual_", "").replace("_maps", ""),
                           name), 75, want,
                cf={key: "inline:{ a@x=%s }" % value if value != ""
                    else "inline:{ a@x= }"})


L = "\r\n"


def lmtp_session(*lines, data=None):
    s = "LHLO test" + L + "".join(x + L for x in lines)
    if data is not None:
        s += "DATA" + L + data + "." + L
    return (s + "QUIT" + L).encode("latin-1")


CASES = [
    # ---- message content --------------------------------------------
    Case("NUL bytes in the body", 0, r"^2\.0\.0 ",
         msg=b"Subject: nul\n\nbody\x00with a NUL\n",
         check=contains(b"body\x00with a NUL\n")),
    Case("NUL byte in a header", 0, r"^2\.0\.0 ",
         msg=b"Subject: n\x00ul\n\nbody\n", check=contains(b"n\x00ul")),
    Case("1 MiB header line", 0, r"^2\.0\.0 ", msg=big_line(1 << 20),
         check=contains(b"x" * (1 << 20) + b"\n")),
    Case("1 MiB header line, maildir", 0, r"^2\.0\.0 ", rcpt="md@x",
         box="md/", msg=big_line(1 << 20),
         check=contains(b"x" * (1 << 20) + b"\n")),
    Case("3 MiB message on one line (spooled to a file)", 0, r"^2\.0\.0 ",
         msg=b"Subject: one line\n\n" + b"y" * (3 << 20),
         check=contains(b"y" * (3 << 20) + b"\n")),
    Case("no header/body separator", 0, r"^2\.0\.0 ",
         msg=b"Subject: x\nthis is not a header line\nbody\n",
         check=contains(b"this is not a header line\nbody\n")),
    Case("only headers", 0, r"^2\.0\.0 ",
         msg=b"Subject: only headers\nFrom: a@example.org\n",
         check=contains(b"Subject: only headers\n")),
    Case("empty message", 0, r"^2\.0\.0 ", msg=b""),
    Case("empty message, maildir", 0, r"^2\.0\.0 ", msg=b"", rcpt="md@x",
         box="md/"),
    Case("a lone newline", 0, r"^2\.0\.0 ", msg=b"\n"),
    Case("bare CR kept, CRLF becomes LF", 0, r"^2\.0\.0 ",
         msg=b"Subject: cr\r\n\r\nline1\rstill line1\r\nline2\r\n",
         check=both(contains(b"line1\rstill line1\nline2\n"), lacks(b"\r\n"))),
    Case("CR alone at the very end", 0, r"^2\.0\.0 ",
         msg=b"Subject: cr\n\nend\r", check=contains(b"end\r\n")),
    Case("8-bit junk in headers and body", 0, r"^2\.0\.0 ", msg=eightbit(),
         check=contains(bytes(range(0x80, 0x100)))),
    Case("From_ lines in the body are quoted", 0, r"^2\.0\.0 ",
         msg=b"Subject: f\n\nFrom here\nFrom  two spaces\n>From kept\nFromage\n",
         check=contains(b"\n>From here\n>From  two spaces\n>From kept\nFromage\n")),
    Case("message that starts with a From_ line", 0, r"^2\.0\.0 ",
         msg=b"From evil@x  Thu Jan  1 00:00:00 1970\nSubject: x\n\nb\n",
         check=contains(b">From evil@x  Thu Jan  1 00:00:00 1970\n")),
    Case("2000 From_ lines", 0, r"^2\.0\.0 ",
         msg=b"Subject: many\n\n" + b"From line\n" * 2000,
         check=contains(b">From line\n" * 2000)),
    Case("no final newline", 0, r"^2\.0\.0 ",
         msg=b"Subject: x\n\nlast line without newline",
         check=contains(b"last line without newline\n")),
    Case("100,000 header lines", 0, r"^2\.0\.0 ",
         msg=b"".join(b"X-H%d: v\n" % i for i in range(100000)) + b"\nbody\n"),
    Case("Delivered-To for this recipient already (no loop check by "
         "default, as virtual(8))", 0, r"^2\.0\.0 ",
         msg=b"Delivered-To: a@x\nSubject: loop\n\nbody\n"),
    Case("mbox whose last byte is not a newline: the new message must "
         "still be a message of its own", 0, r"^2\.0\.0 ",
         setup=setup_existing_mbox_no_nl),
    Case("message over virtual_mailbox_limit (mbox): 5.2.2", 73,
         r"^5\.2\.2 ", msg=b"Subject: big\n\n" + b"z" * 5000 + b"\n",
         cf={"virtual_mailbox_limit": "3000", "message_size_limit": "2000"}),
    Case("message over virtual_mailbox_limit (maildir): 5.2.2", 73,
         r"^5\.2\.2 ", rcpt="md@x", box="md/",
         msg=b"Subject: big\n\n" + b"z" * 5000 + b"\n",
         cf={"virtual_mailbox_limit": "3000", "message_size_limit": "2000"}),

    # ---- envelope addresses --------------------------------------------
    Case("empty recipient", 67, r'^5\.1\.1 unknown user: ""', rcpt=""),
    Case("64 KiB recipient (catch-all)", 0, r"^2\.0\.0 ",
         rcpt=long_addr(65536), box="catch.mbox",
         rc_alt=[(67, r"^5\.1\.3 ")]),
    Case("64 KiB recipient, no catch-all", 67, r"^5\.1\.[13] ",
         rcpt=long_addr(65536), cf={"virtual_mailbox_maps":
                                    "inline:{ a@x=a.mbox }"}),
    Case("recipient with / and .. goes to the catch-all, nowhere else", 0,
         r"^2\.0\.0 ", rcpt="../../../../etc/passwd@x", box="catch.mbox",
         check=header_is(b"Delivered-To", b'"../../../../etc/passwd"@x')),
    Case("recipient ..@x", 0, r"^2\.0\.0 ", rcpt="..@x", box="catch.mbox",
         check=header_is(b"Delivered-To", b'".."@x')),
    Case("recipient with a newline", 67, r"^5\.1\.3 ",
         rcpt="b\nX-Injected: yes@x", box="catch.mbox"),
    Case("recipient with a CR", 67, r"^5\.1\.3 ", rcpt="b\rX-Injected: yes@x",
         box="catch.mbox", rc_alt=[(0, r"^2\.0\.0 ")],
         check=lacks(b"\nX-Injected")),
    Case("sender with a newline", 67, r"^5\.1\.7 ",
         sender="evil\nFrom inj@x"),
    Case("sender with a CR", 67, r"^5\.1\.7 ", sender="evil\rX: y",
         rc_alt=[(0, r"^2\.0\.0 ")], check=lacks(b"\nX: y")),
    Case("original recipient (-a) with a newline", 67, r"^5\.1\.[37] ",
         args=["-f", "s@y", "-a", "orig\nX-Injected: yes@x", "a@x"],
         rc_alt=[(0, r"^2\.0\.0 ")], check=lacks(b"\nX-Injected")),
    Case("empty sender: MAILER-DAEMON, Return-Path <>", 0, r"^2\.0\.0 ",
         sender="", check=both(contains(b"Return-Path: <>\n"))),
    Case("64 KiB sender", 0, r"^2\.0\.0 ", sender="s" * 65536 + "@y",
         rc_alt=[(67, r"^5\.1\.7 ")]),
    Case("shell metacharacters: $(...)", 0, r"^2\.0\.0 ",
         rcpt="$(touch %s)@x" % PWNED, box="catch.mbox", check=no_pwned),
    Case("shell metacharacters: backquotes", 0, r"^2\.0\.0 ",
         rcpt="`touch %s`@x" % PWNED, box="catch.mbox", check=no_pwned),
    Case("shell metacharacters: ; | & > <", 0, r"^2\.0\.0 ",
         rcpt="a;touch %s|b&c>d<e@x" % PWNED, box="catch.mbox",
         check=both(no_pwned, header_is(
             b"Delivered-To", b'"a;touch %s|b&c>d<e"@x' % PWNED.encode()))),
    Case("sender with shell metacharacters", 0, r"^2\.0\.0 ",
         sender="$(touch %s)@y" % PWNED, check=no_pwned),
    Case("quotes and backslashes in the local part", 0, r"^2\.0\.0 ",
         rcpt='q"uo\\te@x', box="catch.mbox",
         check=header_is(b"Delivered-To", b'"q\\"uo\\\\te"@x')),
    Case("several @: the last one starts the domain", 0, r"^2\.0\.0 ",
         rcpt="a@b@x", box="catch.mbox",
         check=header_is(b"Delivered-To", b'"a@b"@x')),
    Case("several @, domain not ours", 67, r"^5\.1\.1 ", rcpt="a@x@evil"),
    Case("several delimiters: a+b+c@x is a@x", 0, r"^2\.0\.0 ",
         rcpt="a+b+c@x", check=header_is(b"Delivered-To", b"a+b+c@x")),
    Case("delimiter first: +a@x is not split", 0, r"^2\.0\.0 ",
         rcpt="+a@x", box="catch.mbox"),
    Case("upper case recipient is folded", 0, r"^2\.0\.0 ", rcpt="A@X"),
    Case("a recipient that looks like an option after --", 67, r"^5\.1\.1 ",
         args=["-f", "s@y", "--", "-c/etc/passwd"]),
    Case("1001 recipients: refused before anything is written", 75,
         r"^4\.3\.5 ", rcpt=["a@x"] * 1001),
    Case("NUL in RCPT TO over LMTP (argv cannot carry one)", 0, None,
         lmtp=lmtp_session("MAIL FROM:<s@y>", "RCPT TO:<a\x00b@x>",
                           "RCPT TO:<a@x>",
                           data="Subject: l\r\n\r\nbody\r\n"),
         lmtp_want=[r"^250 2\.1\.0 ", r"^500 5\.5\.2 ", r"^250 2\.1\.5 ",
                    r"^354 ", r"^250 2\.0\.0 <a@x> "]),
    Case("NUL in MAIL FROM over LMTP", 0, None, box=None,
         lmtp=lmtp_session("MAIL FROM:<s\x00@y>", "RCPT TO:<a@x>", "DATA"),
         lmtp_want=[r"^500 5\.5\.2 ", r"^503 ", r"^503 "]),
    Case("newline inside an LMTP address", 0, None, box=None,
         lmtp=b"LHLO t\r\nMAIL FROM:<s@y>\r\nRCPT TO:<a\nX: y@x>\r\nQUIT\r\n",
         lmtp_want=[r"^250 2\.1\.0", r"^5\d\d 5\."]),

    # ---- table results ---------------------------------------------------
    Case("table result ../escape.mbox", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "inline:{ a@x=../escape.mbox }"}),
    Case("table result sub/../../escape.mbox", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "inline:{ a@x=sub/../../escape.mbox }"}),
    Case("table result ../md/ (maildir)", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "inline:{ a@x=../md/ }"}),
    Case("table result ending in /.. ", 75, r"^4\.", box=None,
         cf={"virtual_mailbox_maps": "inline:{ a@x=sub/.. }"},
         setup=lambda ctx: ctx.mkdir("sub"),
         rc_alt=[(78, r"^5\.3\.5 "), (69, r"^5\.")]),
    Case("table result is an absolute path", 75, r"^4\.", box=None,
         cf={"virtual_mailbox_maps": "inline:{ a@x=/etc/passwd }"}),
    Case("table result is an absolute maildir: made below the base", 0,
         r"^2\.0\.0 ", box="/tmp/vdtest-hostile/",
         cf={"virtual_mailbox_maps": "inline:{ a@x=/tmp/vdtest-hostile/ }"},
         after=lambda ctx: "/tmp/vdtest-hostile exists" if os.path.lexists(
             "/tmp/vdtest-hostile") else None),
    Case("table result is empty", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "inline:{ a@x= }"}),
    Case("table result '.'", 75, r"^4\.", box=None,
         cf={"virtual_mailbox_maps": "inline:{ a@x=. }"},
         rc_alt=[(78, r"^5\.3\.5 "), (69, r"^5\.")]),
    Case("table result with trailing spaces (texthash)", 0, r"^2\.0\.0 ",
         cf={"virtual_mailbox_maps": "texthash:{dir}/trailing"},
         setup=lambda ctx: texthash(ctx, "trailing", "a@x   a.mbox   \t \n")),
    Case("table result with a NUL byte (texthash): cut there", 0,
         r"^2\.0\.0 ", box="a.mb",
         cf={"virtual_mailbox_maps": "texthash:{dir}/nul"},
         setup=lambda ctx: texthash(ctx, "nul", "a@x a.mb\x00ox\n"),
         rc_alt=[(75, r"^4\.")]),
    Case("regexp $1 in a result is dropped (no substitution)", 67,
         r"^5\.1\.1 ", cf={"virtual_mailbox_maps": "regexp:{data}/regsub.regexp"}),
    Case("maildir result on an existing mbox file", 75, r"^4\.", box=None,
         cf={"virtual_mailbox_maps": "inline:{ a@x=a.mbox/ }"},
         setup=lambda ctx: ctx.write("a.mbox", b"")),

    # ---- uid/gid values ------------------------------------------------------
    uid_case("0", "0"),
    uid_case("negative", "-1"),
    uid_case("overflowing", "99999999999999999999"),
    uid_case("2^32-1", "4294967295"),
    uid_case("2^32", "4294967296"),
    uid_case("non-numeric", "abc"),
    uid_case("trailing junk", "1000x"),
    uid_case("empty", ""),
    uid_case("below virtual_minimum_uid", "5"),
    uid_case("0", "0", key="virtual_gid_maps"),
    uid_case("negative", "-1", key="virtual_gid_maps"),
    uid_case("overflowing", "99999999999999999999", key="virtual_gid_maps"),
    uid_case("non-numeric", "staff", key="virtual_gid_maps"),
    Case("uid not in the table", 75, r"^4\.3\.5 ",
         cf={"virtual_uid_maps": "inline:{ other@x=1000 }"}),

    # ---- the mailbox itself ----------------------------------------------------
    Case("mbox is a symlink to /etc/passwd", 75, r"^[45]\.", box=None,
         setup=setup_symlink_to("/etc/passwd"), rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox is a symlink out of the base", 75, r"^[45]\.", box=None,
         setup=setup_canary_link, rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox is a symlink inside the base", 75, r"^[45]\.", box=None,
         setup=setup_inside_link, rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox is a dangling symlink", 75, r"^[45]\.", box=None,
         setup=setup_dangling, rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox is a symlink to /dev/null", 75, r"^[45]\.", box=None,
         setup=setup_symlink_to("/dev/null"), rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox has a second hard link", 75, r"^4\.", box=None,
         setup=setup_hardlink),
    Case("mbox is a hard link to a file out of the base", 75, r"^4\.",
         box=None, setup=setup_hardlink_outside),
    Case("mbox is a directory", 75, r"^[45]\.", box=None, setup=setup_dir,
         rc_alt=[(78, r"^5\.3\.5 ")]),
    Case("mbox is a FIFO (no hang)", 78, r"^5\.3\.5 ", box=None,
         setup=setup_fifo, rc_alt=[(75, r"^4\.")], timeout=30),
    Case("mbox owned by another user", 75,
         r"^4\.2\.0 .*not owned by recipient", box=None,
         setup=setup_foreign, root_only=True),
    Case("mbox owned by root", 75, r"^4\.2\.0 .*not owned by recipient",
         box=None, setup=setup_rootowned, root_only=True),
    Case("maildir new/ is a symlink out of the base", 75, r"^4\.", box=None,
         rcpt="md@x", setup=setup_new_symlink),
    Case("maildir tmp/ is a symlink out of the base", 75, r"^4\.", box=None,
         rcpt="md@x", setup=setup_tmp_symlink),
    Case("maildir is a plain file", 75, r"^4\.", box=None, rcpt="md@x",
         setup=setup_maildir_file),
    Case("a directory on the way is a symlink out of the base", 75,
         r"^4\.", box=None, setup=setup_dir_link,
         cf={"virtual_mailbox_maps": "inline:{ a@x=sub/md/ }"}),
    Case("virtual_mailbox_base does not exist (and is not made)", 75,
         r"^4\.", box=None, setup=setup_no_base,
         after=lambda ctx: "the base was made" if os.path.lexists(ctx.base)
         else None),
    Case("virtual_mailbox_base does not exist, maildir (not made)", 75,
         r"^4\.", box=None, setup=setup_no_base, rcpt="md@x",
         after=lambda ctx: "the base was made" if os.path.lexists(ctx.base)
         else None),
    Case("virtual_mailbox_base is a file", 75, r"^4\.", box=None,
         setup=setup_base_is_file),

    # ---- configuration files -----------------------------------------------
    Case("$name recursion ($a -> $b -> $a)", 75, r"^4\.3\.5 .*main\.cf",
         cf_file="recursive.cf"),
    Case("a parameter that names itself", 75, r"^4\.3\.5 ",
         cf_file="selfref.cf"),
    Case("a 1 MiB value for an unused parameter", 0, r"^2\.0\.0 ",
         cf={"unused_parameter": "v" * (1 << 20)}),
    Case("a 1 MiB value expanded 64 times", 0, r"^2\.0\.0 ",
         cf={"huge": "h" * (1 << 20), "twice": "$huge" * 64,
             "maillog_file": "{dir}/maillog"}, rc_alt=[(75, r"^4\.3\.5 ")]),
    Case("10,000 inline table entries", 0, r"^2\.0\.0 ",
         cf={"virtual_mailbox_maps": "inline:{ " + ", ".join(
             "u%d@x=u%d.mbox" % (i, i) for i in range(10000))
             + ", a@x=a.mbox }"}),
    Case("unknown lock method", 75, r"^4\.3\.5 .*main\.cf",
         cf_file="unknown-lock.cf"),
    Case("empty lock method list", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_lock": ""}),
    Case("lock methods are case-sensitive", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_lock": "FCNTL"}),
    Case("a line without '='", 75, r"^4\.3\.5 .*main\.cf:2",
         cf_file="missing-equals.cf"),
    Case("relative virtual_mailbox_base", 75, r"^4\.3\.5 .*relative",
         cf={"virtual_mailbox_base": "relative/mail"}),
    Case("virtual_minimum_uid = 0", 75, r"^4\.3\.5 ",
         cf={"virtual_minimum_uid": "0"}),
    Case("deliver_lock_attempts = -1", 75, r"^4\.3\.5 ",
         cf={"deliver_lock_attempts": "-1"}),
    Case("virtual_mailbox_limit below message_size_limit", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_limit": "1000", "message_size_limit": "2000"}),
    Case("unknown table type", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "bogus:/etc/postfix/x"}),
    Case("table file missing", 75, r"^4\.3\.5 ",
         cf={"virtual_mailbox_maps": "texthash:{dir}/no-such-table"}),
    Case("config file missing", 75, r"^4\.3\.5 ",
         args=["-c", "/nonexistent/vdeliver.cf", "-f", "s@y", "a@x"]),
    Case("config file with a NUL byte", 75, r"^4\.3\.5 ",
         cf_file="nul.cf", rc_alt=[(0, r"^2\.0\.0 ")]),
    Case("-o with a bad value", 75, r"^4\.3\.5 .*virtual_minimum_uid",
         args=["-o", "virtual_minimum_uid=abc", "-f", "s@y", "a@x"]),
]


# ---- running and judging ---------------------------------------------------

def tree_state(top):
    """path -> (type, owner, content hash) below top, links not followed."""
    out = {}
    if not os.path.lexists(top):
        return out
    if not os.path.isdir(top) or os.path.islink(top):
        st = os.lstat(top)
        return {".": (stat.S_IFMT(st.st_mode), st.st_uid, _digest(top, st))}
    for root, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            out[os.path.relpath(p, top)] = (stat.S_IFMT(st.st_mode),
                                            st.st_uid, _digest(p, st))
    return out


def _digest(p, st):
    if stat.S_ISREG(st.st_mode):
        h = hashlib.sha1()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest() + ":%d" % st.st_nlink
    if stat.S_ISLNK(st.st_mode):
        return "->" + os.readlink(p)
    return ""


def file_digest(p):
    try:
        with open(p, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    except OSError as e:
        return "error %s" % e.errno


def write_config(case, ctx, a):
    fields = dict(base=ctx.base, dir=ctx.dir, uid=ctx.uid, gid=ctx.gid,
                  data=a.data)
    if case.cf_file:
        with open(os.path.join(a.data, case.cf_file), "rb") as f:
            text = f.read()
        for k, v in fields.items():
            text = text.replace(("{%s}" % k).encode(), str(v).encode())
    elif case.cf_text:
        text = case.cf_text.format(**fields).encode()
    else:
        cf = {
            "virtual_mailbox_base": ctx.base,
            "virtual_mailbox_maps": "inline:{ a@x=a.mbox, md@x=md/, "
                                    "@x=catch.mbox }",
            "virtual_uid_maps": "static:%d" % ctx.uid,
            "virtual_gid_maps": "static:%d" % ctx.gid,
            "virtual_minimum_uid": "10",
            "maillog_file": os.path.join(ctx.dir, "maillog"),
            "recipient_delimiter": "+",
            "deliver_lock_attempts": "1",
        }
        for k, v in case.cf.items():
            if v is None:
                cf.pop(k, None)
            else:
                cf[k] = v.replace("{dir}", ctx.dir).replace(
                    "{data}", a.data) if len(v) < 4096 else v
        text = "".join("%s = %s\n" % kv for kv in cf.items()).encode()
    path = os.path.join(ctx.dir, "main.cf")
    with open(path, "wb") as f:
        f.write(text)
    return path


def read_box(ctx, rel):
    """List of raw messages in the mailbox rel (mbox or maildir/)."""
    p = ctx.path(rel)
    if rel.endswith("/"):
        if not os.path.isdir(os.path.join(p, "new")):
            return []
        box = mailbox.Maildir(p, factory=None, create=False)
        return [box.get_bytes(k) for k in sorted(box.iterkeys())]
    if not os.path.isfile(p) or os.path.islink(p):
        return []
    box = mailbox.mbox(p, create=False)
    try:
        return [box.get_bytes(k) for k in box.iterkeys()]
    finally:
        box.close()


def run_case(n, case, a, top):
    ctx = Ctx(top, n, a)
    os.makedirs(ctx.base)
    os.chmod(ctx.dir, 0o755)
    ctx.own(ctx.base)
    if case.setup:
        case.setup(ctx)
    cf = write_config(case, ctx, a)
    if os.path.exists(PWNED):
        os.unlink(PWNED)
    box_before = read_box(ctx, case.box) if case.box else []
    before = tree_state(ctx.base)
    canary_before = tree_state(ctx.canary)
    passwd = file_digest("/etc/passwd")
    root_owned_before = {p for p, v in before.items() if v[1] == 0}

    if case.lmtp is not None:
        argv = [a.vdeliver, "--lmtp", "-c", cf]
        stdin = case.lmtp
    elif case.args is not None:
        argv = [a.vdeliver] + (["-c", cf] if "-c" not in case.args else []) \
            + case.args
        stdin = case.msg
    else:
        argv = [a.vdeliver, "-c", cf, "-f", case.sender, "--"] + case.rcpt
        stdin = case.msg
    problems = []
    t0 = time.time()
    try:
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=case.timeout)
        rc, out = p.returncode, p.stdout.decode("latin-1")
        err = p.stderr.decode("latin-1")
    except subprocess.TimeoutExpired:
        rc, out, err = None, "", ""
        problems.append("no exit within %ds (a hang)" % case.timeout)
    except OSError as e:
        rc, out, err = None, "", ""
        problems.append("cannot run: %s" % e)
    elapsed = time.time() - t0
    first = out.split("\n", 1)[0]

    if rc is not None and case.lmtp is None:
        ok = [(case.rc, case.want)] + list(case.rc_alt)
        if not any(rc == r and (w is None or re.search(w, first))
                   for r, w in ok):
            problems.append("exit %d [%s], want %s" % (
                rc, first[:150], " or ".join("%d /%s/" % x for x in ok)))
        if rc < 0:
            problems.append("killed by signal %d" % -rc)
    if case.lmtp is not None and rc is not None:
        replies = [x for x in out.split("\r\n") if x and not x.startswith(
            ("220 ", "250-")) and not re.match(r"^250 (DSN|SIZE|8BIT|PIPE)", x)]
        replies = [x for x in replies if not x.startswith("221 ")]
        # the LHLO reply's last line
        replies = [x for x in replies if not re.match(r"^250 \S+$", x)]
        for i, w in enumerate(case.lmtp_want or []):
            if i >= len(replies) or not re.search(w, replies[i]):
                problems.append("LMTP reply %d: %r, want /%s/" % (
                    i + 1, replies[i] if i < len(replies) else None, w))
        if rc != 0:
            problems.append("LMTP session exit %d" % rc)
    if err.strip() and "AddressSanitizer" in err:
        problems.append("sanitizer: " + err.strip()[:300])

    after = tree_state(ctx.base)
    delivered = rc == 0 and case.lmtp is None and first.startswith("2.")
    if case.lmtp is not None:
        delivered = any(re.match(r"^250 2\.0\.0 ", x) for x in out.split("\r\n"))
    if delivered and case.box:
        msgs = read_box(ctx, case.box)
        if len(msgs) != len(box_before) + 1:
            problems.append("%s holds %d messages, want %d" % (
                case.box, len(msgs), len(box_before) + 1))
        elif case.check:
            pr = case.check(ctx, msgs[-1])
            if pr:
                problems.append(pr)
        # nothing else below the base changed
        changed = [p for p in set(before) | set(after)
                   if before.get(p) != after.get(p)
                   and not (p == case.box.strip("/")
                            or p.startswith(case.box.strip("/") + "/")
                            or case.box.strip("/").startswith(p + "/"))]
        if changed:
            problems.append("other files changed: %s" % ", ".join(sorted(changed))[:200])
    elif not delivered:
        # new empty directories (a maildir's skeleton) are harmless
        changed = sorted(p for p in set(before) | set(after)
                         if before.get(p) != after.get(p)
                         and not (p not in before and stat.S_ISDIR(after[p][0])))
        if changed:
            problems.append("refused, but the spool changed: %s" % ", ".join(changed)[:300])
        if case.check and case.check is no_pwned:
            pr = no_pwned(ctx, b"")
            if pr:
                problems.append(pr)
    if case.after:
        pr = case.after(ctx)
        if pr:
            problems.append(pr)
    if tree_state(ctx.canary) != canary_before:
        problems.append("the canary tree outside the base changed")
    if file_digest("/etc/passwd") != passwd:
        problems.append("/etc/passwd changed")
    if os.path.exists(PWNED):
        problems.append("a shell ran (%s exists)" % PWNED)
        os.unlink(PWNED)
    if IS_ROOT:
        root_now = {p for p, v in after.items() if v[1] == 0}
        new_root = sorted(root_now - root_owned_before)
        if new_root:
            problems.append("written as root: %s" % ", ".join(new_root)[:200])
        for p, v in after.items():
            if stat.S_ISLNK(v[0]) and p not in before:
                problems.append("a new symlink below the base: %s" % p)
    return problems, rc, first, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdeliver", required=True)
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--uid", type=int, required=True)
    ap.add_argument("--gid", type=int, required=True)
    ap.add_argument("--data", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "hostile"))
    ap.add_argument("--only", default=None)
    ap.add_argument("--figures", default=None)
    a = ap.parse_args()
    rep = vdtest.Report()
    top = os.path.join(a.scratch, "hostile")
    os.makedirs(top)
    os.chmod(top, 0o755)
    canary = os.path.join(top, "canary")
    os.makedirs(canary)
    for name, data in (("file", b"canary\n"), ("linkme", b"hard link me\n")):
        with open(os.path.join(canary, name), "wb") as f:
            f.write(data)
    if IS_ROOT:
        # writable by the delivering user: a write through a link would land
        os.chmod(canary, 0o777)
        for name in ("file", "linkme"):
            os.chmod(os.path.join(canary, name), 0o666)
    n_run = n_skip = n_known = 0
    for n, case in enumerate(CASES):
        if a.only and not re.search(a.only, case.name):
            continue
        if case.root_only and not IS_ROOT:
            rep.note("skipped (needs root): %s" % case.name)
            n_skip += 1
            continue
        n_run += 1
        problems, rc, first, elapsed = run_case(n, case, a, top)
        if case.known_bug:
            # reported; once it passes, the mark must go
            if problems:
                n_known += 1
                rep.note("TODO known bug: %s: %s (%s)" % (
                    case.name, "; ".join(problems), case.known_bug))
            rep.ok(bool(problems), "known bug still there: %s (if fixed, "
                   "remove known_bug)" % case.name)
            continue
        rep.ok(not problems, "%s (exit %s: %s)" % (
            case.name, rc, first[:90] if case.lmtp is None else "LMTP"),
            "; ".join(problems))
    line = "hostile: %d cases run (%d need root, skipped), %d as expected, " \
        "%d not, %d known bugs" % (n_run, n_skip, rep.n_pass - n_known,
                                   rep.n_fail, n_known)
    rep.figure(line, a.figures)
    return rep.done()


if __name__ == "__main__":
    sys.exit(main())
