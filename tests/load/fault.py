#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The fault tests' driver: it plays an MCP client in front of COMMAND
(membrane-run --report FILE ... -- SERVER), puts one call in the server's
hands, breaks something while the call is in flight, and prints what the user
got and what was left behind, as KEY=VALUE lines for the shell test to judge.

    fault.py FAULT -- COMMAND [ARG]...

FAULT:
  kill-server    SIGKILL to the server (the sandbox's command, found as the
                 child of the sandbox's init)
  client-gone    the client closes its ends of membrane-run's stdin and stdout
  SIGTERM, SIGINT, SIGHUP
                 that signal to membrane-run
  report-full    fill the filesystem of $FILL (a file there, written until
                 ENOSPC), then send calls of an undeclared tool, which
                 membrane-run refuses and must report, until it stops
  start          nothing: membrane-run is expected to stop on its own before
                 the session starts (a report it cannot write); no call is
                 made, initialize is sent and may stay unanswered

The call in flight is server-everything's trigger-long-running-operation
(60 steps of a second, with a progress token): the first progress
notification shows that the server is inside the call.

What is printed:
  exited, exit_status     membrane-run's (128+N: killed by signal N)
  answer2                 the answer to the call in flight (compact JSON) or
                          "none"
  answers                 ids answered, in order; refused: answers that were
                          refusals (report-full)
  stderr                  membrane-run's own stderr lines (the server's are
                          prefixed "[server] " and left out), joined by " | "
  report_events (the call record's lines and checkpoints aside: report_calls
  counts them), report_complete (every line is whole JSON), report_last
  init_pid, server_pid, pidns
  init_exited, server_exited   yes if their pidfds (opened while they ran)
                               poll readable once membrane-run is gone
  pidns_members           processes found in /proc whose pid namespace is the
                          sandbox's, once membrane-run is gone
  orphans                 descendants of membrane-run reparented to this
                          driver (a child subreaper) and still there
"""
import ctypes
import json
import os
import select
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
TIMEOUT = 60.0

fault = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
report = cmd[cmd.index("--report") + 1] if "--report" in cmd else None

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("fault.py: prctl(PR_SET_CHILD_SUBREAPER): %s" % os.strerror(ctypes.get_errno()))

in_r, in_w = os.pipe()
out_r, out_w = os.pipe()
err_r, err_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(in_r, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
        os.close(fd)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execvp(cmd[0], cmd)
for fd in (in_r, out_w, err_w):
    os.close(fd)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)

out_buf, err_buf = b"", b""
messages = []  # everything membrane-run wrote on stdout, parsed
stdout_lines_bad = 0
status = None  # membrane-run's exit status once reaped


def pump(timeout):
    """Read what is there (waiting up to timeout); reap membrane-run."""
    global out_buf, err_buf, out_r, err_r, status, stdout_lines_bad
    fds = [fd for fd in (out_r, err_r) if fd is not None]
    if fds:
        ready, _, _ = select.select(fds, [], [], timeout)
    else:
        ready = []
        time.sleep(min(timeout, 0.05))
    for fd in ready:
        data = os.read(fd, 65536)
        if fd == out_r:
            if not data:
                os.close(out_r)
                out_r = None
            out_buf += data
            while b"\n" in out_buf:
                line, out_buf = out_buf.split(b"\n", 1)
                try:
                    messages.append(json.loads(line))
                except ValueError:
                    stdout_lines_bad += 1
        else:
            if not data:
                os.close(err_r)
                err_r = None
            err_buf += data
    if status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = os.waitstatus_to_exitcode(st)
            if status < 0:
                status = 128 - status


def send(obj):
    global in_w
    if in_w is None:
        return
    try:
        os.write(in_w, (json.dumps(obj) + "\n").encode())
    except BrokenPipeError:
        pass


def wait_for(pred, timeout=TIMEOUT):
    """Pump until pred() holds, membrane-run exits, or the timeout."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if pred():
            return True
        if status is not None and out_r is None and err_r is None:
            return pred()  # nothing more can happen
        pump(0.05)
    return pred()


def answer(i):
    for m in messages:
        if m.get("id") == i and ("result" in m or "error" in m):
            return m
    return None


def report_lines():
    if not report or not os.path.exists(report):
        return [], True
    data = open(report, "rb").read()
    lines, complete = [], data == b"" or data.endswith(b"\n")
    for raw in data.split(b"\n"):
        if not raw:
            continue
        try:
            lines.append(json.loads(raw))
        except ValueError:
            complete = False
    return lines, complete


def pidfd_open(p):
    try:
        return os.pidfd_open(p)
    except (OSError, TypeError):
        return None


def gone(fd):
    if fd is None:
        return "unknown"
    r, _, _ = select.select([fd], [], [], 0)
    return "yes" if r else "no"


init_pid = server_pid = None
pidns = None
init_fd = server_fd = None
facts = {}

send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                 "clientInfo": {"name": "fault.py", "version": "1"}}})
if fault != "start":
    if not wait_for(lambda: answer(1)):
        facts["setup"] = "no answer to initialize"
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
          "params": {"name": "trigger-long-running-operation", "arguments": {"duration": 60, "steps": 60},
                     "_meta": {"progressToken": "call-2"}}})
    progressed = wait_for(lambda: any(m.get("method") == "notifications/progress" for m in messages))
    facts["mid_call"] = "yes" if progressed else "no"

    # The sandbox: its init from the start report, the server as its child.
    starts = [x for x in report_lines()[0] if x.get("event") == "start"]
    if starts:
        init_pid = starts[0]["pid"]
        init_fd = pidfd_open(init_pid)
        try:
            pidns = os.readlink("/proc/%d/ns/pid" % init_pid)
            kids = open("/proc/%d/task/%d/children" % (init_pid, init_pid)).read().split()
            server_pid = int(kids[0]) if kids else None
        except OSError:
            pass
        server_fd = pidfd_open(server_pid) if server_pid else None

    refused = []
    if fault == "kill-server" and server_pid:
        os.kill(server_pid, signal.SIGKILL)
    elif fault == "client-gone":
        os.close(in_w)
        in_w = None
        os.close(out_r)
        out_r = None
    elif fault in ("SIGTERM", "SIGINT", "SIGHUP"):
        os.kill(pid, getattr(signal, fault))
    elif fault == "report-full":
        fill = os.path.join(os.environ["FILL"], "filler")
        fd = os.open(fill, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            facts["fill"] = os.strerror(e.errno)
        os.close(fd)
        # Each refusal is a report line; the file's last page takes a few
        # before a write needs a page the filesystem no longer has.
        for i in range(100, 200):
            send({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                  "params": {"name": "not-declared", "arguments": {}}})
            wait_for(lambda: answer(i) or status is not None, 10)
            if answer(i):
                refused.append(i)
            if status is not None:
                break
        facts["refused"] = ",".join(map(str, refused))

if not wait_for(lambda: status is not None and out_r is None and err_r is None):
    facts["exited"] = "no"
    if status is None:
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: status is not None, 10)
else:
    facts["exited"] = "yes"

# Once membrane-run is gone: what is left of the sandbox?
facts["init_pid"] = init_pid
facts["server_pid"] = server_pid
facts["pidns"] = pidns
facts["init_exited"] = gone(init_fd)
facts["server_exited"] = gone(server_fd)
members = 0
if pidns:
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink("/proc/%s/ns/pid" % d) == pidns:
                    members += 1
            except OSError:
                pass
facts["pidns_members"] = members if pidns else "unknown"
try:
    kids = open("/proc/self/task/%d/children" % os.getpid()).read().split()
except OSError:
    kids = []
facts["orphans"] = len(kids)
for k in kids:
    try:
        os.kill(int(k), signal.SIGKILL)
    except OSError:
        pass

facts["exit_status"] = status
a2 = answer(2)
facts["answer2"] = json.dumps(a2, separators=(",", ":")) if a2 else "none"
facts["answers"] = ",".join(str(m["id"]) for m in messages if "id" in m and ("result" in m or "error" in m))
facts["stdout_not_json"] = stdout_lines_bad
own = [l for l in err_buf.decode(errors="replace").splitlines() if l and not l.startswith("[server] ")]
facts["stderr"] = " | ".join(own)
lines, complete = report_lines()
facts["report_events"] = ",".join(x.get("event", "?") for x in lines
                                  if x.get("event") not in ("call", "checkpoint"))
facts["report_calls"] = sum(1 for x in lines if x.get("event") == "call")
facts["report_complete"] = "yes" if complete else "no"
facts["report_last"] = json.dumps(lines[-1], separators=(",", ":")) if lines else "none"
for k, v in facts.items():
    print("%s=%s" % (k, "" if v is None else v))
