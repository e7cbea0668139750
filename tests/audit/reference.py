#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A second, independent reading of Reports v1 for membrane-audit's tests:
the same filters and counts, written the obvious way (everything in memory).

  reference.py list    [filters] FILE...   the matching lines, as they are
  reference.py summary [filters] FILE...   what `membrane-audit summary --json` prints
  reference.py truth   FILE...             exact counts of every target (JSON)

Only well-formed lines are expected here; the malformed-line tests check
membrane-audit's own account of them."""
import argparse
import datetime
import json
import re
import sys
import time


def parse_time(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d))?", s)
    if not m:
        raise ValueError(s)
    y, mo, d, h, mi, sec, frac, off = m.groups()
    dt = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                           tzinfo=datetime.timezone.utc)
    us = int(dt.timestamp()) * 1000000 + int(((frac or "") + "000000")[:6])
    if off and off not in "Zz":
        sign = -1 if off[0] == "-" else 1
        us -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60) * 1000000
    return us


def parse_when(s, now_us):
    try:
        return parse_time(s)
    except ValueError:
        m = re.fullmatch(r"(\d+)([smhdw])", s)
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]
        return now_us - int(m.group(1)) * unit * 1000000


def tools_of(ev):
    names = []
    for r in ev.get("requests", []) if isinstance(ev.get("requests"), list) else []:
        if isinstance(r, dict) and isinstance(r.get("tool"), str) and r["tool"] not in names:
            names.append(r["tool"])
    r = ev.get("request")
    if isinstance(r, dict) and isinstance(r.get("tool"), str) and r["tool"] not in names:
        names.append(r["tool"])
    return names


def has_requests(ev):
    return isinstance(ev.get("requests"), list) or isinstance(ev.get("request"), dict)


def read(files):
    for name in files:
        with open(name, "rb") as f:
            for raw in f:
                line = raw.rstrip(b"\n")
                yield line, json.loads(line.decode("utf-8"))


def matches(ev, a, now_us):
    t = parse_time(ev["time"])
    if a.since and t < parse_when(a.since, now_us):
        return False
    if a.until and t >= parse_when(a.until, now_us):
        return False
    for key in ("profile", "op", "decision", "event", "kind"):
        want = getattr(a, key)
        if want and ev.get(key) not in want:
            return False
    if a.session and not any(ev["session"].startswith(p) for p in a.session):
        return False
    if a.tool and not set(a.tool) & set(tools_of(ev)):
        return False
    return True


def table(counts, limit=None):
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode()))
    if limit:
        rows = rows[:limit]
    return [{"value": k, "count": c, "error": 0} for k, c in rows]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["list", "summary", "truth"])
    p.add_argument("files", nargs="+")
    for k in ("profile", "tool", "op", "decision", "event", "session", "kind"):
        p.add_argument("--" + k, action="append")
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--top", type=int, default=10)
    a = p.parse_args()
    now_us = int(time.time() * 1000000)
    out = sys.stdout.buffer
    if a.cmd == "truth":
        counts = {}
        for _, ev in read(a.files):
            if isinstance(ev.get("target"), str):
                counts[ev["target"]] = counts.get(ev["target"], 0) + ev.get("count", 1)
        json.dump(counts, sys.stdout)
        return
    n = {"lines": 0, "events": 0, "matched": 0, "operations": 0}
    cols = {c: {} for c in ("event", "profile", "tool", "op", "decision", "kind", "target")}
    sessions = set()
    first = last = None
    for line, ev in read(a.files):
        n["lines"] += 1
        n["events"] += 1
        if not matches(ev, a, now_us):
            continue
        n["matched"] += 1
        w = ev.get("count", 1)  # a line with a count stands for that many
        n["operations"] += w
        if a.cmd == "list":
            out.write(line + b"\n")
            continue
        t = parse_time(ev["time"])
        if first is None or t < first[0]:
            first = (t, ev["time"])
        if last is None or t > last[0]:
            last = (t, ev["time"])
        sessions.add(ev["session"])
        for c in ("event", "profile", "op", "decision", "kind", "target"):
            if isinstance(ev.get(c), str):
                cols[c][ev[c]] = cols[c].get(ev[c], 0) + w
        tl = tools_of(ev)
        for tool in tl:
            cols["tool"][tool] = cols["tool"].get(tool, 0) + w
        if has_requests(ev) and not tl:
            cols["tool"]["(idle)"] = cols["tool"].get("(idle)", 0) + w
    if a.cmd == "list":
        return
    s = {"lines": n["lines"], "events": n["events"], "matched": n["matched"],
         "operations": n["operations"], "malformed": 0}
    if first:
        s["first"] = first[1]
        s["last"] = last[1]
    s["sessions"] = len(sessions)
    s["sessions_overflowed"] = False
    for c in ("event", "profile", "tool", "op", "decision", "kind"):
        s["by_" + c] = table(cols[c])
    s["top_targets"] = table(cols["target"], a.top)
    json.dump(s, sys.stdout, sort_keys=True)
    print()


main()
