#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# mcp-server-sqlite-npx learned from nothing but its command (the database
# it names), then enforced with the draft unedited, as root and as nobody
# (tests/learn/five.sh). SQLite creates the database, keeps a -journal
# beside it and opens its directory to fsync it: the draft grants the file
# by a glob (created), the journal as a sibling and the directory as list.
# Attaching another database beside it (a deputy writing where its
# calls should not) is flagged while learning and denied under the draft.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/learn/five.sh"
five_init mcp-server-sqlite-npx dist/index.js
reset() {
	rm -rf "$DB_DIR" && mkdir -p "$DB_DIR" &&
		sqlite3 "$DB_DIR/other.db" "create table secret (s text); insert into secret values ('x')" &&
		chown -R "$who" "$DB_DIR"
}
for who in root nobody; do
	five_who $who
	DB_DIR=$D/db
	CMD="node $SERVER $DB_DIR/test.db" RS_OPTS="--var OTHER=$DB_DIR/other.db"
	LEARN_OPTS="--set DB_DIR=$DB_DIR" ENF_OPTS="--set DB_DIR=$DB_DIR"
	five_learn sqlite "$S/sqlite.json" "$S/sqlite-outside.json"
	is "$(j '.profile.runtime.write')" '["${DB_DIR}/test.db*"]' \
		"$T: runtime writes the database it creates, by a glob (the kernel lets it create it only so)"
	is "$(j '.profile.tools.write_query.write')" '["${DB_DIR}/test.db-*"]' "$T: write_query writes the -journal beside it"
	is "$(j '.profile.tools.write_query.list')" '["${DB_DIR}"]' "$T: ... and opens its directory itself (list), to sync it"
	like "$(grep -F '"${DB_DIR}/test.db-*"' "$D/sqlite.yml" | head -1)" 'named by the command line' "$T: ... named by the command line"
	is "$(j '.profile.tools.read_query')" '{}' "$T: read_query touches nothing runtime does not"
	is "$(j '[.lint[] | select(test("write-code"))] | length')" 0 "$T: lint takes the database for data, not code"
	is "$(flagged "write $DB_DIR/other.db during tool write_query")" 1 "$T: the other database is flagged"
	is "$(grep -v '^ *#' "$D/sqlite.yml" | grep -c other.db)" 0 "$T: no active line names it"
	five_enforce sqlite "$S/sqlite.json"
	is "$($run sqlite3 "$DB_DIR/test.db" 'select body from notes' 2>/dev/null)" gamma \
		"[$who] sqlite, enforced with the draft: the database holds the rows"
	five_outside sqlite "$S/sqlite-outside.json"
	like "$(grep '"label"' "$D/sqlite-out.out")" 'membrane/denials.*/db/other.db' \
		"[$who] sqlite, out of scope under the draft: the result carries the denial"
	five_shipped sqlite "$top_srcdir/profiles/sqlite.yml" "$S/sqlite.json" --set DB="$DB_DIR/test.db" --set DB_DIR="$DB_DIR" \
		--set SERVER_DIR="$(dirname "$(dirname "$SERVER")")" --set MODULES="$E/node_modules"
done
done_testing
