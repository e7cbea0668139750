#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# profiles/db.yml for real: @modelcontextprotocol/server-postgres against a
# PostgreSQL on 127.0.0.1 (Debian's postgresql, lib/pg.sh: initdb + pg_ctl,
# a port and socket directory of the test's own, run as nobody), driven by
# the official SDK client (lib/db-drive.mjs), bare and through membrane-run
# with network brokered, as root and as nobody. The server's namespace has
# only its own loopback: every byte of the database's answers came through
# a socket the supervisor connected on the host and handed over.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/db-test.sh"

S=$MCP/server-postgres
db_start
as nobody node "$E/lib/db-drive.mjs" postgres -- node "$S/dist/index.js" "$URL" \
	>"$W/bare.json" 2>"$W/bare.err"
is "$?" 0 "bare: the session runs to its end"

for who in root nobody; do
	D=$(userdir "$who")
	as "$who" node "$E/lib/db-drive.mjs" postgres -- "$MEMBRANE_RUN" --profile "$PROFILES/db.yml" \
		--report "$D/report" --set DB="127.0.0.1:$DBPORT" --set SERVER_DIR="$S" \
		--set MODULES="$NM" -- node "$S/dist/index.js" "$URL" >"$D/out.json" 2>"$D/err"
	rc=$?
	is "$rc" 0 "[$who] through membrane-run: the session runs to its end"
	[ "$rc" = 0 ] || diag "$(tail -n 20 "$D/err")"
	is "$(json "$D/out.json" 'o["tools"]')" "['query']" "[$who] tools/list: query"
	is "$(json "$D/out.json" 'o["query"]["rows"]')" \
		"[{'name': 'Ada', 'email': 'ada@example.org', 'total': '42.50'}]" \
		"[$who] a query returns the rows"
	is "$(json "$D/out.json" 'sorted(u.rsplit("/", 2)[1] for u in o["resources"])')" \
		"['customers', 'orders']" "[$who] resources/list: one schema per table"
	is "$(json "$D/out.json" '[c["column_name"] for c in o["schema"]]')" "['id', 'name', 'email']" \
		"[$who] resources/read: the customers table's columns"
	like "$(json "$D/out.json" 'o["write"]')" "read-only transaction" \
		"[$who] a write is refused by PostgreSQL"
	is "$(cat "$D/out.json")" "$(cat "$W/bare.json")" "[$who] the same answers as bare"
	is "$(events "$D/report")" "start exit" "[$who] reported: start and exit, no violation"
	is "$(json_line "$D/report" '"net" in o["layers"]["namespaces"]')" True \
		"[$who] the server had a network namespace of its own"
done
done_testing
