#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-generator's HTTP units: a NAME.conf with MEMBRANE_LISTEN gets
# membrane-http@NAME.socket (its addresses, Accept=no, named "http") and a
# drop-in passing the TLS and token files as credentials with the options
# that read them; a NAME.conf without it gets none. The template runs
# membrane-run --listen systemd:http. (The manager's side of the unix
# socket path is tests/systemd/kernel-systemd.sh's.)
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/conf" "$tmp/out"
cat >"$tmp/conf/my-api.conf" <<'CONF'
MEMBRANE_COMMAND=/usr/bin/python3 /srv/server.py
MEMBRANE_LISTEN="0.0.0.0:8443 /run/membrane/my-api.http"
MEMBRANE_TLS_CERT=/etc/membrane/tls/my-api.crt
MEMBRANE_TLS_KEY=/etc/membrane/tls/my-api.key
MEMBRANE_TOKENS=/etc/membrane/my-api.tokens
CONF
printf 'MEMBRANE_COMMAND=/bin/true\n' >"$tmp/conf/plain.conf"
sed -e "s|@sysconfdir@|$tmp|g" -e "s|@systemdsystemunitdir@|$tmp/units|g" -e "s|@bindir@|/usr/bin|g" \
	"$top_srcdir/systemd/membrane-generator.in" >"$tmp/generator"
MEMBRANE_GENERATOR_CONFDIR=$tmp/conf sh "$tmp/generator" "$tmp/out" 2>"$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "the generator exits 0, silent"
s="$tmp/out/membrane-http@my\\x2dapi.socket"
ok "membrane-http@my\\x2dapi.socket is written" test -f "$s"
is "$(sed -n 's/^ListenStream=//p' "$s" | tr '\n' ' ')" "0.0.0.0:8443 /run/membrane/my-api.http " "one ListenStream= per address"
is "$(sed -n 's/^Accept=//p; s/^FileDescriptorName=//p' "$s" | tr '\n' ' ')" "no http " \
	"Accept=no (one listener for every client), the sockets named http"
is "$(readlink "$tmp/out/sockets.target.wants/membrane-http@my\\x2dapi.socket")" "../membrane-http@my\\x2dapi.socket" \
	"wanted by sockets.target"
d="$tmp/out/membrane-http@my\\x2dapi.service.d/50-credentials.conf"
is "$(grep -c '^LoadCredential=' "$d")" 3 "three credentials: the certificate, the key, the tokens"
grep -q '^LoadCredential=tls-key:/etc/membrane/tls/my-api.key$' "$d"
ok "... the key from its file" test $? -eq 0
grep -q '^Environment="MEMBRANE_HTTP_OPTIONS= --tls-cert credential:tls-cert --tls-key credential:tls-key --tokens credential:tokens"$' "$d"
ok "... read by membrane-run as credential:NAME" test $? -eq 0
ok "no HTTP socket for a server without MEMBRANE_LISTEN" test ! -e "$tmp/out/membrane-http@plain.socket"
ok "the unix socket per connection is still written for both" \
	test -f "$tmp/out/membrane-plain.socket" -a -f "$tmp/out/membrane-my\\x2dapi.socket"
grep -q -- '--listen systemd:http \$MEMBRANE_HTTP_OPTIONS' "$top_srcdir/systemd/membrane-http@.service.in"
ok "membrane-http@.service runs membrane-run --listen systemd:http" test $? -eq 0
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$tmp/units"
	sed -e "s|@sysconfdir@|$tmp|g" -e "s|@bindir@|/usr/bin|g" "$top_srcdir/systemd/membrane-http@.service.in" \
		>"$tmp/units/membrane-http@.service"
	: >"$tmp/my-api.conf"
	out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp/units/membrane-http@my-api.service" 2>&1 |
		grep -v -e 'Failed to put bus name' -e 'Command /usr/bin/membrane-run is not executable' -e 'Unit is bound to inactive unit')
	is "$out" "" "systemd-analyze verify finds nothing in membrane-http@.service"
else
	ok "systemd-analyze is not installed: membrane-http@.service unverified # SKIP" true
fi
done_testing
