// SPDX-License-Identifier: Apache-2.0
// The web APIs of tests/e2e/e2e-names.sh, over HTTPS with a test CA: one
// server on each ADDR:443 given, one certificate for every name, each
// request logged as "HOST METHOD PATH" (the query left out). What each
// name serves:
//   api.search.brave.com  /res/v1/web/search: two results; with
//                         result_filter=locations, no location, after
//                         1.1 s (server-brave-search allows one request a
//                         second, and then asks the web search)
//   slack.com             /api/*: what each Slack method answers, ok: true
//   docs.membrane.test    /page.html, /page.json
//     node https-world.mjs KEY CERT LOG READYFILE ADDR...
import fs from "node:fs";
import https from "node:https";

const [key, cert, log, ready, ...addrs] = process.argv.slice(2);
const say = (line) => fs.appendFileSync(log, line + "\n");

const slack = {
	"conversations.list": { channels: [{ id: "C1", name: "general", is_archived: false }], response_metadata: { next_cursor: "" } },
	"conversations.info": { channel: { id: "C1", name: "general", is_archived: false } },
	"chat.postMessage": { channel: "C1", ts: "1700000000.000100", message: { text: "hello" } },
	"reactions.add": {},
	"conversations.history": { messages: [{ ts: "1700000000.000100", text: "hello", user: "U1" }] },
	"conversations.replies": { messages: [{ ts: "1700000000.000200", text: "reply", user: "U1" }] },
	"users.list": { members: [{ id: "U1", name: "ada" }], response_metadata: { next_cursor: "" } },
	"users.profile.get": { profile: { real_name: "Ada", display_name: "ada" } },
};

function route(host, url, res) {
	const json = (code, body) => {
		res.writeHead(code, { "Content-Type": "application/json" });
		res.end(JSON.stringify(body));
	};
	if (host === "api.search.brave.com" && url.pathname === "/res/v1/web/search") {
		if (url.searchParams.get("result_filter") === "locations")
			return setTimeout(() => json(200, { locations: { results: [] } }), 1100);
		const q = url.searchParams.get("q");
		return json(200, { web: { results: [
			{ title: `First about ${q}`, description: "one", url: "https://one.example/" },
			{ title: `Second about ${q}`, description: "two", url: "https://two.example/" },
		] } });
	}
	if (host === "slack.com" && url.pathname.startsWith("/api/")) {
		const body = slack[url.pathname.slice(5)];
		return body ? json(200, { ok: true, ...body }) : json(404, { ok: false, error: "unknown_method" });
	}
	if (host === "docs.membrane.test" && url.pathname === "/page.html") {
		res.writeHead(200, { "Content-Type": "text/html" });
		return res.end("<html><head><title>Docs</title><style>p{}</style></head><body><h1>Docs</h1><p>Plain <b>words</b>.</p></body></html>");
	}
	if (host === "docs.membrane.test" && url.pathname === "/page.json")
		return json(200, { docs: true, items: [1, 2, 3] });
	res.writeHead(404, { "Content-Type": "text/plain" });
	res.end("not here\n");
}

let listening = 0;
for (const addr of addrs) {
	https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
		const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
		const url = new URL(req.url, `https://${host}`);
		say(`${host} ${req.method} ${url.pathname}`);
		req.resume();
		req.on("end", () => route(host, url, res));
	}).listen(443, addr, () => {
		if (++listening === addrs.length) fs.writeFileSync(ready, "");
	});
}
