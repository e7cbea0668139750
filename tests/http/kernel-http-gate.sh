#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The front door of membrane-run --listen with a real listener and the
# fixture server (tests/fixtures/mcp-fixture-server.py) in its sandboxes,
# driven by curl, as root and as nobody: each refusal (no token, a wrong
# one, a foreign Origin or Host, an oversized body sent whole or chunked, a
# wrong media type, headers the HTTP parser refuses, an unknown or another
# principal's session, the session
# cap, 2026-07-28 headers that do not mirror the body) gets its status and a
# "refused" report line; a slowloris and a client that hangs up mid-stream
# harm no one else; a session's calls and refusals are its own sandbox's,
# under its principal; a stream cut off is resumed with Last-Event-ID; TLS
# with a test CA, a client certificate naming the principal; a unix socket.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"
. "$top_srcdir/tests/http/lib.sh"

command -v curl >/dev/null || { fail "curl is installed (apt-get install curl)"; done_testing; }
command -v certtool >/dev/null || { fail "certtool is installed (apt-get install gnutls-bin)"; done_testing; }
FIX=$top_srcdir/tests/fixtures
A=0123456789abcdef0123456789abcdef
B=fedcba9876543210fedcba9876543210
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
call() { printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":{"text":"%s"}}}' "$1" "$2" "$3"; }

# post URL BODY [curl options]: the status on stdout, headers in $D/h, body
# in $D/b; Content-Type $CT and Accept $ACC unless set.
post() {
	url=$1 body=$2; shift 2
	curl -s -o "$D/b" -D "$D/h" -w '%{http_code}' -H "Content-Type: ${CT:-application/json}" \
		-H "Accept: ${ACC:-application/json, text/event-stream}" --max-time 10 "$@" -d "$body" "$url"
}
sid() { tr -d '\r' <"$D/h" | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p'; }

for who in root nobody; do
	D=$(userdir "$who")
	mkdir -p "$D/within"
	chown "$who" "$D/within"
	printf 'alice %s\nbob %s\n' "$A" "$B" >"$D/tokens"
	chmod 600 "$D/tokens"
	chown "$who" "$D/tokens"
	port=$(free_port)
	U=http://127.0.0.1:$port/mcp
	front_start "$who" front --profile "$FIX/inspector.yml" --set FIXTURES="$FIX" --set WITHIN="$D/within" \
		--report "$D/report" --tokens "$D/tokens" --max-body 64K --max-sessions 3 \
		--listen "127.0.0.1:$port" --listen "$D/sock" -- python3 "$FIX/mcp-fixture-server.py"
	ok "[$who] membrane-run --listen on TCP and a unix socket" test $? -eq 0 || diags "$(cat "$FRONT_ERR")"
	AUTH="Authorization: Bearer $A"

	is "$(post "$U" "$INIT")" 401 "[$who] no token: 401"
	grep -qi '^www-authenticate: Bearer' "$D/h"
	ok "[$who] ... with WWW-Authenticate: Bearer" test $? -eq 0
	is "$(post "$U" "$INIT" -H "Authorization: Bearer $A$A")" 401 "[$who] a wrong token: 401"
	is "$(post "$U" "$INIT" -H "$AUTH" -H 'Origin: http://evil.example')" 403 "[$who] a foreign Origin: 403"
	is "$(post "$U" "$INIT" -H "$AUTH" -H "Host: evil.example:$port")" 403 "[$who] a Host that is not loopback on a loopback listener: 403"
	is "$(CT=text/plain post "$U" "$INIT" -H "$AUTH")" 415 "[$who] a body that is not JSON by its type: 415"
	is "$(ACC=application/json post "$U" "$INIT" -H "$AUTH")" 406 "[$who] a client that does not take SSE: 406"
	head -c 70000 /dev/zero | tr '\0' x >"$D/big"
	is "$(post "$U" "@$D/big" -H "$AUTH")" 413 "[$who] a body over --max-body with its length: 413"
	st=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
		-H 'Accept: application/json, text/event-stream' -H 'Transfer-Encoding: chunked' --data-binary "@$D/big" "$U")
	ok "[$who] ... sent chunked: cut off, not read to its end ($st)" test "$st" != 200 -a "$st" != 202
	is "$(post "$U" "$INIT" -H "$AUTH" -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' a)")" 431 \
		"[$who] headers over 64 KiB: 431, from the HTTP parser"

	is "$(post "$U" "$INIT" -H "$AUTH" -H "Origin: http://127.0.0.1:$port")" 200 "[$who] the listener's own Origin: initialize answered"
	SA=$(sid)
	ok "[$who] ... with an Mcp-Session-Id" test ${#SA} -eq 32
	grep -q '"protocolVersion":"2025-11-25"' "$D/b"
	ok "[$who] ... over SSE, the server's answer" test $? -eq 0
	H2="MCP-Protocol-Version: 2025-11-25"
	is "$(post "$U" '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "$AUTH" -H "Mcp-Session-Id: $SA" -H "$H2")" 202 \
		"[$who] a notification: 202"
	is "$(post "$U" "$(call 2 echo hello)" -H "$AUTH" -H "Mcp-Session-Id: $SA" -H "$H2")" 200 "[$who] tools/call echo: 200"
	grep -q '"text":"hello"' "$D/b"
	ok "[$who] ... echoed" test $? -eq 0
	grep -q '^id: [0-9]*-0' "$D/b"
	ok "[$who] ... after a priming event (2025-11-25)" test $? -eq 0
	is "$(post "$U" "$(call 3 echo x)" -H "$AUTH")" 400 "[$who] no Mcp-Session-Id: 400"
	is "$(post "$U" "$(call 3 echo x)" -H "$AUTH" -H "Mcp-Session-Id: 00000000000000000000000000000000")" 404 "[$who] an unknown session: 404"
	is "$(post "$U" "$(call 3 echo x)" -H "Authorization: Bearer $B" -H "Mcp-Session-Id: $SA")" 404 "[$who] another principal's session: 404"
	is "$(post "$U" "$(call 3 echo x)" -H "$AUTH" -H "Mcp-Session-Id: $SA" -H 'MCP-Protocol-Version: 1999-01-01')" 400 "[$who] an unknown protocol version: 400"

	# Bob's session: his own sandbox; his refused call is his.
	is "$(post "$U" "$INIT" -H "Authorization: Bearer $B")" 200 "[$who] bob's initialize"
	SB=$(sid)
	post "$U" "$(call 4 undeclared_tool bob)" -H "Authorization: Bearer $B" -H "Mcp-Session-Id: $SB" >/dev/null
	grep -q 'membrane' "$D/b"
	ok "[$who] bob's undeclared tool is refused by his sandbox" test $? -eq 0
	post "$U" "$(call 5 undeclared_tool alice)" -H "$AUTH" -H "Mcp-Session-Id: $SA" >/dev/null

	# A client that hangs up mid-stream; the answer waits for Last-Event-ID.
	curl -s -N -o "$D/cut" -H "$AUTH" -H 'Content-Type: application/json' -H "$H2" \
		-H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $SA" --max-time 0.5 \
		-d "$(call 6 echo '!late 1.5')" "$U"
	last=$(sed -n 's/^id: //p' "$D/cut" | tail -n1)
	ok "[$who] cut off before the answer, after the priming event ($last)" test -n "$last"
	is "$(post "$U" "$(call 7 echo still)" -H "$AUTH" -H "Mcp-Session-Id: $SA" -H "$H2")" 200 "[$who] ... the session still serves"
	curl -s -N -o "$D/resumed" -H "$AUTH" -H 'Accept: text/event-stream' -H "$H2" -H "Mcp-Session-Id: $SA" \
		-H "Last-Event-ID: $last" --max-time 4 "$U"
	grep -q '"id":6' "$D/resumed"
	ok "[$who] ... and GET with Last-Event-ID delivers the answer the client missed" test $? -eq 0

	# A slowloris from 127.0.0.2 holds 40 connections, a byte at a time;
	# alice meanwhile is served at once.
	python3 - "$port" >/dev/null 2>&1 <<-'PY' &
	import socket, sys, time
	conns = []
	for i in range(40):
	    s = socket.socket(); s.bind(("127.0.0.2", 0)); s.connect(("127.0.0.1", int(sys.argv[1])))
	    s.send(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"); conns.append(s)
	for t in range(6):
	    for s in conns:
	        try: s.send(b"X-a: b\r\n")
	        except OSError: pass
	    time.sleep(0.5)
	PY
	slow=$!
	sleep 0.5
	t0=$(date +%s%N)
	is "$(post "$U" "$(call 8 echo during)" -H "$AUTH" -H "Mcp-Session-Id: $SA" -H "$H2")" 200 "[$who] served during a slowloris"
	ok "[$who] ... within a second" test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000
	wait $slow

	# The cap: alice, bob, and one more; the fourth is refused.
	is "$(post "$U" "$INIT" -H "$AUTH")" 200 "[$who] a third session"
	is "$(post "$U" "$INIT" -H "$AUTH")" 503 "[$who] a fourth: 503, --max-sessions 3"

	# 2026-07-28: no session, headers mirror the body.
	N="MCP-Protocol-Version: 2026-07-28"
	is "$(post "$U" "$(call 9 echo stateless)" -H "$AUTH" -H "$N" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: wrong')" 400 \
		"[$who] 2026-07-28: Mcp-Name not the body's: 400"
	grep -q '"code":-32020' "$D/b"
	ok "[$who] ... with HeaderMismatch (-32020)" test $? -eq 0
	is "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H "$N" -H 'Accept: text/event-stream' "$U")" 405 "[$who] 2026-07-28: GET is 405"

	# A unix socket: the same front.
	is "$(curl -s -o "$D/b" -w '%{http_code}' --unix-socket "$D/sock" -H "$AUTH" -H 'Content-Type: application/json' \
		-H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $SA" -H "$H2" \
		-d "$(call 10 echo unix)" http://localhost/mcp)" 200 "[$who] the unix socket serves the same sessions"

	is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "$AUTH" -H "Mcp-Session-Id: $SA" "$U")" 200 "[$who] DELETE ends alice's session"
	is "$(post "$U" "$(call 11 echo x)" -H "$AUTH" -H "Mcp-Session-Id: $SA")" 404 "[$who] ... which is then unknown: 404"
	front_stop
	is "$FRONT_RC" 0 "[$who] membrane-run --listen stops cleanly"
	is "$(cat "$FRONT_LEFT")" 0 "[$who] no process of the front is left behind"

	out=$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
		const front = l.filter((x) => x.http).map((x) => x.http.status ?? "parser").join(" ");
		const mine = (p) => l.filter((x) => x.event === "refused" && x.request && x.principal === p).map((x) => x.request.arguments?.text).join(",");
		const start = (p) => new Set(l.filter((x) => x.event === "start" && x.principal === p).map((x) => x.session)).size;
		console.log(`${front}|${mine("alice")}|${mine("bob")}|${start("alice")} ${start("bob")}`)' "$D/report")
	is "$out" "401 401 403 403 415 406 413 413 parser 400 404 404 400 503 400 405 404|alice|bob|2 1" \
		"[$who] every refusal of the front reported with its status; each sandbox's refusal under its own principal"
done

# TLS with a test CA: the server's certificate for 127.0.0.1, a client
# certificate whose CN is the principal, and one from another CA refused.
D=$(userdir root)
cd "$D" || exit 1
cat >ca.tmpl <<-'T'
	cn = membrane test CA
	ca
	cert_signing_key
	expiration_days = 2
T
cat >server.tmpl <<-'T'
	cn = localhost
	ip_address = 127.0.0.1
	dns_name = localhost
	tls_www_server
	expiration_days = 2
T
cat >client.tmpl <<-'T'
	cn = carol
	tls_www_client
	expiration_days = 2
T
for k in ca server client other; do certtool --generate-privkey --key-type=ecdsa --outfile $k.key 2>/dev/null; done
certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem 2>/dev/null
certtool --generate-self-signed --load-privkey other.key --template ca.tmpl --outfile other.pem 2>/dev/null
certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem --load-ca-privkey ca.key \
	--template server.tmpl --outfile server.pem 2>/dev/null
certtool --generate-certificate --load-privkey client.key --load-ca-certificate ca.pem --load-ca-privkey ca.key \
	--template client.tmpl --outfile client.pem 2>/dev/null
certtool --generate-certificate --load-privkey other.key --load-ca-certificate other.pem --load-ca-privkey other.key \
	--template client.tmpl --outfile rogue.pem 2>/dev/null
chmod 600 ./*.key
ok "certtool made a CA, a server and two client certificates" test -s server.pem -a -s client.pem -a -s rogue.pem
port=$(free_port)
front_start root tls --profile "$FIX/inspector.yml" --set FIXTURES="$FIX" --set WITHIN="$D" --report "$D/tls.report" \
	--tls-cert server.pem --tls-key server.key --client-ca ca.pem --listen "127.0.0.1:$port" -- python3 "$FIX/mcp-fixture-server.py"
ok "membrane-run --listen with TLS and --client-ca" test $? -eq 0 || diags "$(cat "$FRONT_ERR")"
U=https://127.0.0.1:$port/mcp
is "$(post "$U" "$INIT" --cacert ca.pem --cert client.pem --key client.key)" 200 "TLS: a client certificate of the CA: initialize answered"
is "$(post "$U" "$INIT" --cacert ca.pem)" 401 "TLS: no client certificate and no token: 401"
st=$(post "$U" "$INIT" --cacert ca.pem --cert rogue.pem --key other.key)
ok "TLS: a certificate of another CA is refused ($st)" test "$st" != 200
st=$(post "http://127.0.0.1:$port/mcp" "$INIT")
ok "TLS: plain HTTP on the TLS port gets nothing ($st)" test "$st" != 200
chmod 644 server.key
"$MEMBRANE_RUN" --profile "$FIX/inspector.yml" --set FIXTURES="$FIX" --set WITHIN="$D" --tls-cert server.pem --tls-key server.key \
	--listen 127.0.0.1:0 -- true 2>"$D/err"
is "$?:$(cat "$D/err")" "125:membrane-run: --tls-key server.key: readable by group or others: chmod 600 server.key" \
	"a key others can read is refused, with the fix"
front_stop
is "$FRONT_RC" 0 "TLS: membrane-run --listen stops cleanly"
is "$(node -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
	console.log(l.filter((x) => x.event === "start").map((x) => x.principal).join(" "), l.filter((x) => x.http).map((x) => x.http.status).join(" "))' "$D/tls.report")" \
	"cert:carol 401 401" "TLS: the sandbox's lines carry cert:carol; the refusals are reported"
done_testing
