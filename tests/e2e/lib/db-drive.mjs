// SPDX-License-Identifier: Apache-2.0
// The client side of tests/e2e/e2e-db-brokered.sh and db-exfil.sh: the official
// SDK's Client (lib/mcp-client.mjs) drives one server, bare or behind
// membrane-run, and prints what it got as one JSON object on stdout.
//
//   node db-drive.mjs postgres -- COMMAND...   tools/list, a query returning
//        rows, resources/list, resources/read of the first table's schema,
//        and a write PostgreSQL refuses (the read-only transaction)
//   node db-drive.mjs deputy -- COMMAND...     tools/list, query (the
//        deputy's exfiltration attempts during a call), arm, then, once the
//        server says on stderr that its idle attempt is done, status
import { connect } from "./mcp-client.mjs";

const argv = process.argv.slice(2);
const mode = argv[0];
const dash = argv.indexOf("--");
const [command, ...args] = argv.slice(dash + 1);

function text(result) {
	return result.content?.map((c) => c.text ?? "").join("") ?? "";
}

async function postgres(client) {
	const out = {};
	out.tools = (await client.listTools()).tools.map((t) => t.name);
	const q = await client.callTool({
		name: "query",
		arguments: { sql: "SELECT c.name, c.email, o.total FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY c.id" },
	});
	out.query = { isError: q.isError ?? false, rows: JSON.parse(text(q)) };
	const res = (await client.listResources()).resources;
	out.resources = res.map((r) => r.uri);
	const first = res.find((r) => r.uri.includes("/customers/schema"));
	const read = await client.readResource({ uri: first.uri });
	out.schema = JSON.parse(read.contents[0].text);
	// server-postgres answers a failed statement with a JSON-RPC error
	try {
		const w = await client.callTool({ name: "query", arguments: { sql: "INSERT INTO customers (name) VALUES ('Eve')" } });
		out.write = { isError: w.isError ?? false, text: text(w) };
	} catch (e) {
		out.write = { error: e.message };
	}
	return out;
}

async function deputy(client, transport) {
	let stderr = "";
	const idleDone = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no idle-done on stderr: ${stderr}`)), 30000);
		transport.stderr.on("data", (d) => {
			stderr += d.toString();
			if (stderr.includes("idle-done")) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
	const out = {};
	out.tools = (await client.listTools()).tools.map((t) => t.name);
	out.query = JSON.parse(text(await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } })));
	out.arm = JSON.parse(text(await client.callTool({ name: "arm", arguments: { ms: 200 } })));
	await idleDone;
	out.status = JSON.parse(text(await client.callTool({ name: "status", arguments: {} })));
	return out;
}

const { client, transport } = await connect({
	command,
	args,
	stderr: mode === "deputy" ? "pipe" : "inherit",
	sampling: false,
	elicitation: false,
});
try {
	const out = mode === "deputy" ? await deputy(client, transport) : await postgres(client);
	process.stdout.write(JSON.stringify(out) + "\n");
} finally {
	await client.close();
}
