#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Render bench/results.md from what bench/side-by-side.sh gathered in DIR:
machine.txt (KEY=VALUE), startup.json (hyperfine's export), raw.txt (one
line per bench/relay-bench run: SECTION VARIANT PIN KEY=VALUE...) and
notify.md (bench/bench-notify's own table, when it was built)."""
import json
import os
import statistics
import sys

d = sys.argv[1]


def kv(words):
    out = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out[k] = v
    return out


machine = {}
for line in open(os.path.join(d, "machine.txt")):
    k, _, v = line.rstrip("\n").partition("=")
    machine[k] = v

raw = []
for line in open(os.path.join(d, "raw.txt")):
    w = line.split()
    raw.append((w[0], w[1], w[2], kv(w[3:])))


def pct(values, p):
    s = sorted(values)
    i = min(len(s) - 1, (len(s) * p) // 100)
    return s[i]


def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


NAMES = {"bare": "bare", "plain": "plain relay", "bwrap": "bwrap", "firejail": "firejail",
         "membrane-run": "membrane-run", "unshare": "unshare -Urmpnif", "launch": "launch (sandbox only)"}

print("# membrane side by side (bench/side-by-side.sh)")
print()
print("Written by `make bench` on %s, on one machine: kernel %s, %s CPUs (%s), "
      "Node %s, bubblewrap %s, firejail %s, hyperfine %s; membrane %s. "
      "Load average %s at the start, %s at the end: the cores are shared, so "
      "compare ratios within this file, not figures across runs."
      % (machine["date"], machine["kernel"], machine["nproc"], machine["model"], machine["node"],
         machine["bwrap"], machine["firejail"], machine["hyperfine"], machine["commit"],
         machine["load_start"], machine.get("load_end", "?")))
print()
print("Reproduce: `./bootstrap.sh && make bench` (as root: firejail and the "
      "fault tests need it; knobs in bench/side-by-side.sh). What each wrapper "
      "isolates, and the exact commands: bench/README.md.")
print()

# 1. start-up around /bin/true
r = json.load(open(os.path.join(d, "startup.json")))["results"]
st = {x["command"]: [t * 1000 for t in x["times"]] for x in r}
med = {k: statistics.median(v) for k, v in st.items()}
print("## Start-up around /bin/true")
print()
print("Spawn to exit, %d runs each in one hyperfine call (`-N`, 20 warm-up runs)." % len(next(iter(st.values()))))
print()
print("| wrapper | median (ms) | p99 (ms) | x bare | x bwrap |")
print("|---|---|---|---|---|")
for k in ["bare", "unshare", "bwrap", "firejail", "launch", "membrane-run"]:
    if k in st:
        print("| %s | %.3f | %.3f | %s | %s |" % (NAMES[k], med[k], pct(st[k], 99), ratio(med[k], med["bare"]),
                                               ratio(med[k], med.get("bwrap"))))
if "membrane-run" not in st:
    print()
    print("**membrane-run could not run /bin/true in this build: no row.**")
print()

# 2. start-up to initialize (server-memory)
init = {}
for sec, var, _pin, f in raw:
    if sec == "init":
        init.setdefault(var, []).append(float(f["samples_ms"]))
print("## Start-up around server-memory: spawn to the answer to initialize")
print()
n = len(next(iter(init.values())))
print("%d starts each, the wrappers taking turns run by run (after 2 warm-up starts each); "
      "`node .../server-memory/dist/index.js` with its memory file in a directory of its own. "
      "p99 is not meaningful over %d runs: p90 and the worst are given." % (n, n))
print()
print("| wrapper | median (ms) | p90 (ms) | max (ms) | x bare | x bwrap |")
print("|---|---|---|---|---|---|")
im = {k: statistics.median(v) for k, v in init.items()}
for k in ["bare", "bwrap", "firejail", "membrane-run"]:
    if k in init:
        print("| %s | %.1f | %.1f | %.1f | %s | %s |" % (NAMES[k], im[k], pct(init[k], 90), max(init[k]),
                                                       ratio(im[k], im["bare"]), ratio(im[k], im.get("bwrap"))))
print()

# 3. echo round trips
echo = {}
for sec, var, pin, f in raw:
    if sec == "echo":
        echo.setdefault((pin, var), []).append(f)
reps = len(next(iter(echo.values())))
print("## server-everything's echo tool: per-call round trip and calls/s")
print()
print("After `initialize` and 200 warm-up calls: %s sequential calls (round trip: median and p99 of "
      "every call), then the same number with 64 in flight (calls/s). Each figure is the median of "
      "%d runs, the wrappers taking turns. Pinned: the client, the wrapper and the server all on CPU 0 "
      "(`taskset -c 0`)." % (machine.get("calls", "?"), reps))
print()
print("| wrapper | CPUs | round trip median (us) | p99 (us) | x bare | x bwrap | calls/s, 64 in flight | x bare |")
print("|---|---|---|---|---|---|---|---|")


def em(pin, var, key):
    v = echo.get((pin, var))
    return statistics.median(float(x[key]) for x in v) if v else None


for pin in ["unpinned", "pinned"]:
    b50 = em(pin, "bare", "p50_us")
    w50 = em(pin, "bwrap", "p50_us")
    btp = em(pin, "bare", "msgs_per_s")
    for var in ["bare", "plain", "bwrap", "membrane-run"]:
        p50 = em(pin, var, "p50_us")
        if p50 is None:
            continue
        tp = em(pin, var, "msgs_per_s")
        print("| %s | %s | %.1f | %.1f | %s | %s | %.0f | %s |" % (
            NAMES[var], pin, p50, em(pin, var, "p99_us"), ratio(p50, b50), ratio(p50, w50), tp, ratio(tp, btp)))
print()

# 4. notified system call
print("## The notified system call")
print()
nf = os.path.join(d, "notify.md")
if os.path.exists(nf) and os.path.getsize(nf) > 0:
    print("bench/bench-notify: openat(2)+close(2) in the server under each layer.")
    print()
    sys.stdout.write(open(nf).read())
else:
    print("| what | median | x bare |")
    print("|---|---|---|")
    print("| openat+close through the notifier | **not measured yet**: bench/bench-notify is not in this "
          "build (the notifier's branch had not reached main) | - |")
print()

# 5. supervisor memory
hold = {}
for sec, var, n, f in raw:
    if sec == "hold":
        hold[(var, int(n))] = f
ns = sorted({n for _v, n in hold})
print("## Supervisor memory with N calls in flight")
print()
print("Peak RSS (VmHWM) of the wrapper's own process, the server holding every call "
      "(server-everything's trigger-long-running-operation, 2 s + 1 s per 2,000 calls) until all N "
      "were sent; idle: its VmRSS after initialize. For bwrap, its outer process (it relays nothing: "
      "the server's pipes are the client's). The server's memory is not counted.")
print()
print("| wrapper | in flight | idle RSS (KiB) | peak RSS (KiB) | x plain relay |")
print("|---|---|---|---|---|")
for var in ["membrane-run", "plain", "bwrap"]:
    for n in ns:
        f = hold.get((var, n))
        if not f:
            continue
        pk = float(f["peak_rss_kib"])
        pl = float(hold[("plain", n)]["peak_rss_kib"]) if ("plain", n) in hold else None
        note = "" if float(f.get("held_ms", "1")) > 0 else " (answers began before all were sent)"
        print("| %s | %d%s | %s | %s | %s |" % (NAMES[var], n, note, f["idle_rss_kib"], f["peak_rss_kib"],
                                             ratio(pk, pl)))
print()
ev = machine.get("report_events", "")
print("membrane-run's reports over the whole bench: %s." % (ev.replace(",", ", ") or "none"))
