# SPDX-License-Identifier: MIT
"""faultrun - make each file system call of a delivery fail, one at a time.

usage: faultrun.py --vdeliver BIN --shim SO --config CF --base DIR
           --kind mbox|maildir --scenario NAME --mailbox PATH --rcpt ADDR
           [--pre absent|existing] [--size N] [--from-lines N]
           [--uid U --gid G] [--figures FILE] [--xfail REGEX]...
           [--opt name=value]... [--actions LIST]

For one scenario (a mailbox in its own directory below the base, absent
or holding one message before):

1. a clean run under the shim (t/faultinject.so, FI_SCOPE = the base)
   counts the calls a delivery makes (N) and gives the bytes a complete
   delivery adds;
2. then for each action and each call number 1..N a fresh copy of the
   pre-state gets one delivery with that call hit:
     fail EIO, fail ENOSPC, fail EDQUOT   the call returns -1 with errno
     eintr                                the call returns -1 with EINTR
     short                                (writes only) half is written
     disk full                            (writes only) half of write N
                                          is written, it and every later
                                          write fail with ENOSPC
     kill, killafter                      SIGKILL before / after the call,
                                          every process of the run
     killchild                            (root) SIGKILL the process that
                                          delivers only: a child reports to
                                          its parent (75), a single-recipient
                                          run is itself that process
     persist                              call N and every later one fail
                                          with EIO (a disk that died)
3. each case is judged:
   - the mailbox holds what it held before, or that plus the complete
     message (nothing else: no partial message, no file in new/ that is
     not the complete message);
   - exit 0 only with the complete message, and the shim's log shows an
     fsync of the message file after its last write, the link into new/
     after that and an fsync of new/ after the link (maildir), and an
     fsync of each directory whose entry the delivery created;
   - otherwise exit 75 with a 4.x.x status, or for EDQUOT 73 with
     5.2.2, or death by SIGKILL for kill/killafter;
   - a complete message with a non-zero exit is a duplicate (the MTA
     will deliver it again), counted apart, not a loss;
   - after a failure that was not a kill no lock file or tmp/ file is
     left behind.
   For "persist" only false successes count: a disk that fails every
   call may leave a torn mbox (the truncation fails too).
Prints one line per failed case, a summary per action and the figures,
then "N passed, M failed".  --xfail REGEX marks a known bug: a failed
case whose line matches it is reported as "TODO - ..." and does not
fail the run, but a REGEX that matches no case at all fails it (the bug
is gone: remove the mark).  False successes are never excused.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vdtest  # noqa: E402

GROUPS = ("write", "fsync", "fdatasync", "open", "link", "rename", "mkdir",
          "ftruncate", "close", "fallocate")


class Rec:
    __slots__ = ("seq", "pid", "group", "func", "ret", "err", "flag", "arg",
                 "path", "path2")

    def __init__(self, line):
        f = line.rstrip("\n").split("\t")
        f += [""] * (10 - len(f))
        self.seq = int(f[0])
        self.pid = int(f[1])
        self.group, self.func = f[2], f[3]
        self.ret, self.err = int(f[4]), int(f[5])
        self.flag, self.arg = f[6], f[7]
        self.path = os.path.realpath(f[8]) if f[8] else ""
        self.path2 = os.path.realpath(f[9]) if f[9] else ""
        if self.arg == "swapped":
            self.path, self.path2 = self.path2, self.path


def read_log(path):
    try:
        with open(path, encoding="latin-1") as f:
            return [Rec(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def snapshot(top):
    """Every file (bytes) and directory below top, by relative path."""
    files, dirs = {}, set()
    for root, dnames, fnames in os.walk(top):
        rel = os.path.relpath(root, top)
        for d in dnames:
            dirs.add(os.path.normpath(os.path.join(rel, d)))
        for n in fnames:
            p = os.path.join(root, n)
            r = os.path.normpath(os.path.join(rel, n))
            if os.path.islink(p):
                files[r] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as f:
                    files[r] = f.read()
    return files, dirs


FROM_DATE = re.compile(rb"^(From \S*  )[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d "
                       rb"\d\d:\d\d:\d\d \d{4}\n")


def norm_from(b):
    return FROM_DATE.sub(rb"\1DATE\n", b, count=1)


class Scenario:
    def __init__(self, a):
        self.a = a
        self.kind = a.kind
        self.top = os.path.realpath(os.path.dirname(a.mailbox.rstrip("/")))
        self.mailbox = os.path.realpath(a.mailbox.rstrip("/"))
        self.rel = os.path.relpath(self.mailbox, self.top)
        self.snapdir = tempfile.mkdtemp(prefix="snap.", dir=a.scratch)
        self.logfile = os.path.join(a.scratch, "fi.log")
        self.statefile = os.path.join(a.scratch, "fi.state")
        self.message = self._message()
        self.is_root = os.geteuid() == 0

    def _message(self):
        data, self.msgid, self.csum = vdtest.make_message(1, "fault", self.a.size)
        if self.a.from_lines:
            head, _, body = data.partition(b"\n\n")
            body += b"".join(b"From line %d needs quoting\n" % i
                             for i in range(self.a.from_lines))
            data = head + b"\n\n" + body
        return data

    # -- pre-state -------------------------------------------------------
    def chown_tree(self, top):
        if not self.is_root:
            return
        for root, dnames, fnames in os.walk(top):
            os.lchown(root, self.a.uid, self.a.gid)
            for n in dnames + fnames:
                os.lchown(os.path.join(root, n), self.a.uid, self.a.gid)

    def clear(self):
        if os.path.isdir(self.top):
            shutil.rmtree(self.top)
        os.makedirs(self.top, mode=0o755)
        self.chown_tree(self.top)

    def save_pre(self):
        shutil.rmtree(self.snapdir)
        shutil.copytree(self.top, self.snapdir, symlinks=True)
        self.pre = snapshot(self.top)

    def restore(self):
        shutil.rmtree(self.top)
        shutil.copytree(self.snapdir, self.top, symlinks=True)
        self.chown_tree(self.top)

    # -- one run ---------------------------------------------------------
    def run(self, fail=None, action=None, err=None, kill=None):
        for p in (self.logfile, self.statefile):
            if os.path.exists(p):
                os.unlink(p)
        env = dict(os.environ)
        env.update(FI_STATE=self.statefile, FI_LOG=self.logfile,
                   FI_SCOPE=os.path.realpath(self.a.base),
                   LD_PRELOAD=self.a.shim)
        env["ASAN_OPTIONS"] = ((env.get("ASAN_OPTIONS", "") + ":")
                               .lstrip(":") + "verify_asan_link_order=0")
        if fail:
            env["FI_FAIL"] = fail
        if action:
            env["FI_ACTION"] = action
        if err:
            env["FI_ERRNO"] = err
        if kill:
            env["FI_KILL"] = kill
        opts = []
        for o in self.a.opt:
            opts += ["-o", o]
        p = subprocess.run([self.a.vdeliver, "-c", self.a.config] + opts +
                           ["-f", "sender@vdtest.invalid", self.a.rcpt],
                           input=self.message, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env)
        return p.returncode, p.stdout.decode("latin-1"), read_log(self.logfile)

    # -- judging ---------------------------------------------------------
    def state(self):
        """('before'|'complete'|'corrupt', detail, litter, final_path)."""
        files, dirs = snapshot(self.top)
        pre_files, pre_dirs = self.pre
        if self.kind == "mbox":
            return self._state_mbox(files, pre_files)
        return self._state_maildir(files, pre_files)

    def _litter(self, files, pre_files, keep):
        return sorted(r for r in files if r not in pre_files and r not in keep)

    def _state_mbox(self, files, pre_files):
        before = pre_files.get(self.rel)
        after = files.get(self.rel)
        litter = self._litter(files, pre_files, {self.rel})
        if after == before or (before is None and after in (None, b"")):
            return "before", "", litter, None
        base = before or b""
        if (after is not None and after.startswith(base)
                and self.expected is not None
                and norm_from(after[len(base):]) == self.expected):
            return "complete", "", litter, self.mailbox
        grown = len(after or b"") - len(base)
        return "corrupt", "mbox changed by %+d bytes, not one complete " \
            "message" % grown, litter, None

    def _state_maildir(self, files, pre_files):
        def box(fs):
            return {r: v for r, v in fs.items()
                    if r.startswith(self.rel + "/new/")
                    or r.startswith(self.rel + "/cur/")}
        b, a = box(pre_files), box(files)
        keep = set(a)
        litter = self._litter(files, pre_files, keep)
        if a == b:
            return "before", "", litter, None
        added = [r for r in a if r not in b]
        changed = [r for r in b if a.get(r) != b[r]]
        if (not changed and len(added) == 1
                and added[0].startswith(self.rel + "/new/")
                and self.expected is not None
                and a[added[0]] == self.expected):
            return "complete", "", litter, os.path.join(self.top, added[0])
        return "corrupt", "maildir: %d added (%s), %d changed" % (
            len(added), ", ".join(os.path.basename(x) for x in added)[:200],
            len(changed)), litter, None

    def durable(self, log, final):
        """Why the log does not show the message made durable, or ''."""
        def syncs_after(path, seq):
            return [r for r in log if r.group in ("fsync", "fdatasync")
                    and r.path == path and r.ret == 0 and r.seq > seq]
        if self.kind == "mbox":
            target = final
            writes = [r for r in log if r.group == "write" and r.path == target
                      and r.ret > 0]
            if not writes:
                return "no write to %s seen by the shim" % target
            last = max(r.seq for r in writes)
            if not syncs_after(target, last):
                return "no fsync of the mbox after its last write (#%d)" % last
            for r in log:
                if r.group == "open" and r.arg == "creat" and r.path == target \
                        and not syncs_after(os.path.dirname(target), r.seq):
                    return "mbox created (#%d) but its directory not " \
                        "fsynced after" % r.seq
            return ""
        links = [r for r in log if r.group in ("link", "rename")
                 and r.path2 == final and r.ret == 0]
        if not links:
            return "no link/rename into %s seen" % final
        link = links[-1]
        tmp = link.path
        writes = [r for r in log if r.group == "write" and r.path == tmp
                  and r.ret > 0]
        if not writes:
            return "no write to %s seen by the shim" % tmp
        last = max(r.seq for r in writes)
        fs = [r for r in syncs_after(tmp, last) if r.seq < link.seq]
        if not fs:
            return "no fsync of the tmp file between its last write (#%d) " \
                "and the link (#%d)" % (last, link.seq)
        newdir = os.path.dirname(final)
        if not syncs_after(newdir, link.seq):
            return "new/ not fsynced after the link (#%d)" % link.seq
        # every directory on the way to new/ that this run made
        chain = set()
        d = newdir
        base = os.path.realpath(self.a.base)
        while d.startswith(base + "/"):
            chain.add(d)
            d = os.path.dirname(d)
        for r in log:
            if r.group == "mkdir" and r.ret == 0 and r.path in chain \
                    and not syncs_after(os.path.dirname(r.path), r.seq):
                return "%s created (#%d) but its parent not fsynced after" % (
                    r.path, r.seq)
        return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdeliver", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--kind", choices=("mbox", "maildir"), required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--mailbox", required=True)
    ap.add_argument("--rcpt", required=True)
    ap.add_argument("--pre", choices=("absent", "existing"), default="existing")
    ap.add_argument("--size", type=int, default=2000)
    ap.add_argument("--from-lines", type=int, default=0)
    ap.add_argument("--uid", type=int, default=os.getuid())
    ap.add_argument("--gid", type=int, default=os.getgid())
    ap.add_argument("--scratch", default=os.environ.get("TMPDIR", "/tmp"))
    ap.add_argument("--figures", default=None)
    ap.add_argument("--xfail", action="append", default=[])
    ap.add_argument("--opt", action="append", default=[],
                    help="-o name=value for every vdeliver run")
    ap.add_argument("--actions", default=None,
                    help="comma list; default: all that apply")
    a = ap.parse_args()
    rep = vdtest.Report()
    sc = Scenario(a)
    name = a.scenario

    # the pre-state
    sc.clear()
    sc.expected = None
    if a.pre == "existing":
        rc, out, _ = sc.run()
        if not rep.check("%s: the pre-state delivery" % name, 0, rc):
            rep.note(out)
            return rep.done()
    sc.save_pre()

    # 1. a clean run: the number of calls and the bytes a delivery adds
    rc, out, log = sc.run()
    rep.check("%s: clean run under the shim" % name, 0, rc) or rep.note(out)
    files, _ = snapshot(sc.top)
    pre_files = sc.pre[0]
    if a.kind == "mbox":
        after = files.get(sc.rel, b"")
        sc.expected = norm_from(after[len(pre_files.get(sc.rel) or b""):])
    else:
        new = [r for r in files if r.startswith(sc.rel + "/new/")
               and r not in pre_files]
        rep.check("%s: clean run made one file in new/" % name, 1, len(new))
        sc.expected = files[new[0]] if new else None
    st, detail, litter, final = sc.state()
    rep.check("%s: clean run leaves one complete message" % name, "complete", st)
    why = sc.durable(log, final) if final else "no message"
    rep.check("%s: clean run: fsync before success" % name, "", why)
    ncalls = len(log)
    groups = collections.Counter(r.group for r in log)
    nwrites = groups["write"]
    rep.ok(ncalls > 0, "%s: the shim sees the delivery's calls (%d: %s)" % (
        name, ncalls, ", ".join("%s %d" % (g, groups[g]) for g in GROUPS
                                if groups[g])))
    sc.restore()

    actions = [("fail EIO", "fail", "EIO", None, None),
               ("fail ENOSPC", "fail", "ENOSPC", None, None),
               ("fail EDQUOT", "fail", "EDQUOT", None, None),
               ("eintr", "eintr", None, None, None),
               ("short", "short", None, None, "write"),
               ("disk full", "torn", "ENOSPC", None, "torn"),
               ("kill", "kill", None, "tree", None),
               ("killafter", "killafter", None, "tree", None),
               ("persist", "fail", "EIO", None, "persist")]
    if sc.is_root:
        actions.append(("killchild", "kill", None, "self", None))
    if a.actions:
        want = set(a.actions.split(","))
        actions = [x for x in actions if x[0].split()[0] in want
                   or x[0] in want]

    fig = collections.Counter()
    dsns = collections.Counter()
    xfail_seen = set()
    for label, action, err, kill, special in actions:
        n_cases = nwrites if special in ("write", "torn") else ncalls
        bad = []
        notes = []
        counts = collections.Counter()
        for n in range(1, n_cases + 1):
            spec = ("write:%d" % n if special == "write"
                    else "write:%d-" % n if special == "torn"
                    else "%d-" % n if special == "persist" else str(n))
            rc, out, log = sc.run(fail=spec, action=action, err=err, kill=kill)
            st, detail, litter, final = sc.state()
            first = out.splitlines()[0] if out else ""
            dsn = first.split(" ", 1)[0] if re.match(r"^[245]\.\d", first) else ""
            hit = [r for r in log if r.flag not in ("-", "")]
            hitdesc = ("%s %s" % (hit[0].func, os.path.relpath(hit[0].path, sc.top))
                       if hit else "nothing hit")
            counts["cases"] += 1
            problem = None
            if rc == 0:
                if st != "complete":
                    problem = "FALSE SUCCESS: exit 0 but mailbox %s (%s)" % (st, detail)
                    counts["false_success"] += 1
                else:
                    why = sc.durable(log, final)
                    if why:
                        problem = "FALSE SUCCESS: exit 0 but %s" % why
                        counts["false_success"] += 1
            elif special == "persist":
                pass
            elif st == "corrupt":
                problem = "mailbox corrupt: %s" % detail
            elif action in ("kill", "killafter") and kill == "tree":
                if rc != -9:
                    problem = "killed run: exit %d, not SIGKILL" % rc
            elif action == "kill" and kill == "self":
                # With several recipients the delivery runs in a child and
                # the parent reports 4.3.0; with one, vdeliver drops to the
                # recipient itself and is the process killed.  pipe(8)
                # defers both.
                if rc not in (75, -9):
                    problem = "delivery process killed: exit %d, want 75 or SIGKILL" % rc
            elif err == "EDQUOT" and rc == 73 and dsn == "5.2.2":
                if st == "complete":
                    problem = "bounced 5.2.2 but the message is in the mailbox"
            elif rc == 75 and dsn.startswith("4."):
                if err == "EDQUOT":
                    counts["edquot_deferred"] += 1
                    notes.append("%s #%d (%s): EDQUOT deferred: %s" % (
                        label, n, hitdesc, first[:160]))
            else:
                problem = "exit %d (%s), want 75 and 4.x.x%s" % (
                    rc, first[:120], " or 73 and 5.2.2" if err == "EDQUOT" else "")
            if st == "corrupt":
                counts["corrupt"] += 1
            if problem is None and special != "persist" and litter and not (
                    action in ("kill", "killafter")):
                problem = "left behind: %s" % ", ".join(litter)
            if litter and action in ("kill", "killafter"):
                counts["kill_litter"] += 1
            if st in ("before", "complete"):
                counts["intact"] += 1
            if st == "complete" and rc != 0:
                counts["duplicate"] += 1
                notes.append("%s #%d (%s): duplicate: exit %d %s" % (
                    label, n, hitdesc, rc, first[:140]))
            if st == "complete" and rc == 0:
                counts["delivered"] += 1
            if dsn:
                dsns[dsn] += 1
            if problem:
                bad.append("%s: %s #%d (%s): %s" % (name, label, n, hitdesc, problem))
            sc.restore()
        for k, v in counts.items():
            fig[k] += v
        for x in notes if os.environ.get("FAULTRUN_VERBOSE") else ():
            rep.note(x)
        known = [b for b in bad if "FALSE SUCCESS" not in b and any(
            re.search(x, b) for x in a.xfail)]
        for x in a.xfail:
            if any(re.search(x, b) for b in known):
                xfail_seen.add(x)
        bad = [b for b in bad if b not in known]
        fig["known_bug"] += len(known)
        fig["failed"] += len(bad)
        for b in known[:10]:
            print("TODO - known bug: " + b)
        for b in bad[:40]:
            print("FAIL - " + b)
        if len(bad) > 40:
            print("# ... %d more" % (len(bad) - 40))
        summary = ("%s: %s: %d cases, %d intact, %d delivered, %d duplicates, "
                   "%d corrupt, %d false successes" % (
                       name, label, counts["cases"], counts["intact"],
                       counts["delivered"], counts["duplicate"],
                       counts["corrupt"], counts["false_success"]))
        if counts["edquot_deferred"]:
            summary += " (%d EDQUOT deferred, not bounced)" % counts["edquot_deferred"]
        if known:
            summary += " (%d known-bug cases)" % len(known)
        rep.ok(not bad, summary)

    for x in a.xfail:
        rep.ok(x in xfail_seen, "%s: known bug /%s/ still seen (if not, "
               "remove its --xfail)" % (name, x))
    line = ("fault: %s: %d calls per delivery; %d cases injected, %d mailbox "
            "intact, %d delivered and fsynced, %d duplicates (complete, "
            "exit not 0), %d corrupt, %d false successes, %d failed checks%s; "
            "statuses %s" % (
                name, ncalls, fig["cases"], fig["intact"], fig["delivered"],
                fig["duplicate"], fig["corrupt"], fig["false_success"],
                fig["failed"],
                (", %d known-bug cases" % fig["known_bug"]) if fig["known_bug"] else "",
                " ".join("%s=%d" % kv for kv in sorted(dsns.items()))))
    rep.figure(line, a.figures)
    shutil.rmtree(sc.snapdir, ignore_errors=True)
    return rep.done()


if __name__ == "__main__":
    sys.exit(main())
