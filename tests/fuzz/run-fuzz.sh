#!/bin/sh
# Run every built fuzz target (tests/fuzz/fuzz-NAME) for $FUZZ_SECONDS on a
# copy of its seed corpus (tests/fuzz/corpus/NAME-or-alias), and print the
# executions each ran. A crash fails the run and leaves its input in
# tests/fuzz/findings/.
set -eu
build=${1:-.}
src=${2:-.}
secs=${FUZZ_SECONDS:-60}
status=0
mkdir -p "$build/tests/fuzz/findings"
for bin in "$build"/tests/fuzz/fuzz-*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz-}
	case $name in inspector) corpus=jsonrpc ;; *) corpus=$name ;; esac
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	[ -d "$src/tests/fuzz/corpus/$corpus" ] && cp -r "$src/tests/fuzz/corpus/$corpus/." "$work/"
	log="$build/tests/fuzz/fuzz-$name.log"
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
		-artifact_prefix="$build/tests/fuzz/findings/$name-" "$work" >"$log" 2>&1; then
		echo "fuzz-$name: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") executions in ${secs}s, no finding"
	else
		echo "fuzz-$name: FAILED, see $log and tests/fuzz/findings/"
		status=1
	fi
	rm -rf "$work"
done
exit $status
