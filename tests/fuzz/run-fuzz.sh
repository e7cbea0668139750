#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run every built fuzz target (BUILD/tests/fuzz/fuzz-NAME) for $FUZZ_SECONDS
# on a copy of its seed corpus (SRC/tests/fuzz/corpus/NAME-or-alias), and
# print one line per target: the executions it ran, or FAILED. A crash fails
# the run and leaves its input in BUILD/tests/fuzz/findings/.
#   run-fuzz.sh BUILD SRC
set -eu
build=${1:-.}
src=${2:-.}
secs=${FUZZ_SECONDS:-60}
status=0
mkdir -p "$build/tests/fuzz/findings"
work=
trap 'rm -rf "$work"' EXIT
for bin in "$build"/tests/fuzz/fuzz-*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=${bin##*/fuzz-}
	case $name in *.*) continue ;; esac
	case $name in
	inspector) corpus=jsonrpc; opts= ;;
	profile) corpus=profile; opts="-max_len=4096 -dict=$src/tests/fuzz/profile.dict" ;;
	*) corpus=$name; opts= ;;
	esac
	work=$(mktemp -d)
	[ -d "$src/tests/fuzz/corpus/$corpus" ] && cp -r "$src/tests/fuzz/corpus/$corpus/." "$work/"
	log="$build/tests/fuzz/fuzz-$name.log"
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
		$opts -artifact_prefix="$build/tests/fuzz/findings/$name-" "$work" >"$log" 2>&1; then
		echo "fuzz-$name: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") executions in ${secs}s, no finding"
	else
		echo "fuzz-$name: FAILED, see $log and $build/tests/fuzz/findings/"
		status=1
	fi
	rm -rf "$work"
	work=
done
exit $status
