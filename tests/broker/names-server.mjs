// SPDX-License-Identifier: Apache-2.0
// A small MCP server for tests/broker/kernel-names.sh: each tool is one
// thing a server does with names, and answers what it saw as text. The
// profile (names.yml) grants names per tool. Newline-delimited JSON-RPC
// on stdio; nothing of the MCP SDK, so that it needs only node.
//   lookup  {name, family}      dns.lookup, every address: "a,b" or the code
//   connect {host, port}        net.connect (a name is looked up first)
//   fetch   {url}               fetch(): "STATUS body" or the cause's code
//   query   {name, type, tcp, hex, server}
//                               one DNS message of our own to the sandbox's
//                               nameserver (from /etc/resolv.conf), or to
//                               server, port 53: "RCODE answers=N
//                               types=...", "no answer" or the error's
//                               code; hex sends those bytes instead
import dgram from "node:dgram";
import dns from "node:dns";
import fs from "node:fs";
import net from "node:net";
import readline from "node:readline";

const ns = (() => {
	try {
		const m = fs.readFileSync("/etc/resolv.conf", "utf8").match(/^nameserver\s+(\S+)/m);
		return m ? m[1] : "127.0.0.1";
	} catch (e) {
		return `(${e.code})`;
	}
})();

const TYPES = { A: 1, CNAME: 5, TXT: 16, AAAA: 28, HTTPS: 65 };
const NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

function message(name, type) {
	const labels = name.split(".").filter(Boolean).map(l => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
	const head = Buffer.from([0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
	const tail = Buffer.from([0, 0, TYPES[type] ?? +type, 0, 1]);
	tail.writeUInt16BE(TYPES[type] ?? +type, 1);
	return Buffer.concat([head, ...labels, tail]);
}

function parse(buf) {
	if (buf.length < 12) return "short answer";
	const rcode = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"][buf[3] & 15];
	const an = buf.readUInt16BE(6);
	let i = 12;
	if (buf.readUInt16BE(4)) {
		while (i < buf.length && buf[i]) i += buf[i] + 1;
		i += 5;
	}
	const types = [];
	for (let k = 0; k < an && i + 12 <= buf.length; k++) {
		i += (buf[i] & 0xc0) === 0xc0 ? 2 : 0;
		const t = buf.readUInt16BE(i), len = buf.readUInt16BE(i + 8);
		types.push(NAMES[t] ?? t);
		i += 10 + len;
	}
	return `${rcode} answers=${an} types=${types.join(",")}`;
}

function query({ name, type = "A", tcp = false, hex, server = ns }) {
	const msg = hex ? Buffer.from(hex, "hex") : message(name, type);
	return new Promise(resolve => {
		const done = v => { clearTimeout(timer); resolve(v); };
		const timer = setTimeout(() => { try { s.destroy?.(); s.close?.(); } catch {} resolve("no answer"); }, 3000);
		let s;
		if (tcp) {
			s = net.connect({ host: server, port: 53 }, () => {
				const len = Buffer.alloc(2);
				len.writeUInt16BE(msg.length);
				s.write(Buffer.concat([len, msg]));
			});
			let got = Buffer.alloc(0);
			s.on("data", d => {
				got = Buffer.concat([got, d]);
				if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
					s.destroy();
					done(parse(got.subarray(2)));
				}
			});
			s.on("error", e => done(e.code));
		} else {
			s = dgram.createSocket("udp4");
			s.on("message", m => { s.close(); done(parse(m)); });
			s.on("error", e => done(e.code));
			// The callback sees what sendto answered (without one, node
			// drops a send's error).
			s.send(msg, 53, server, e => { if (e) { s.close(); done(e.code); } });
		}
	});
}

const tools = {
	async lookup({ name, family = 0 }) {
		try {
			return (await dns.promises.lookup(name, { all: true, family })).map(a => a.address).join(",");
		} catch (e) {
			return e.code;
		}
	},
	connect({ host, port }) {
		return new Promise(resolve => {
			const s = net.connect({ host, port });
			s.on("connect", () => { s.destroy(); resolve("connected"); });
			s.on("error", e => resolve(e.code));
		});
	},
	async fetch({ url }) {
		try {
			const r = await fetch(url);
			return `${r.status} ${(await r.text()).slice(0, 200)}`;
		} catch (e) {
			return e.cause?.code ?? e.cause?.message ?? e.message;
		}
	},
	query,
};

const out = m => process.stdout.write(JSON.stringify(m) + "\n");
readline.createInterface({ input: process.stdin }).on("line", async line => {
	const m = JSON.parse(line);
	if (m.id === undefined) return;
	if (m.method === "initialize")
		return out({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "names", version: "1" } } });
	if (m.method === "tools/list")
		return out({ jsonrpc: "2.0", id: m.id, result: { tools: Object.keys(tools).concat(["plain"]).map(name => ({ name, inputSchema: { type: "object" } })) } });
	if (m.method === "tools/call") {
		const { name, arguments: args } = m.params;
		// "plain" does what its argument "do" names, under its own grants.
		const fn = tools[name === "plain" ? args.do : name];
		const text = String(await fn(args));
		return out({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text }] } });
	}
	out({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "no such method" } });
});
