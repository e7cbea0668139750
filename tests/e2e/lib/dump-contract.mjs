#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Regenerate the clean corpus of tests/fixtures/scan/clean/: what real
// servers (tests/e2e's pinned packages) say to the model, as their own
// results of initialize, tools/list, prompts/list, resources/list and
// resources/templates/list (a list a server does not serve is left out).
//   node tests/e2e/lib/dump-contract.mjs tests/e2e/node_modules tests/fixtures/scan/clean
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [nm, out] = process.argv.slice(2);
const mcp = join(nm, "@modelcontextprotocol");
const root = mkdtempSync(join(tmpdir(), "scan-corpus-"));
const servers = {
	"server-everything": [join(mcp, "server-everything/dist/index.js")],
	"server-filesystem": [join(mcp, "server-filesystem/dist/index.js"), root],
	"server-memory": [join(mcp, "server-memory/dist/index.js")],
	// tools/list needs no database; the resource lists do and are left out.
	"server-postgres": [join(mcp, "server-postgres/dist/index.js"), "postgresql://127.0.0.1:1/none"],
};
for (const [name, args] of Object.entries(servers)) {
	// Declaring what a full client can do, so that every tool is listed.
	const client = new Client({ name: "membrane-corpus", version: "1" },
		{ capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
	await client.connect(new StdioClientTransport({ command: "node", args, stderr: "ignore",
		env: { PATH: process.env.PATH, MEMORY_FILE_PATH: join(root, "memory.json") } }));
	const doc = { server: name, initialize: {
		serverInfo: client.getServerVersion(), instructions: client.getInstructions() } };
	const lists = {
		"tools/list": () => client.listTools(),
		"prompts/list": () => client.listPrompts(),
		"resources/list": () => client.listResources(),
		"resources/templates/list": () => client.listResourceTemplates(),
	};
	for (const [method, f] of Object.entries(lists)) {
		try { doc[method] = await f(); } catch { /* not served, or needs what is not there */ }
	}
	await client.close();
	writeFileSync(join(out, `${name}.json`), JSON.stringify(doc, null, 1) + "\n");
	console.log(name, Object.keys(doc).join(" "));
}
