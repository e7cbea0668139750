#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The MCP conformance suite (@modelcontextprotocol/conformance 0.1.13,
# server mode, HTTP only) against server-everything behind supergateway
# (stdio -> streamable HTTP, one server per session): bare, then with
# supergateway spawning membrane-run ... -- node server-everything, as root
# and as nobody. Each run must fail exactly the scenarios of
# conformance-expected-failures.yml, and the wrapped runs must give the
# bare run's result check for check. membrane's reports: one start and one
# exit per session, and a refusal for each call of a tool server-everything
# does not have (the suite calls its own test_* tools), nothing else.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-everything/dist/index.js
BASELINE=$E/conformance-expected-failures.yml

# suite WHO TAG COMMAND-LINE: one run of the suite; its results in $D/TAG.
suite() {
	reaped "$1" "$2" node "$E/lib/conformance.mjs" "$D/$2" "$BASELINE" -- "$3"
	is "$(cat "$D/$2.rc")" 0 "[$1] $2: the suite and the bridge ran"
	[ "$(cat "$D/$2.rc")" = 0 ] || diags "$(tail -c 1500 "$D/$2.err")"
	is "$(node "$E/lib/check.mjs" get "$D/$2/summary.json" suite)" 0 \
		"[$1] $2: exactly the scenarios of the expected-failures baseline fail"
	[ "$(node "$E/lib/check.mjs" get "$D/$2/summary.json" suite)" = 0 ] ||
		diags "$(sed -n '/=== SUMMARY ===/,$p' "$D/$2/suite.log")"
	is "$(cat "$D/$2.left")" 0 "[$1] $2: the bridge stopped, and no server is left behind"
}

D=$(userdir root)
suite root bare "node $S"
node -e 'const r = require(process.argv[1]).results; let p = 0, f = 0;
	for (const s of Object.values(r)) for (const v of Object.values(s)) v === "SUCCESS" ? p++ : f++;
	console.log(`${Object.keys(r).length} scenarios, ${p} checks passed, ${f} failed`)' "$D/bare/summary.json" >"$D/bare.count"
is "$(cat "$D/bare.count")" "30 scenarios, 13 checks passed, 19 failed" "bare: the baseline's figures"
BARE=$D/bare/summary.json

for who in root nobody; do
	D=$(userdir "$who")
	suite "$who" wrapped "$MEMBRANE_RUN --profile $PROFILES/everything.yml --report $D/wrapped.report --set SERVER_DIR=$MCP/server-everything --set MODULES=$NM -- node $S"
	out=$(node -e 'const [a, b] = process.argv.slice(1).map((f) => require(f).results);
		const d = [];
		for (const s of new Set([...Object.keys(a), ...Object.keys(b)]))
			if (JSON.stringify(a[s]) !== JSON.stringify(b[s])) d.push(`${s}: ${JSON.stringify(a[s])} <> ${JSON.stringify(b[s])}`);
		console.log(d.join("\n")); process.exit(d.length ? 1 : 0)' "$BARE" "$D/wrapped/summary.json" 2>&1)
	st=$?
	ok "[$who] wrapped: the same result as bare, check for check" test $st -eq 0
	[ -z "$out" ] || diags "$out"
	# Each session of the suite is one membrane-run: start ... exit.
	out=$(node -e 'const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
		const n = (e) => lines.filter((l) => l.event === e).length;
		const other = lines.filter((l) => l.event !== "start" && l.event !== "exit" && l.event !== "call" &&
			!(l.event === "refused" && /^test_/.test(l.request?.tool) && / is not declared in profile /.test(l.reason)));
		console.log(`${n("start")} ${n("exit")} ${n("refused")} ${lines.filter((l) => l.event === "start" && l.layers?.seccomp?.notify).length}`);
		for (const l of other) console.log(JSON.stringify(l).slice(0, 300));' "$D/wrapped.report" 2>&1)
	set -- $out
	ok "[$who] wrapped: one start and one exit report per session ($1 sessions)" test "$1" -gt 0 -a "$1" = "$2"
	ok "[$who] wrapped: the only other reports refuse calls of the suite's own test_* tools ($3)" \
		test "$(echo "$out" | wc -l)" -eq 1 -a "$3" -gt 0
	[ "$(echo "$out" | wc -l)" -eq 1 ] || diags "$out"
	[ "$E2E_NOTIFY" != yes ] ||
		is "$4" "$1" "[$who] wrapped: every session ran under the seccomp notifier (layers.seccomp.notify)"
done
done_testing
