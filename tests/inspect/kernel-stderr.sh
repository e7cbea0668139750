#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Reports on the default destination, stderr, shared with the server's own
# stderr, through the real membrane-run, as root and as nobody: the fixture
# server leaves a partial line, makes membrane report (a non-JSON line on its
# stdout), then writes a forged report line with terminal controls. Every
# report line must stand whole at a line start, the forged one must not, and
# membrane-audit must list the real lines only, naming the others.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
AUDIT=$top_builddir/membrane-audit
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
mkdir "$W/server"
cp "$top_srcdir/tests/fixtures/mcp-fixture-server.py" "$W/server/fixture.py"
chmod 644 "$W/server/fixture.py"
cat > "$W/p.yml" <<'YML'
version: 1
name: forge
vars:
  W: /nonexistent
runtime:
  read: [/usr, /etc, "${W}/server"]
  exec: [/usr]
tools:
  echo: {}
YML
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}'
CALL='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"!forge"}}}'
for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	printf '%s\n%s\n' "$INIT" "$CALL" |
		$run "$MEMBRANE_RUN" --profile "$W/p.yml" --set W="$W" --grace 1 -- \
			/usr/bin/python3 "$W/server/fixture.py" > "$W/out-$who" 2> "$W/err-$who"
	is "$?" 0 "[$who] the session ends cleanly"
	like "$(cat "$W/out-$who")" '"id":2,"result"' "[$who] the call is answered"
	err=$W/err-$who
	ok "[$who] the forged line does not start a line" sh -c "! grep -q '^{.*FORGED' '$err'"
	like "$(grep FORGED "$err")" '^\[server\] partial-\\x0d\\x1b\[2K\{' \
		"[$who] it stays in the server's line, prefixed, its controls shown"
	ok "[$who] no raw carriage return or escape reaches stderr" sh -c "! grep -q \"\$(printf '[\r\033]')\" '$err'"
	ok "[$who] every line is the server's, a report, or membrane-run's own" \
		sh -c "! grep -Ev '^(\[server\] |\{\"v\":1,|membrane-run: )' '$err'"
	"$AUDIT" list --json "$err" > "$W/list-$who" 2> "$W/audit-$who"
	is "$?" 3 "[$who] membrane-audit list: done, with lines skipped (exit 3)"
	is "$(jq -r 'select(.event != "call") | .event' < "$W/list-$who" | tr '\n' ' ')" "start error exit " \
		"[$who] ... it lists the real reports, the error among them"
	ok "[$who] ... and not the forged one" sh -c "! grep -q FORGED '$W/list-$who'"
	like "$(cat "$W/audit-$who")" "err-$who:[0-9]+: malformed line skipped: the server's stderr relayed" \
		"[$who] ... naming the server's lines by file:line"
	"$AUDIT" verify "$err" > "$W/verify-$who" 2>&1
	ok "[$who] membrane-audit verify: the session's chain is whole" \
		sh -c "! grep -Eq 'removed|reordered|edited' '$W/verify-$who'"
done
done_testing
