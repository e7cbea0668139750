#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive the deputy (or any MCP server) through membrane-run as an MCP client
would, for tests/notify/kernel-deputy.sh, and print what came back as one JSON
object on stdout.

  drive.py SCENARIO [--root DIR] [--outside DIR] [--host-secret FILE]
           [--port N] [--report FILE] -- COMMAND [ARG]...

Scenarios:
  acts      one tools/call per misbehaviour of the deputy, each alone in flight,
            and the legitimate calls of the other tools
  probe     a read of a path that exists nowhere
  idle      arm the deputy's idle act, wait until the report shows it, then ask
            the deputy what it saw
  parallel  two calls in flight at once (hold, then read that misbehaves)
  serial-eof  hold and a read, then the client's end of input: both answered
  serial    hold, a read that is cancelled while membrane holds it, and a read
            that misbehaves: under concurrency: serial
"""
import json
import queue
import subprocess
import sys
import threading
import time


def parse(argv):
    opts = {"root": None, "outside": None, "host_secret": None, "port": None, "report": None}
    scenario = argv[0]
    i = 1
    while i < len(argv) and argv[i] != "--":
        key = argv[i][2:].replace("-", "_")
        opts[key] = argv[i + 1]
        i += 2
    return scenario, opts, argv[i + 1:]


class Session:
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.q = queue.Queue()
        self.got = {}
        self.order = []
        self.next_id = 1
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.p.stdout:
            try:
                self.q.put(json.loads(line))
            except ValueError:
                self.q.put({"unparsed": line.decode(errors="replace")})
        self.q.put(None)

    def send(self, *msgs):
        self.p.stdin.write("".join(json.dumps(m) + "\n" for m in msgs).encode())
        self.p.stdin.flush()

    def request(self, method, params=None, id=None):
        if id is None:
            id = self.next_id
            self.next_id += 1
        m = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            m["params"] = params
        return m

    def pump(self, timeout):
        try:
            m = self.q.get(timeout=timeout)
        except queue.Empty:
            return False
        if m is None:
            raise EOFError("the server's stdout closed")
        if "id" in m and ("result" in m or "error" in m):
            self.got[m["id"]] = m
            self.order.append(m["id"])
        return True

    def wait(self, id, timeout=20):
        end = time.monotonic() + timeout
        while id not in self.got:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to request {id}")
            self.pump(left)
        return self.got[id]

    def quiet_for(self, seconds):
        """Collect whatever arrives for this long (to show nothing does)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.pump(left)

    def call(self, tool, args=None):
        m = self.request("tools/call", {"name": tool, "arguments": args or {}})
        self.send(m)
        return payload(self.wait(m["id"]))

    def start(self):
        init = self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                           "clientInfo": {"name": "deputy-test", "version": "1"}})
        self.send(init)
        self.wait(init["id"])
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        tl = self.request("tools/list")
        self.send(tl)
        self.wait(tl["id"])

    def close(self):
        self.p.stdin.close()
        return self.p.wait(timeout=30)


def payload(resp):
    """A tool result's text as JSON (the deputy's answers), or the response."""
    try:
        text = resp["result"]["content"][0]["text"]
        out = json.loads(text)
        if resp["result"].get("isError"):
            out["isError"] = True
        return out
    except (KeyError, IndexError, TypeError, ValueError):
        return {"response": resp}


def wait_report(path, target, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path) as f:
                for line in f:
                    ev = json.loads(line)
                    if ev.get("event") == "violation" and ev.get("target") == target:
                        return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def main():
    scenario, o, cmd = parse(sys.argv[1:])
    s = Session(cmd)
    out = {}
    s.start()
    a = o["root"] + "/a.txt"
    b = o["root"] + "/b.txt"
    if scenario == "acts":
        out["legit"] = s.call("read", {"path": a})
        out["also_outside"] = s.call("read", {"path": a, "also": o["outside"] + "/secret"})
        out["also_host"] = s.call("read", {"path": a, "also": o["host_secret"]})
        out["also_within"] = s.call("read", {"path": a, "also": b})
        out["also_repeat"] = s.call("read", {"path": a, "also": b, "times": 5})
        out["also_write"] = s.call("read", {"path": a, "also_write": o["root"] + "/planted.txt"})
        out["exec_shell"] = s.call("read", {"path": a, "exec": "shell"})
        out["exec_memfd"] = s.call("read", {"path": a, "exec": "memfd"})
        out["fetch"] = s.call("fetch", {"to": "127.0.0.1:" + o["port"]})
        out["connect"] = s.call("read", {"path": a, "connect": "127.0.0.1:" + o["port"]})
        out["config"] = s.call("config")
        out["shell"] = s.call("shell")
        out["write"] = s.call("write", {"path": o["root"] + "/w.txt", "content": "written\n"})
    elif scenario == "probe":
        out["probe"] = s.call("read", {"path": a, "also": o["root"] + "/nowhere/at/all.txt"})
    elif scenario == "idle":
        out["arm"] = s.call("arm", {"ms": 300, "path": b})
        out["reported"] = wait_report(o["report"], b)
        out["status"] = s.call("status")
    elif scenario == "parallel":
        hold = s.request("tools/call", {"name": "hold", "arguments": {"ms": 1500}}, id=10)
        read = s.request("tools/call", {"name": "read", "arguments": {"path": a, "also": b}}, id=11)
        s.send(hold, read)
        out["read"] = payload(s.wait(11))
        out["hold"] = payload(s.wait(10))
        out["order"] = list(s.order[-2:])
    elif scenario == "serial":
        hold = s.request("tools/call", {"name": "hold", "arguments": {"ms": 800}}, id=10)
        gone = s.request("tools/call", {"name": "read", "arguments": {"path": a, "also": b}}, id=11)
        cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled",
                  "params": {"requestId": 11, "reason": "changed my mind"}}
        read = s.request("tools/call", {"name": "read", "arguments": {"path": a, "also": b}}, id=12)
        s.send(hold, gone, cancel, read)
        out["hold"] = payload(s.wait(10))
        out["read"] = payload(s.wait(12))
        s.quiet_for(1.0)
        out["cancelled_answered"] = 11 in s.got
        out["order"] = [i for i in s.order if i in (10, 11, 12)]
        out["status"] = s.call("status")
    elif scenario == "serial-eof":
        hold = s.request("tools/call", {"name": "hold", "arguments": {"ms": 500}}, id=20)
        read = s.request("tools/call", {"name": "read", "arguments": {"path": a}}, id=21)
        s.send(hold, read)
        s.p.stdin.close()
        out["hold"] = payload(s.wait(20))
        out["read"] = payload(s.wait(21))
        out["exit"] = s.p.wait(timeout=30)
        print(json.dumps(out))
        return
    else:
        print(f"drive.py: unknown scenario {scenario}", file=sys.stderr)
        sys.exit(2)
    out["exit"] = s.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
