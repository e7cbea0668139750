#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Start-up of Node MCP servers (server-memory, server-filesystem), spawn to
# the answer to initialize (bench/relay-bench -S), bare, under bubblewrap and
# under membrane-run, interleaved start by start so that the load of the
# shared 2-CPU machine falls on every variant alike; unpinned, and with
# everything on CPU 0 (taskset), where no wake-up crosses CPUs.
#
#   bench/node-startup.sh [OUT.md]
# Knobs: BENCH_ROUNDS (rounds, 20), BENCH_PINS ("unpinned pinned"),
# BENCH_VARIANTS ("bare bwrap membrane-run"; "static" is the profile's
# sandbox through tests/sandbox/launch: no notifier, no relay; "floor" the
# same with a listener that answers CONTINUE at once, BENCH_FLOOR_THREADS
# threads of it),
# BENCH_SERVERS ("memory filesystem"), BENCH_CMD_X (for a variant X of
# BENCH_VARIANTS: another membrane-run command), MRUN_BEFORE=PATH (a second
# membrane-run, e.g. main's, measured in the same rounds as "before").
# Medians and minima and their ratios to bare and to bwrap go to stdout and
# to OUT. Nothing here asserts a timing.
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
OUT=${1:-}
ROUNDS=${BENCH_ROUNDS:-20}
PINS=${BENCH_PINS:-"unpinned pinned"}
SERVERS=${BENCH_SERVERS:-"memory filesystem"}
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
M=$(cd "$E/node_modules" 2>/dev/null && pwd) || { echo "bench: no $E/node_modules" >&2; exit 1; }
for tool in bwrap taskset node python3; do
	command -v $tool > /dev/null || { echo "bench: $tool is missing (see bootstrap.sh)" >&2; exit 1; }
done
T=$(mktemp -d /var/tmp/membrane-node-startup.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
chmod 755 "$T"
mkdir "$T/memory" "$T/root"
echo hello > "$T/root/notes.txt"
RB="$top_builddir/bench/relay-bench"
MRUN="$top_builddir/membrane-run"
NODE_ENV="env -i PATH=/usr/bin:/bin HOME=$T MEMORY_FILE_PATH=$T/memory/memory.jsonl"
BWRAP_BASE="bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --ro-bind /etc/ld.so.cache /etc/ld.so.cache --ro-bind /etc/ssl /etc/ssl --ro-bind $M $M --proc /proc --dev /dev --tmpfs /tmp"
VARIANTS=${BENCH_VARIANTS:-"bare bwrap membrane-run"}
[ -z "${MRUN_BEFORE:-}" ] || VARIANTS="$VARIANTS before"

server_cmd() {
	case $1 in
	memory) echo "node $M/@modelcontextprotocol/server-memory/dist/index.js" ;;
	filesystem) echo "node $M/@modelcontextprotocol/server-filesystem/dist/index.js $T/root" ;;
	esac
}
profile_args() {
	case $1 in
	memory) echo "--profile $top_srcdir/profiles/memory.yml --set MEMORY_DIR=$T/memory --set SERVER_DIR=$M/@modelcontextprotocol/server-memory --set MODULES=$M" ;;
	filesystem) echo "--profile $top_srcdir/profiles/filesystem.yml --set ROOT=$T/root --set SERVER_DIR=$M/@modelcontextprotocol/server-filesystem --set MODULES=$M" ;;
	esac
}
wrapper() {
	case $1 in
	bare) echo "" ;;
	bwrap) case $2 in
		memory) echo "$BWRAP_BASE --bind $T/memory $T/memory --" ;;
		filesystem) echo "$BWRAP_BASE --bind $T/root $T/root --" ;;
		esac ;;
	membrane-run) echo "$MRUN --report $T/report.jsonl $(profile_args "$2") --" ;;
	before) echo "$MRUN_BEFORE --report $T/report-before.jsonl $(profile_args "$2") --" ;;
	# the static layer alone: the same profile's sandbox, no notifier, no relay
	static) echo "$top_builddir/tests/sandbox/launch $(profile_args "$2") --" ;;
	# the same with every watched call notified and answered CONTINUE at
	# once by BENCH_FLOOR_THREADS threads (2) waiting in RECV: what the
	# notifications cost when nothing is decided and the kernel performs
	# every call
	floor) echo "$top_builddir/tests/sandbox/launch --listener-continue ${BENCH_FLOOR_THREADS:-2} $(profile_args "$2") --" ;;
	# another membrane-run command: BENCH_CMD_NAME="env X=1 /path/membrane-run"
	*) eval "c=\${BENCH_CMD_$1}"; echo "$c --report $T/report-$1.jsonl $(profile_args "$2") --" ;;
	esac
}

RAW=$T/raw.txt
: > "$RAW"
run1() { # SERVER VARIANT PIN RUNS
	pre=
	[ "$3" = pinned ] && pre="taskset -c 0"
	# shellcheck disable=SC2046,SC2086
	line=$($pre $NODE_ENV "$RB" -S "$4" -W 0 -- $(wrapper "$2" "$1") $(server_cmd "$1") 2>> "$T/stderr") ||
		{ echo "bench: $1/$2/$3 failed" >&2; tail -5 "$T/stderr" >&2; exit 1; }
	echo "$1 $2 $3 $line" >> "$RAW"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for s in $SERVERS; do
	for v in $VARIANTS; do run1 "$s" "$v" unpinned 2; done # warm the page cache
done
: > "$RAW"
r=0
while [ $r -lt "$ROUNDS" ]; do
	for pin in $PINS; do
		for s in $SERVERS; do
			# the order rotates each round: no variant always follows another
			set -- $VARIANTS
			k=$((r % $#))
			while [ $k -gt 0 ]; do x=$1; shift; set -- "$@" "$x"; k=$((k - 1)); done
			for v in "$@"; do run1 "$s" "$v" "$pin" 1; done
		done
	done
	r=$((r + 1))
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
violations=$(grep -c '"violation"' "$T"/report*.jsonl 2>/dev/null | awk -F: '{ s += $NF } END { print s + 0 }')

python3 - "$RAW" "$ROUNDS" "$load_start" "$load_end" "$violations" > "$T/table.md" <<'PY'
import statistics, sys
raw, rounds, ls, le, viol = sys.argv[1:6]
data = {}
for line in open(raw):
    w = line.split()
    kv = dict(x.split("=", 1) for x in w[3:] if "=" in x)
    for s in kv["samples_ms"].split(","):
        data.setdefault((w[0], w[2], w[1]), []).append(float(s))
order = ["bare", "bwrap", "static", "floor", "membrane-run", "before"]
order += sorted({k[2] for k in data} - set(order))
for srv in sorted({k[0] for k in data}):
    for pin in ["unpinned", "pinned"]:
        if (srv, pin, "bare") not in data:
            continue
        print("%s, %s (%s starts each, interleaved)\n" % (srv, pin, rounds))
        print("| variant | median (ms) | min (ms) | x bare (median) | x bwrap (median) | x bare (min) |")
        print("|---|---:|---:|---:|---:|---:|")
        med = {v: statistics.median(data[(srv, pin, v)]) for v in order if (srv, pin, v) in data}
        mn = {v: min(data[(srv, pin, v)]) for v in med}
        for v in med:
            xb = "%.2f" % (med[v] / med["bwrap"]) if "bwrap" in med else "-"
            print("| %s | %.1f | %.1f | %.2f | %s | %.2f |" % (v, med[v], mn[v], med[v] / med["bare"],
                  xb, mn[v] / mn["bare"]))
        print()
print("load average %s at the start, %s at the end; violations reported: %s" % (ls, le, viol))
PY
cat "$T/table.md"
if [ -n "$OUT" ]; then
	cp "$T/table.md" "$OUT"
	echo "bench: written to $OUT"
fi
