#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Secrets planted in files that server-filesystem reads (tests/e2e/
// e2e-secrets.sh), and what the client gets back bare and through
// membrane-run:
//   node lib/secrets.mjs plant MANIFEST DIR      write each file of the manifest
//   node lib/secrets.mjs read MANIFEST DIR OUT [--env NAME=VALUE]... -- COMMAND...
//        read_text_file of each file, every result (or error) into OUT
//   node lib/secrets.mjs check MANIFEST BARE REDACT REFUSE
//        REDACT: each result is BARE's with each planted secret, in text and
//        in structuredContent, replaced by "[membrane: redacted KIND]" and
//        nothing else changed; REFUSE: a file with secrets gets isError
//        naming their kinds, one without gets BARE's result. Prints one
//        "ok DESCRIPTION" or "not ok DESCRIPTION: WHY" per check.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, parseArgv } from "./mcp-client.mjs";

const [cmd, manifestPath, ...rest] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));

if (cmd === "plant") {
	for (const [name, f] of Object.entries(manifest)) writeFileSync(join(rest[0], name), f.text);
} else if (cmd === "read") {
	const [dir, out] = rest;
	const opts = parseArgv(rest.slice(2));
	const { client } = await connect({ ...opts, stderr: "ignore" });
	const results = {};
	for (const name of Object.keys(manifest)) {
		try {
			results[name] = await client.callTool({ name: "read_text_file", arguments: { path: join(dir, name) } });
		} catch (e) {
			results[name] = { rpcError: { code: e.code, message: e.message } };
		}
	}
	await client.close();
	writeFileSync(out, JSON.stringify(results, null, 1));
} else if (cmd === "check") {
	const [barePath, redactPath, refusePath] = rest;
	const [bare, redact, refuse] = [barePath, redactPath, refusePath].map((p) => JSON.parse(readFileSync(p, "utf8")));
	const say = (good, what, why) => console.log(good ? `ok ${what}` : `not ok ${what}: ${why}`);
	const redacted = (text, secrets) => {
		let out = "", at = 0;
		for (const [s, kind] of secrets) {
			const i = text.indexOf(s, at);
			if (i < 0) return null;
			out += text.slice(at, i) + `[membrane: redacted ${kind}]`;
			at = i + s.length;
		}
		return out + text.slice(at);
	};
	for (const [name, f] of Object.entries(manifest)) {
		const b = bare[name], r = redact[name], x = refuse[name];
		const text = b?.content?.[0]?.text;
		say(text === f.text && !b.isError, `${name}: bare, the server returns the file as it is`, JSON.stringify(b).slice(0, 200));
		// The expected answer: bare's, with each secret replaced where it
		// appears (content text and structuredContent alike).
		const want = JSON.parse(JSON.stringify(b));
		if (want?.content?.[0]) want.content[0].text = redacted(text, f.secrets);
		if (want?.structuredContent?.content !== undefined)
			want.structuredContent.content = redacted(b.structuredContent.content, f.secrets);
		const kinds = [...new Set(f.secrets.map(([, k]) => k))];
		say(JSON.stringify(r) === JSON.stringify(want),
			`${name}: redact, ${kinds.length ? kinds.join(", ") + " replaced by markers" : "unchanged"}; the rest identical to bare${b?.structuredContent ? " (structuredContent too)" : ""}`,
			`got ${JSON.stringify(r).slice(0, 400)}\nwant ${JSON.stringify(want).slice(0, 400)}`);
		if (!kinds.length) {
			say(JSON.stringify(x) === JSON.stringify(b), `${name}: refuse, no secret, the answer identical to bare`, JSON.stringify(x).slice(0, 300));
			continue;
		}
		const msg = x?.content?.[0]?.text ?? "";
		const named = kinds.every((k) => msg.includes(k));
		const leaked = f.secrets.some(([s]) => JSON.stringify(x).includes(JSON.stringify(s).slice(1, -1)));
		say(x?.isError === true && named && !leaked && !x.structuredContent,
			`${name}: refuse, an isError result naming ${kinds.join(", ")}, nothing of the file`, JSON.stringify(x).slice(0, 300));
	}
} else {
	throw new Error("usage: secrets.mjs plant|read|check ...");
}
