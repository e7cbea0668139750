#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-everything's gzip-file-as-resource fetching over http from a local
# server (FETCH of profiles/everything.yml), bare and through membrane-run,
# as root and as nobody: the same responses (the fetched body, gzipped),
# both requests reach the HTTP server each time, and the report holds only
# start and exit.
# everything.yml's network: brokered makes the fetch's connection: the
# supervisor connects on the server's behalf (supervisor/broker).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-everything/dist/index.js
mkfifo "$W/port"
node "$E/lib/serve.mjs" "$W/http.log" </dev/null >"$W/port" &
HTTP=$!
e2e_cleanup() { kill "$HTTP" 2>/dev/null; wait "$HTTP"; [ -n "$E2E_KEEP" ] || rm -rf "$W"; }
# The port, once it listens (end of file if it died first).
read -r PORT <"$W/port"
if [ -z "$PORT" ]; then
	fail "an HTTP server listens on 127.0.0.1"
	done_testing
fi
chmod 666 "$W/http.log" 2>/dev/null
FETCH=127.0.0.1:$PORT

for who in root nobody; do
	D=$(userdir "$who")
	: >"$W/http.log"
	session "$who" bare "$E/sessions/everything-fetch.json" --var FETCH="$FETCH" \
		-- env -i PATH=/usr/bin:/bin node "$S"
	is "$(cat "$W/http.log" | tr '\n' ' ')" "GET /page.txt GET /link.txt " "[$who] bare: both fetches reach the HTTP server"
	: >"$W/http.log"
	session "$who" wrapped "$E/sessions/everything-fetch.json" --var FETCH="$FETCH" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/everything.yml" --report "$D/wrapped.report" \
		--set FETCH="$FETCH" --set SERVER_DIR="$MCP/server-everything" --set MODULES="$NM" \
		-- node "$S"
	is "$(cat "$W/http.log" | tr '\n' ' ')" "GET /page.txt GET /link.txt " "[$who] wrapped: both fetches reach the HTTP server"
	check_same "$who" bare wrapped
	check_report "$who" "$D/wrapped.report" start exit
done
done_testing
