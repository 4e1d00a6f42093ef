#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""diffrun - the differential corpus: vdeliver against Postfix's virtual(8).

SYNOPSIS
    diffrun.py plan CASEDIR WORK          group the cases, build their tables
    diffrun.py prepare WORK GROUP MODE    fresh mailbox tree; main.cf lines
    diffrun.py submit WORK GROUP          sendmail every case of the group
    diffrun.py compare WORK MODE...       compare each mode with "virtual"
    diffrun.py normalise FILE             the normalised bytes of FILE
    diffrun.py messages CASEDIR OUT       each case's message as OUT/NAME.eml

DESCRIPTION
    t/postfix-diff.sh drives the Postfix instance (t/postfix-lib.sh) and
    calls this script between the steps; the environment gives PF_ETC,
    PF_BASE, PF_TABLES and the users' ids (VMAIL_UID, U1, ...).

    A case is one file in CASEDIR (format in t/diff/README).  Cases of one
    group run in one Postfix configuration: their tables are listed one
    after another in virtual_mailbox_maps (uid, gid, alias maps alike),
    their domains are distinct, and each case owns the directory named
    after it below the mailbox base, so one submission burst per mode
    covers the whole group.  A mode is a virtual_transport: "virtual"
    (the reference), "pipe", "lmtp-spawn", "lmtp-listen".

    compare reads, per mode, the delivery records of the log (dsn=,
    status=, per recipient) and the mailbox tree (every file and
    directory: path, type, mode, owner, bytes), normalised only where
    two runs must differ: the date on From_ lines, the queue id and date
    that Postfix's Received: header and its added Message-Id/Date carry,
    and maildir file names (replaced by their rank).  Any other
    difference fails the case and prints a diff.  A case may declare
    what a mode must do instead ("expect pipe: deferred 4.3.5 /uid/";
    "expect vdeliver:" names every mode but virtual): that mode is then
    checked against the declaration only and counted as an expected
    difference; when it says deferred, the case's tree must also be as it
    was before delivery.  "expect: ..." (every mode) is checked before
    comparing.

    Output: one "ok - " or "FAIL - " line per case and mode, then the
    summary "cases: N run, I identical, E expected differences, F failed";
    the exit status is 1 when anything failed.
"""
import difflib
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys

KINDS = {"mailbox": "virtual_mailbox_maps", "uid": "virtual_uid_maps",
         "gid": "virtual_gid_maps", "alias": "virtual_alias_maps"}
FILE_TYPES = {"hash", "btree", "cdb", "texthash", "regexp", "pcre"}
POSTMAP_TYPES = {"hash", "btree", "cdb"}
STATUSES = {"sent", "bounced", "deferred"}
# the programs whose records count: the delivery agents Postfix runs, and
# the queue manager (a throttled transport); not vdeliver's own records
AGENTS = {"virtual", "pipe", "lmtp", "qmgr"}


def env(name):
    try:
        return os.environ[name]
    except KeyError:
        sys.exit("diffrun: %s is not set (run from t/postfix-diff.sh)" % name)


def subst(text):
    """@NAME@ tokens: users' ids and the instance's directories."""
    def one(m):
        return env(m.group(1))
    return re.sub(r"@([A-Z][A-Z0-9_]*)@", one, text)


class Case:
    """One case file: header lines, then @@ blocks."""

    def __init__(self, path):
        self.name = os.path.basename(path)
        self.path = path
        self.desc = ""
        self.group = "main"
        self.sender = None
        self.rcpts = []
        self.domains = []
        self.alias_domains = []
        self.maincf = []
        self.expect = {}        # mode or "*" -> (status, dsn prefix, regex)
        self.tables = []        # (kind, type, content)
        self.setup = ""
        self.message = None
        self.message_cmd = None
        self.crlf = False
        self.final_newline = True
        self.parse()

    def fail(self, lineno, why):
        sys.exit("%s:%d: %s" % (self.path, lineno, why))

    def parse(self):
        with open(self.path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        i = 0
        block = None
        body = []

        def close(block, body, lineno):
            if block is None:
                return
            text = b"\n".join(body)
            word = block[0]
            if word == "message":
                self.message = text
            elif word == "message-cmd":
                self.message_cmd = text.decode()
            elif word == "setup":
                self.setup = text.decode()
            elif word in KINDS:
                if len(block) != 2:
                    self.fail(lineno, "usage: @@ %s TYPE" % word)
                self.tables.append((word, block[1], text.decode()))
            else:
                self.fail(lineno, "unknown block @@ %s" % word)

        while i < len(lines):
            raw = lines[i]
            i += 1
            if block is not None and block[0] == "message":
                body = lines[i - 1:]
                if body and body[-1] == b"":
                    body = body[:-1]
                # the message runs to the end of the file, verbatim
                self.message = b"\n".join(body) + b"\n"
                block = None
                break
            line = raw.decode("utf-8", "surrogateescape")
            if line.startswith("@@ "):
                close(block, body, i)
                block = line[3:].split()
                body = []
                continue
            if block is not None:
                body.append(raw)
                continue
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^([a-z.-]+)(?: ([a-z-]+))?:(?: (.*))?$", line)
            if not m:
                self.fail(i, "bad header line: %r" % line)
            key, mode, val = m.group(1), m.group(2), (m.group(3) or "")
            if key == "desc":
                self.desc = val
            elif key == "group":
                self.group = val
            elif key == "sender":
                self.sender = val
            elif key == "rcpt":
                self.rcpts.append(val)
            elif key == "domain":
                self.domains.append(val.lower())
            elif key == "alias-domain":
                self.alias_domains.append(val.lower())
            elif key == "main.cf":
                self.maincf.append(val)
            elif key == "line-ends" and val == "crlf":
                self.crlf = True
            elif key == "final-newline" and val == "no":
                self.final_newline = False
            elif key == "expect":
                em = re.match(r"^(sent|bounced|deferred)(?: ([245](?:\.[0-9]+){0,2}))?"
                              r"(?: /(.*)/)?$", val)
                if not em:
                    self.fail(i, "expect: STATUS [DSN] [/REGEX/]")
                self.expect[mode or "*"] = (em.group(1), em.group(2) or "",
                                            em.group(3))
            else:
                self.fail(i, "unknown header %r" % key)
        close(block, body, i)
        if self.message is None and self.message_cmd is None:
            self.fail(i, "no @@ message or @@ message-cmd block")
        if self.sender is None:
            self.fail(i, "no sender: line")
        if not self.rcpts:
            self.fail(i, "no rcpt: line")
        for r in self.rcpts:
            d = domain_of(r)
            if d not in self.domains and d not in self.alias_domains:
                self.domains.append(d)

    def message_bytes(self):
        if self.message_cmd is not None:
            msg = subprocess.run(["sh", "-ec", self.message_cmd],
                                 stdout=subprocess.PIPE, check=True).stdout
        else:
            msg = self.message
        if not self.final_newline:
            msg = msg.rstrip(b"\n")
        if self.crlf:
            msg = msg.replace(b"\n", b"\r\n")
        return msg


def domain_of(addr):
    a = addr.strip()
    if a.startswith("<") and a.endswith(">"):
        a = a[1:-1]
    return a.rsplit("@", 1)[-1].lower() if "@" in a else ""


def load_cases(casedir):
    cases = []
    for n in sorted(os.listdir(casedir)):
        if n.startswith(".") or n.endswith("~"):
            continue
        cases.append(Case(os.path.join(casedir, n)))
    return cases


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       **kw)
    if r.returncode != 0:
        sys.exit("diffrun: %s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                               r.stdout.decode(errors="replace")))
    return r.stdout


# ---------------------------------------------------------------- plan

def plan(casedir, work):
    cases = load_cases(casedir)
    etc = env("PF_ETC")
    tables = env("PF_TABLES")
    groups = {}
    seen = {}
    for c in cases:
        for d in c.domains + c.alias_domains:
            if d in seen:
                sys.exit("%s: domain %s is also used by %s" % (c.path, d, seen[d]))
            seen[d] = c.name
        groups.setdefault(c.group, []).append(c)
    defaults = []
    gfile = os.path.join(os.path.dirname(os.path.abspath(casedir)), "groups")
    if os.path.exists(gfile):
        with open(gfile) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                m = re.match(r"^(\*|[a-z0-9-]+): *([a-z0-9_]+) *= *(.*)$", line)
                if not m:
                    sys.exit("%s:%d: expected GROUP: name = value" % (gfile, n))
                defaults.append(m.groups())
    os.makedirs(work, exist_ok=True)
    index = {"groups": []}
    for g, members in groups.items():
        maps = {k: [] for k in KINDS}
        params = {}
        owner = {}
        for c in members:
            for line in c.maincf:
                name, _, value = line.partition("=")
                name, value = name.strip(), subst(value.strip())
                if name in owner and params[name] != value:
                    sys.exit("%s: main.cf %s = %s conflicts with %s" % (
                        c.path, name, value, owner[name]))
                params[name] = value
                owner[name] = c.path
            for n, (kind, typ, content) in enumerate(c.tables):
                base = typ[len("proxy:"):] if typ.startswith("proxy:") else typ
                content = subst(content)
                if base in FILE_TYPES:
                    fn = os.path.join(tables, "%s-%s%d-%s" % (c.name, kind, n,
                                                              base))
                    with open(fn, "w", encoding="utf-8",
                              errors="surrogateescape") as f:
                        f.write(content + ("\n" if content else ""))
                    os.chmod(fn, 0o644)
                    if base in POSTMAP_TYPES:
                        run(["postmap", "-c", etc, "%s:%s" % (base, fn)])
                    maps[kind].append("%s:%s" % (typ, fn))
                elif base in ("inline", "static"):
                    maps[kind].append("%s:%s" % (typ, " ".join(content.split())))
                else:
                    sys.exit("%s: table type %s not handled" % (c.path, typ))
        for dg, name, value in defaults:
            if (dg == "*" or dg == g) and name not in owner:
                params[name] = subst(value)
        lines = []
        lines.append("virtual_mailbox_domains = " + ", ".join(
            d for c in members for d in c.domains))
        lines.append("virtual_alias_domains = " + ", ".join(
            d for c in members for d in c.alias_domains))
        lines.append("virtual_mailbox_maps = " + ", ".join(maps["mailbox"]))
        lines.append("virtual_alias_maps = " + ", ".join(maps["alias"]))
        uid_tail = [] if "virtual_uid_maps" in params else ["static:" + env("VMAIL_UID")]
        gid_tail = [] if "virtual_gid_maps" in params else ["static:" + env("VMAIL_GID")]
        lines.append("virtual_uid_maps = " + ", ".join(maps["uid"] + uid_tail))
        lines.append("virtual_gid_maps = " + ", ".join(maps["gid"] + gid_tail))
        for name, value in params.items():
            if name in ("virtual_uid_maps", "virtual_gid_maps"):
                value = ", ".join(maps[name.split("_")[1]] + [value])
            lines = [l for l in lines if not l.startswith(name + " =")]
            lines.append("%s = %s" % (name, value))
        gdir = os.path.join(work, g)
        os.makedirs(gdir, exist_ok=True)
        with open(os.path.join(gdir, "main.cf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        index["groups"].append({"name": g, "cases": [c.path for c in members]})
    with open(os.path.join(work, "plan.json"), "w") as f:
        json.dump(index, f, indent=1)
    for g in index["groups"]:
        print(g["name"])


def group_cases(work, group):
    with open(os.path.join(work, "plan.json")) as f:
        index = json.load(f)
    for g in index["groups"]:
        if g["name"] == group:
            return [Case(p) for p in g["cases"]]
    sys.exit("diffrun: no group %s" % group)


# ------------------------------------------------------------- prepare

def prepare(work, group, mode):
    """Empty the mailbox base, then each case's directory and setup;
    remember each case's tree as it is before delivery."""
    base = env("PF_BASE")
    for n in os.listdir(base):
        p = os.path.join(base, n)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)
    vu, vg = int(env("VMAIL_UID")), int(env("VMAIL_GID"))
    for c in group_cases(work, group):
        d = os.path.join(base, c.name)
        os.mkdir(d)
        os.chmod(d, 0o755)
        os.chown(d, vu, vg)
        if c.setup:
            e = dict(os.environ, CASE=c.name)
            r = subprocess.run(["sh", "-ec", subst(c.setup)], cwd=base, env=e)
            if r.returncode != 0:
                sys.exit("%s: setup failed (exit %d)" % (c.path, r.returncode))
    initial = {c.name: digest(snapshot(os.path.join(base, c.name)))
               for c in group_cases(work, group)}
    with open(os.path.join(work, group, mode + ".initial.json"), "w") as f:
        json.dump(initial, f)


def digest(items):
    return [[p, d, hashlib.sha256(data).hexdigest()] for p, d, data in items]


# -------------------------------------------------------------- submit

def submit(work, group):
    etc = env("PF_ETC")
    n = 0
    for c in group_cases(work, group):
        cmd = ["sendmail", "-C", etc, "-i", "-f", c.sender, "--"] + c.rcpts
        r = subprocess.run(cmd, input=c.message_bytes(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace").strip()
        if r.returncode != 0:
            sys.exit("%s: sendmail exit %d: %s" % (c.path, r.returncode, out))
        n += 1
    print(n)


# ------------------------------------------------------------- compare

REC = re.compile(r"postfix/(?P<prog>[\w/-]+)\[\d+\]: (?P<qid>[0-9A-F]+): "
                 r"to=<(?P<to>.*?)>, (?:orig_to=<(?P<orig>.*?)>, )?"
                 r"relay=(?P<relay>[^,]*), .*?dsn=(?P<dsn>[0-9.]+), "
                 r"status=(?P<status>\w+) \((?P<text>.*)\)$")


def records(logfile, cases):
    """Per case: the sorted delivery records (to, orig_to, dsn, status, text)."""
    owner = {}
    for c in cases:
        for d in c.domains:
            owner[d] = c.name
    out = {c.name: [] for c in cases}
    with open(logfile, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            m = REC.search(line.rstrip("\n"))
            if not m or m.group("status") not in STATUSES or \
                    m.group("prog") not in AGENTS:
                continue
            d = domain_of(m.group("to"))
            if d not in owner:
                continue
            out[owner[d]].append((m.group("to"), m.group("orig") or "",
                                  m.group("dsn"), m.group("status"),
                                  m.group("text").rstrip()))
    for v in out.values():
        v.sort()
    return out


# A From_ line's date; not anchored at the line start, since a From_ line
# appended to an mbox that lacks a final newline starts mid-line.
FROM_ = re.compile(rb"(From [^\n]*?  )(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                   rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                   rb"[ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$")
PFDATE = rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [ 0-9][0-9] [A-Z][a-z]{2} [0-9]{4} " \
    rb"[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4} \([A-Z]+\)"
RCVD_ID = re.compile(rb"^(\tid )[0-9A-F]+; " + PFDATE + rb"$")
ADDED_DATE = re.compile(rb"^Date: " + PFDATE + rb"$")
ADDED_MSGID = re.compile(rb"^Message-Id: <[0-9]{14}\.[0-9A-F]+@[^>]+>$")


def normalise(data):
    out = []
    for line in data.split(b"\n"):
        if FROM_.search(line):
            line = FROM_.sub(rb"\1DATE", line)
        elif RCVD_ID.match(line):
            line = RCVD_ID.sub(rb"\1QUEUEID; DATE", line)
        elif ADDED_DATE.match(line):
            line = b"Date: POSTFIX-ADDED-DATE"
        elif ADDED_MSGID.match(line):
            line = b"Message-Id: <POSTFIX-ADDED-ID>"
        out.append(line)
    return b"\n".join(out)


def snapshot(root):
    """A comparable description of a case's tree: [(path, desc, bytes)]."""
    items = []
    if not os.path.lexists(root):
        return [("(missing)", "", b"")]

    def desc(p):
        st = os.lstat(p)
        kind = ("dir" if stat.S_ISDIR(st.st_mode) else "file"
                if stat.S_ISREG(st.st_mode) else "link"
                if stat.S_ISLNK(st.st_mode) else "other")
        d = "%s %04o %d:%d" % (kind, stat.S_IMODE(st.st_mode), st.st_uid,
                               st.st_gid)
        if kind == "file":
            d += " nlink=%d" % st.st_nlink
        if kind == "link":
            d += " -> " + os.readlink(p)
        return kind, d

    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        kind, d = desc(dirpath)
        items.append((rel + "/", d, b""))
        in_maildir = os.path.basename(dirpath) in ("new", "cur", "tmp")
        files = []
        for n in sorted(filenames + [x for x in dirnames
                                     if os.path.islink(os.path.join(dirpath, x))]):
            p = os.path.join(dirpath, n)
            kind, d = desc(p)
            data = b""
            if kind == "file":
                with open(p, "rb") as f:
                    data = normalise(f.read())
            files.append((n, d, data))
        if in_maildir:
            # maildir names are unique, not reproducible: rank by contents
            files.sort(key=lambda x: (x[2], x[1]))
            files = [("msg%d" % (i + 1), d, data)
                     for i, (n, d, data) in enumerate(files)]
        for n, d, data in files:
            items.append((os.path.join(rel, n), d, data))
    return items


def render(items):
    lines = []
    for path, d, data in items:
        lines.append("== %s  %s\n" % (path, d))
        if data:
            text = data.decode("utf-8", "backslashreplace")
            for l in text.split("\n"):
                lines.append("   |" + l + "\n")
    return lines


def check_expect(exp, recs):
    """'' when every record of the case matches (status, dsn, regex)."""
    status, dsn, regex = exp
    if not recs:
        return "no delivery record"
    for to, orig, d, s, text in recs:
        if s != status or not d.startswith(dsn) or \
                (regex and not re.search(regex, text)):
            return "to=<%s> dsn=%s status=%s (%s): expected %s %s%s" % (
                to, d, s, text, status, dsn or "", " /%s/" % regex if regex else "")
    return ""


def compare(work, modes):
    with open(os.path.join(work, "plan.json")) as f:
        index = json.load(f)
    n_run = n_same = n_expected = n_fail = 0
    notes = []
    for g in index["groups"]:
        cases = [Case(p) for p in g["cases"]]
        gdir = os.path.join(work, g["name"])
        recs = {m: records(os.path.join(gdir, m + ".log"), cases) for m in modes}
        initial = {}
        for m in modes:
            with open(os.path.join(gdir, m + ".initial.json")) as f:
                initial[m] = json.load(f)
        for c in cases:
            n_run += 1
            case_ok = True
            case_expected = False
            ref_recs = recs["virtual"][c.name]
            ref_tree = snapshot(os.path.join(gdir, "virtual.tree", c.name))
            for m in modes:
                r = recs[m][c.name]
                label = "%s [%s] %s" % (c.name, m, c.desc)
                exp = c.expect.get(m)
                if exp is None and m != "virtual":
                    exp = c.expect.get("vdeliver")
                if exp is not None:
                    # what this mode must do, instead of what virtual(8) did
                    why = check_expect(exp, r)
                    if not why and exp[0] == "deferred":
                        # a deferred delivery leaves the mailboxes as they were
                        now = digest(snapshot(os.path.join(gdir, m + ".tree", c.name)))
                        if now != initial[m][c.name]:
                            why = "deferred, but the mailbox tree changed:\n" + "".join(
                                "    " + l + "\n" for l in difflib.unified_diff(
                                    [" ".join(x) for x in initial[m][c.name]],
                                    [" ".join(x) for x in now], "before", "after",
                                    lineterm=""))
                    if why:
                        print("FAIL - %s: %s" % (label, why))
                        case_ok = False
                    elif m != "virtual":
                        print("ok - %s: expected difference: %s %s (%s)" % (
                            label, r[0][3], r[0][2], r[0][4]))
                        case_expected = True
                    continue
                if "*" in c.expect:
                    why = check_expect(c.expect["*"], r)
                    if why:
                        print("FAIL - %s: %s" % (label, why))
                        case_ok = False
                        continue
                if m == "virtual":
                    continue
                problems = []
                a = [x[:4] for x in ref_recs]
                b = [x[:4] for x in r]
                if a != b:
                    problems.append("delivery records differ:\n" + "".join(
                        "    virtual: to=<%s> orig_to=<%s> dsn=%s status=%s\n"
                        % x for x in a) + "".join(
                        "    %s: to=<%s> orig_to=<%s> dsn=%s status=%s\n"
                        % ((m,) + x) for x in b))
                tree = snapshot(os.path.join(gdir, m + ".tree", c.name))
                if tree != ref_tree:
                    diff = difflib.unified_diff(render(ref_tree), render(tree),
                                                "virtual", m, n=2)
                    problems.append("mailbox tree differs:\n" + "".join(
                        "    " + l for l in list(diff)[:80]))
                if problems:
                    print("FAIL - %s\n%s" % (label, "".join(problems)), end="")
                    case_ok = False
                else:
                    print("ok - %s: identical" % label)
                    for x, y in zip(ref_recs, r):
                        if x[4] != y[4] and x[3] != "sent":
                            notes.append("%s [%s] %s: virtual said (%s), "
                                         "%s said (%s)" % (c.name, m, x[0],
                                                           x[4], m, y[4]))
            if not case_ok:
                n_fail += 1
            elif case_expected:
                n_expected += 1
            else:
                n_same += 1
    for n in notes:
        print("# text: " + n)
    print("cases: %d run, %d identical, %d expected differences, %d failed "
          "(modes: %s)" % (n_run, n_same, n_expected, n_fail, " ".join(modes)))
    return 1 if n_fail else 0


def messages(casedir, out):
    """The corpus' messages for the readers: those with a Message-ID that
    do not start with a From_ line (a reader would split it off)."""
    os.makedirs(out, exist_ok=True)
    n = 0
    for c in load_cases(casedir):
        data = c.message_bytes()
        if data.startswith(b"From ") or not re.search(
                rb"(?im)^message-id:", data.split(b"\n\n", 1)[0]):
            continue
        with open(os.path.join(out, c.name + ".eml"), "wb") as f:
            f.write(data)
        n += 1
    print(n)


def main(argv):
    if len(argv) >= 3 and argv[1] == "plan":
        plan(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "prepare":
        prepare(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "submit":
        submit(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "messages":
        messages(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "normalise":
        with open(argv[2], "rb") as f:
            sys.stdout.buffer.write(normalise(f.read()))
    elif len(argv) >= 4 and argv[1] == "compare":
        if argv[3] != "virtual":
            sys.exit("diffrun: the first mode must be virtual")
        return compare(argv[2], argv[3:])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
