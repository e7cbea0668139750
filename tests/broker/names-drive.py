#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive an MCP server (tests/broker/names-server.mjs under membrane-run)
for tests/broker/kernel-names.sh: initialize, then each call of CALLS (a
JSON list) one at a time, and print one line per call: its label and the
text the tool answered (or the error). A call {"sleep": S} waits S seconds.

    names-drive.py CALLS -- COMMAND [ARG]...
Each call: {"label": L, "tool": T, "arguments": {...}}.
"""
import json
import subprocess
import sys
import time

calls = json.load(open(sys.argv[1]))
cmd = sys.argv[sys.argv.index("--") + 1:]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(m):
    p.stdin.write((json.dumps(m) + "\n").encode())
    p.stdin.flush()


def answer(id):
    for line in p.stdout:
        m = json.loads(line)
        if m.get("id") == id:
            return m
    raise SystemExit("the server's output ended")


send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                 "clientInfo": {"name": "names-drive", "version": "1"}}})
answer(0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
for n, c in enumerate(calls, 1):
    if "sleep" in c:
        time.sleep(c["sleep"])
        continue
    send({"jsonrpc": "2.0", "id": n, "method": "tools/call",
          "params": {"name": c["tool"], "arguments": c.get("arguments", {})}})
    m = answer(n)
    if "result" in m:
        text = " ".join(x.get("text", "") for x in m["result"].get("content", []))
    else:
        text = "error " + json.dumps(m["error"])
    print(f"{c['label']}: {text}", flush=True)
p.stdin.close()
p.wait(timeout=20)
