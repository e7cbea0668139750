#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Streamable HTTP side by side (bench/http.sh): the official SDK client
// against URL A and URL B, interleaved round by round so that both see the
// same machine:
//   node bench/http-bench.mjs NAME=URL NAME=URL [--calls N] [--rounds R] [--sessions S]
// Prints one JSON object: per name, the echo round trip (median and p90 in
// microseconds, over every call of every round) and the sessions started
// per second (initialize, initialized, DELETE; one after the other).
// The SDK pinned by tests/e2e (npm ci there), or MEMBRANE_E2E_DIR's.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
const sdk = join(process.env.MEMBRANE_E2E_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "..", "tests", "e2e"),
	"node_modules", "@modelcontextprotocol", "sdk", "dist", "esm", "client");
const { Client } = await import(join(sdk, "index.js"));
const { StreamableHTTPClientTransport } = await import(join(sdk, "streamableHttp.js"));

const args = process.argv.slice(2);
const opt = (k, d) => {
	const i = args.indexOf(k);
	return i >= 0 ? Number(args.splice(i, 2)[1]) : d;
};
const calls = opt("--calls", 200), rounds = opt("--rounds", 5), sessions = opt("--sessions", 10);
const targets = args.map((a) => a.split(/=(.*)/s)).map(([name, url]) => ({ name, url, rtt: [], starts: [] }));

async function open(url) {
	const client = new Client({ name: "bench", version: "1" }, { capabilities: {} });
	const transport = new StreamableHTTPClientTransport(new URL(url));
	await client.connect(transport);
	return { client, transport };
}
async function close({ client, transport }) {
	await transport.terminateSession().catch(() => {});
	await client.close();
}

for (let r = 0; r < rounds; r++)
	for (const t of targets) {
		const s = await open(t.url);
		// One call to warm the path (JIT, the server's first tools/call).
		await s.client.callTool({ name: "echo", arguments: { message: "warm" } });
		for (let i = 0; i < calls; i++) {
			const t0 = process.hrtime.bigint();
			await s.client.callTool({ name: "echo", arguments: { message: `m${i}` } });
			t.rtt.push(Number(process.hrtime.bigint() - t0) / 1000);
		}
		await close(s);
		const t0 = process.hrtime.bigint();
		for (let i = 0; i < sessions; i++) await close(await open(t.url));
		t.starts.push(Number(process.hrtime.bigint() - t0) / 1e9);
	}

const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const out = {};
for (const t of targets)
	out[t.name] = {
		calls: t.rtt.length,
		median_us: Math.round(q(t.rtt, 0.5)),
		p90_us: Math.round(q(t.rtt, 0.9)),
		sessions_per_s: +(sessions * rounds / t.starts.reduce((a, b) => a + b, 0)).toFixed(2),
	};
console.log(JSON.stringify(out));
