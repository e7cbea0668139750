#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Questions the end-to-end tests ask of session transcripts (lib/session.mjs)
// and of membrane's report files, one per subcommand; each prints what it
// found and exits 0 when the answer is yes.
//   check.mjs steps T.json           every step did what it was expected to
//   check.mjs coverage T.json        every tool the server lists was called
//                                    (and succeeded) at least once
//   check.mjs compare A.json B.json  the same session, once normalised
//   check.mjs normalise T.json       print the normalised transcript
//   check.mjs report R.jsonl EVENT...  the report's events are exactly these,
//                                    in this order; EVENT:TOOL also names
//                                    the tool of the request it is about
//                                    (call records and checkpoints aside:
//                                    check them with calls)
//   check.mjs calls SCRIPT R.jsonl [NAME=VALUE...]
//                                    one call line per tools/call of the
//                                    script, in its order: the same tool and
//                                    arguments, outcome result (tool_error or
//                                    rpc_error for a step expected to fail),
//                                    bytes both ways, and the client's name
//   check.mjs get FILE PATH          print a value of a JSON file (a.b.0.c)
//
// What normalise() hides, and why (tests/e2e/README.md says it too):
//   - wall-clock times the servers print: ISO 8601 stamps, Date#toString()
//     (get_file_info), toLocaleTimeString() (server-everything's dynamic
//     resources, also inside base64 blobs);
//   - random identifiers: UUIDs (elicitation ids), 32-hex task ids and
//     temporary names;
//   - server-initiated notifications that come from timers are not part of
//     a step's result and are not compared (lib/session.mjs keeps only
//     their count, which is left out here).
// Nothing else: paths, environment, sizes, contents, errors and progress
// must be the same bare and through membrane-run.
import { readFileSync } from "node:fs";

const readJson = (p) => JSON.parse(readFileSync(p, "utf8"));

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const PATTERNS = [
	[new RegExp(`${DAY} ${MONTH} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\([^)]*\\)`, "g"), "<date>"],
	[/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g, "<iso-time>"],
	[/\b\d{1,2}:\d{2}:\d{2}\s?(?:AM|PM)\b/g, "<time>"],
	[/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
	[/\b[0-9a-f]{32}\b/g, "<hex32>"],
];

function normaliseString(s) {
	for (const [re, to] of PATTERNS) s = s.replace(re, to);
	return s;
}

// A base64 blob whose bytes are text is compared as its normalised text
// (server-everything's dynamic blob embeds the time it was made).
function normaliseBlob(b) {
	const bytes = Buffer.from(b, "base64");
	if (bytes.toString("base64") !== b) return b;
	const text = bytes.toString("utf8");
	if (Buffer.from(text, "utf8").equals(bytes) && !/[\x00-\x08\x0e-\x1f]/.test(text))
		return `<base64 of: ${normaliseString(text)}>`;
	return b;
}

export function normalise(v, key) {
	if (typeof v === "string") return key === "blob" ? normaliseBlob(v) : normaliseString(v);
	if (Array.isArray(v)) return v.map((x) => normalise(x));
	if (v && typeof v === "object") {
		const out = {};
		for (const k of Object.keys(v).sort()) out[k] = normalise(v[k], k);
		return out;
	}
	return v;
}

// The parts of a transcript that must not depend on membrane.
function comparable(t) {
	return normalise({
		server: t.server,
		capabilities: t.capabilities,
		instructions: t.instructions,
		steps: t.steps,
		tools: t.tools?.names,
		called: t.called,
		// roots/list is asked by a timer too (server-everything, 350 ms after
		// initialize) and may race with get-roots-list: only sampling and
		// elicitation are counted exactly.
		seen: { sampling: t.seen?.sampling, elicitation: t.seen?.elicitation, roots: (t.seen?.roots ?? 0) > 0 },
	});
}

// Paths where a and b differ, with both values (shortened).
function differences(a, b, path = "", out = []) {
	if (out.length >= 20) return out;
	if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null ||
	    typeof a !== "object") {
		if (JSON.stringify(a) !== JSON.stringify(b))
			out.push(`${path || "."}: ${JSON.stringify(a)?.slice(0, 200)} <> ${JSON.stringify(b)?.slice(0, 200)}`);
		return out;
	}
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	for (const k of keys) differences(a[k], b[k], `${path}/${k}`, out);
	return out;
}

function label(t, path) {
	const m = /^\/steps\/(\d+)/.exec(path);
	return m ? ` [${t.steps[m[1]]?.label}]` : "";
}

// A call line's arguments against the script's: the profile's redact list
// writes "***" for a value, and a long value is cut and marked.
function sameArguments(got, want) {
	const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
	for (const k of keys) {
		const g = got[k], w = want[k];
		if (g === "***" || (typeof g === "string" && g.includes("...[cut:"))) continue;
		if (JSON.stringify(normalise(g)) !== JSON.stringify(normalise(w))) return false;
	}
	return true;
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
case "steps": {
	const t = readJson(args[0]);
	const bad = t.steps.filter((s) => !s.ok);
	for (const s of bad)
		console.log(`${s.label}: ${JSON.stringify(s.error ?? s.result ?? s).slice(0, 300)}`);
	console.log(`${t.steps.length - bad.length}/${t.steps.length}`);
	process.exit(bad.length ? 1 : 0);
}
case "coverage": {
	const t = readJson(args[0]);
	const listed = t.tools?.names ??
		t.steps.find((s) => s.label === "tools/list")?.result?.tools?.map((x) => x.name) ?? [];
	const missing = listed.filter((n) => !t.called.includes(n));
	if (missing.length) console.log(`never called: ${missing.join(" ")}`);
	console.log(`${listed.length - missing.length}/${listed.length}`);
	process.exit(listed.length && !missing.length ? 0 : 1);
}
case "compare": {
	const [a, b] = args.map(readJson);
	const d = differences(comparable(a), comparable(b));
	for (const line of d) console.log(line.replace(/^(\S+):/, (m, p) => `${p}${label(a, p)}:`));
	process.exit(d.length ? 1 : 0);
}
case "normalise":
	console.log(JSON.stringify(comparable(readJson(args[0])), null, 1));
	break;
case "report": {
	const lines = readFileSync(args[0], "utf8").split("\n").filter((l) => l !== "");
	const events = lines.map((l) => JSON.parse(l))
		.filter((r) => r.event !== "call" && r.event !== "checkpoint")
		.map((r) => (r.request?.tool !== undefined ? `${r.event}:${r.request.tool}` : r.event));
	const want = args.slice(1);
	const same = events.length === want.length &&
		want.every((w, i) => w === events[i] || (!w.includes(":") && events[i].split(":")[0] === w));
	console.log(events.join(" "));
	for (const l of lines) {
		const r = JSON.parse(l);
		if (!["start", "exit", "call", "checkpoint"].includes(r.event)) console.log(l.slice(0, 400));
	}
	process.exit(same ? 0 : 1);
}
case "calls": {
	const [script, report, ...vars] = args;
	let text = readFileSync(script, "utf8");
	for (const v of vars) {
		const i = v.indexOf("=");
		text = text.replaceAll(`@${v.slice(0, i)}@`, JSON.stringify(v.slice(i + 1)).slice(1, -1));
	}
	const steps = JSON.parse(text).filter((s) => s.call !== undefined);
	const calls = readFileSync(report, "utf8").split("\n").filter((l) => l !== "")
		.map((l) => JSON.parse(l)).filter((r) => r.event === "call" && r.request?.method === "tools/call");
	const bad = [];
	if (calls.length !== steps.length) bad.push(`${calls.length} call lines for ${steps.length} calls`);
	steps.forEach((s, i) => {
		const c = calls[i];
		if (!c) return;
		const want = s.expect === "error" ? ["tool_error", "rpc_error"] : ["result"];
		if (c.request.tool !== s.call) bad.push(`${s.label}: tool ${c.request.tool}`);
		else if (!sameArguments(c.request.arguments ?? {}, s.arguments ?? {}))
			bad.push(`${s.label}: arguments ${JSON.stringify(c.request.arguments)}`);
		if (!want.includes(c.outcome)) bad.push(`${s.label}: outcome ${c.outcome}`);
		if (!(c.bytes_in > 0 && c.bytes_out > 0 && c.duration_ms >= 0 && typeof c.client === "string" && c.client))
			bad.push(`${s.label}: bytes ${c.bytes_in}/${c.bytes_out}, duration ${c.duration_ms}, client ${c.client}`);
		for (const op of ["read", "write", "exec", "connect"])
			if (typeof c.did?.[op]?.count !== "number" || !Array.isArray(c.did[op].targets))
				bad.push(`${s.label}: did.${op} is not {count, targets}`);
	});
	for (const b of bad) console.log(b);
	console.log(`${steps.length - bad.length}/${steps.length}`);
	process.exit(bad.length ? 1 : 0);
}
case "get": {
	let v = readJson(args[0]);
	for (const k of args[1].split(".")) v = v?.[k];
	console.log(typeof v === "string" ? v : JSON.stringify(v));
	break;
}
default:
	console.error("usage: check.mjs steps|coverage|compare|normalise|report|get ...");
	process.exit(2);
}
