#!/bin/sh
# The relay benchmark: N sequential tools/call round trips (p50, p99), N calls
# with 64 in flight (msgs/s), and peak RSS with 1,000 calls in flight, for
#   a) a direct pipe to tests/fixtures/mcp-echo
#   b) bench/plain-relay in front of it
#   c) the inspector's relay (tests/inspector/relay-harness: relay.c +
#      inspector + the test profile, no sandbox) in front of it
# unpinned and pinned to one CPU (taskset -c 0). Prints ratios of c to a and b.
# Set RELAY_C to another command prefix (e.g. membrane-run --profile ... --)
# to measure that instead of the harness.
set -eu
b=${1:-.}
N=${N:-10000}
echo_srv="$b/tests/fixtures/mcp-echo"
relay_c=${RELAY_C:-"$b/tests/inspector/relay-harness --report /dev/null --"}
run() { # label prefix...
	label=$1; shift
	"$@" "$b/bench/relay-bench" -n "$N" -w 64 -- $cmd
}
one() { # pin label cmd...
	pin=$1 label=$2; shift 2
	if [ "$pin" = pinned ]; then set -- taskset -c 0 "$@"; fi
	line=$("$@")
	echo "$pin $label $line"
}
for pin in unpinned pinned; do
	one $pin a "$b/bench/relay-bench" -n "$N" -w 64 -- "$echo_srv"
	one $pin b "$b/bench/relay-bench" -n "$N" -w 64 -- "$b/bench/plain-relay" -- "$echo_srv"
	# shellcheck disable=SC2086
	one $pin c "$b/bench/relay-bench" -n "$N" -w 64 -- $relay_c "$echo_srv"
done > /tmp/relay-bench.$$
cat /tmp/relay-bench.$$
for label in b c; do
	ECHO_HOLD=1000 "$b/bench/relay-bench" -H 1000 -- $( [ $label = b ] && echo "$b/bench/plain-relay --" || echo "$relay_c") "$echo_srv" |
		sed "s/^/rss $label /"
done
awk '
function get(s, k,   i, n, a, kv) { n = split(s, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == k) return kv[2] + 0 } return 0 }
{ key = $1 " " $2; p50[key] = get($0, "p50_us"); p99[key] = get($0, "p99_us"); tput[key] = get($0, "msgs_per_s") }
END {
	for (pi = 1; pi <= 2; pi++) {
		pin = (pi == 1) ? "unpinned" : "pinned"
		a = pin " a"; b = pin " b"; c = pin " c"
		addb = p50[b] - p50[a]; addc = p50[c] - p50[a]
		hop = (addb > 0) ? addc / addb : 0
		r99a = p99[c] / p99[a]; r99b = p99[c] / p99[b]
		rtb = tput[c] / tput[b]; rta = tput[c] / tput[a]
		printf "%s: p50 a %.1f b %.1f c %.1f us; the hop adds b %.1f c %.1f us (c/b %.2f); p99 c/a %.2f c/b %.2f; msgs/s c/b %.2f c/a %.2f\n", pin, p50[a], p50[b], p50[c], addb, addc, hop, r99a, r99b, rtb, rta
	}
}' /tmp/relay-bench.$$
rm -f /tmp/relay-bench.$$
