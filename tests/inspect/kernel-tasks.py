#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What a task keeps in flight, judged by its effect, through membrane-run
(TAP), as root and as nobody.

The fixture server answers read_text_file {path} with a task and, some
seconds later, with nothing in flight from the client's point of view,
opens path again and says on stderr how it went. path is granted only by
the call ({path}). Three sessions each:
  unasked  the request has no params.task: the answer ends the call, the
           later open is denied and reported as idle;
  asked    params.task and a long time to live: the task keeps the call in
           flight, the later open is allowed;
  ttl      params.task with a time to live shorter than the wait: the
           window closes at it, the later open is denied.
Assertions are on the open's outcome, the report lines and the messages;
the waits only put the open after the answer or the time to live.
"""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

TOP_SRCDIR = os.environ.get("top_srcdir", ".")
MEMBRANE_RUN = os.environ.get("MEMBRANE_RUN") or os.path.join(
    os.environ.get("top_builddir", "."), "membrane-run")
FIXTURE = os.path.join(TOP_SRCDIR, "tests/fixtures/mcp-fixture-server.py")
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

PROFILE = """version: 1
name: tasks
vars:
  W: /nonexistent
runtime:
  read: [/usr, /etc, "${W}/server"]
  exec: [/usr]
arguments:
  within: ["${W}/root"]
tools:
  read_text_file: { read: ["{path}"] }
  echo: {}
"""

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relay as tap  # noqa: E402  (its TAP counters and ok())
ok = tap.ok


def session(w, who, params, timeout_s, wait_s):
    """One membrane-run session: initialize, the call, the wait, EOF.
    Returns (reply, report lines, server stderr)."""
    report = os.path.join(w, "report-%s-%d.jsonl" % (who, tap.n))
    cmd = [MEMBRANE_RUN, "--profile", os.path.join(w, "tasks.yml"), "--set", "W=" + w,
           "--report", report, "--call-timeout", str(timeout_s), "--grace", "1",
           "--", "/usr/bin/python3", os.path.join(w, "server", "fixture.py")]
    if who == "nobody":
        cmd = NOBODY + cmd
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdin.write(b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}\n')
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                              "params": params}).encode() + b"\n")
    p.stdin.flush()
    reply, buf, end = None, b"", time.monotonic() + 20
    while reply is None and time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        for line in buf.split(b"\n")[:-1]:
            m = json.loads(line)
            if m.get("id") == 2:
                reply = m
        buf = buf.split(b"\n")[-1]
    time.sleep(wait_s)  # the server's open comes after this long
    try:
        _, err = p.communicate(b"", timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    lines = []
    if os.path.exists(report):
        with open(report) as f:
            lines = [json.loads(l) for l in f if l.strip()]
    return reply, lines, err.decode(errors="replace")


def run(w, who):
    private = os.path.join(w, "root", "private.txt")
    args = {"path": private, "order": "!idle-read 2.5"}

    # unasked: a task nobody asked for ends the call with its answer.
    reply, lines, err = session(w, who, {"name": "read_text_file",
                                         "arguments": dict(args, as_task=True)}, 30, 3.5)
    ok(reply and "task" in reply.get("result", {}),
       "[%s] unasked: the server's task answer reaches the client" % who, reply)
    ok("idle-read %s: errno 13" % private in err,
       "[%s] unasked: the open after the answer is denied (EACCES)" % who, err[-600:])
    viol = [l for l in lines if l.get("event") == "violation" and l.get("target") == private]
    ok(len(viol) >= 1 and viol[0].get("decision") == "denied" and viol[0].get("requests") == [],
       "[%s] unasked: reported as a violation with nothing in flight" % who, viol)
    errs = [l for l in lines if l.get("event") == "error" and "did not ask" in l.get("reason", "")]
    ok(len(errs) == 1, "[%s] unasked: the task nobody asked for is reported" % who, lines)

    # asked, with a time to live longer than the wait: still in flight.
    reply, lines, err = session(w, who, {"name": "read_text_file", "arguments": args,
                                         "task": {"ttl": 60000}}, 30, 3.5)
    ok(reply and "task" in reply.get("result", {}), "[%s] asked: a task" % who, reply)
    ok("idle-read %s: ok" % private in err,
       "[%s] asked: the task's open is allowed (its call is in flight)" % who, err[-600:])
    ok(not [l for l in lines if l.get("event") == "violation"],
       "[%s] asked: no violation" % who, lines)

    # asked, but the time to live ends before the open.
    reply, lines, err = session(w, who, {"name": "read_text_file", "arguments": args,
                                         "task": {"ttl": 500}}, 30, 3.5)
    ok("idle-read %s: errno 13" % private in err,
       "[%s] ttl: the open after the task's time to live is denied" % who, err[-600:])
    errs = [l for l in lines if l.get("event") == "error" and "time to live" in l.get("reason", "")]
    ok(len(errs) == 1, "[%s] ttl: the window's end is reported, naming the time to live" % who,
       lines)


def main():
    w = tempfile.mkdtemp(prefix="mb-tasks-")
    try:
        os.chmod(w, 0o755)
        os.makedirs(os.path.join(w, "root"))
        os.makedirs(os.path.join(w, "server"))
        shutil.copy(FIXTURE, os.path.join(w, "server", "fixture.py"))
        with open(os.path.join(w, "root", "private.txt"), "w") as f:
            f.write("private\n")
        with open(os.path.join(w, "tasks.yml"), "w") as f:
            f.write(PROFILE)
        for d, _, files in os.walk(w):
            os.chmod(d, 0o777)  # nobody writes its report here
            for x in files:
                os.chmod(os.path.join(d, x), 0o644)
        for who in ("root", "nobody"):
            run(w, who)
    finally:
        shutil.rmtree(w, ignore_errors=True)
    print("1..%d" % tap.n)
    sys.exit(1 if tap.failed else 0)


main()
