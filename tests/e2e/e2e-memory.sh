#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @modelcontextprotocol/server-memory driven by the official SDK client,
# bare and through membrane-run under profiles/memory.yml, as root and as
# nobody: all 9 tools and its resource (read, subscribe), the same responses
# both ways, the same graph file written, a report holding only start and
# exit.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-memory/dist/index.js
for who in root nobody; do
	D=$(userdir "$who")
	M=$D/memory
	fresh() { rm -rf "$M"; mkdir "$M"; chown "$who" "$M"; }

	fresh
	# The environment membrane gives the server: runtime.env of memory.yml
	# and of profiles/runtimes/node.yml.
	session "$who" bare "$E/sessions/memory.json" \
		-- env -i PATH=/usr/bin:/bin MEMORY_FILE_PATH="$M/memory.jsonl" node "$S"
	cp "$M/memory.jsonl" "$D/bare.graph" 2>/dev/null
	fresh
	session "$who" wrapped "$E/sessions/memory.json" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/memory.yml" --report "$D/wrapped.report" \
		--set MEMORY_DIR="$M" --set SERVER_DIR="$MCP/server-memory" --set MODULES="$NM" \
		-- node "$S"
	check_coverage "$who" wrapped
	check_same "$who" bare wrapped
	ok "[$who] the graph file is written" test -s "$M/memory.jsonl"
	ok "[$who] ... the same, byte for byte, as the bare server's" cmp -s "$M/memory.jsonl" "$D/bare.graph"
	is "$(stat -c %U "$M/memory.jsonl" 2>/dev/null)" "$who" "[$who] ... owned by $who"
	is "$(ls -A "$M")" memory.jsonl "[$who] ... and no temporary file is left beside it"
	check_report "$who" "$D/wrapped.report" start exit
done
done_testing
