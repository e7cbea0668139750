#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A real MCP server in the sandbox: @modelcontextprotocol/server-memory under
# profiles/memory.yml (loaded and compiled by the real loader and plan
# compiler), started by tests/sandbox/launch, which relays stdio as is. It
# must answer initialize and tools/list, and a whole scripted session that
# writes its graph file, as root and as nobody. (Through membrane-run
# itself once its run path is in: tests/e2e.)
. "$top_srcdir/tests/tap.sh"

# tests/e2e with its node_modules (npm ci); MEMBRANE_E2E_DIR points
# elsewhere, e.g. at the source tree's during make distcheck.
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
S=$E/node_modules/@modelcontextprotocol/server-memory
need_npm "$E" @modelcontextprotocol/server-memory/dist/index.js
W=$(mktemp -d /tmp/membrane-memory.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT INT TERM
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	M=$W/$who
	mkdir -p "$M"
	chown $who "$M"
	set -- "$top_builddir/tests/sandbox/launch" --profile "$top_srcdir/profiles/memory.yml" \
		--set MEMORY_DIR="$M" --set SERVER_DIR="$S" --set MODULES="$E/node_modules" \
		-- node "$S/dist/index.js"
	out=$($run node "$E/lib/list-tools.mjs" --summary -- "$@" 2>"$W/err-$who")
	is "$?" 0 "[$who] initialize and tools/list answered from inside the sandbox"
	is "$(printf '%s\n' "$out" | grep -c '(')" 9 "[$who] the nine tools of server-memory are listed"
	like "$out" "^create_entities\(entities\)$" "[$who] ... create_entities among them"
	out=$($run node "$E/lib/run-script.mjs" "$E/scripts/memory.json" -- "$@" 2>>"$W/err-$who")
	is "$?" 0 "[$who] the scripted session runs to its end"
	steps=$(printf '%s\n' "$out" | grep -c '"label"')
	good=$(printf '%s\n' "$out" | grep -c '"ok":true')
	ok "[$who] every step succeeds ($good of $steps)" test "$steps" -gt 10 -a "$good" -eq "$steps"
	ok "[$who] the graph file was written through the write grant" [ -s "$M/memory.jsonl" ]
	is "$(stat -c %U "$M/memory.jsonl" 2>/dev/null)" "$who" "[$who] ... owned by the caller"
	[ -s "$W/err-$who" ] && diag "[$who] stderr: $(head -c 400 "$W/err-$who")"
done
done_testing
