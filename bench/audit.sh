#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-audit on a large report: time and peak RSS of each command.
#   bench/audit.sh [SIZE_BYTES]   (default 1 GiB; `make bench-audit`)
# The report is written by the real reporter (tests/report/gen-report: 8
# interleaved sessions, 100000 distinct targets) in $BENCH_TMPDIR (default
# /tmp) and removed afterwards. Results go to stdout as a Markdown table.
set -eu
size=${1:-1073741824}
builddir=${top_builddir:-.}
audit=$builddir/membrane-audit
gen=$builddir/tests/report/gen-report
dir=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/bench-audit.XXXXXX")
trap 'rm -rf "$dir"' EXIT
report=$dir/report.jsonl

[ -x /usr/bin/time ] || { echo "bench-audit: needs GNU time (apt-get install time)" >&2; exit 1; }

# run NAME COMMAND...: one table row from GNU time's -v output.
run() {
	name=$1
	shift
	/usr/bin/time -v -o "$dir/time" "$@" > /dev/null 2> "$dir/err" || true
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time")
	user=$(sed -n 's/.*User time (seconds): //p' "$dir/time")
	sys=$(sed -n 's/.*System time (seconds): //p' "$dir/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time")
	status=$(sed -n 's/.*Exit status: //p' "$dir/time")
	printf '| %s | %s | %s | %s | %s MiB | %s |\n' "$name" "$wall" "$user" "$sys" "$((rss / 1024))" "$status"
}

echo "membrane-audit on a $((size / 1048576)) MiB report ($(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d))"
echo
echo "| command | wall | user s | sys s | peak RSS | exit |"
echo "|---|---|---|---|---|---|"
run "gen-report (the reporter writing it)" "$gen" -s 8 -t 100000 -b "$size" "$report"
bytes=$(stat -c %s "$report")
lines=$(wc -l < "$report")
run "membrane-audit summary" "$audit" summary "$report"
run "membrane-audit summary --json" "$audit" summary --json "$report"
run "membrane-audit list" "$audit" list "$report"
run "membrane-audit list --json --op read --decision denied" "$audit" list --json --op read --decision denied "$report"
run "membrane-audit verify" "$audit" verify "$report"
run "wc -l (reading the file, for scale)" wc -l "$report"
echo
echo "$bytes bytes, $lines lines."
