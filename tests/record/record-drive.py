#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive the deputy (tests/notify/deputy.c) through membrane-run for
tests/record/kernel-record.sh, as a scripted MCP client, and print what came
back as one JSON object on stdout. The session machinery is
tests/notify/deputy-drive.py's.

  record-drive.py SCENARIO [--root DIR] [--outside DIR] [--port N]
                  [--decoy PATH] [--control PATH] [--n N] -- COMMAND [ARG]...

Scenarios:
  calls     calls that do their job, calls that misbehave, one refused
  budgets   each tool budget of tests/record/budgets.yml, spent and passed
  session   three holds at once, under a session budget of two in flight
  decoy     a read of the decoy, echoed in the result and in a notification;
            with --stopped yes, then wait for membrane-run to stop the server
  kill-signal   a call in flight, SIGUSR1 to membrane-run, a call after it
  kill-control  the same through the control socket, with status first
  normal    a few reads and a config: a session like any other
  burst     N reads one after the other, a read that reads six times, a
            write
"""
import importlib.util
import json
import os
import signal
import socket
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("deputy_drive",
                                              os.path.join(here, "..", "notify", "deputy-drive.py"))
dd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dd)


def parse(argv):
    opts = {"root": None, "outside": None, "port": None, "decoy": None, "control": None, "n": "12"}
    i = 1
    while i < len(argv) and argv[i] != "--":
        opts[argv[i][2:]] = argv[i + 1]
        i += 2
    return argv[0], opts, argv[i + 1:]


def control(path, line):
    c = socket.socket(socket.AF_UNIX)
    c.connect(path)
    c.sendall(line.encode() + b"\n")
    got = b""
    while not got.endswith(b"\n"):
        d = c.recv(4096)
        if not d:
            break
        got += d
    c.close()
    return json.loads(got)


def text(resp):
    """A tool result's text, or the error's message."""
    r = resp.get("result") or {}
    if r.get("content"):
        return r["content"][0].get("text", "")
    return (resp.get("error") or {}).get("message", "")


def call_raw(s, tool, args):
    m = s.request("tools/call", {"name": tool, "arguments": args})
    s.send(m)
    return s.wait(m["id"])


def main():
    scenario, o, cmd = parse(sys.argv[1:])
    s = dd.Session(cmd)
    out = {}
    s.start()
    a = (o["root"] or "") + "/a.txt"
    b = (o["root"] or "") + "/b.txt"
    if scenario == "calls":
        out["read"] = s.call("read", {"path": a})
        out["outside"] = s.call("read", {"path": a, "also": o["outside"] + "/secret"})
        out["write"] = s.call("write", {"path": o["root"] + "/w.txt", "content": "written\n"})
        out["fetch"] = s.call("fetch", {"to": "127.0.0.1:" + o["port"]})
        out["shell"] = s.call("shell")
        out["planted"] = s.call("read", {"path": a, "also_write": o["root"] + "/planted.txt"})
        out["refused"] = s.call("read", {"path": "/etc/passwd"})
    elif scenario == "budgets":
        out["status"] = [s.call("status") for _ in range(4)]
        h1 = s.request("tools/call", {"name": "hold", "arguments": {"ms": 400}}, id=100)
        h2 = s.request("tools/call", {"name": "hold", "arguments": {"ms": 400}}, id=101)
        s.send(h1, h2)
        out["hold2"] = s.wait(101)
        out["hold1"] = s.wait(100)
        out["config"] = [s.call("config") for _ in range(3)]
        out["fetch"] = [s.call("fetch", {"to": "127.0.0.1:" + o["port"]}) for _ in range(3)]
        out["write"] = [s.call("write", {"path": f"{o['root']}/w{i}.txt", "content": "x"}) for i in range(4)]
    elif scenario == "session":
        hs = [s.request("tools/call", {"name": "hold", "arguments": {"ms": 400}}, id=200 + i) for i in range(3)]
        s.send(*hs)
        out["third"] = s.wait(202)
        out["first"] = s.wait(200)
        out["second"] = s.wait(201)
    elif scenario == "decoy":
        out["read"] = s.call("read", {"path": a, "also": o["decoy"], "leak": "notification"})
        if o.get("stopped"):
            # on_touch: stop: the server goes by itself, stdin still open
            out["exit"] = s.p.wait(timeout=30)
            print(json.dumps(out))
            return
    elif scenario in ("kill-signal", "kill-control"):
        out["stubborn"] = s.call("stubborn")
        hold = s.request("tools/call", {"name": "hold", "arguments": {"ms": 20000}}, id=300)
        s.send(hold)
        time.sleep(0.3)
        if scenario == "kill-signal":
            os.kill(s.p.pid, signal.SIGUSR1)
            out["asker"] = os.getpid()
        else:
            out["status_before"] = control(o["control"], "status")
            out["kill"] = control(o["control"], "kill incident 4711")
            out["asker"] = os.getpid()
        time.sleep(0.2)
        after = s.request("tools/call", {"name": "status", "arguments": {}}, id=301)
        s.send(after)
        out["after"] = s.wait(301)
        out["in_flight"] = s.wait(300, timeout=30)
        out["exit"] = s.p.wait(timeout=30)
        print(json.dumps(out))
        return
    elif scenario == "normal":
        out["reads"] = [s.call("read", {"path": a}) for _ in range(3)]
        out["config"] = s.call("config")
    elif scenario == "burst":
        out["burst"] = [text(call_raw(s, "read", {"path": a})) for _ in range(int(o["n"]))]
        out["times"] = text(call_raw(s, "read", {"path": a, "also": a, "times": 5}))
        out["write"] = text(call_raw(s, "write", {"path": o["root"] + "/burst.txt", "content": "x"}))
        out["later"] = text(call_raw(s, "read", {"path": a}))
    else:
        print(f"record-drive.py: unknown scenario {scenario}", file=sys.stderr)
        sys.exit(2)
    out["exit"] = s.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
