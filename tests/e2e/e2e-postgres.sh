#!/bin/sh
# @modelcontextprotocol/server-postgres against a throwaway PostgreSQL on
# 127.0.0.1 (lib/pg.sh), driven by the official SDK client, bare and
# through membrane-run under profiles/db.yml, as root and as nobody: its
# one tool, its resources (one per table), a write refused by PostgreSQL
# (the server's read-only transaction); the same responses both ways, a
# report holding only start and exit.
#
# Needs brokered connects (db.yml: network: brokered): until they exist the
# server has no route to the database and the wrapped runs fail. Not in
# TESTS until then (tests/e2e/local.mk, E2E_WAITING).
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
		-- "$MEMBRANE_RUN" --profile "$PROFILES/db.yml" --report "$D/wrapped.report" \
		--set DB="127.0.0.1:$PORT" --set SERVER_DIR="$MCP/server-postgres" --set MODULES="$NM" \
		-- node "$S" "$URL"
	check_coverage "$who" wrapped
	check_same "$who" bare wrapped
	check_report "$who" "$D/wrapped.report" start exit
done
done_testing
