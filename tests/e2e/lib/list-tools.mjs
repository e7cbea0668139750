#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Print what an MCP server declares (tools with their inputSchema, resources,
// resource templates, prompts) as JSON, read from a live session:
//   node lib/list-tools.mjs [--env NAME=VALUE] [--root DIR] -- COMMAND [ARG]...
// With --summary, one line per tool: name and its argument names.
import { connect, describe, parseArgv } from "./mcp-client.mjs";

const opts = parseArgv(process.argv.slice(2));
const summary = opts.rest.includes("--summary");
const { client } = await connect({ ...opts, stderr: "ignore" });
try {
	const d = await describe(client);
	if (summary) {
		for (const t of d.tools) {
			const props = Object.keys(t.inputSchema?.properties ?? {});
			const req = new Set(t.inputSchema?.required ?? []);
			console.log(`${t.name}(${props.map((p) => (req.has(p) ? p : p + "?")).join(", ")})`);
		}
		for (const r of d.resources) console.log(`resource ${r.uri}`);
		for (const r of d.resourceTemplates) console.log(`template ${r.uriTemplate}`);
		for (const p of d.prompts) console.log(`prompt ${p.name}(${(p.arguments ?? []).map((a) => a.name).join(", ")})`);
	} else {
		console.log(JSON.stringify(d, null, 2));
	}
} finally {
	await client.close();
}
