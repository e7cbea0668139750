#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A real Node MCP server, bare and under membrane-run: start-up (spawn to
the initialize answer, then tools/list) and per-call latency (tools/call
read_text_file round trips, one at a time), for bench/server-results.md.

  server-latency.py E2E_DIR MEMBRANE_RUN PROFILES_DIR [ROUNDS] [CALLS]

E2E_DIR is tests/e2e with its node_modules. Bare and membrane-run rounds
alternate (and which goes first), so that a neighbour's load falls on both
alike; each figure is
the median over rounds (start-up) or over every call of every round
(per call), and the ratio is membrane-run's over bare."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

e2e, mrun, profiles = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 7
calls = int(sys.argv[5]) if len(sys.argv) > 5 else 200
server = os.path.join(e2e, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js")


# What profiles/runtimes/node.yml passes: the bare server gets the same
# environment (a caller's NODE_EXTRA_CA_CERTS, say, makes Node parse a CA
# bundle at start, which the sandbox's environment does not).
ENV = {"PATH": "/usr/bin:/bin"}


def session(cmd, root):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=ENV)
    n = [0]

    def rpc(method, params):
        n[0] += 1
        p.stdin.write((json.dumps({"jsonrpc": "2.0", "id": n[0], "method": method,
                                   "params": params}) + "\n").encode())
        p.stdin.flush()
        while True:
            line = p.stdout.readline()
            if not line:
                raise EOFError(f"{cmd[0]}: the server's stdout closed")
            m = json.loads(line)
            if m.get("id") == n[0]:
                if "error" in m or m.get("result", {}).get("isError"):
                    raise RuntimeError(f"{method}: {m}")
                return m

    rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "bench", "version": "1"}})
    t_init = time.perf_counter() - t0
    p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    rpc("tools/list", {})
    t_list = time.perf_counter() - t0
    lat = []
    for i in range(calls):
        t = time.perf_counter()
        rpc("tools/call", {"name": "read_text_file",
                           "arguments": {"path": f"{root}/f{i % 10}.txt"}})
        lat.append(time.perf_counter() - t)
    p.stdin.close()
    p.wait(timeout=30)
    return t_init, t_list, lat


def main():
    with tempfile.TemporaryDirectory(prefix="mb-server-bench-") as d:
        root = os.path.join(d, "root")
        os.mkdir(root)
        for i in range(10):
            with open(f"{root}/f{i}.txt", "w") as f:
                f.write(("line %d\n" % i) * 200)
        report = os.path.join(d, "report")
        bare = ["/usr/bin/node", server, root]
        wrapped = [mrun, "--profile", os.path.join(profiles, "filesystem.yml"), "--report", report,
                   "--set", "ROOT=" + root,
                   "--set", "SERVER_DIR=" + os.path.dirname(os.path.dirname(server)),
                   "--set", "MODULES=" + os.path.join(e2e, "node_modules"), "--"] + bare
        res = {"bare": ([], [], []), "membrane-run": ([], [], [])}
        session(bare, root)  # warm the page cache
        session(wrapped, root)
        for r in range(rounds):
            order = (("bare", bare), ("membrane-run", wrapped))
            for name, cmd in order if r % 2 == 0 else order[::-1]:
                i, l, lat = session(cmd, root)
                res[name][0].append(i)
                res[name][1].append(l)
                res[name][2].extend(lat)
        violations = 0
        with open(report) as f:
            for line in f:
                violations += json.loads(line).get("event") == "violation"

    def ms(v):
        return statistics.median(v) * 1000

    b, m = res["bare"], res["membrane-run"]
    print(f"server-filesystem ({server}), {rounds} rounds of each, {calls} read_text_file "
          f"calls per round, medians; {os.cpu_count()} CPUs, uid {os.getuid()}\n")
    print("| | bare | membrane-run | ratio |\n|---|---:|---:|---:|")
    print(f"| start-up: spawn to initialize answered (ms) | {ms(b[0]):.1f} | {ms(m[0]):.1f} | "
          f"{ms(m[0]) / ms(b[0]):.2f} |")
    print(f"| start-up: spawn to tools/list answered (ms) | {ms(b[1]):.1f} | {ms(m[1]):.1f} | "
          f"{ms(m[1]) / ms(b[1]):.2f} |")
    print(f"| per call: read_text_file round trip (ms) | {ms(b[2]):.3f} | {ms(m[2]):.3f} | "
          f"{ms(m[2]) / ms(b[2]):.2f} |")
    print(f"| per call: 90th percentile (ms) | {statistics.quantiles(b[2], n=10)[8] * 1000:.3f} | "
          f"{statistics.quantiles(m[2], n=10)[8] * 1000:.3f} | "
          f"{statistics.quantiles(m[2], n=10)[8] / statistics.quantiles(b[2], n=10)[8]:.2f} |")
    print(f"\nmembrane-run adds {ms(m[2]) - ms(b[2]):.3f} ms per call (median) and "
          f"{ms(m[0]) - ms(b[0]):.1f} ms to start-up; both runs with the environment "
          f"{ENV}")
    print(f"violations reported under membrane-run: {violations}")
    print(f"load average at the end: {' '.join('%.2f' % x for x in os.getloadavg())}")


main()
