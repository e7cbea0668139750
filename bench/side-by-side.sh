#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane side by side with its peers, in one go on one machine (issue 7):
# `make bench` runs it and it writes $1 (bench/results.md).
#
#   1. start-up around /bin/true: bench/startup.sh (one hyperfine call: bare,
#      unshare, bwrap, firejail, the launcher, membrane-run)
#   2. start-up around server-memory: spawn to the answer to initialize,
#      bare, membrane-run, bwrap, firejail (bench/relay-bench -S), the
#      variants interleaved run by run so that a change of load on the shared
#      cores falls on all of them alike
#   3. server-everything's echo tool: round trip of sequential calls and
#      calls/s with 64 in flight, bare, plain relay (bench/plain-relay),
#      bwrap, membrane-run; unpinned and pinned to CPU 0 (bench/README.md: this
#      VM wakes a process on an idle CPU slowly); BENCH_REPS repetitions,
#      interleaved
#   4. the notified system call (bench/bench-notify), once it is built here
#   5. the supervisor's peak RSS with N calls in flight (server-everything's
#      trigger-long-running-operation holds each call for a few seconds):
#      membrane-run, plain relay, bwrap's own process
#
# Every server runs with the environment membrane-run gives it (PATH only,
# plus MEMORY_FILE_PATH for server-memory): this machine's shell sets
# NODE_EXTRA_CA_CERTS, which makes a bare Node read the whole CA bundle at
# start and would flatter every wrapper that drops it.
# Nothing here asserts a timing. Knobs: BENCH_RUNS (hyperfine runs, 300),
# BENCH_INIT_RUNS (30), BENCH_CALLS (10000), BENCH_REPS (3),
# BENCH_HOLDS ("1 64 1000 10000").
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
OUT=${1:-$top_srcdir/bench/results.md}
INIT_RUNS=${BENCH_INIT_RUNS:-30}
CALLS=${BENCH_CALLS:-10000}
REPS=${BENCH_REPS:-3}
HOLDS=${BENCH_HOLDS:-"1 64 1000 10000"}
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
M=$(cd "$E/node_modules" 2>/dev/null && pwd) || { echo "bench: no $E/node_modules (bootstrap.sh runs npm ci in tests/e2e)" >&2; exit 1; }
EVERY=$M/@modelcontextprotocol/server-everything
MEMORY=$M/@modelcontextprotocol/server-memory
for tool in hyperfine bwrap firejail taskset node python3; do
	command -v $tool > /dev/null || { echo "bench: $tool is missing (see bootstrap.sh)" >&2; exit 1; }
done

# Not under /tmp: firejail's --private-tmp hides the host's /tmp.
T=$(mktemp -d /var/tmp/membrane-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
chmod 755 "$T"
mkdir "$T/memory"
RAW=$T/raw.txt
: > "$RAW"

{
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "kernel=$(uname -r)"
	echo "nproc=$(nproc)"
	echo "model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "node=$(node --version)"
	echo "bwrap=$(bwrap --version | cut -d' ' -f2)"
	echo "firejail=$(firejail --version | sed -n '1s/.*version //p')"
	echo "hyperfine=$(hyperfine --version | cut -d' ' -f2)"
	echo "calls=$CALLS"
	echo "commit=$(git -C "$top_srcdir" describe --always --dirty 2>/dev/null || echo unknown)"
} > "$T/machine.txt"
echo "bench: $(tr '\n' ' ' < "$T/machine.txt")"

MRUN="$top_builddir/membrane-run --report $T/report.jsonl"
RB="$top_builddir/bench/relay-bench"
PLAIN="$top_builddir/bench/plain-relay --"
# bwrap and firejail with what they can give of membrane's isolation (see
# bench/README.md): every namespace, capabilities dropped, a minimal root
# (bwrap) or private /home, /tmp, /dev, /etc (firejail), seccomp (firejail's
# default list; bwrap takes only a compiled filter).
BWRAP_BASE="bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --ro-bind /etc/ld.so.cache /etc/ld.so.cache --ro-bind /etc/ssl /etc/ssl --ro-bind $M $M --proc /proc --dev /dev --tmpfs /tmp"
FIREJAIL="firejail --quiet --noprofile --private --private-dev --private-tmp --private-etc=ld.so.cache,ssl --net=none --ipc-namespace --hostname=sandbox --caps.drop=all --nonewprivs --seccomp --nogroups --deterministic-exit-code --"
NODE_ENV="env -i PATH=/usr/bin:/bin HOME=$T"

# wrapper NAME SERVER: the command prefix for NAME around SERVER (memory|everything)
wrapper() {
	case $1.$2 in
	bare.*) echo "" ;;
	plain.*) echo "$PLAIN" ;;
	bwrap.memory) echo "$BWRAP_BASE --bind $T/memory $T/memory --" ;;
	bwrap.everything) echo "$BWRAP_BASE --" ;;
	firejail.*) echo "$FIREJAIL" ;;
	membrane-run.memory) echo "$MRUN --profile $top_srcdir/profiles/memory.yml --set MEMORY_DIR=$T/memory --set SERVER_DIR=$MEMORY --set MODULES=$M --" ;;
	membrane-run.everything) echo "$MRUN --profile $top_srcdir/profiles/everything.yml --set SERVER_DIR=$EVERY --set MODULES=$M --" ;;
	esac
}

# record SECTION VARIANT PIN COMMAND...: run it, append its figures to RAW
record() {
	sec=$1 var=$2 pin=$3
	shift 3
	if ! line=$("$@" 2>> "$T/stderr"); then
		echo "bench: $sec/$var/$pin failed: $*" >&2
		tail -5 "$T/stderr" >&2
		exit 1
	fi
	echo "$sec $var $pin $line" >> "$RAW"
}

echo "bench: 1/5 start-up around /bin/true (bench/startup.sh)"
top_srcdir=$top_srcdir top_builddir=$top_builddir BENCH_JSON=$T/startup.json \
	sh "$top_srcdir/bench/startup.sh" "$top_srcdir/bench/startup-results.md" > "$T/startup.txt"

echo "bench: 2/5 start-up to initialize, server-memory, $INIT_RUNS runs each"
for v in bare membrane-run bwrap firejail; do
	# shellcheck disable=SC2046
	record warm "$v" - $NODE_ENV MEMORY_FILE_PATH="$T/memory/memory.jsonl" "$RB" -S 2 -W 0 -- $(wrapper $v memory) node "$MEMORY/dist/index.js"
done
i=0
while [ $i -lt "$INIT_RUNS" ]; do
	for v in bare membrane-run bwrap firejail; do
		# shellcheck disable=SC2046
		record init "$v" - $NODE_ENV MEMORY_FILE_PATH="$T/memory/memory.jsonl" "$RB" -S 1 -W 0 -- $(wrapper $v memory) node "$MEMORY/dist/index.js"
	done
	i=$((i + 1))
done

echo "bench: 3/5 echo round trips, $CALLS calls, $REPS repetitions, unpinned and pinned"
r=0
while [ $r -lt "$REPS" ]; do
	for pin in unpinned pinned; do
		pre=
		[ $pin = pinned ] && pre="taskset -c 0"
		for v in bare plain bwrap membrane-run; do
			# shellcheck disable=SC2046,SC2086
			record echo "$v" $pin $pre $NODE_ENV "$RB" -I -n "$CALLS" -w 64 -a '{"message":"hello @ID@"}' -- $(wrapper $v everything) node "$EVERY/dist/index.js"
		done
	done
	r=$((r + 1))
done

echo "bench: 4/5 the notified system call"
if [ -x "$top_builddir/bench/bench-notify" ]; then
	"$top_builddir/bench/bench-notify" > "$T/notify.md"
fi

echo "bench: 5/5 supervisor memory with N calls in flight (N = $HOLDS)"
for n in $HOLDS; do
	# Each call sleeps long enough for all N to be sent first (held_ms > 0).
	d=$((2 + n / 2000))
	for v in membrane-run plain bwrap; do
		# shellcheck disable=SC2046
		record hold "$v" "$n" $NODE_ENV "$RB" -I -H "$n" -t trigger-long-running-operation \
			-a "{\"duration\":$d,\"steps\":1}" -- $(wrapper $v everything) node "$EVERY/dist/index.js"
	done
done

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$T/machine.txt"
# What membrane-run reported over the whole bench: start and exit only, or
# something was refused and the figures are not of the normal path.
echo "report_events=$(sed -n 's/.*"event":"\([a-z]*\)".*/\1/p' "$T/report.jsonl" | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = "," }')" >> "$T/machine.txt"

python3 "$top_srcdir/bench/results.py" "$T" > "$T/results.md"
cp "$T/results.md" "$OUT"
cat "$OUT"
echo "bench: written to $OUT"
