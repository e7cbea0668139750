#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The exfiltration case of profiles/db.yml: a confused deputy
# (lib/db-deputy.mjs, under db-deputy.yml: its query tool granted only the
# database endpoint, network brokered) reaches the database as granted, and
# tries to reach a second listener this test runs on the host's loopback
# (lib/db-listener.py) during the call and while idle, by TCP, by an
# unconnected datagram and by a connected UDP socket, and a remote address.
# Checked, as root and as nobody: what the server itself saw (the database
# answered; each attempt failed or went nowhere), that the listener
# received nothing at all, and that each attempt was reported, denied,
# naming the address and port and the tool in flight (none while idle).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/db-test.sh"

db_start
python3 "$E/lib/db-listener.py" "$W/listener.port" "$W/listener.log" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$W/listener.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
XP=$(cat "$W/listener.port" 2>/dev/null)
[ -n "$XP" ] || { fail "the exfiltration listener starts"; done_testing; }
X=127.0.0.1:$XP
: >"$W/listener.log"
chmod 644 "$W/listener.log"

for who in root nobody; do
	D=$(userdir "$who")
	as "$who" node "$E/lib/db-drive.mjs" deputy -- "$MEMBRANE_RUN" --profile "$E/db-deputy.yml" \
		--report "$D/report" --set DB="127.0.0.1:$DBPORT" --set FIXTURE="$E/lib/db-deputy.mjs" \
		-- node "$E/lib/db-deputy.mjs" "127.0.0.1:$DBPORT" "$X" >"$D/out.json" 2>"$D/err"
	rc=$?
	is "$rc" 0 "[$who] the session runs to its end"
	[ "$rc" = 0 ] || diag "$(tail -n 20 "$D/err")"
	is "$(json "$D/out.json" 'o["tools"]')" "['query', 'arm', 'status']" "[$who] tools/list"
	is "$(json "$D/out.json" 'o["query"]["db"]')" "{'result': 'ok', 'reply': 'N'}" \
		"[$who] the granted connect reached PostgreSQL (its answer to SSLRequest)"
	is "$(json "$D/out.json" 'o["query"]["exfil_tcp"]["result"]')" ECONNREFUSED \
		"[$who] during the call, TCP to $X: refused (the sandbox's own loopback)"
	is "$(json "$D/out.json" 'o["query"]["remote"]["result"]')" EPERM \
		"[$who] during the call, TCP to 192.0.2.1:80: EPERM"
	is "$(json "$D/out.json" 'o["status"]["idle"]["result"]')" ECONNREFUSED \
		"[$who] idle, TCP to $X: refused"

	v=$(violations "$D/report")
	printf '%s\n' "$v" | sed 's/^/# /'
	like "$v" "^connect connect $X denied query \| not granted to query: nothing in the sandbox listens" \
		"[$who] reported: the TCP connect to $X, denied, with query in flight"
	like "$v" "^connect (sendto|sendmsg|sendmmsg) $X denied query \|" \
		"[$who] reported: the datagram to $X, denied, with query in flight"
	is "$(printf '%s\n' "$v" | grep -c "^connect connect $X denied query |")" 2 \
		"[$who] reported: both connects to $X during the call (TCP, UDP)"
	like "$v" "^connect connect 192.0.2.1:80 denied query \| not granted to query$" \
		"[$who] reported: the remote connect, with query in flight"
	like "$v" "^connect connect $X denied - \| not granted at runtime \(idle\)" \
		"[$who] reported: the idle connect, with nothing in flight"
	is "$(python3 -c 'import json,sys
print(sorted({o.get("presence") for o in map(json.loads, open(sys.argv[1]))
	if o["event"] == "violation" and o["syscall"] == "connect" and o["target"] == sys.argv[2]}))' "$D/report" "$X")" \
		"['host']" "[$who] ... each naming presence host: the host listens there, the sandbox does not"
	is "$(printf '%s\n' "$v" | grep -c ":$DBPORT ")" 0 "[$who] the database connect is not reported"
	is "$(printf '%s\n' "$v" | grep -vc '^$')" 5 "[$who] five violations, no more"
done
is "$(cat "$W/listener.log")" "" "the listener received nothing: no connection, no byte"
done_testing
