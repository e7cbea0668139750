#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-filesystem through membrane-run --listen with the SDK's
# StreamableHTTPClientTransport: the 23-step session of
# tests/e2e/sessions/filesystem.json gives the bare server's answers and
# leaves the same tree; the refused session's five calls are refused by the
# session's own sandbox and reported there, with the principal of the
# bearer token the client presented; as root and as nobody.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"
. "$top_srcdir/tests/http/lib.sh"

S=$MCP/server-filesystem/dist/index.js
TOKEN=0123456789abcdef0123456789abcdef
for who in root nobody; do
	D=$(userdir "$who")
	ROOT=$D/root
	tree() {
		rm -rf "$ROOT" "$D/outside"
		sh "$E/lib/fsroot.sh" "$ROOT"
		mkdir "$D/outside"
		echo secret >"$D/outside/secret.txt"
		chown -R "$who" "$ROOT" "$D/outside"
	}
	listing() { (cd "$ROOT" && find . -printf '%P %y %s %u\n' | sort); }
	printf 'alice %s\n' "$TOKEN" >"$D/tokens"
	chmod 600 "$D/tokens"
	chown "$who" "$D/tokens"

	tree
	session "$who" bare "$E/sessions/filesystem.json" --var ROOT="$ROOT" --root "$ROOT" \
		-- env -i PATH=/usr/bin:/bin node "$S" "$ROOT"
	listing >"$D/bare.tree"
	tree
	port=$(free_port)
	front_start "$who" front --profile "$PROFILES/filesystem.yml" --report "$D/http.report" \
		--set ROOT="$ROOT" --set SERVER_DIR="$MCP/server-filesystem" --set MODULES="$NM" \
		--tokens "$D/tokens" --listen "127.0.0.1:$port" -- node "$S" "$ROOT"
	ok "[$who] membrane-run --listen with --tokens listens" test $? -eq 0 || diags "$(cat "$FRONT_ERR")"
	session "$who" http "$E/sessions/filesystem.json" --var ROOT="$ROOT" --root "$ROOT" \
		--url "http://127.0.0.1:$port/mcp" --header "Authorization: Bearer $TOKEN"
	listing >"$D/http.tree"
	check_coverage "$who" http
	check_same "$who" bare http
	is "$(cat "$D/http.tree")" "$(cat "$D/bare.tree")" "[$who] the same tree is left behind"

	tree
	session "$who" refused "$E/sessions/filesystem-refused.json" --var ROOT="$ROOT" --var OUTSIDE="$D/outside" \
		--url "http://127.0.0.1:$port/mcp" --header "Authorization: Bearer $TOKEN"
	ok "[$who] nothing was written outside ROOT" test ! -e "$D/outside/planted.txt" -a ! -e "$D/outside/a.txt"
	front_stop
	is "$FRONT_RC" 0 "[$who] membrane-run --listen stops cleanly"
	is "$(cat "$FRONT_LEFT")" 0 "[$who] no process of the front is left behind"
	check_report "$who" "$D/http.report" start exit start refused:read_text_file refused:read_text_file \
		refused:write_file refused:move_file refused:delete_everything exit
	is "$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
		console.log([...new Set(l.map((x) => x.principal))].join(" "), new Set(l.map((x) => x.session)).size)' "$D/http.report")" "alice 2" \
		"[$who] every line carries the token's principal; two sessions, two sandboxes"
done
done_testing
