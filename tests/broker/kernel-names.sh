#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Names, end to end (docs/design.md "Names"): names-server.mjs's tools
# under membrane-run with tests/broker/names.yml, which grants names per
# tool. The host's resolver is test-dns.py, named by /etc/resolv.conf in a
# private mount namespace (unshare -m, a bind mount: the host's file is
# untouched), answering the test world of names.zone: round robin, a CNAME,
# AAAA, a rebinding answer, a metadata address; listeners on the host's
# 127.0.0.10-14 and ::1, port 8443. Answers live 1 s here
# (MEMBRANE_TEST_RESOLVE_TTL), bindings 2 s; membrane-run reuses an answer
# of the host's resolver for as long (1 s at most), so the questions that
# must see the world change wait that out. As root and as nobody, in
# enforce and audit mode; network host as root.
. "$top_srcdir/tests/tap.sh"

command -v node >/dev/null || { fail "node is installed"; done_testing; }
command -v jq >/dev/null || { fail "jq is installed"; done_testing; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP the test world's nameserver needs root (port 53, unshare -m)"; exit 0; }
S=$(cd "$top_srcdir/tests/broker" && pwd)
W=$(mktemp -d /tmp/membrane-names.XXXXXX)
chmod 755 "$W"
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "$NAMES_KEEP" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# The host's nameserver: an address of our own on the loopback.
DNS=127.0.53.$(($$ % 200 + 20))
python3 "$S/test-dns.py" "$DNS" "$S/names.zone" "$W/dns.log" "$W/dns.ready" 2>"$W/dns.err" &
PIDS="$PIDS $!"
printf 'nameserver %s\n' "$DNS" >"$W/resolv.conf"
# The listeners: one line per connection, the address it came to.
python3 -c '
import socket, sys, threading
def serve(family, addr):
    s = socket.socket(family)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8443))
    s.listen(64)
    while True:
        c, _ = s.accept()
        with open(sys.argv[1], "a") as f:
            f.write(c.getsockname()[0] + "\n")
        c.close()
for a in ("127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"):
    threading.Thread(target=serve, args=(socket.AF_INET, a), daemon=True).start()
threading.Thread(target=serve, args=(socket.AF_INET6, "::1"), daemon=True).start()
open(sys.argv[2], "w").close()
threading.Event().wait()
' "$W/listened" "$W/listen.ready" &
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -e "$W/dns.ready" ] && [ -e "$W/listen.ready" ] && break; sleep 0.1; done
ok "the test world is up" test -e "$W/dns.ready" -a -e "$W/listen.ready"

# Each run starts the world afresh: round robin and the rebinding answer
# from their first address (test-dns.py resets on a question for
# reset.control, which only the test itself asks).
reset_world() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(bytes.fromhex("0001010000010000000000000572657365740763 6f6e74726f6c0000010001".replace(" ", "")), (sys.argv[1], 53))
s.recv(512)' "$DNS"
}

# run WHO TAG PROFILE CALLS: the calls through membrane-run in the mount
# namespace; the answers in $W/WHO/TAG.out, the report in TAG.report.
run() {
	who=$1 tag=$2 profile=$3 calls=$4
	d=$W/$who
	mkdir -p "$d"
	chown "$who" "$d" 2>/dev/null
	as=
	[ "$who" = nobody ] && as=$NOBODY
	reset_world
	MEMBRANE_TEST_RESOLVE_TTL=1 unshare -m sh -c \
		'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$W/resolv.conf" \
		$as "$PY" "$S/names-drive.py" "$calls" -- \
		"$MEMBRANE_RUN" --profile "$profile" --report "$d/$tag.report" \
		--set SCRIPT="$S/names-server.mjs" -- node "$S/names-server.mjs" \
		>"$d/$tag.out" 2>"$d/$tag.err"
	echo $? >"$d/$tag.rc"
}
said() { sed -n "s/^$3: //p" "$W/$1/$2.out"; }
# holds FILE WHICH WHAT: some line is WHICH, and WHAT holds of each of them
# (jq 1.6's -e judges by the last line alone).
holds() { jq -se "[.[] | select($2) | ($3)] | length > 0 and all" "$1" >/dev/null; }
# lines WHO TAG JQ: how many violation lines match.
lines() { jq -c "select(.event == \"violation\" and (has(\"count\") | not) and ($3))" "$W/$1/$2.report" | wc -l; }

cat >"$W/calls.json" <<'EOF2'
[
 {"label": "api", "tool": "lookup", "arguments": {"name": "api.membrane.test"}},
 {"label": "api-connect", "tool": "connect", "arguments": {"host": "api.membrane.test", "port": 8443}},
 {"label": "api-plain", "tool": "plain", "arguments": {"do": "lookup", "name": "api.membrane.test"}},
 {"label": "rr1", "tool": "lookup", "arguments": {"name": "rr.membrane.test"}},
 {"label": "rr-connect1", "tool": "connect", "arguments": {"host": "rr.membrane.test", "port": 8443}},
 {"sleep": 1.2},
 {"label": "rr2", "tool": "lookup", "arguments": {"name": "rr.membrane.test"}},
 {"label": "rr-connect2", "tool": "connect", "arguments": {"host": "rr.membrane.test", "port": 8443}},
 {"label": "www", "tool": "lookup", "arguments": {"name": "www.membrane.test"}},
 {"label": "www-query", "tool": "lookup", "arguments": {"name": "www.membrane.test"}},
 {"label": "v6", "tool": "lookup", "arguments": {"name": "v6.membrane.test", "family": 6}},
 {"label": "v6-connect", "tool": "connect", "arguments": {"host": "v6.membrane.test", "port": 8443}},
 {"label": "flip1", "tool": "lookup", "arguments": {"name": "flip.membrane.test"}},
 {"sleep": 1.2},
 {"label": "flip2", "tool": "lookup", "arguments": {"name": "flip.membrane.test"}},
 {"label": "pub", "tool": "lookup", "arguments": {"name": "pub.membrane.test"}},
 {"label": "meta", "tool": "lookup", "arguments": {"name": "meta.membrane.test"}},
 {"label": "meta-literal", "tool": "connect", "arguments": {"host": "169.254.169.254", "port": 80}},
 {"label": "wild", "tool": "lookup", "arguments": {"name": "a.svc.membrane.test"}},
 {"label": "apex", "tool": "lookup", "arguments": {"name": "svc.membrane.test"}},
 {"label": "case", "tool": "lookup", "arguments": {"name": "API.Membrane.TEST."}},
 {"label": "secret", "tool": "lookup", "arguments": {"name": "secret.exfil.test"}},
 {"label": "literal", "tool": "connect", "arguments": {"host": "127.0.0.13", "port": 8443}},
 {"label": "doh", "tool": "connect", "arguments": {"host": "1.1.1.1", "port": 443}},
 {"label": "txt", "tool": "query", "arguments": {"name": "api.membrane.test", "type": "TXT"}},
 {"label": "https-rr", "tool": "query", "arguments": {"name": "api.membrane.test", "type": "HTTPS"}},
 {"label": "malformed", "tool": "query", "arguments": {"hex": "4242810000010000000000000361706900000100 01"}},
 {"label": "cname-flat", "tool": "query", "arguments": {"name": "api.membrane.test", "type": "A"}},
 {"label": "tcp", "tool": "query", "arguments": {"name": "api.membrane.test", "type": "A", "tcp": true}},
 {"label": "tcp-plain", "tool": "plain", "arguments": {"do": "query", "name": "api.membrane.test", "tcp": true}},
 {"label": "after-call", "tool": "plain", "arguments": {"do": "connect", "host": "127.0.0.10", "port": 8443}},
 {"label": "direct-udp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "@DNS@"}},
 {"label": "direct-tcp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "@DNS@", "tcp": true}},
 {"label": "public-udp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "192.0.2.53"}},
 {"label": "public-tcp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "192.0.2.53", "tcp": true}},
 {"label": "short", "tool": "lookup", "arguments": {"name": "short.membrane.test"}},
 {"label": "short-now", "tool": "connect", "arguments": {"host": "127.0.0.14", "port": 8443}},
 {"sleep": 2.5},
 {"label": "short-later", "tool": "connect", "arguments": {"host": "127.0.0.14", "port": 8443}}
]
EOF2
sed -i -e 's/ 01"}}/01"}}/' -e "s/@DNS@/$DNS/" "$W/calls.json"

for who in root nobody; do
	run "$who" enforce "$S/names.yml" "$W/calls.json"
	t=enforce
	is "$(cat "$W/$who/$t.rc")" 0 "[$who] the session ran ($(tail -2 "$W/$who/$t.err"))"
	is "$(said "$who" $t api)" 127.0.0.10 "[$who] a granted name is answered with what the host's resolver says"
	is "$(said "$who" $t api-connect)" connected "[$who] ... and a connect to it by name is brokered to the host"
	is "$(said "$who" $t api-plain)" ENOTFOUND "[$who] a tool not granted the name gets NXDOMAIN"
	r1=$(said "$who" $t rr1) r2=$(said "$who" $t rr2)
	ok "[$who] round robin: the answer changes between questions ($r1, $r2)" \
		test "$r1" != "$r2" -a -n "$r1" -a -n "$r2"
	is "$(said "$who" $t rr-connect1)/$(said "$who" $t rr-connect2)" connected/connected \
		"[$who] ... a connect to each address answered"
	is "$(said "$who" $t www)" 127.0.0.10 "[$who] a CNAME chain, answered with its end's address"
	is "$(said "$who" $t cname-flat)" "NOERROR answers=1 types=A" \
		"[$who] ... flattened: the answer holds an A record and no CNAME"
	is "$(said "$who" $t v6)" ::1 "[$who] AAAA"
	is "$(said "$who" $t v6-connect)" connected "[$who] ... a connect to [::1]:8443, the host's"
	is "$(said "$who" $t flip1)" 93.184.216.34 "[$who] a public answer is answered"
	like "$(said "$who" $t flip2)" "^(ENOTFOUND|EAI_AGAIN)$" \
		"[$who] the same name rebinding to 127.0.0.1 is refused ($(said "$who" $t flip2))"
	is "$(said "$who" $t pub)" 93.184.216.34 "[$who] a public name"
	like "$(said "$who" $t meta)" "^(ENOTFOUND|EAI_AGAIN)$" \
		"[$who] a name answering the metadata address is refused, private_names or not"
	is "$(said "$who" $t meta-literal)" EPERM "[$who] the metadata address by address: denied"
	is "$(said "$who" $t wild)" 127.0.0.10 "[$who] *.svc.membrane.test grants a.svc.membrane.test"
	is "$(said "$who" $t apex)" ENOTFOUND "[$who] ... and not svc.membrane.test, its apex"
	is "$(said "$who" $t case)" 127.0.0.10 "[$who] a name in another case, with a trailing dot"
	is "$(said "$who" $t secret)" ENOTFOUND "[$who] a name nothing grants: NXDOMAIN"
	is "$(said "$who" $t literal)" ECONNREFUSED \
		"[$who] a loopback address nothing granted or answered: stays in the sandbox (ECONNREFUSED)"
	is "$(said "$who" $t doh)" EPERM "[$who] DNS over HTTPS to a literal address: EPERM"
	is "$(said "$who" $t txt)" "REFUSED answers=0 types=" "[$who] a TXT question: REFUSED"
	is "$(said "$who" $t https-rr)" "REFUSED answers=0 types=" "[$who] an HTTPS question: REFUSED"
	is "$(said "$who" $t malformed)" "REFUSED answers=0 types=" "[$who] a response sent as a question: REFUSED"
	is "$(said "$who" $t tcp)" "NOERROR answers=1 types=A" "[$who] DNS over TCP, answered"
	is "$(said "$who" $t tcp-plain)" "NXDOMAIN answers=0 types=" "[$who] ... and refused to a tool not granted it"
	is "$(said "$who" $t after-call)" ECONNREFUSED \
		"[$who] an address answered during another call: not granted to this one (stays inside)"
	# A resolver of the server's own choosing: the host's (at an address
	# of the host's loopback, so in the sandbox's own, where nothing
	# answers) or one elsewhere (refused: granted nowhere).
	is "$(said "$who" $t direct-udp)" "no answer" \
		"[$who] DNS over UDP to the host's nameserver's address: stays in the sandbox, unanswered"
	is "$(said "$who" $t direct-tcp)" ECONNREFUSED \
		"[$who] ... over TCP: stays in the sandbox (ECONNREFUSED)"
	is "$(said "$who" $t public-udp)/$(said "$who" $t public-tcp)" EPERM/EPERM \
		"[$who] DNS over UDP and TCP to a nameserver elsewhere: EPERM"
	ok "[$who] ... reported" test "$(lines "$who" $t '.target == "192.0.2.53:53"')" -ge 1
	# The hint on stderr names the name, never the address it resolved to.
	like "$(cat "$W/$who/$t.err")" 'denied connect 127\.0\.0\.10:8443 \(api\.membrane\.test\) during plain; to allow it: tools\.plain\.connect: \["api\.membrane\.test:8443"\]' \
		"[$who] a connect to another call's answer: the hint grants the name"
	like "$(cat "$W/$who/$t.err")" 'denied resolve api\.membrane\.test during plain; to allow it: tools\.plain\.connect: \["api\.membrane\.test:PORT"\]' \
		"[$who] a name not granted: the hint grants a connect to it"
	like "$(cat "$W/$who/$t.err")" 'denied resolve flip\.membrane\.test during lookup; to allow it: private_names: \["flip\.membrane\.test"\]' \
		"[$who] a rebinding answer: the hint is private_names"
	is "$(said "$who" $t short-now)" connected "[$who] an answered address, connected at once"
	is "$(said "$who" $t short-later)" ECONNREFUSED "[$who] ... and not once its answer expired (stays inside)"

	R=$W/$who/$t.report
	is "$(lines "$who" $t '.op == "resolve" and .target == "api.membrane.test" and .requests[0].tool == "plain" and .syscall == "dns" and .decision == "denied"')" 2 \
		"[$who] the NXDOMAINs (UDP, TCP) are reported: op resolve, the name, the request in flight"
	ok "[$who] ... its reason says not granted to plain" \
		holds "$R" '.op == "resolve" and .target == "api.membrane.test" and .requests[0].tool == "plain"' \
		'.reason | startswith("not granted to plain")'
	like "$(jq -r 'select(.op == "resolve" and .target == "flip.membrane.test") | .reason' "$R")" \
		"answered with 127.0.0.1, a loopback address: refused as DNS rebinding" "[$who] the rebinding is reported"
	like "$(jq -r 'select(.op == "resolve" and .target == "meta.membrane.test") | .reason' "$R")" \
		"169.254.169.254, a cloud metadata address" "[$who] the metadata answer is reported"
	is "$(lines "$who" $t '.op == "resolve" and (.target == "svc.membrane.test" or .target == "secret.exfil.test")')" 2 \
		"[$who] the apex and the name nothing grants are reported (their repeats counted)"
	like "$(jq -r 'select(.op == "resolve" and .target == "api.membrane.test" and (.reason | test("TXT"))) | .reason' "$R")" \
		"a question of type TXT: only A and AAAA are answered" "[$who] the TXT question is reported"
	is "$(lines "$who" $t '.op == "resolve" and .target == "(malformed)"')" 1 "[$who] the malformed message is reported"
	is "$(lines "$who" $t '.op == "connect" and .target == "127.0.0.13:8443" and (has("name") | not)')" 1 \
		"[$who] the literal connect is reported, without a name"
	is "$(lines "$who" $t '.op == "connect" and .target == "1.1.1.1:443"')" 1 "[$who] the DoH connect is reported"
	is "$(lines "$who" $t '.op == "connect" and .target == "169.254.169.254:80"')" 1 "[$who] the metadata connect is reported"
	is "$(lines "$who" $t '.op == "connect" and .target == "127.0.0.10:8443" and .name == "api.membrane.test" and .requests[0].tool == "plain"')" 1 \
		"[$who] the connect to another call's answer names the name beside the target"
	ok "[$who] ... name right after target" \
		holds "$R" '.op == "connect" and .target == "127.0.0.10:8443"' \
		'keys_unsorted | index("name") == index("target") + 1'
	is "$(lines "$who" $t '.op == "connect" and .target == "127.0.0.14:8443" and .name == "short.membrane.test"')" 1 \
		"[$who] the expired one names its name too"
	ok "[$who] ... and says its answer ran out" \
		holds "$R" '.op == "connect" and .target == "127.0.0.14:8443"' \
		'.reason | startswith("not granted to connect: answered for a name, and that answer ran out")'
	like "$(cat "$W/$who/$t.err")" 'denied connect 127\.0\.0\.14:8443 \(short\.membrane\.test\) during connect; no grant allows it: not granted to connect: answered for a name, and that answer ran out' \
		"[$who] ... on stderr too, with no grant to add (it is granted)"
	is "$(lines "$who" $t '.op == "resolve" and (.target | test("^(api|rr|www|v6|pub|short|a.svc).membrane.test$")) and .decision == "denied" and (.reason | startswith("not granted") | not) and (.reason | test("TXT|HTTPS") | not)')" 0 \
		"[$who] nothing granted is reported"
	# The call record (issue 16): a call's connects are the server's, not
	# its DNS questions to the sandbox's resolver (membrane's own).
	is "$(jq -c 'select(.event == "call" and .request.tool == "connect") | .did.connect' "$R" | head -1)" \
		'{"count":1,"targets":["api.membrane.test (127.0.0.10:8443)"]}' \
		"[$who] the call record: a connect by name is one connect, named, its lookup none"
done
listened=$(sort -u "$W/listened" | tr '\n' ' ')
is "$listened" "127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.14 ::1 " \
	"the host's listeners heard the granted connects, and nothing at 127.0.0.13"
is "$(grep -c '^secret.exfil.test \|^svc.membrane.test ' "$W/dns.log")" 0 \
	"the host's nameserver never heard a name membrane refused"
is "$(grep -c '^flip.membrane.test A$' "$W/dns.log")" 4 \
	"... it heard what the granted questions asked (flip twice a run)"

# Audit mode: a name some scope grants is answered (reported allowed); a
# name no scope grants is refused even so.
sed 's/^network: brokered$/network: brokered\nmode: audit/' "$S/names.yml" >"$W/audit.yml"
sed -i "s|\.\./\.\./profiles|$top_srcdir/profiles|g" "$W/audit.yml"
cat >"$W/audit.json" <<'EOF2'
[
 {"label": "api-plain", "tool": "plain", "arguments": {"do": "lookup", "name": "api.membrane.test"}},
 {"label": "secret", "tool": "plain", "arguments": {"do": "lookup", "name": "secret.exfil.test"}}
]
EOF2
for who in root nobody; do
	run "$who" audit "$W/audit.yml" "$W/audit.json"
	is "$(said "$who" audit api-plain)" 127.0.0.10 "[$who] audit: a name granted to another tool is answered"
	is "$(lines "$who" audit '.op == "resolve" and .target == "api.membrane.test" and .decision == "allowed"')" 1 \
		"[$who] ... and reported allowed"
	is "$(said "$who" audit secret)" ENOTFOUND "[$who] audit: a name no scope grants is refused all the same"
	is "$(lines "$who" audit '.op == "resolve" and .target == "secret.exfil.test" and .decision == "denied"')" 1 \
		"[$who] ... reported denied"
done

# A budget of two connects for the tool's calls of the session: two
# connects by name fit (their lookups are no connects of the server's).
sed 's/^network: brokered$/network: brokered\nbudgets:\n  tools:\n    connect: { connects: 2 }/' "$S/names.yml" >"$W/budget.yml"
sed -i "s|\.\./\.\./profiles|$top_srcdir/profiles|g" "$W/budget.yml"
cat >"$W/budget.json" <<'EOF2'
[
 {"label": "api-connect", "tool": "connect", "arguments": {"host": "api.membrane.test", "port": 8443}},
 {"label": "rr-connect", "tool": "connect", "arguments": {"host": "rr.membrane.test", "port": 8443}}
]
EOF2
for who in root nobody; do
	run "$who" budget "$W/budget.yml" "$W/budget.json"
	is "$(said "$who" budget api-connect)/$(said "$who" budget rr-connect)" connected/connected \
		"[$who] budget connects 2: two lookups and two connects by name are within it"
	is "$(jq -c 'select(.event == "limit")' "$W/$who/budget.report" | wc -l)" 0 "[$who] ... no limit line"
done

# Learn mode: every name is answered, and the draft grants the name a
# connect went to, never the address it resolved to (root: the learning
# default needs no more).
cat >"$W/learn.json" <<'EOF2'
[
 {"label": "api-connect", "tool": "connect", "arguments": {"host": "api.membrane.test", "port": 8443}},
 {"label": "secret", "tool": "lookup", "arguments": {"name": "secret.exfil.test"}}
]
EOF2
reset_world
MEMBRANE_TEST_RESOLVE_TTL=1 unshare -m sh -c \
	'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$W/resolv.conf" \
	"$PY" "$S/names-drive.py" "$W/learn.json" -- "$MEMBRANE_RUN" --learn "$W/draft.yml" -- \
	node "$S/names-server.mjs" >"$W/learn.out" 2>"$W/learn.err"
is "$(sed -n 's/^secret: //p' "$W/learn.out")" 127.0.0.10 "learn: a name no grant names is answered while learning"
like "$(cat "$W/draft.yml")" '"api.membrane.test:8443"' "learn: the draft grants the name the connect went to"
is "$(grep -c '127\.0\.0\.\(10\|53\)' "$W/draft.yml")" 0 \
	"learn: ... never the address it resolved to, nor the sandbox's resolver"
like "$(sed -n '/^quiet:/,$p' "$W/draft.yml")" '"secret\.exfil\.test:\*"  # [0-9]+ times?: a name looked up' \
	"learn: a name looked up and never connected to is quiet (NAME:*)"
is "$(grep -c 'api\.membrane\.test:\*' "$W/draft.yml")" 0 "learn: ... not the name connected to"

# network host: the resolver listens on the host's loopback (root only).
sed 's/^network: brokered$/network: host/' "$S/names.yml" >"$W/host.yml"
sed -i "s|\.\./\.\./profiles|$top_srcdir/profiles|g" "$W/host.yml"
cat >"$W/host.json" <<'EOF2'
[
 {"label": "api-connect", "tool": "connect", "arguments": {"host": "api.membrane.test", "port": 8443}},
 {"label": "api-plain", "tool": "plain", "arguments": {"do": "lookup", "name": "api.membrane.test"}},
 {"label": "literal", "tool": "connect", "arguments": {"host": "127.0.0.13", "port": 8443}},
 {"label": "tcp", "tool": "query", "arguments": {"name": "api.membrane.test", "type": "A", "tcp": true}},
 {"label": "direct-udp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "@DNS@"}},
 {"label": "direct-tcp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "@DNS@", "tcp": true}},
 {"label": "stub-udp", "tool": "query", "arguments": {"name": "direct.exfil.test", "server": "127.0.0.53"}}
]
EOF2
sed -i "s/@DNS@/$DNS/" "$W/host.json"
run root host "$W/host.yml" "$W/host.json"
is "$(cat "$W/root/host.rc")" 0 "[root] network host: the session ran ($(tail -1 "$W/root/host.err"))"
is "$(said root host api-connect)" connected "[root] network host: a connect by a granted name"
is "$(said root host api-plain)" ENOTFOUND "[root] network host: a name not granted: NXDOMAIN"
is "$(said root host literal)" EPERM "[root] network host: a literal address nothing granted: EPERM"
is "$(said root host tcp)" "NOERROR answers=1 types=A" "[root] network host: DNS over TCP on the host's loopback"
is "$(said root host direct-udp)/$(said root host direct-tcp)" EPERM/EPERM \
	"[root] network host: DNS over UDP and TCP to the host's nameserver itself: EPERM"
is "$(said root host stub-udp)" EPERM "[root] network host: ... and to 127.0.0.53: EPERM"
is "$(grep -c '^direct\.exfil\.test ' "$W/dns.log")" 0 \
	"the host's nameserver never heard a question sent to it past membrane's resolver"
run nobody host "$W/host.yml" "$W/host.json"
like "$(cat "$W/nobody/host.err")" "port 53 needs root here.*network host with name grants needs it" \
	"[nobody] network host with names: refused at start, saying why"
done_testing
