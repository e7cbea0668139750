#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-run --listen against the SDK's own Streamable HTTP server, side
# by side (bench/http-results.md): server-everything's own streamableHttp
# mode (the SDK's StreamableHTTPServerTransport wrapping the server, bare)
# and server-everything over stdio behind membrane-run --listen under
# profiles/everything.yml, each on a port of 127.0.0.1; bench/http-bench.mjs
# drives both with the SDK client, round by round. Then memory per idle
# session: N sessions opened and left idle, the RSS of the front and
# everything under it (membrane: each session's membrane-run, sandbox init
# and node) or of the SDK's server, before and after, divided by N.
#   top_srcdir=. top_builddir=. sh bench/http.sh [OUT.md]
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
E=$top_srcdir/tests/e2e
NM=$E/node_modules
S=$NM/@modelcontextprotocol/server-everything
IDLE=${BENCH_HTTP_IDLE:-10}
OUT=${1:-/dev/stdout}
port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
wait_port() { for _ in $(seq 100); do node -e "require('net').connect($1,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && return 0; sleep 0.1; done; return 1; }

# rss_tree PID: kB of PID and all its descendants.
rss_tree() {
	pids="$1 $(pgrep -d ' ' -P "$1" || true)"
	for p in $pids; do
		for c in $(pgrep -P "$p" || true); do pids="$pids $c $(pgrep -d ' ' -P "$c" || true)"; done
	done
	for p in $pids; do awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'
}

PA=$(port)
PORT=$PA node "$S/dist/index.js" streamableHttp >/dev/null 2>&1 &
SDK=$!
PB=$(port)
"$top_builddir/membrane-run" --profile "$top_srcdir/profiles/everything.yml" --report /dev/null \
	--set SERVER_DIR="$S" --set MODULES="$NM" --listen "127.0.0.1:$PB" -- node "$S/dist/index.js" 2>/dev/null &
MB=$!
trap 'kill $SDK $MB 2>/dev/null || true' EXIT
wait_port "$PA"
wait_port "$PB"
json=$(MEMBRANE_E2E_DIR=$E node "$top_srcdir/bench/http-bench.mjs" sdk="http://127.0.0.1:$PA/mcp" membrane="http://127.0.0.1:$PB/mcp" \
	--calls "${BENCH_HTTP_CALLS:-300}" --rounds "${BENCH_HTTP_ROUNDS:-5}" --sessions "${BENCH_HTTP_SESSIONS:-5}")

# Idle sessions: open IDLE, measure, and end them.
idle() {
	before=$(rss_tree "$2")
	(cd "$E" && node -e '
		const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
		const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
		const n = Number(process.argv[2]), held = [];
		for (let i = 0; i < n; i++) {
			const c = new Client({ name: "idle", version: "1" }, { capabilities: {} });
			const t = new StreamableHTTPClientTransport(new URL(process.argv[1]));
			await c.connect(t); held.push([c, t]);
		}
		console.log("open"); await new Promise((r) => process.stdin.once("data", r));
		for (const [c, t] of held) { await t.terminateSession().catch(() => {}); await c.close(); }
	' --input-type=module "$1" "$IDLE") <"$W/fifo" >"$W/idle.out" &
	exec 9>"$W/fifo"
	while ! grep -q open "$W/idle.out" 2>/dev/null; do sleep 0.2; done
	sleep 2
	after=$(rss_tree "$2")
	echo x >&9
	exec 9>&-
	wait
	echo $(( (after - before) / IDLE ))
}
W=$(mktemp -d)
mkfifo "$W/fifo"
mem_sdk=$(idle "http://127.0.0.1:$PA/mcp" "$SDK")
mem_mb=$(idle "http://127.0.0.1:$PB/mcp" "$MB")
rm -rf "$W"

node -e '
	const r = JSON.parse(process.argv[1]), [msdk, mmb, idle] = process.argv.slice(2).map(Number);
	const s = r.sdk, m = r.membrane;
	console.log(`## Streamable HTTP: membrane-run --listen vs the SDK'"'"'s own server (bench/http.sh)

server-everything 2026.8.31, echo tool; client: the SDK'"'"'s StreamableHTTPClientTransport
(1.32.2), one call at a time, rounds interleaved; ${new Date().toISOString().slice(0, 10)}, ${require("os").cpus().length} CPUs.

| | SDK server, bare | membrane-run --listen | ratio |
|---|---|---|---|
| echo round trip, median (us) | ${s.median_us} | ${m.median_us} | ${(m.median_us / s.median_us).toFixed(2)} |
| echo round trip, p90 (us) | ${s.p90_us} | ${m.p90_us} | ${(m.p90_us / s.p90_us).toFixed(2)} |
| sessions started per second | ${s.sessions_per_s} | ${m.sessions_per_s} | ${(m.sessions_per_s / s.sessions_per_s).toFixed(2)} |
| memory per idle session (kB RSS, ${idle} sessions) | ${msdk} | ${mmb} | ${(mmb / Math.max(msdk, 1)).toFixed(1)} |

Calls per side: ${s.calls}. A membrane session is a process tree of its own (membrane-run,
the sandbox'"'"'s init, node): its start-up and memory are a new node process'"'"'s, where the
SDK server adds a transport object to one process. That is the price of one sandbox per session.`)' "$json" "$mem_sdk" "$mem_mb" "$IDLE" >"$OUT"
