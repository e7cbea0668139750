#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @modelcontextprotocol/server-sequential-thinking learned from nothing but
# its command, then enforced with the draft unedited, as root and as nobody
# (tests/learn/five.sh). It touches no file of its own: the draft grants
# runtime alone, declares its one tool, and never the tool it does not have.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/learn/five.sh"
five_init @modelcontextprotocol/server-sequential-thinking dist/index.js
reset() { :; }
for who in root nobody; do
	five_who $who
	CMD="node $SERVER" RS_OPTS= LEARN_OPTS= ENF_OPTS=
	five_learn seqthink "$S/sequential-thinking.json" "$S/sequential-thinking-outside.json"
	is "$(j '.profile.tools | keys')" '["sequentialthinking"]' "$T: its one tool, and not the one it does not have"
	is "$(j '.profile.tools.sequentialthinking')" '{}' "$T: the tool touches nothing"
	like "$(grep -c 'read_file: the server does not declare it' "$D/seqthink.yml")" '^1$' \
		"$T: the call of a tool it does not have is said, and not declared"
	is "$(j '.profile.network')" '"none"' "$T: no network"
	is "$(j '.flagged')" '[]' "$T: nothing is flagged"
	five_enforce seqthink "$S/sequential-thinking.json"
	five_outside seqthink "$S/sequential-thinking-outside.json"
	like "$(jq -r 'select(.event == "refused") | .reason' "$D/seqthink-out.report")" 'not declared' \
		"[$who] seqthink, out of scope under the draft: the undeclared tool is refused as such"
	five_shipped seqthink "$top_srcdir/profiles/sequential-thinking.yml" "$S/sequential-thinking.json" \
		--set SERVER_DIR="$(dirname "$(dirname "$SERVER")")" --set MODULES="$E/node_modules"
done
done_testing
