#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-everything through membrane-run --listen, driven by the official
# SDK's StreamableHTTPClientTransport with the same 45-step session as over
# stdio (tests/e2e/sessions/everything.json): the same answers as the bare
# server over stdio, one sandbox per session (start, exit), the session
# ended by the client's DELETE; as root and as nobody.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"
. "$top_srcdir/tests/http/lib.sh"

S=$MCP/server-everything/dist/index.js
for who in root nobody; do
	D=$(userdir "$who")
	mkdir -p "$D/root"
	chown "$who" "$D/root"
	session "$who" bare "$E/sessions/everything.json" --tasks --root "$D/root" \
		-- env -i PATH=/usr/bin:/bin node "$S"
	port=$(free_port)
	front_start "$who" front --profile "$PROFILES/everything.yml" --report "$D/http.report" \
		--set SERVER_DIR="$MCP/server-everything" --set MODULES="$NM" \
		--listen "127.0.0.1:$port" -- node "$S"
	ok "[$who] membrane-run --listen 127.0.0.1:$port listens" test $? -eq 0 || diags "$(cat "$FRONT_ERR")"
	session "$who" http "$E/sessions/everything.json" --tasks --root "$D/root" \
		--url "http://127.0.0.1:$port/mcp"
	check_coverage "$who" http
	check_same "$who" bare http
	is "$(node "$E/lib/check.mjs" get "$D/http.json" seen.sampling) $(node "$E/lib/check.mjs" get "$D/http.json" seen.elicitation)" "2 4" \
		"[$who] over HTTP the client answered sampling twice and elicitation 4 times"
	# DELETE ended the session: its sandbox stops within --grace.
	gone "$S"
	is "$(left "$S")" 0 "[$who] the client's DELETE stopped the session's server"
	front_stop
	is "$FRONT_RC" 0 "[$who] membrane-run --listen stops cleanly on SIGTERM"
	is "$(cat "$FRONT_LEFT")" 0 "[$who] no process of the front is left behind"
	check_report "$who" "$D/http.report" start exit
	is "$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
		console.log([...new Set(l.map((x) => x.principal))].join(" "), l.filter((x) => x.event !== "call").length)' "$D/http.report")" \
		"anonymous 2" "[$who] the sandbox's lines carry the principal (the call record's too)"
done
done_testing
