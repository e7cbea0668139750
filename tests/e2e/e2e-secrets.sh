#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Secrets and hidden text in answers (issue 17): files holding each kind
# (secrets/manifest.json: a private key, AWS, GCP, Azure, GitHub, GitLab and
# Slack credentials, a JWT, a password by its name, the profile's own
# env secrets set and passed through, Unicode tags, zero-width, bidi and
# ANSI text) read by server-filesystem bare and through membrane-run, as
# root and as nobody, under a profile that redacts every kind and one that
# refuses every kind: redacted, each secret is replaced by its marker in the
# text and in structuredContent and the answer is otherwise bare's; refused,
# it is an isError result naming the kinds; a clean file passes either way;
# every kind is reported with its action and no report holds a secret.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-filesystem/dist/index.js
M=$E/secrets/manifest.json
SERVICE_TOKEN=tok-e2e-8f7A2qL9x
DEPLOY_KEY=dk-Pass-77Qz-e2e
for who in root nobody; do
	D=$(userdir "$who")
	ROOT=$D/root
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	node "$E/lib/secrets.mjs" plant "$M" "$ROOT"
	chown -R "$who" "$ROOT"
	for action in redact refuse; do
		# profiles/filesystem.yml's read grant, and scan: ACTION for all.
		cat >"$D/$action.yml" <<PROFILE
version: 1
name: secrets-$action
include: ["$PROFILES/runtimes/node.yml"]
vars:
  ROOT: /srv/mcp
  MODULES: /usr/lib/node_modules
runtime:
  read: ["\${MODULES}"]
  env: ["SERVICE_TOKEN=$SERVICE_TOKEN", DEPLOY_KEY]
arguments:
  within: ["\${ROOT}"]
tools:
  read_text_file: { read: ["{path}"] }
scan:
  answers: { all: $action }
PROFILE
	done
	reaped "$who" bare node "$E/lib/secrets.mjs" read "$M" "$ROOT" "$D/bare.json" \
		-- env -i PATH=/usr/bin:/bin SERVICE_TOKEN=$SERVICE_TOKEN DEPLOY_KEY=$DEPLOY_KEY node "$S" "$ROOT"
	is "$(cat "$D/bare.rc")" 0 "[$who] bare: every file read"
	for action in redact refuse; do
		reaped "$who" "$action" node "$E/lib/secrets.mjs" read "$M" "$ROOT" "$D/$action.json" \
			--env DEPLOY_KEY=$DEPLOY_KEY \
			-- "$MEMBRANE_RUN" --profile "$D/$action.yml" --report "$D/$action.report" \
			--set ROOT="$ROOT" --set MODULES="$NM" -- node "$S" "$ROOT"
		is "$(cat "$D/$action.rc")" 0 "[$who] $action: every file read through membrane-run"
		[ "$(cat "$D/$action.rc")" = 0 ] || diags "$(head -c 2000 "$D/$action.err")"
		is "$(cat "$D/$action.left")" 0 "[$who] $action: no process is left behind"
	done
	node "$E/lib/secrets.mjs" check "$M" "$D/bare.json" "$D/redact.json" "$D/refuse.json" >"$D/check.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "[$who] ${line#ok }" ;;
		"not ok "*) fail "[$who] ${line#not ok }" ;;
		*) diag "$line" ;;
		esac
	done <"$D/check.out"
	# Each kind planted is reported with its action; no line holds a secret
	# (hidden text is shown in a report's span on purpose).
	for action in redact refuse; do
		want=$(node -e 'const m = require(process.argv[1]); console.log([...new Set(Object.values(m)
			.flatMap((f) => f.secrets.map(([, k]) => k)))].sort().join(" "))' "$M")
		got=$(node -e 'const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")
			.map(JSON.parse).filter((l) => l.event === "secret" && l.action === process.argv[2]);
			console.log([...new Set(lines.map((l) => l.kind))].sort().join(" "))' "$D/$action.report" \
			"$([ $action = redact ] && echo redacted || echo refused)")
		is "$got" "$want" "[$who] $action: every kind planted is reported, action $action"
		leaked=$(node -e 'const m = require(process.argv[1]); const r = require("fs").readFileSync(process.argv[2], "utf8");
			const hidden = ["zero-width", "bidi", "unicode-tags", "ansi"];
			console.log(Object.values(m).flatMap((f) => f.secrets.filter(([, k]) => !hidden.includes(k))
			.map(([s]) => s)).filter((s) =>
			r.includes(JSON.stringify(s).slice(1, -1))).length)' "$M" "$D/$action.report")
		is "$leaked" 0 "[$who] $action: no report line holds a secret"
	done
done
done_testing
