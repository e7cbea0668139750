// SPDX-License-Identifier: Apache-2.0
// Name resolution inside a sandbox with network brokered, for
// tests/broker/kernel-dns.sh; prints one line per case on stderr (stdout
// is the MCP channel membrane-run inspects):
//   resolver ADDRESSES|ERRORCODE   c-ares (dns.Resolver) asking the
//                                  nameserver given on the command line
//   lookup-unspec ...              getaddrinfo("localhost"), AF_UNSPEC,
//                                  AI_ADDRCONFIG
//   lookup-v4 ...                  the same with AF_INET
import dns from "node:dns";

const [server] = process.argv.slice(2);
const say = (k, v) => process.stderr.write(`${k} ${v}\n`);
const r = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
r.setServers([server]);
try {
	say("resolver", (await r.resolve4("db.membrane.test")).join(","));
} catch (e) {
	say("resolver", e.code);
}
for (const [k, family] of [["lookup-unspec", 0], ["lookup-v4", 4]]) {
	try {
		const a = await dns.promises.lookup("localhost", { family, hints: dns.ADDRCONFIG });
		say(k, a.address);
	} catch (e) {
		say(k, e.code);
	}
}
