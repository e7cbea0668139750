#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Drive an MCP server through a scripted session with the official SDK
// client and write what it saw as one JSON transcript, for the end-to-end
// tests: the same script is run against the bare server and against the
// server behind membrane-run, and the two transcripts are compared
// (lib/check.mjs compare).
//   node lib/session.mjs SCRIPT.json --out FILE [--var NAME=VALUE]
//        [--env NAME=VALUE] [--root DIR] [--tasks] -- COMMAND [ARG]...
// The script format is run-script.mjs's (idle steps are skipped: they exist
// for strace attribution), plus:
//   "expect": "error"                the step must fail (JSON-RPC error or
//                                    isError), e.g. a refusal
//   "expectText": S                  its result or error, as JSON, holds S
//   "expectNotification": {"method": M, "match": S, "none": true?}
//                                    a notification M whose JSON holds S
//                                    arrives (or, with none, does not)
//                                    before the step's response
//   {"await": M, "match": S, "since": LABEL}
//                                    wait until a notification M holding S
//                                    has arrived since LABEL's step began
//   {"listChanged": "tools"}         wait until the client has refreshed its
//                                    tool list on notifications/tools/
//                                    list_changed; the result is the names
//   {"cancel": TOOL, "arguments": {...}}
//                                    call TOOL with a progress token, cancel
//                                    it (notifications/cancelled) at its first
//                                    progress notification, wait for its last
//                                    one, then ping: the call must never be
//                                    answered
//   {"rootsChanged": true}           send notifications/roots/list_changed
//                                    and wait for the server's roots/list
//   {"ping": true}
//   {"sleep": MS}                    wait MS milliseconds (a server's own
//                                    rate limit)
// The exit status is 0 when every step did what it was expected to do.
import { readFileSync, writeFileSync } from "node:fs";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, parseArgv } from "./mcp-client.mjs";

const opts = parseArgv(process.argv.slice(2));
const [scriptPath, ...more] = opts.rest;
const outIdx = more.indexOf("--out");
const outPath = outIdx >= 0 ? more[outIdx + 1] : undefined;
if (!scriptPath || !outPath)
	throw new Error("usage: session.mjs SCRIPT.json --out FILE [options] -- COMMAND [ARG]...");
let text = readFileSync(scriptPath, "utf8");
for (const [k, v] of Object.entries(opts.vars ?? {}))
	text = text.replaceAll(`@${k}@`, JSON.stringify(v).slice(1, -1));
const steps = JSON.parse(text).filter((s) => s.idle === undefined);
// The SDK starts the command with a few variables of ours only: pass those
// named in E2E_PASS_ENV too (ASAN_OPTIONS for a sanitizer build of
// membrane-run; membrane itself gives the server its profile's alone).
for (const k of (process.env.E2E_PASS_ENV ?? "").split(/\s+/).filter(Boolean))
	if (process.env[k] !== undefined) (opts.env ??= {})[k] = process.env[k];
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 30000);

// Every message read from the server, in order, and waiters on them.
const received = [];
const sentRequests = [];
const sentNotes = [];
let waiters = [];
const wake = () => {
	waiters = waiters.filter((w) => !w());
};
// Resolves when pred() holds, checked now and after every message read and
// every client-side event; rejects after TIMEOUT.
function until(pred, what) {
	return new Promise((resolve, reject) => {
		if (pred()) return resolve();
		const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT);
		waiters.push(() => {
			if (!pred()) return false;
			clearTimeout(timer);
			resolve();
			return true;
		});
	});
}

const listed = { tools: { refreshes: 0, names: undefined, error: undefined } };
const { client, seen } = await connect({
	...opts,
	stderr: process.env.SERVER_STDERR ?? "ignore",
	listChanged: {
		tools: {
			onChanged: (err, tools) => {
				listed.tools.refreshes++;
				if (err) listed.tools.error = err.message;
				else listed.tools.names = tools.map((t) => t.name).sort();
				wake();
			},
		},
	},
	observe: {
		sent: (m) => {
			if (m.method !== undefined) (m.id !== undefined ? sentRequests : sentNotes).push(m);
		},
		received: (m) => {
			received.push(m);
			// The client's answers to sampling/elicitation/roots are counted
			// in `seen` by handlers that run after this; wake on the next turn.
			setImmediate(wake);
			wake();
		},
	},
});

const notificationsSince = (start, method, match) =>
	received
		.slice(start)
		.filter((m) => m.method === method && m.id === undefined)
		.filter((m) => match === undefined || JSON.stringify(m.params ?? {}).includes(match));

// The progress notifications of the request sent as this step's tools/call,
// read off the wire: the SDK hands a notification to onprogress a microtask
// late, after a response read in the same chunk has already removed the
// handler, so onprogress may miss the last one.
function progressOf(start, name) {
	const req = sentRequests.slice(start.sent).find((m) => m.method === "tools/call" && m.params?.name === name);
	if (!req) return [];
	return received
		.slice(start.received)
		.filter((m) => m.method === "notifications/progress" && m.params?.progressToken === req.params._meta?.progressToken)
		.map((m) => [m.params.progress, m.params.total]);
}

async function call(step, progress, start) {
	const res = await client.callTool({ name: step.call, arguments: step.arguments ?? {} }, undefined, {
		timeout: step.timeout ?? TIMEOUT,
		onprogress: () => {},
	});
	progress.push(...progressOf(start, step.call));
	return res;
}

async function callTask(step) {
	const stream = client.experimental.tasks.callToolStream(
		{ name: step.callTask, arguments: step.arguments ?? {} },
		CallToolResultSchema,
		{ task: { ttl: 60000 }, timeout: step.timeout ?? TIMEOUT },
	);
	let last;
	for await (const msg of stream) {
		if (msg.type === "taskStatus") last = msg.task.status;
		if (msg.type === "error") throw msg.error;
		// The statuses seen while polling depend on timing; the result and
		// the task's final status do not.
		if (msg.type === "result") return { ...msg.result, finalStatus: last };
	}
	throw new Error(`task ${step.callTask} ended without a result`);
}

async function cancel(step, start) {
	const ac = new AbortController();
	const progress = [];
	const pending = client.callTool({ name: step.cancel, arguments: step.arguments ?? {} }, undefined, {
		signal: ac.signal,
		timeout: TIMEOUT,
		onprogress: (p) => {
			progress.push([p.progress, p.total]);
			ac.abort("membrane-e2e: cancelled at the first progress notification");
		},
	});
	const outcome = await pending.then(
		() => "answered",
		(e) => (ac.signal.aborted ? "aborted" : `failed: ${e.message}`),
	);
	const req = sentRequests.slice(start.sent).find((m) => m.method === "tools/call" && m.params?.name === step.cancel);
	const id = req?.id;
	const token = req?.params?._meta?.progressToken;
	// The server goes on with the operation (server-everything's tool does
	// not watch its abort signal) and sends its last progress notification
	// where it would have answered; a ping answered after that shows that no
	// answer was sent (stdout is one ordered stream, relayed in order).
	const last = () =>
		received.slice(start.received).some((m) => m.method === "notifications/progress" &&
			m.params?.progressToken === token && m.params.progress === m.params.total);
	await until(last, `the last progress notification of the cancelled ${step.cancel}`);
	await client.ping();
	const answered = received.slice(start.received).some((m) => m.id === id && m.method === undefined);
	const after = received.slice(start.received).filter((m) => m.method === "notifications/progress" &&
		m.params?.progressToken === token).length - progress.length;
	const cancelledSent = sentNotes.some((m) => m.method === "notifications/cancelled" &&
		m.params?.requestId === id);
	return {
		outcome,
		progressBeforeCancel: progress,
		progressAfterCancel: after > 0,
		cancelledSent,
		answered,
		isError: outcome !== "aborted" || !cancelledSent || answered || after <= 0,
	};
}

async function run(step, progress, start) {
	if (step.call !== undefined) return call(step, progress, start);
	if (step.callTask !== undefined) return callTask(step);
	if (step.cancel !== undefined) return cancel(step, start);
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
	if (step.ping !== undefined) return client.ping();
	if (step.sleep !== undefined) return new Promise((resolve) => setTimeout(() => resolve({}), step.sleep));
	if (step.await !== undefined) {
		const from = begun.get(step.since) ?? start.received;
		await until(() => notificationsSince(from, step.await, step.match).length > 0,
			`${step.await} holding "${step.match ?? ""}"`);
		return {};
	}
	if (step.listChanged === "tools") {
		await until(() => listed.tools.names !== undefined || listed.tools.error, "a tools/list_changed refresh");
		if (listed.tools.error) throw new Error(listed.tools.error);
		return { tools: listed.tools.names };
	}
	if (step.rootsChanged !== undefined) {
		const before = seen.roots;
		await client.sendRootsListChanged();
		await until(() => seen.roots > before, "roots/list after notifications/roots/list_changed");
		return {};
	}
	throw new Error(`step ${step.label}: nothing to do`);
}

const transcript = { server: client.getServerVersion(), capabilities: client.getServerCapabilities(),
	instructions: client.getInstructions(), steps: [], ms: {} };
const begun = new Map();
const called = new Set();
let failed = 0;
for (const step of steps) {
	const start = { received: received.length, sent: sentRequests.length };
	begun.set(step.label, start.received);
	const progress = [];
	const out = { label: step.label };
	const t0 = performance.now();
	try {
		const res = await run(step, progress, start);
		out.ok = !res?.isError;
		out.result = res;
	} catch (e) {
		out.ok = false;
		out.error = { code: e.code, message: e.message };
	}
	if (progress.length) out.progress = progress;
	if (step.expectNotification) {
		const { method, match, none } = step.expectNotification;
		const got = notificationsSince(start.received, method, match).length > 0;
		out.notified = got;
		if (got === !!none) out.ok = false;
	}
	const holds = step.expectText === undefined ||
		JSON.stringify(out.result ?? out.error ?? null).includes(step.expectText);
	const tool = step.call ?? step.callTask ?? step.cancel;
	if (tool !== undefined && (out.ok || step.cancel !== undefined)) called.add(tool);
	out.ok = (step.expect === "error" ? !out.ok : out.ok) && holds;
	if (step.expect) out.expect = step.expect;
	if (!out.ok) failed++;
	transcript.steps.push(out);
	// How long each step took: for a person reading the transcript, never
	// compared.
	transcript.ms[step.label] = Math.round(performance.now() - t0);
}
transcript.tools = listed.tools;
transcript.called = [...called].sort();
transcript.seen = { ...seen };
transcript.notifications = {};
for (const m of received)
	if (m.method !== undefined && m.id === undefined)
		transcript.notifications[m.method] = (transcript.notifications[m.method] ?? 0) + 1;
transcript.failed = failed;
writeFileSync(outPath, JSON.stringify(transcript, null, 1) + "\n");
const t0 = performance.now();
await client.close();
transcript.ms.close = Math.round(performance.now() - t0);
writeFileSync(outPath, JSON.stringify(transcript, null, 1) + "\n");
process.exit(failed ? 1 : 0);
