#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Drive an MCP server through a scripted session and print, for each step,
// a MARK line (wall-clock microseconds, on the same clock as `strace -ttt`)
// before and after it, then its result as one JSON line. Used to attribute
// what a server does on the filesystem and network to the request that made
// it do so, and as the base of the end-to-end tests.
//   node lib/run-script.mjs SCRIPT.json [--var NAME=VALUE] [--env NAME=VALUE]
//                           [--root DIR] [--tasks] -- COMMAND [ARG]...
// SCRIPT.json is an array of steps; each has a "label" and one of:
//   {"call": TOOL, "arguments": {...}}        tools/call
//   {"callTask": TOOL, "arguments": {...}}    tools/call as a task (tasks/get,
//                                             tasks/result follow); needs --tasks
//   {"read": URI}                             resources/read
//   {"list": "tools"|"resources"|"templates"|"prompts"}
//   {"prompt": NAME, "arguments": {...}}      prompts/get
//   {"complete": {"ref": {...}, "argument": {...}}}   completion/complete
//   {"subscribe": URI} / {"unsubscribe": URI}
//   {"logLevel": LEVEL}                       logging/setLevel
//   {"idle": MS}                              do nothing for MS milliseconds
// A step may also have "save": {"NAME": "REGEX"}: the first group of REGEX
// in its result (as JSON text) is kept, and @NAME@ in the arguments of the
// steps after it is replaced by it (a pid, a session id the server made;
// an argument that is "@NAME@" alone, and a number, becomes that number).
// "wait": MS waits that long before the step.
import { readFileSync } from "node:fs";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, parseArgv } from "./mcp-client.mjs";

const wallMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const mark = (what, label) => console.log(`MARK ${wallMicros()} ${what} ${label}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const opts = parseArgv(process.argv.slice(2));
const scriptPath = opts.rest[0];
if (!scriptPath) throw new Error("usage: run-script.mjs SCRIPT.json [options] -- COMMAND [ARG]...");
// @NAME@ in the script is replaced by --var NAME=VALUE (JSON-escaped).
let text = readFileSync(scriptPath, "utf8");
for (const [k, v] of Object.entries(opts.vars ?? {}))
	text = text.replaceAll(`@${k}@`, JSON.stringify(v).slice(1, -1));
const steps = JSON.parse(text);
const gap = Number(process.env.STEP_GAP_MS ?? 300);

mark("begin", "start-up");
const { client, seen } = await connect({ ...opts, stderr: process.env.SERVER_STDERR ?? "ignore" });
mark("end", "start-up");
let failed = 0;

const saved = {};
const fill = (v) =>
	typeof v === "string" && /^@[A-Za-z_][A-Za-z0-9_]*@$/.test(v) && /^\d+$/.test(saved[v.slice(1, -1)] ?? "")
		? Number(saved[v.slice(1, -1)]) /* "@PID@" alone: the number */
		: typeof v === "string"
		? v.replace(/@([A-Za-z_][A-Za-z0-9_]*)@/g, (m, k) => (k in saved ? saved[k] : m))
		: Array.isArray(v)
			? v.map(fill)
			: v && typeof v === "object"
				? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
				: v;

async function run(step) {
	if (step.arguments) step = { ...step, arguments: fill(step.arguments) };
	if (step.wait) await sleep(step.wait);
	if (step.call !== undefined)
		return client.callTool({ name: step.call, arguments: step.arguments ?? {} }, undefined, {
			timeout: step.timeout ?? 60000,
			onprogress: () => {},
		});
	if (step.callTask !== undefined) {
		const stream = client.experimental.tasks.callToolStream(
			{ name: step.callTask, arguments: step.arguments ?? {} },
			CallToolResultSchema,
			{ task: { ttl: 60000 }, timeout: step.timeout ?? 60000 },
		);
		const statuses = [];
		for await (const msg of stream) {
			if (msg.type === "taskStatus") statuses.push(msg.task.status);
			if (msg.type === "error") throw msg.error;
			if (msg.type === "result") return { ...msg.result, statuses };
		}
		throw new Error(`task ${step.callTask} ended without a result`);
	}
	if (step.read !== undefined) return client.readResource({ uri: step.read });
	if (step.list === "tools") return client.listTools();
	if (step.list === "resources") return client.listResources();
	if (step.list === "templates") return client.listResourceTemplates();
	if (step.list === "prompts") return client.listPrompts();
	if (step.prompt !== undefined) return client.getPrompt({ name: step.prompt, arguments: step.arguments ?? {} });
	if (step.complete !== undefined) return client.complete(step.complete);
	if (step.subscribe !== undefined) return client.subscribeResource({ uri: step.subscribe });
	if (step.unsubscribe !== undefined) return client.unsubscribeResource({ uri: step.unsubscribe });
	if (step.logLevel !== undefined) return client.setLoggingLevel(step.logLevel);
	if (step.idle !== undefined) return sleep(step.idle).then(() => ({}));
	throw new Error(`step ${step.label}: nothing to do`);
}

for (const step of steps) {
	await sleep(gap);
	mark("begin", step.label);
	let out;
	try {
		const res = await run(step);
		out = { label: step.label, ok: !res?.isError, result: res };
		for (const [k, re] of Object.entries(step.save ?? {})) {
			const m = JSON.stringify(res).match(new RegExp(re));
			if (m) saved[k] = m[1];
		}
		if (res?.isError) failed++;
	} catch (e) {
		out = { label: step.label, ok: false, error: { code: e.code, message: e.message } };
		failed++;
	}
	mark("end", step.label);
	console.log(JSON.stringify(out));
}
await sleep(gap);
mark("begin", "shutdown");
await client.close();
mark("end", "shutdown");
console.log(JSON.stringify({ seen }));
process.exit(failed ? 1 : 0);
