#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// A small HTTP server on 127.0.0.1 for the tests that make a server fetch:
//   node lib/serve.mjs LOG
// Listens on a free port and prints it (one line) once listening; answers
// every GET with a fixed text body and appends "METHOD PATH" to LOG; exits
// on SIGTERM.
import { createServer } from "node:http";
import { appendFileSync } from "node:fs";

const log = process.argv[2];
const body = "membrane e2e: fetched through the sandbox\n";
const server = createServer((req, res) => {
	appendFileSync(log, `${req.method} ${req.url}\n`);
	res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
	res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.on("SIGTERM", stop);
