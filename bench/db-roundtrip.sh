#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A query round trip through @modelcontextprotocol/server-postgres, bare and
# under membrane-run with profiles/db.yml (network brokered), against a
# throwaway PostgreSQL on 127.0.0.1 (tests/e2e/lib/pg.sh); and under the
# same profile with network host, which separates what the broker costs
# from what the relay and the sandbox cost. Rounds alternate the three;
# each round starts the server, makes the first query (the database
# connection: brokered when wrapped) and then QUERIES timed queries.
# Medians and the ratios go to stdout and to $1 (bench/db-results.md).
# Nothing here asserts a timing.
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
OUT=${1:-$top_srcdir/bench/db-results.md}
ROUNDS=${BENCH_ROUNDS:-8}
QUERIES=${BENCH_QUERIES:-500}
E=$(cd "$top_srcdir/tests/e2e" && pwd)
NM=$E/node_modules
S=$NM/@modelcontextprotocol/server-postgres
MRUN=$(cd "$top_builddir" && pwd)/membrane-run
B=$(cd "$top_srcdir/bench" && pwd)
[ -f "$S/dist/index.js" ] || { echo "bench: npm ci in tests/e2e first" >&2; exit 1; }
T=$(mktemp -d /tmp/membrane-bench-db.XXXXXX)
chmod 755 "$T"
trap 'sh "$E/lib/pg.sh" stop "$T/pg" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=$(sh "$E/lib/pg.sh" start "$T/pg" "$PORT")

sed 's/^network: brokered$/network: host/' "$top_srcdir/profiles/db.yml" >"$T/db-host.yml"
mkdir -p "$T/runtimes" && cp "$top_srcdir/profiles/runtimes/"*.yml "$T/runtimes/"
wrapped() { # wrapped PROFILE OUT
	node "$B/db-roundtrip.mjs" "$QUERIES" -- "$MRUN" --report "$T/report" \
		--profile "$1" --set DB="127.0.0.1:$PORT" \
		--set SERVER_DIR="$S" --set MODULES="$NM" -- node "$S/dist/index.js" "$URL" >>"$2"
}
i=0
while [ $i -lt "$ROUNDS" ]; do
	node "$B/db-roundtrip.mjs" "$QUERIES" -- node "$S/dist/index.js" "$URL" >>"$T/bare.jsonl"
	wrapped "$top_srcdir/profiles/db.yml" "$T/wrapped.jsonl"
	wrapped "$T/db-host.yml" "$T/host.jsonl"
	i=$((i + 1))
done
python3 - "$T/bare.jsonl" "$T/wrapped.jsonl" "$T/host.jsonl" "$T/report" "$ROUNDS" "$QUERIES" >"$T/table.md" <<'PY'
import json, os, statistics, sys
bare = [json.loads(l) for l in open(sys.argv[1])]
wrapped = [json.loads(l) for l in open(sys.argv[2])]
host = [json.loads(l) for l in open(sys.argv[3])]
violations = sum(1 for l in open(sys.argv[4]) if '"violation"' in l)
rounds, queries = sys.argv[5], sys.argv[6]
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]
def row(name, runs):
    t = [x for r in runs for x in r["times"]]
    per_round = [statistics.median(r["times"]) for r in runs]
    return name, statistics.median(t), pct(t, 0.9), statistics.median(r["first"] for r in runs), per_round
b, w = row("bare", bare), row("membrane-run, db.yml (network brokered)", wrapped)
h = row("membrane-run, db.yml with network host", host)
print(f"{rounds} rounds alternating the three; each: start the server, one first query")
print(f"(connects to PostgreSQL), then {queries} timed queries one at a time; uid {os.getuid()}, "
      f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
print()
print("| server | median us | p90 us | x bare (median) | first query us (connect) |")
print("|---|---:|---:|---:|---:|")
for name, med, p90, first, _ in (b, w, h):
    print(f"| {name} | {med:.0f} | {p90:.0f} | {med / b[1]:.3f} | {first:.0f} |")
print()
print("Per-round medians, us: bare " + ", ".join(f"{x:.0f}" for x in b[4]) +
      "; brokered " + ", ".join(f"{x:.0f}" for x in w[4]) +
      "; host " + ", ".join(f"{x:.0f}" for x in h[4]) + ".")
print(f"Violations reported by the wrapped runs: {violations}.")
PY
{
	echo "## A query round trip through server-postgres, bare vs brokered (bench/db-roundtrip.sh)"
	echo
	cat "$T/table.md"
} | tee "$OUT"
