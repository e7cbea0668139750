#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The MCP conformance suite (@modelcontextprotocol/conformance 0.1.13,
# server mode) run directly against membrane-run --listen serving
# server-everything, no bridge, as root and as nobody: exactly the scenarios
# of conformance-expected-failures.yml fail, the bare server's
# (tests/e2e/e2e-conformance.sh) less dns-rebinding-protection, which the
# front passes. Each of the suite's sessions is one sandbox (start, exit);
# the only other reports refuse the suite's own test_* tools (the sandbox)
# and its rebinding probe (the front).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-everything/dist/index.js
BASELINE=$top_srcdir/tests/http/conformance-expected-failures.yml
for who in root nobody; do
	D=$(userdir "$who")
	reaped "$who" listen node "$E/lib/conformance.mjs" "$D/listen" "$BASELINE" --listen -- \
		"$MEMBRANE_RUN --profile $PROFILES/everything.yml --report $D/listen.report --set SERVER_DIR=$MCP/server-everything --set MODULES=$NM --listen 127.0.0.1:@PORT@ -- node $S"
	is "$(cat "$D/listen.rc")" 0 "[$who] the suite and membrane-run --listen ran"
	[ "$(cat "$D/listen.rc")" = 0 ] || diags "$(tail -c 1500 "$D/listen.err")"
	is "$(node "$E/lib/check.mjs" get "$D/listen/summary.json" suite)" 0 \
		"[$who] exactly the scenarios of the baseline fail"
	[ "$(node "$E/lib/check.mjs" get "$D/listen/summary.json" suite)" = 0 ] ||
		diags "$(sed -n '/=== SUMMARY ===/,$p' "$D/listen/suite.log")"
	is "$(node "$E/lib/check.mjs" get "$D/listen/summary.json" gateway)" 0 \
		"[$who] membrane-run --listen stopped cleanly on SIGTERM"
	is "$(cat "$D/listen.left")" 0 "[$who] no server is left behind"
	out=$(node -e 'const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
		const n = (e) => lines.filter((l) => l.event === e).length;
		const other = lines.filter((l) => l.event !== "start" && l.event !== "exit" && l.event !== "call" &&
			!(l.event === "refused" && /^test_/.test(l.request?.tool)) &&
			!(l.event === "refused" && l.http?.status === 403 && /Host/.test(l.reason)));
		console.log(`${n("start")} ${n("exit")}`);
		for (const l of other) console.log(JSON.stringify(l).slice(0, 300));' "$D/listen.report" 2>&1)
	set -- $out
	ok "[$who] one start and one exit report per session ($1 sessions)" test "$1" -gt 20 -a "$1" = "$2"
	ok "[$who] the only other reports refuse test_* tools and the rebinding probe" test "$(echo "$out" | wc -l)" -eq 1
	[ "$(echo "$out" | wc -l)" -eq 1 ] || diags "$out"
done
done_testing
