#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @wonderwhy-er/desktop-commander learned from nothing but its command and
# --within the directory it is meant to work in, then enforced with the
# draft unedited, as root and as nobody (tests/learn/five.sh). It keeps its
# state in ~/.claude-server-commander (a private, empty HOME), runs
# ripgrep and bash as helpers, starts a process that outlives its call
# (outlive), and tries what the sandbox refuses and lives without (quiet).
# Reading and listing outside the bounds is flagged while learning and
# refused under the draft (arguments.within).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/learn/five.sh"
five_init @wonderwhy-er/desktop-commander dist/index.js
# start_process runs the client's $SHELL, /bin/sh when it has none (CI
# starts the suite from a service): the user's login shell, as a desktop
# client passes it.
export SHELL=/bin/bash
reset() {
	rm -rf "$ROOT" "$OUTSIDE" && mkdir -p "$ROOT" "$OUTSIDE" && echo 'alpha beta' >"$ROOT/notes.txt" &&
		echo 'not for this server' >"$OUTSIDE/secret.txt" && chown -R "$who" "$ROOT" "$OUTSIDE"
}
for who in root nobody; do
	five_who $who
	ROOT=$D/root OUTSIDE=$D/outside
	CMD="node $SERVER"
	# The client's configuration: telemetry off, as a user would set it.
	RS_OPTS="--var ROOT=$ROOT --var OUTSIDE=$OUTSIDE --env DESKTOP_COMMANDER_DISABLE_TELEMETRY=1"
	LEARN_OPTS="--within $ROOT --set ROOT=$ROOT" ENF_OPTS="--set ROOT=$ROOT"
	five_learn desktop "$S/desktop-commander.json" "$S/desktop-commander-outside.json"
	is "$(j '.profile.arguments.within')" '["${ROOT}"]' "$T: arguments.within is the bound given"
	is "$(j '.profile.tools.write_file.write')" '["{path}"]' "$T: write_file writes {path}"
	is "$(j '.profile.tools.start_search.exec | length')" 1 "$T: start_search runs ripgrep, granted"
	like "$(j '.profile.tools.start_search.exec[0]')" 'ripgrep-linux-x64/bin/rg' "$T: ... from the server's own tree"
	is "$(j '.profile.tools.start_process.exec | index("/usr/bin/bash") != null')" true \
		"$T: start_process runs bash in every call: granted"
	like "$(j '.profile.tools.start_process.outlive')" '^"[0-9]+s"$' "$T: ... and its process outlives the call: outlive"
	is "$(j '.profile.runtime.env | map(select(startswith("HOME="))) | length')" 1 "$T: HOME is given, with its value"
	like "$(j '.profile.runtime.tmpfs')" "\"${HOME:-/root}\"" "$T: ... a private, empty tmpfs"
	is "$(j '.profile.runtime.env | index("DESKTOP_COMMANDER_DISABLE_TELEMETRY") != null')" true \
		"$T: the client's environment is passed on"
	like "$(j '.profile.quiet.write')" 'rg' "$T: ripgrep's chmod of itself, refused while learning, is quiet"
	is "$(flagged "path names $OUTSIDE/secret.txt during tool read_file")" 1 "$T: the read outside the bounds is flagged"
	is "$(grep -v '^ *#' "$D/desktop.yml" | grep -c "$OUTSIDE")" 0 "$T: no active line names it"
	five_enforce desktop "$S/desktop-commander.json"
	is "$(cat "$ROOT/made/draft.md" 2>/dev/null)" "$(printf '# Draft\n\nedited line')" \
		"[$who] desktop, enforced with the draft: the file was written, edited and moved"
	like "$(jq -c 'select(.event == "exit") | .quiet' "$D/desktop-enf.report")" '^[1-9]' \
		"[$who] desktop, enforced with the draft: the noise was denied and counted, not reported"
	five_outside desktop "$S/desktop-commander-outside.json"
	is "$(jq -c 'select(.event == "refused")' "$D/desktop-out.report" | wc -l)" 2 \
		"[$who] desktop, out of scope under the draft: both calls refused by arguments.within"
	# The shipped profile serves the file tools, not the process tools.
	jq '[.[] | select(.call != "start_process" and .call != "read_process_output")]' \
		"$S/desktop-commander.json" >"$D/desktop-files.json"
	five_shipped desktop "$top_srcdir/profiles/desktop-commander.yml" "$D/desktop-files.json" --set ROOT="$ROOT" \
		--set SERVER_DIR="$(dirname "$(dirname "$SERVER")")" --set MODULES="$E/node_modules" \
		--set RG="$E/node_modules/@vscode/ripgrep-linux-x64/bin/rg"
done
done_testing
