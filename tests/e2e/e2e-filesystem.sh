#!/bin/sh
# @modelcontextprotocol/server-filesystem driven by the official SDK client
# (declaring ROOT as its root), bare and through membrane-run under
# profiles/filesystem.yml, as root and as nobody: all 14 tools on a real
# tree (new and existing files, edits, nested directories, a move), the
# same responses both ways, the same tree left behind, a report holding
# only start and exit; then calls that leave ROOT, refused by membrane and
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

	tree
	session "$who" refused "$E/sessions/filesystem-refused.json" --var ROOT="$ROOT" --var OUTSIDE="$D/outside" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/filesystem.yml" --report "$D/refused.report" \
		--set ROOT="$ROOT" --set SERVER_DIR="$MCP/server-filesystem" --set MODULES="$NM" \
		-- node "$S" "$ROOT"
	check_report "$who" "$D/refused.report" start refused:read_text_file refused:read_text_file \
		refused:write_file refused:move_file refused:delete_everything exit
	ok "[$who] nothing was written outside ROOT" test ! -e "$D/outside/planted.txt" -a ! -e "$D/outside/a.txt"
	ok "[$who] ... and the file asked to be moved out is still in ROOT" test -f "$ROOT/a.txt"
done
done_testing
