#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Compare the answers of two run-script.mjs sessions, each step of the
// second with the step of the same label in the first, after normalising
// what differs from one run of a server to the next whatever the sandbox:
// wall-clock times, durations, process ids, random session ids. A
// tools/list under a profile lists only the tools it declares (membrane's
// own answer): each it lists must be as the first session saw it. Prints
// one line per step that differs and exits 1 if any does.
//   node answers.mjs FIRST.out SECOND.out
import { readFileSync } from "node:fs";

const steps = (f) =>
	readFileSync(f, "utf8")
		.split("\n")
		.filter((l) => l.startsWith("{") && l.includes('"label"'))
		.map((l) => JSON.parse(l));

const norm = (s) =>
	s
		.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, "<time>")
		.replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d+ \d+ [\d:]+ GMT[+-]\d+( \([^)]*\))?/g, "<date>")
		.replace(/\b\d+(\.\d+)?\s?ms\b/g, "<ms>")
		.replace(/\b(runtime|Runtime|took|in): \d+(\.\d+)?s\b/g, "$1: <s>")
		.replace(/"(durationMs|duration|elapsed|executionTime|timestamp|time)":\s?[\d.]+/g, '"$1":<n>')
		.replace(/\b(PID|pid)(:)?\s?\d+/g, "$1$2 <pid>")
		.replace(/search_\d+_\d+/g, "<search>")
		.replace(/\\"pid\\":\d+/g, '\\"pid\\":<pid>')
		.replace(/"pid":\d+/g, '"pid":<pid>');

const a = steps(process.argv[2]), b = steps(process.argv[3]);
const used = new Set();
let bad = 0;
for (const y of b) {
	const i = a.findIndex((x, k) => !used.has(k) && x.label === y.label);
	if (i < 0) {
		console.log(`${y.label}: not in the first session`);
		bad++;
		continue;
	}
	used.add(i);
	const x = structuredClone(a[i]);
	const ta = x.result?.tools, tb = y.result?.tools;
	if (Array.isArray(ta) && Array.isArray(tb)) {
		const names = new Set(tb.map((t) => t.name));
		const hidden = ta.filter((t) => !names.has(t.name)).map((t) => t.name);
		if (hidden.length) console.log(`# ${x.label}: hidden by the profile: ${hidden.join(", ")}`);
		x.result.tools = ta.filter((t) => names.has(t.name));
	}
	const p = norm(JSON.stringify(x)), q = norm(JSON.stringify(y));
	if (p !== q) {
		let k = 0;
		while (k < p.length && p[k] === q[k]) k++;
		console.log(`${y.label}: differs at ${k}: ${p.slice(Math.max(0, k - 60), k + 80)} | ${q.slice(Math.max(0, k - 60), k + 80)}`);
		bad++;
	}
}
process.exit(bad ? 1 : 0);
