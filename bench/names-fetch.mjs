// SPDX-License-Identifier: Apache-2.0
// The first HTTPS request of a Node process, for bench/names.sh: fetch(URL)
// once, timed from before the call to the end of the body (the name's
// lookup, the connect, TLS, the request), in milliseconds on stderr.
const t0 = performance.now();
const r = await fetch(process.argv[2]);
await r.text();
// stderr: under membrane-run stdout is the MCP channel.
console.error((performance.now() - t0).toFixed(2), r.status);
