#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The official MCP Inspector's CLI (npx @modelcontextprotocol/inspector
# --cli, 0.15.0) in front of membrane-run, configured with --config FILE
# --server NAME, as root and as nobody: it lists server-filesystem's tools
# and calls one through membrane-run; a call membrane refuses comes back as
# a tool error (0.15.0 prints it and exits 0; 2.x would exit 5); a
# membrane-run that cannot start makes the inspector fail (it keeps the
# server's stderr to itself: membrane-run's message is not shown).
#
# 0.15.0 appends its own options (--method ...) to the server's args from
# the config and then splits the whole at the first "--": membrane-run's
# own "--" would hide --method from it. membrane-run stops reading options
# at the first word that is not one, so the config gives the server's
# command without "--".
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-filesystem/dist/index.js
# json FILE EXPR: EXPR evaluated on the JSON document that FILE holds
# (the inspector prints the result as one pretty-printed document).
json() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2" 2>&1
}

for who in root nobody; do
	D=$(userdir "$who")
	ROOT=$D/root
	sh "$E/lib/fsroot.sh" "$ROOT"
	chown -R "$who" "$ROOT"
	node -e '
		const [config, run, report, profile, root, serverDir, modules, server] = process.argv.slice(1);
		const common = ["--report", report, "--set", `ROOT=${root}`, "--set", `SERVER_DIR=${serverDir}`,
			"--set", `MODULES=${modules}`];
		require("fs").writeFileSync(config, JSON.stringify({ mcpServers: {
			fs: { command: run, args: ["--profile", profile, ...common, "node", server, root] },
			broken: { command: run, args: ["--profile", `${profile}.missing`, ...common, "node", server, root] },
		} }, null, 1));' \
		"$D/config.json" "$MEMBRANE_RUN" "$D/report" "$PROFILES/filesystem.yml" "$ROOT" \
		"$MCP/server-filesystem" "$NM" "$S"
	# npx, from tests/e2e, runs the locally installed package: offline, with
	# a cache, logs and configuration of the test's own (nobody has no home).
	inspector() {
		tag=$1; shift
		(cd "$E" && reaped "$who" "$tag" env npm_config_offline=true npm_config_cache="$D/npm-cache" \
			npm_config_userconfig=/dev/null npm_config_update_notifier=false npm_config_logs_max=0 \
			npx @modelcontextprotocol/inspector --cli --config "$D/config.json" "$@")
		[ "$(cat "$D/$tag.left")" = 0 ] || diags "$tag left processes behind: $(cat "$D/$tag.err")"
	}

	inspector list --server fs --method tools/list
	is "$(cat "$D/list.rc")" 0 "[$who] inspector --cli --method tools/list through membrane-run exits 0"
	is "$(json "$D/list.out" 'r.tools.length')" 14 "[$who] ... and prints the 14 tools of server-filesystem"

	inspector call --server fs --method tools/call --tool-name read_text_file --tool-arg path="$ROOT/a.txt"
	is "$(cat "$D/call.rc")" 0 "[$who] inspector --cli --method tools/call read_text_file exits 0"
	is "$(json "$D/call.out" 'r.content[0].text')" hello "[$who] ... and prints the file's content"

	inspector refused --server fs --method tools/call --tool-name read_text_file --tool-arg path=/etc/passwd
	is "$(cat "$D/refused.rc")" 0 "[$who] a call outside ROOT: the inspector exits 0 (0.15.0 prints tool errors)"
	is "$(json "$D/refused.out" 'r.isError')" true "[$who] ... with the tool error membrane answered"
	like "$(json "$D/refused.out" 'r.content[0].text')" '^membrane refused this call: argument path \("/etc/passwd"\)' \
		"[$who] ... which says why"

	inspector broken --server broken --method tools/list
	is "$(cat "$D/broken.rc")" 1 "[$who] membrane-run cannot start (no such profile): the inspector exits 1"
	like "$(cat "$D/broken.err")" "Failed to connect to MCP server: .*Connection closed" \
		"[$who] ... saying that the server closed the connection"

	is "$(cat "$D/list.left" "$D/call.left" "$D/refused.left" "$D/broken.left" | tr -d '\n')" 0000 \
		"[$who] no inspector run leaves a process behind"
	check_report "$who" "$D/report" start exit start exit start refused:read_text_file exit
done
done_testing
