#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The MCP Inspector's CLI (0.15.0) with --transport http against
# server-filesystem behind membrane-run --listen, as root and as nobody:
# tools/list (14 tools), tools/call (the file's text), a call outside ROOT
# (membrane's tool error, printed); each inspector run is one session, one
# sandbox (start ... exit; the inspector leaves its session to the idle
# timeout), and its refusal is reported by that sandbox.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"
. "$top_srcdir/tests/http/lib.sh"

S=$MCP/server-filesystem/dist/index.js
for who in root nobody; do
	D=$(userdir "$who")
	ROOT=$D/root
	mkdir -p "$ROOT"
	echo "the text of a" >"$ROOT/a.txt"
	chown -R "$who" "$ROOT"
	port=$(free_port)
	front_start "$who" front --profile "$PROFILES/filesystem.yml" --report "$D/http.report" \
		--set ROOT="$ROOT" --set SERVER_DIR="$MCP/server-filesystem" --set MODULES="$NM" \
		--listen "127.0.0.1:$port" -- node "$S" "$ROOT"
	ok "[$who] membrane-run --listen listens" test $? -eq 0 || diags "$(cat "$FRONT_ERR")"
	inspector() {
		tag=$1; shift
		(cd "$E" && reaped "$who" "$tag" npx @modelcontextprotocol/inspector --cli \
			"http://127.0.0.1:$port/mcp" --transport http "$@")
	}
	inspector list --method tools/list
	is "$(cat "$D/list.rc")" 0 "[$who] inspector --cli --transport http --method tools/list exits 0"
	is "$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tools.length)' "$D/list.out" 2>&1)" 14 \
		"[$who] ... and lists the 14 tools"
	inspector call --method tools/call --tool-name read_text_file --tool-arg path="$ROOT/a.txt"
	is "$(cat "$D/call.rc")" 0 "[$who] tools/call read_text_file exits 0"
	grep -q 'the text of a' "$D/call.out"
	ok "[$who] ... and prints the file's text" test $? -eq 0
	inspector refused --method tools/call --tool-name read_text_file --tool-arg path=/etc/passwd
	is "$(cat "$D/refused.rc")" 0 "[$who] a call outside ROOT: exit 0 (0.15.0 prints tool errors)"
	grep -q 'membrane refused this call' "$D/refused.out"
	ok "[$who] ... membrane's refusal is what it prints" test $? -eq 0
	ok "[$who] no inspector run leaves a process behind" test "$(cat "$D/list.left")$(cat "$D/call.left")$(cat "$D/refused.left")" = 000
	front_stop
	is "$FRONT_RC" 0 "[$who] membrane-run --listen stops cleanly"
	is "$(cat "$FRONT_LEFT")" 0 "[$who] no process of the front is left behind"
	# The inspector never DELETEs its session: each sandbox runs until
	# --session-idle or, here, membrane-run's stop.
	check_report "$who" "$D/http.report" start start start refused:read_text_file exit exit exit
done
done_testing
