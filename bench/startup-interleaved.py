#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start-up around /bin/true with the commands taking turns start by start
(bench/startup.sh runs each command's 300 starts in a row, so that a change
in the shared machine's load falls on one command and not the others).

    bench/startup-interleaved.py ROUNDS NAME=COMMAND...

Each round runs every command once (posix_spawn to waitpid, stdout and
stderr to /dev/null), in an order that rotates from round to round; prints
medians and minima, and their ratios to the commands named bare and bwrap.
Nothing here asserts a timing."""
import os, shlex, statistics, sys, time

rounds = int(sys.argv[1])
cmds = [a.split("=", 1) for a in sys.argv[2:]]
null = os.open(os.devnull, os.O_RDWR)
fa = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]

def once(argv):
    t = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=fa)
    _, st = os.waitpid(pid, 0)
    dt = (time.perf_counter_ns() - t) / 1e6
    if os.waitstatus_to_exitcode(st) != 0:
        sys.exit("bench: %s failed" % " ".join(argv))
    return dt

argvs = {n: shlex.split(c) for n, c in cmds}
for n, a in argvs.items():  # warm-up, and a check that each one runs
    for _ in range(5):
        once(a)
t = {n: [] for n in argvs}
names = list(argvs)
for r in range(rounds):
    k = r % len(names)
    for n in names[k:] + names[:k]:
        t[n].append(once(argvs[n]))
med = {n: statistics.median(v) for n, v in t.items()}
mn = {n: min(v) for n, v in t.items()}
def ratio(d, a, b):
    return "%.2f" % (d[a] / d[b]) if b in d else "-"
print("| what | median (ms) | min (ms) | x bare | x bwrap | x bwrap (min) |")
print("|---|---:|---:|---:|---:|---:|")
for n in names:
    print("| %s | %.3f | %.3f | %s | %s | %s |" % (n, med[n], mn[n], ratio(med, n, "bare"),
          ratio(med, n, "bwrap"), ratio(mn, n, "bwrap")))
print()
print("%d rounds, each command once per round in a rotating order; load average %s at the end"
      % (rounds, open("/proc/loadavg").read().split()[0]))
