# SPDX-License-Identifier: MIT
"""concurrent - many vdeliver processes into one mailbox at once.

usage: concurrent.py --vdeliver BIN --config CF --rcpt ADDR --mailbox PATH
           --kind mbox|maildir [--lock METHODS] [--procs 32] [--messages 2000]
           [--size 300] [--scratch DIR] [--label NAME]

Runs --procs workers; each takes the next message number, pipes that
message into its own vdeliver process, and on a temporary failure (exit
75: lock not obtained in deliver_lock_attempts) puts it back to be
delivered again, as an MTA would.  Any other exit status is a failure.
Afterwards every message must be in the mailbox exactly once and intact
(its Message-ID once, its body checksum right), as read by Python's
mailbox module and, when doveadm is installed, by Dovecot.  Prints the
figures (delivered, deferred and retried, lost, duplicated, corrupt) and
"N passed, M failed".
"""
import argparse
import collections
import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vdtest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vdeliver", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--rcpt", required=True)
    ap.add_argument("--mailbox", required=True)
    ap.add_argument("--kind", choices=("mbox", "maildir"), required=True)
    ap.add_argument("--lock", default=None)
    ap.add_argument("--procs", type=int, default=32)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--size", type=int, default=300)
    ap.add_argument("--scratch", default=os.environ.get("TMPDIR", "/tmp"))
    ap.add_argument("--label", default=None)
    ap.add_argument("--max-tries", type=int, default=50)
    ap.add_argument("--figures", default=None,
                    help="append one line of figures to this file")
    a = ap.parse_args()
    label = a.label or ("%s lock=%s" % (a.kind, a.lock) if a.lock else a.kind)
    rep = vdtest.Report()

    run = "%d.%d" % (os.getpid(), int(time.time()))
    msgs = {}
    for n in range(a.messages):
        data, msgid, csum = vdtest.make_message(n, run, a.size)
        msgs[n] = (data, msgid, csum)
    expected = {m[1]: m[2] for m in msgs.values()}

    queue = collections.deque(range(a.messages))
    lock = threading.Lock()
    stats = collections.Counter()
    tries = collections.Counter()
    errors = []
    args = [a.vdeliver, "-c", a.config, "-f", "sender@vdtest.invalid"]
    if a.lock:
        args += ["-o", "virtual_mailbox_lock=" + a.lock]

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                n = queue.popleft()
                tries[n] += 1
                attempt = tries[n]
            p = subprocess.run(args + [a.rcpt], input=msgs[n][0],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            with lock:
                if p.returncode == 0:
                    stats["delivered"] += 1
                elif p.returncode == 75 and attempt < a.max_tries:
                    stats["deferred"] += 1
                    queue.append(n)
                else:
                    stats["failed"] += 1
                    errors.append("message %d: exit %d: %s" % (
                        n, p.returncode,
                        p.stdout.decode("latin-1").strip()[:300]))

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(a.procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0

    rep.check("%s: every vdeliver run ended in 0 or 75" % label, 0,
              stats["failed"])
    for e in errors[:10]:
        rep.note(e)
    rep.check("%s: all %d messages delivered" % (label, a.messages),
              a.messages, stats["delivered"])
    if a.kind == "mbox":
        py = vdtest.read_mbox(a.mailbox, expected)
    else:
        py = vdtest.read_maildir(a.mailbox, expected)
    rep.ok(py.perfect(), "%s: python mailbox: each message once, intact" %
           label, py.summary())
    dv = None
    if vdtest.doveadm_available():
        dv = vdtest.read_dovecot(a.kind, a.mailbox, expected, a.scratch)
        rep.ok(dv.perfect(), "%s: dovecot: each message once, intact" % label,
               dv.summary() + ((" (" + dv.error + ")") if dv.error else ""))
    else:
        rep.ok(os.environ.get("CI") != "true", "%s: doveadm installed" % label,
               "apt-get install dovecot-core")
    if a.kind == "maildir":
        tmp = os.path.join(a.mailbox, "tmp")
        left = os.listdir(tmp) if os.path.isdir(tmp) else []
        rep.check("%s: nothing left in tmp/" % label, [], left)
    lost = len(py.missing)
    line = ("concurrency: %s: %d processes, %d messages, %d delivered, "
            "%d deferred and retried, %d lost, %d duplicated, %d corrupt, "
            "dovecot %s, %.1fs" % (
                label, a.procs, a.messages, stats["delivered"],
                stats["deferred"], lost, len(py.duplicated),
                len(py.corrupt),
                ("read %d" % dv.total) if dv else "not run", elapsed))
    rep.figure(line, a.figures)
    return rep.done()


if __name__ == "__main__":
    sys.exit(main())
