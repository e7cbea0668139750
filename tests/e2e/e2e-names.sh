#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Real servers that call web APIs by name, through the sandbox's resolver
# (docs/design.md "Names"): server-brave-search under the shipped
# profiles/brave-search.yml, server-slack (slack.yml) and
# @tokenizin/mcp-npx-fetch (fetch.yml), each tool granted its API's name.
# The world is on the host's loopback: test-dns.py is the host's resolver
# in a private mount namespace (unshare -m: its own /etc/resolv.conf),
# lib/https-world.mjs serves the APIs over HTTPS on 127.0.44.21-23:443 with
# a test CA, given to Node by NODE_EXTRA_CA_CERTS; each profile gets the
# CA and private_names (the APIs answer loopback here) from a fragment of
# the test's own. Bare and wrapped, as root and as nobody: every tool
# works and answers the same; no report but start and exit. Then
# fetch-refused.json, wrapped: a URL of another name gets NXDOMAIN (op
# resolve in the report, the tool in flight), one of an address nothing
# grants and DNS over HTTPS to 1.1.1.1 get EPERM, a name rebinding to
# 127.0.0.1 is refused; none of them reaches the world.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP the test world needs root (ports 53 and 443, unshare -m)"; exit 0; }
command -v openssl >/dev/null || { fail "openssl is installed (apt-get install openssl)"; done_testing; }
PIDS=
e2e_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$E2E_KEEP" ] || rm -rf "$W"
}
BRAVE=$MCP/server-brave-search
SLACK=$MCP/server-slack
FETCH=$NM/@tokenizin/mcp-npx-fetch

# The test CA, and one certificate for every name of the world.
C=$W/ca
mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -days 2 \
	-subj "/CN=membrane test CA" 2>"$C/log" &&
openssl req -newkey rsa:2048 -nodes -keyout "$C/srv.key" -out "$C/srv.csr" \
	-subj "/CN=membrane test world" 2>>"$C/log" &&
printf 'subjectAltName=DNS:api.search.brave.com,DNS:slack.com,DNS:docs.membrane.test,DNS:other.membrane.test,DNS:flip.membrane.test\nextendedKeyUsage=serverAuth\n' >"$C/ext" &&
openssl x509 -req -in "$C/srv.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/srv.pem" -days 2 -extfile "$C/ext" 2>>"$C/log"
ok "a test CA and the world's certificate ($(tail -1 "$C/log"))" test -s "$C/srv.pem"
chmod 755 "$C"
chmod 644 "$C/ca.pem"

DNS=127.0.53.$(($$ % 200 + 20))
python3 "$top_srcdir/tests/broker/test-dns.py" "$DNS" "$E/names.zone" "$W/dns.log" "$W/dns.ready" \
	2>"$W/dns.err" &
PIDS="$PIDS $!"
node "$E/lib/https-world.mjs" "$C/srv.key" "$C/srv.pem" "$W/world.log" "$W/world.ready" \
	127.0.44.21 127.0.44.22 127.0.44.23 2>"$W/world.err" &
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -e "$W/dns.ready" ] && [ -e "$W/world.ready" ] && break; sleep 0.1; done
ok "the world is up: its nameserver at $DNS, its APIs over HTTPS" \
	test -e "$W/dns.ready" -a -e "$W/world.ready"
printf 'nameserver %s\n' "$DNS" >"$W/resolv.conf"
chmod 644 "$W/resolv.conf" "$W/world.log" 2>/dev/null

# world PROFILE NAMES: PROFILE with the world added (the CA, private_names),
# fragments by path, written to $W/NAME.yml; prints its path.
world() {
	out=$W/$(basename "$1")
	cat >"$W/world-fragment.yml" <<EOF2
runtime:
  read: ["$C/ca.pem"]
  env: [NODE_EXTRA_CA_CERTS]
EOF2
	sed -e "s|^include: \[node, resolver\]|include: [$PROFILES/runtimes/node.yml, $PROFILES/runtimes/resolver.yml, $W/world-fragment.yml]|" \
		"$1" >"$out"
	printf 'private_names: [%s]\n' "$2" >>"$out"
	echo "$out"
}

# in_world WHO TAG SCRIPT -- COMMAND...: session() with the world's
# resolv.conf bound over /etc/resolv.conf in a new mount namespace.
in_world() {
	who=$1 tag=$2 script=$3; shift 3
	reaped "$who" "$tag" unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
		sh "$W/resolv.conf" $([ "$who" = nobody ] && echo "$NOBODY") \
		node "$E/lib/session.mjs" "$script" --out "$D/$tag.json" \
		--env NODE_EXTRA_CA_CERTS="$C/ca.pem" "$@"
	out=$(node "$E/lib/check.mjs" steps "$D/$tag.json" 2>&1)
	is "$(cat "$D/$tag.rc")" 0 "[$who] $tag: the session runs to its end, each step as expected ($(echo "$out" | tail -n1) steps)"
	[ "$(cat "$D/$tag.rc")" = 0 ] || { diags "$out"; diags "stderr: $(head -c 2000 "$D/$tag.err")"; }
	is "$(cat "$D/$tag.left" 2>/dev/null)" 0 "[$who] $tag: no process is left behind"
}
# reaped runs as root here (the mount needs it); in_world drops to nobody
# inside the namespace.
reaped() {
	tag=$2; shift 2
	/usr/bin/python3 "$E/lib/reaper.py" "$D/$tag.left" -- "$@" >"$D/$tag.out" 2>"$D/$tag.err"
	echo $? >"$D/$tag.rc"
}
requests() { grep -c "^$1 " "$W/world.log"; }

BRAVE_YML=$(world "$PROFILES/brave-search.yml" api.search.brave.com)
SLACK_YML=$(world "$E/slack.yml" slack.com)
FETCH_YML=$(world "$E/fetch.yml" docs.membrane.test)

# both WHO TAG DIR PROFILE N HOST [NAME=VALUE]...: sessions/TAG.json bare
# and wrapped (the server DIR/dist/index.js, its environment NAME=VALUE):
# the same answers, every tool called and working, N requests at HOST (half
# each way), a report of start and exit.
both() {
	b_who=$1 b_tag=$2 b_dir=$3 b_yml=$4 b_n=$5 b_host=$6
	shift 6
	b_env=
	for kv in "$@"; do b_env="$b_env --env $kv"; done
	: >"$W/world.log"
	in_world "$b_who" "$b_tag-bare" "$E/sessions/$b_tag.json" $b_env -- env -i PATH=/usr/bin:/bin \
		"$@" NODE_EXTRA_CA_CERTS="$C/ca.pem" node "$b_dir/dist/index.js"
	in_world "$b_who" "$b_tag" "$E/sessions/$b_tag.json" $b_env -- "$MEMBRANE_RUN" --profile "$b_yml" \
		--report "$D/$b_tag.report" --set SERVER_DIR="$b_dir" --set MODULES="$NM" -- \
		node "$b_dir/dist/index.js"
	check_same "$b_who" "$b_tag-bare" "$b_tag"
	check_coverage "$b_who" "$b_tag"
	is "$(requests "$b_host")" "$b_n" "[$b_who] $b_tag: $b_n requests at $b_host, half bare, half wrapped"
	check_report "$b_who" "$D/$b_tag.report" start exit
}

for who in root nobody; do
	D=$(userdir "$who")
	both "$who" brave "$BRAVE" "$BRAVE_YML" 6 api.search.brave.com BRAVE_API_KEY=test-key
	both "$who" slack "$SLACK" "$SLACK_YML" 16 slack.com SLACK_BOT_TOKEN=xoxb-test SLACK_TEAM_ID=T1
	both "$who" fetch "$FETCH" "$FETCH_YML" 8 docs.membrane.test

	# what the fetch tools may not reach
	: >"$W/world.log"
	in_world "$who" refused "$E/sessions/fetch-refused.json" -- "$MEMBRANE_RUN" --profile "$FETCH_YML" \
		--report "$D/refused.report" --set SERVER_DIR="$FETCH" --set MODULES="$NM" -- \
		node "$FETCH/dist/index.js"
	R=$D/refused.report
	v() { jq -c "select(.event == \"violation\" and (has(\"count\") | not) and ($1))" "$R" | wc -l; }
	is "$(v '.op == "resolve" and .target == "other.membrane.test" and .requests[0].tool == "fetch_txt" and .decision == "denied"')" 1 \
		"[$who] another name: NXDOMAIN, reported as op resolve with the tool in flight"
	is "$(v '.op == "connect" and .target == "198.51.100.7:443" and .decision == "denied"')" 1 \
		"[$who] an address nothing grants: denied, reported"
	is "$(v '.op == "connect" and .target == "1.1.1.1:443" and .requests[0].tool == "fetch_json"')" 1 \
		"[$who] DNS over HTTPS to 1.1.1.1: denied, reported"
	is "$(v '.op == "resolve" and .target == "flip.membrane.test" and (.reason | test("rebinding"))')" 1 \
		"[$who] the rebinding answer: refused, reported"
	is "$(cat "$W/world.log")" "docs.membrane.test GET /page.json" \
		"[$who] the world heard the granted request alone"
done
is "$(grep -c '^other.membrane.test ' "$W/dns.log")" 0 "the host's nameserver never heard the name nothing granted"
done_testing
