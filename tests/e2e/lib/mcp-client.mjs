// SPDX-License-Identifier: Apache-2.0
// A scripted MCP client for membrane's end-to-end tests: the official SDK's
// Client over StdioClientTransport, with handlers that answer the requests a
// server may send back (sampling, elicitation, roots), so that every tool of
// server-everything can be driven without a person.
//
// It speaks to whatever command it is given: the bare server, or the same
// server behind membrane-run. Nothing here knows about membrane.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
	CreateMessageRequestSchema,
	ElicitRequestSchema,
	ListRootsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js";

// Fill an elicitation form from the defaults its schema declares, or with a
// plausible value of the declared type: the answer a user who accepts the
// suggested values would give.
function answerForm(schema) {
	const content = {};
	for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
		if (prop.default !== undefined) content[key] = prop.default;
		else if (Array.isArray(prop.enum) && prop.enum.length) content[key] = prop.enum[0];
		else if (Array.isArray(prop.oneOf) && prop.oneOf.length) content[key] = prop.oneOf[0].const;
		else if (prop.type === "array") {
			const items = prop.items ?? {};
			const first = items.enum?.[0] ?? items.anyOf?.[0]?.const ?? items.oneOf?.[0]?.const;
			content[key] = first !== undefined ? [first] : [];
		} else if (prop.type === "boolean") content[key] = true;
		else if (prop.type === "number" || prop.type === "integer")
			content[key] = prop.minimum ?? 1;
		else if (prop.format === "email") content[key] = "user@example.org";
		else if (prop.format === "uri") content[key] = "https://example.org/";
		else if (prop.format === "date") content[key] = "2026-01-01";
		else if (prop.format === "date-time") content[key] = "2026-01-01T00:00:00Z";
		else content[key] = "membrane-e2e";
	}
	return content;
}

// Options:
//   command, args, env (added to the SDK's default environment), cwd
//   roots: array of {uri, name}; when given, the client declares the roots
//          capability and answers roots/list with it
//   sampling, elicitation: declare and answer them (default true)
//   tasks: declare task-augmented sampling and elicitation (the SDK's
//          experimental tasks API; server-everything's *-async tools need it)
//   stderr: "inherit" | "pipe" | "ignore" (default "inherit")
//   url, headers: speak Streamable HTTP to url (membrane-run --listen)
//          instead of starting command; headers go on every request
//   listChanged: the SDK Client's listChanged option (refresh a list on
//          notifications/*/list_changed)
//   observe: {sent(msg), received(msg)}, called with every JSON-RPC message
//          the transport writes or reads (from initialize on): what a test
//          needs to see beneath the SDK (request ids, late responses,
//          notifications the SDK drops)
export async function connect(opts) {
	const capabilities = {};
	if (opts.sampling !== false) capabilities.sampling = {};
	if (opts.elicitation !== false) capabilities.elicitation = { form: {}, url: {} };
	if (opts.roots) capabilities.roots = { listChanged: true };
	const clientOpts = { capabilities };
	if (opts.tasks) {
		capabilities.tasks = { requests: {} };
		if (capabilities.sampling) capabilities.tasks.requests.sampling = { createMessage: {} };
		if (capabilities.elicitation) capabilities.tasks.requests.elicitation = { create: {} };
		clientOpts.taskStore = new InMemoryTaskStore();
	}
	if (opts.listChanged) clientOpts.listChanged = opts.listChanged;

	const client = new Client({ name: "membrane-e2e", version: "1.0.0" }, clientOpts);
	// A request that asked for a task gets the answer stored as a completed
	// task, which the server then fetches with tasks/result.
	const reply = async (req, extra, result) => {
		if (req.params.task && extra.taskStore) {
			const task = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl });
			await extra.taskStore.storeTaskResult(task.taskId, "completed", result);
			return { task };
		}
		return result;
	};
	const seen = { sampling: 0, elicitation: 0, roots: 0 };

	if (capabilities.sampling)
		client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
			seen.sampling++;
			const last = req.params.messages.at(-1);
			const text = last?.content?.type === "text" ? last.content.text : "";
			return reply(req, extra, {
				model: "membrane-e2e-model",
				role: "assistant",
				stopReason: "endTurn",
				content: { type: "text", text: `sampled: ${text.slice(0, 80)}` },
			});
		});
	if (capabilities.elicitation)
		client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
			seen.elicitation++;
			if (req.params.mode === "url") return reply(req, extra, { action: "accept" });
			return reply(req, extra, { action: "accept", content: answerForm(req.params.requestedSchema) });
		});
	if (opts.roots)
		client.setRequestHandler(ListRootsRequestSchema, async () => {
			seen.roots++;
			return { roots: opts.roots };
		});

	const transport = opts.url
		? new StreamableHTTPClientTransport(new URL(opts.url), { requestInit: { headers: opts.headers ?? {} } })
		: new StdioClientTransport({
				command: opts.command,
				args: opts.args ?? [],
				env: opts.env ? { ...defaultEnv(), ...opts.env } : undefined,
				cwd: opts.cwd,
				stderr: opts.stderr ?? "inherit",
			});
	// Over HTTP, close() leaves the session to the server's idle timeout:
	// end it the way a client that is done does (DELETE).
	if (opts.url) {
		const close = client.close.bind(client);
		client.close = async () => {
			await transport.terminateSession().catch(() => {});
			return close();
		};
	}
	if (opts.observe) observe(transport, opts.observe);
	await client.connect(transport);
	return { client, transport, seen };
}

// Protocol.connect() replaces transport.onmessage with its own handler; an
// accessor on the instance keeps ours in front of whatever it installs.
function observe(transport, { sent, received }) {
	const send = transport.send.bind(transport);
	transport.send = async (msg, o) => {
		sent?.(msg);
		return send(msg, o);
	};
	let inner;
	Object.defineProperty(transport, "onmessage", {
		configurable: true,
		get: () =>
			inner &&
			((msg, extra) => {
				received?.(msg);
				inner(msg, extra);
			}),
		set: (f) => {
			inner = f;
		},
	});
}

function defaultEnv() {
	const env = {};
	for (const k of ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"])
		if (process.env[k] !== undefined) env[k] = process.env[k];
	return env;
}

// Everything a server says about itself: what the profile author needs.
export async function describe(client) {
	const caps = client.getServerCapabilities() ?? {};
	const out = {
		server: client.getServerVersion(),
		capabilities: caps,
		tools: [],
		resources: [],
		resourceTemplates: [],
		prompts: [],
	};
	if (caps.tools) out.tools = (await client.listTools()).tools;
	if (caps.resources) {
		out.resources = (await client.listResources()).resources;
		// Servers built on the low-level Server class (server-postgres) answer
		// resources/templates/list with "method not found".
		try {
			out.resourceTemplates = (await client.listResourceTemplates()).resourceTemplates;
		} catch (e) {
			if (e.code !== -32601) throw e;
		}
	}
	if (caps.prompts) out.prompts = (await client.listPrompts()).prompts;
	return out;
}

// Split "-- COMMAND ARG..." and the options before it off a script's argv:
// --env NAME=VALUE (server environment), --root DIR (answer roots/list),
// --tasks, --no-sampling, --no-elicitation, --var NAME=VALUE (for scripts),
// --url URL and --header NAME:VALUE (Streamable HTTP; then no COMMAND).
export function parseArgv(argv) {
	const opts = { env: undefined, roots: undefined, rest: [] };
	let i = 0;
	for (; i < argv.length && argv[i] !== "--"; i++) {
		if (argv[i] === "--env") {
			const [k, ...v] = argv[++i].split("=");
			(opts.env ??= {})[k] = v.join("=");
		} else if (argv[i] === "--root") {
			(opts.roots ??= []).push({ uri: `file://${argv[++i]}`, name: argv[i] });
		} else if (argv[i] === "--no-sampling") opts.sampling = false;
		else if (argv[i] === "--no-elicitation") opts.elicitation = false;
		else if (argv[i] === "--tasks") opts.tasks = true;
		else if (argv[i] === "--url") opts.url = argv[++i];
		else if (argv[i] === "--header") {
			const [k, ...v] = argv[++i].split(":");
			(opts.headers ??= {})[k] = v.join(":").trim();
		}
		else if (argv[i] === "--var") {
			const [k, ...v] = argv[++i].split("=");
			(opts.vars ??= {})[k] = v.join("=");
		}
		else opts.rest.push(argv[i]);
	}
	const cmd = argv.slice(i + 1);
	if (opts.url) return opts;
	if (cmd.length === 0) throw new Error("usage: ... [--env NAME=VALUE] [--root DIR] -- COMMAND [ARG]...");
	opts.command = cmd[0];
	opts.args = cmd.slice(1);
	return opts;
}
