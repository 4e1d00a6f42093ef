#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lmtp_chat.py - send a whole LMTP script, print every reply.

    lmtp_chat.py unix:PATH < script
    lmtp_chat.py inet:HOST:PORT < script
    lmtp_chat.py exec CMD [ARG...] < script   (CMD on a socketpair as its
                                               stdin/stdout; stderr must
                                               stay empty)

The script's lines are sent with CRLF, all at once (the server must
process pipelined input in order, DATA included), then the sending side
is closed; the replies are printed with LF until the server closes.
Exit status: 0, or 2 when CMD wrote to stderr, 3 when the server did
not close within the deadline.
"""
import os
import socket
import subprocess
import sys
import time

WAIT = 30


def connect(spec):
    deadline = time.monotonic() + WAIT
    while True:
        try:
            if spec.startswith("unix:"):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(spec[5:])
            else:
                host, port = spec[5:].rsplit(":", 1)
                s = socket.create_connection((host.strip("[]"), int(port)))
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    script = sys.stdin.buffer.read().replace(b"\r\n", b"\n")
    script = script.replace(b"\n", b"\r\n")
    proc = None
    if sys.argv[1] == "exec":
        mine, theirs = socket.socketpair()
        proc = subprocess.Popen(sys.argv[2:], stdin=theirs.fileno(),
                                stdout=theirs.fileno(), stderr=subprocess.PIPE)
        theirs.close()
        s = mine
    else:
        s = connect(sys.argv[1])
    s.settimeout(WAIT)
    s.sendall(script)
    s.shutdown(socket.SHUT_WR)
    out = b""
    code = 0
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        code = 3
    sys.stdout.write(out.replace(b"\r\n", b"\n").decode("utf-8", "replace"))
    if proc:
        errout = proc.stderr.read()
        proc.wait(WAIT)
        if errout:
            sys.stderr.write("stderr: %r\n" % errout)
            code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
