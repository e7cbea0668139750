// SPDX-License-Identifier: Apache-2.0
// One client, one server-postgres, N query round trips: the client side of
// bench/db-roundtrip.sh. The SDK client (tests/e2e/lib/mcp-client.mjs)
// starts COMMAND, makes the first query (which opens the database
// connection: through the broker when COMMAND is membrane-run), then times
// each of N more, one at a time. Prints one JSON object: the first query's
// time and every later one's, in microseconds.
//
//   node db-roundtrip.mjs N -- COMMAND...
import { connect } from "../tests/e2e/lib/mcp-client.mjs";

const argv = process.argv.slice(2);
const n = Number(argv[0]);
const [command, ...args] = argv.slice(argv.indexOf("--") + 1);
const { client } = await connect({ command, args, stderr: "inherit", sampling: false, elicitation: false });
const sql = { name: "query", arguments: { sql: "SELECT id, name FROM customers WHERE id = 1" } };
const us = () => Number(process.hrtime.bigint() / 1000n);
let t = us();
const first = await client.callTool(sql);
const firstUs = us() - t;
if (first.isError) throw new Error(JSON.stringify(first));
const times = [];
for (let i = 0; i < n; i++) {
	t = us();
	await client.callTool(sql);
	times.push(us() - t);
}
await client.close();
process.stdout.write(JSON.stringify({ first: firstUs, times }) + "\n");
