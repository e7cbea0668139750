#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Start-up of issue 14's five servers, bare and under their shipped profiles
# (profiles/*.yml): the time from spawning the command to the answer of
# initialize, as tests/e2e/lib/run-script.mjs marks it ("start-up"), median
# of BENCH_RUNS runs (7), and the ratio membrane / bare. Medians go to
# stdout and to $1 (bench/five-results.md). Nothing here asserts a timing.
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
OUT=${1:-$top_srcdir/bench/five-results.md}
RUNS=${BENCH_RUNS:-7}
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
N=$E/node_modules
T=$(mktemp -d /tmp/membrane-five-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
MR=$top_builddir/membrane-run
echo '[{"label": "tools/list", "list": "tools"}]' >"$T/script.json"
mkdir -p "$T/repo" "$T/db" "$T/root"
git -C "$T/repo" init -q -b main 2>/dev/null || true

# startup CMD...: milliseconds from spawn to initialize's answer.
startup() {
	node "$E/lib/run-script.mjs" "$T/script.json" -- "$@" 2>/dev/null |
		awk '/^MARK [0-9]+ begin start-up/ { b = $2 } /^MARK [0-9]+ end start-up/ { e = $2 }
		     END { printf "%.1f\n", (e - b) / 1000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

row() { # row NAME PROFILE SETS -- COMMAND...
	name=$1 profile=$2 sets=$3
	shift 4
	# Bare with the environment the profile gives (DESKTOP_COMMANDER_...).
	for _ in $(seq "$RUNS"); do startup env $BARE_ENV "$@"; done | median >"$T/bare"
	# shellcheck disable=SC2086
	for _ in $(seq "$RUNS"); do startup "$MR" --report /dev/null --profile "$profile" $sets -- "$@"; done |
		median >"$T/mr"
	b=$(cat "$T/bare") m=$(cat "$T/mr")
	printf '| %s | %s | %s | %s |\n' "$name" "$b" "$m" "$(awk -v b="$b" -v m="$m" 'BEGIN { printf "%.2f", m / b }')"
}

P=$top_srcdir/profiles
BARE_ENV=
{
	echo "| server | bare (ms) | membrane-run (ms) | ratio |"
	echo "|---|---|---|---|"
	row sequential-thinking "$P/sequential-thinking.yml" \
		"--set SERVER_DIR=$N/@modelcontextprotocol/server-sequential-thinking --set MODULES=$N" -- \
		node "$N/@modelcontextprotocol/server-sequential-thinking/dist/index.js"
	row git-mcp-server "$P/git.yml" "--set REPO=$T/repo --set MODULES=$N" -- \
		node "$N/@cyanheads/git-mcp-server/dist/index.js"
	row mcp-server-sqlite-npx "$P/sqlite.yml" "--set DB=$T/db/b.db --set DB_DIR=$T/db --set MODULES=$N" -- \
		node "$N/mcp-server-sqlite-npx/dist/index.js" "$T/db/b.db"
	row mcp-npx-fetch "$P/fetch.yml" "--set MODULES=$N" -- node "$N/@tokenizin/mcp-npx-fetch/dist/index.js"
	BARE_ENV=DESKTOP_COMMANDER_DISABLE_TELEMETRY=1
	row desktop-commander "$P/desktop-commander.yml" \
		"--set ROOT=$T/root --set MODULES=$N --set RG=$N/@vscode/ripgrep-linux-x64/bin/rg" -- \
		node "$N/@wonderwhy-er/desktop-commander/dist/index.js"
} | tee "$T/table"
{
	echo "# Start-up of issue 14's five servers, bare and under membrane-run"
	echo
	echo "From spawn to initialize's answer (tests/e2e/lib/run-script.mjs), median of $RUNS runs,"
	echo "under each shipped profile; $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d)."
	echo
	cat "$T/table"
} >"$OUT"
