#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @modelcontextprotocol/server-filesystem driven by the official SDK client
# (declaring ROOT as its root), bare and through membrane-run under
# profiles/filesystem.yml, as root and as nobody: all 14 tools on a real
# tree (new and existing files, edits, nested directories, a move), the
# same responses both ways, the same tree left behind, a report holding
# only start and exit besides the call record, which holds each call with
# what it read and wrote; then calls that leave ROOT, refused by membrane and
# reported, with nothing written outside.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-filesystem/dist/index.js
for who in root nobody; do
	D=$(userdir "$who")
	ROOT=$D/root
	# Each run sees the same tree at the same path, made afresh.
	tree() {
		rm -rf "$ROOT" "$D/outside"
		sh "$E/lib/fsroot.sh" "$ROOT"
		mkdir "$D/outside"
		echo secret >"$D/outside/secret.txt"
		chown -R "$who" "$ROOT" "$D/outside"
	}
	listing() { (cd "$ROOT" && find . -printf '%P %y %s %u\n' | sort); }

	tree
	# The bare server gets the environment membrane gives it (runtime.env
	# of profiles/runtimes/node.yml), so that nothing but membrane differs.
	session "$who" bare "$E/sessions/filesystem.json" --var ROOT="$ROOT" --root "$ROOT" \
		-- env -i PATH=/usr/bin:/bin node "$S" "$ROOT"
	listing >"$D/bare.tree"
	tree
	session "$who" wrapped "$E/sessions/filesystem.json" --var ROOT="$ROOT" --root "$ROOT" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/filesystem.yml" --report "$D/wrapped.report" \
		--set ROOT="$ROOT" --set SERVER_DIR="$MCP/server-filesystem" --set MODULES="$NM" \
		-- node "$S" "$ROOT"
	listing >"$D/wrapped.tree"
	check_coverage "$who" wrapped
	check_same "$who" bare wrapped
	is "$(cat "$D/wrapped.tree")" "$(cat "$D/bare.tree")" \
		"[$who] the same tree is left behind, file for file, size for size, owned by $who"
	check_report "$who" "$D/wrapped.report" start exit
	# The call record: what each call did, from the notifier.
	R=$D/wrapped.report
	check_calls "$who" "$E/sessions/filesystem.json" "$R" ROOT="$ROOT"
	ok "[$who] call record: read_text_file read a.txt" \
		sh -c 'echo "$1" | jq -e --arg t "$2" ".did.read.targets | index(\$t) != null" >/dev/null' - \
		"$(the_call "$R" read_text_file)" "$ROOT/a.txt"
	ok "[$who] call record: write_file wrote sub/new.txt" \
		sh -c 'echo "$1" | jq -e --arg t "$2" ".did.write.targets | index(\$t) != null" >/dev/null' - \
		"$(the_call "$R" write_file)" "$ROOT/sub/new.txt"
	ok "[$who] call record: move_file wrote both its names" \
		sh -c 'echo "$1" | jq -e --arg a "$2" --arg b "$3" "[.did.write.targets | index(\$a), index(\$b)] | all" >/dev/null' - \
		"$(the_call "$R" move_file)" "$ROOT/sub/new.txt" "$ROOT/made/moved.txt"
	ok "[$who] call record: create_directory wrote made" \
		sh -c 'echo "$1" | jq -e --arg t "$2" ".did.write.targets | index(\$t) != null" >/dev/null' - \
		"$(the_call "$R" create_directory)" "$ROOT/made"
	is "$(the_call "$R" read_text_file 6 | jq -c --arg t "$ROOT/no-such-file" '[.outcome, (.did.read.targets | index($t)), .did.write.count]')" \
		'["tool_error",null,0]' "[$who] call record: reading a file that is not there is a tool error that read no such file"
	is "$(the_call "$R" list_allowed_directories | jq -c '[.did[].count] | add')" 0 \
		"[$who] call record: list_allowed_directories touched nothing watched"
	is "$(jq -c 'select(.event == "call") | .denied' "$R" | grep -vc null)" 0 "[$who] call record: nothing was denied"

	tree
	session "$who" refused "$E/sessions/filesystem-refused.json" --var ROOT="$ROOT" --var OUTSIDE="$D/outside" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/filesystem.yml" --report "$D/refused.report" \
		--set ROOT="$ROOT" --set SERVER_DIR="$MCP/server-filesystem" --set MODULES="$NM" \
		-- node "$S" "$ROOT"
	check_report "$who" "$D/refused.report" start refused:read_text_file refused:read_text_file \
		refused:write_file refused:move_file refused:delete_everything exit
	is "$(jq -r 'select(.event == "call") | "\(.request.tool):\(.outcome)"' "$D/refused.report" | tr '\n' ' ')" \
		"read_text_file:refused read_text_file:refused write_file:refused move_file:refused delete_everything:refused read_text_file:result " \
		"[$who] each refused call has its call line, and so has the call that was not refused"
	ok "[$who] nothing was written outside ROOT" test ! -e "$D/outside/planted.txt" -a ! -e "$D/outside/a.txt"
	ok "[$who] ... and the file asked to be moved out is still in ROOT" test -f "$ROOT/a.txt"
done
done_testing
