#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// The MCP conformance suite (server mode, HTTP only) against a stdio server
// behind supergateway (stdio -> streamable HTTP, one server process per
// session):
//   node lib/conformance.mjs OUTDIR EXPECTED.yml -- SERVER-COMMAND-LINE
// SERVER-COMMAND-LINE is one string, run by supergateway through sh. Starts
// the bridge on a free port of 127.0.0.1, waits until it listens, runs
// `conformance server --expected-failures EXPECTED.yml -o OUTDIR/checks`,
// stops the bridge (SIGTERM; it stops its servers), and writes
// OUTDIR/summary.json: the suite's and the bridge's exit statuses and, per
// scenario, each check's status.
//   node lib/conformance.mjs OUTDIR EXPECTED.yml --listen -- COMMAND-LINE
// runs COMMAND-LINE itself instead of the bridge: a server that speaks
// Streamable HTTP (membrane-run --listen 127.0.0.1:@PORT@ ...), @PORT@
// replaced by the free port; it is ready once it says "serving MCP at".
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, "..", "node_modules", ".bin", name);
let [outDir, expected, sep, command, more] = process.argv.slice(2);
const listen = sep === "--listen";
if (listen) [sep, command] = [command, more];
if (sep !== "--" || !command) throw new Error("usage: conformance.mjs OUTDIR EXPECTED.yml -- COMMAND-LINE");
mkdirSync(outDir, { recursive: true });

const port = await new Promise((resolve) => {
	const s = createServer().listen(0, "127.0.0.1", () => {
		const p = s.address().port;
		s.close(() => resolve(p));
	});
});

const exited = (child) =>
	new Promise((resolve) => child.once("exit", (code, sig) => resolve(sig ? 128 + ({ SIGTERM: 15, SIGKILL: 9 }[sig] ?? 0) : code)));

const gatewayLog = createWriteStream(join(outDir, "gateway.log"));
const gateway = listen
	? spawn("sh", ["-c", `exec ${command.replaceAll("@PORT@", String(port))}`], { stdio: ["ignore", "pipe", "pipe"] })
	: spawn(bin("supergateway"), ["--stdio", command, "--outputTransport", "streamableHttp",
		"--stateful", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
const gatewayExit = exited(gateway);
// It says "Listening on port P" once its HTTP server is bound.
await new Promise((resolve, reject) => {
	let seen = "";
	const look = (d) => {
		gatewayLog.write(d);
		seen += d;
		if (seen.includes(listen ? "serving MCP at" : `Listening on port ${port}`)) resolve();
	};
	gateway.stdout.on("data", look);
	gateway.stderr.on("data", look);
	gatewayExit.then((code) => reject(new Error(`supergateway exited (${code}) before listening: ${seen}`)));
});

const suiteLog = createWriteStream(join(outDir, "suite.log"));
const suite = spawn(bin("conformance"), ["server", "--url", `http://127.0.0.1:${port}/mcp`,
	"--expected-failures", expected, "-o", join(outDir, "checks")], { stdio: ["ignore", "pipe", "pipe"] });
suite.stdout.pipe(suiteLog);
suite.stderr.pipe(suiteLog);
const suiteStatus = await exited(suite);

gateway.kill("SIGTERM");
const gatewayStatus = await gatewayExit;

const results = {};
for (const d of readdirSync(join(outDir, "checks")).sort()) {
	// server-SCENARIO-TIMESTAMP
	const scenario = d.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
	const checks = JSON.parse(readFileSync(join(outDir, "checks", d, "checks.json"), "utf8"));
	results[scenario] = Object.fromEntries(checks.map((c) => [c.id, c.status]));
}
writeFileSync(join(outDir, "summary.json"), JSON.stringify({ suite: suiteStatus, gateway: gatewayStatus, results }, null, 1) + "\n");
process.exit(0);
