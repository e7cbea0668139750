#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The relay benchmark: N sequential tools/call round trips (p50, p99), N calls
# with 64 in flight (msgs/s), and peak RSS with 1,000 calls in flight, for
#   a) a direct pipe to tests/fixtures/mcp-echo
#   b) bench/plain-relay in front of it
#   c) the inspector's relay (tests/inspect/relay-harness: relay.c +
#      inspector + the test profile, no sandbox) in front of it
#   d) optional: RELAY_D, another command prefix (e.g. an older build's
#      relay-harness), measured in the same rounds for a fair comparison
# unpinned and pinned to one CPU (taskset -c 0). The machine is shared and
# noisy: ROUNDS rounds (default 5) run every configuration in turn, and each
# figure is the median over the rounds; unpinned rounds are bimodal on a VM
# (a wake-up on the other CPU costs tens of microseconds), so the best round
# (lowest p50, highest msgs/s: noise only adds) is given too. Prints the
# per-round lines, then medians, bests and the ratios of c (and d) to a and b.
# Set RELAY_C to another command prefix (e.g. membrane-run --profile ... --)
# to measure that instead of the harness, SERVER to another MCP server
# command (e.g. node .../server-everything/dist/index.js) with BENCH_ARGS for
# relay-bench (e.g. -I -k message); the RSS figure needs mcp-echo's
# ECHO_HOLD and is taken only with the default server.
set -eu
b=$(cd "${1:-.}" && pwd)
N=${N:-10000}
ROUNDS=${ROUNDS:-5}
echo_srv=${SERVER:-"$b/tests/fixtures/mcp-echo"}
bench_args=${BENCH_ARGS:-}
relay_c=${RELAY_C:-"$b/tests/inspect/relay-harness --report /dev/null --"}
relay_d=${RELAY_D:-}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
one() { # pin label cmd...
	pin=$1 label=$2; shift 2
	if [ "$pin" = pinned ]; then set -- taskset -c 0 "$@"; fi
	line=$("$@")
	echo "$pin $label $line"
}
labels="a b c"
[ -n "$relay_d" ] && labels="a b c d"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for pin in unpinned pinned; do
		for label in $labels; do
			case $label in
			# shellcheck disable=SC2086
			a) set -- $echo_srv ;;
			# shellcheck disable=SC2086
			b) set -- "$b/bench/plain-relay" -- $echo_srv ;;
			# shellcheck disable=SC2086
			c) set -- $relay_c $echo_srv ;;
			# shellcheck disable=SC2086
			d) set -- $relay_d $echo_srv ;;
			esac
			# shellcheck disable=SC2086
			one $pin $label "$b/bench/relay-bench" -n "$N" -w 64 $bench_args -- "$@"
		done
	done
	r=$((r + 1))
done > "$tmp"
cat "$tmp"
[ -n "${SERVER:-}" ] && labels_rss= || labels_rss=$labels
for label in $labels_rss; do
	case $label in
	a) continue ;;
	b) set -- "$b/bench/plain-relay" -- ;;
	# shellcheck disable=SC2086
	c) set -- $relay_c ;;
	# shellcheck disable=SC2086
	d) set -- $relay_d ;;
	esac
	ECHO_HOLD=1000 "$b/bench/relay-bench" -H 1000 -- "$@" "$echo_srv" | sed "s/^/rss $label /"
done
awk -v labels="$labels" '
function get(s, k,   i, n, a, kv) { n = split(s, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == k) return kv[2] + 0 } return 0 }
function best(key, what,   n, i, r) {
	n = cnt[key]; r = val[key, what, 1]
	for (i = 2; i <= n; i++) if ((what == "tput") ? val[key, what, i] > r : val[key, what, i] < r) r = val[key, what, i]
	return r
}
function median(key, what,   n, i, j, t, v) {
	n = cnt[key]
	for (i = 1; i <= n; i++) v[i] = val[key, what, i]
	for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
$1 == "unpinned" || $1 == "pinned" {
	key = $1 " " $2; i = ++cnt[key]
	val[key, "p50", i] = get($0, "p50_us"); val[key, "p99", i] = get($0, "p99_us"); val[key, "tput", i] = get($0, "msgs_per_s")
}
END {
	nl = split(labels, L, " ")
	for (pi = 1; pi <= 2; pi++) {
		pin = (pi == 1) ? "unpinned" : "pinned"
		for (mi = 1; mi <= 2; mi++) {
			how = (mi == 1) ? "median" : "best"
			for (li = 1; li <= nl; li++) {
				k = pin " " L[li]
				if (how == "median") { p50[L[li]] = median(k, "p50"); p99[L[li]] = median(k, "p99"); tput[L[li]] = median(k, "tput") }
				else { p50[L[li]] = best(k, "p50"); p99[L[li]] = best(k, "p99"); tput[L[li]] = best(k, "tput") }
				printf "%s %s %s p50_us=%.1f p99_us=%.1f msgs_per_s=%.0f (%d rounds)\n", how, pin, L[li], p50[L[li]], p99[L[li]], tput[L[li]], cnt[k]
			}
			addb = p50["b"] - p50["a"]
			for (li = 3; li <= nl; li++) {
				x = L[li]; addx = p50[x] - p50["a"]
				printf "%s %s %s: p50 a %.1f b %.1f %s %.1f us; the hop adds b %.1f %s %.1f us (%s/b %.2f); p99 %s/a %.2f %s/b %.2f; msgs/s %s/b %.2f %s/a %.2f\n", how, pin, x, p50["a"], p50["b"], x, p50[x], addb, x, addx, x, (addb > 0) ? addx / addb : 0, x, p99[x] / p99["a"], x, p99[x] / p99["b"], x, tput[x] / tput["b"], x, tput[x] / tput["a"]
			}
		}
	}
}' "$tmp"
