#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @modelcontextprotocol/server-postgres against a throwaway PostgreSQL on
# 127.0.0.1 (lib/pg.sh), driven by the official SDK client, bare and
# through membrane-run under profiles/db.yml, as root and as nobody: its
# one tool, its resources (one per table), a write refused by PostgreSQL
# (the server's read-only transaction); the same responses both ways, a
# report holding only start and exit besides the call record, which
# (--record all) names the database connection of the request that made it.
# db.yml's network: brokered gives the server its connection to the
# database: the supervisor connects on its behalf (supervisor/broker).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-postgres/dist/index.js
PG=$W/pg
PORT=$(free_port)
e2e_cleanup() {
	[ -f "$PG/data/postmaster.pid" ] && sh "$E/lib/pg.sh" stop "$PG"
	[ -n "$E2E_KEEP" ] || rm -rf "$W"
}
if ! URL=$(sh "$E/lib/pg.sh" start "$PG" "$PORT" 2>"$W/pg.err"); then
	fail "a PostgreSQL server starts on 127.0.0.1:$PORT" "$(cat "$W/pg.err")"
	done_testing
fi

for who in root nobody; do
	D=$(userdir "$who")
	session "$who" bare "$E/sessions/postgres.json" --var DB="127.0.0.1:$PORT" \
		-- env -i PATH=/usr/bin:/bin node "$S" "$URL"
	session "$who" wrapped "$E/sessions/postgres.json" --var DB="127.0.0.1:$PORT" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/db.yml" --report "$D/wrapped.report" --record all \
		--set DB="127.0.0.1:$PORT" --set SERVER_DIR="$MCP/server-postgres" --set MODULES="$NM" \
		-- node "$S" "$URL"
	check_coverage "$who" wrapped
	check_same "$who" bare wrapped
	check_report "$who" "$D/wrapped.report" start exit
	R=$D/wrapped.report
	check_calls "$who" "$E/sessions/postgres.json" "$R" DB="127.0.0.1:$PORT"
	is "$(jq -r 'select(.event == "call") | .request.method' "$R" | tr '\n' ' ')" \
		"initialize tools/list resources/list resources/read tools/call tools/call tools/call " \
		"[$who] --record all: a call line for each request of the client"
	is "$(jq -r 'select(.event == "call") | .did.connect.targets[]' "$R" | sort -u)" "127.0.0.1:$PORT" \
		"[$who] the connects the calls made went to the database alone"
	ok "[$who] a request is named for the database connection" \
		test "$(jq -s '[.[] | select(.event == "call") | .did.connect.count] | add' "$R")" -ge 1
	is "$(the_call "$R" query 3 | jq -r .outcome | grep -c error)" 1 \
		"[$who] the refused INSERT is an error in the call record"
done
done_testing
