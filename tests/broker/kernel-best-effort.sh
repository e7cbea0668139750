#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# network brokered in a sandbox without a network namespace of its own:
# membrane-run --best-effort as nobody where user namespaces are refused
# (tests/sandbox/nouserns). The sandbox's loopback is then the host's, so
# nothing may stay "inside": a loopback connect that no grant names is
# refused (EPERM) and reported, and the host's listener never hears it;
# granted connects are made on the server's own socket. Run as root (to
# build the namespace that forbids user namespaces), as spawn.sh is.
. "$top_srcdir/tests/tap.sh"

B=$top_builddir
S=$(cd "$top_srcdir/tests/broker" && pwd)
W=$(mktemp -d /tmp/membrane-broker-be.XXXXXX)
chmod 755 "$W"
EPID=
trap '[ -n "$EPID" ] && kill "$EPID"; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
cp "$B/tests/broker/broker-client" "$W/client"
mkdir "$W/r" && chown 65534:65534 "$W/r"  # the report, written as nobody
python3 "$S/echo-server.py" "$W/ports" "$W/secret.log" &
EPID=$!
i=0
while [ ! -s "$W/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r TCP4 UDP4 SECRET <"$W/ports"
: >"$W/secret.log"

if ! "$B/tests/sandbox/nouserns" 65534 65534 true; then
	fail "tests/sandbox/nouserns builds a namespace that forbids user namespaces"
	done_testing
fi
"$B/tests/sandbox/nouserns" 65534 65534 "$MEMBRANE_RUN" --best-effort \
	--profile "$S/best-effort.yml" --report "$W/r/report" \
	--set CLIENT="$W/client" --set TCP4="$TCP4" --set UDP4="$UDP4" \
	-- "$W/client" --host --tcp4 "$TCP4" --udp4 "$UDP4" --secret "$SECRET" \
	--refused 1 --abstract none --stderr </dev/null >/dev/null 2>"$W/err"
is "$?" 0 "membrane-run --best-effort ran the client to its end"
got() { sed -n "s/^\[server\] CASE $1 //p" "$W/err"; }
is "$(python3 -c 'import json,sys; print("net" in json.loads(open(sys.argv[1]).readline())["layers"]["namespaces"])' "$W/r/report")" \
	False "the sandbox has no network namespace of its own"
like "$(got host-tcp4)" "rc=0 errno=0 .*reply=host:host-tcp4" "a granted TCP connect reaches the host's echo"
like "$(got host-udp4)" "errno=0 reply=host:host-udp4" "a granted UDP connect too"
like "$(got host-secret)" "rc=-1 errno=EPERM" "an ungranted loopback connect is refused: EPERM"
is "$(cat "$W/secret.log")" "" "... the host's listener heard nothing"
like "$(grep '"violation"' "$W/r/report")" "\"target\":\"127.0.0.1:$SECRET\".*\"decision\":\"denied\"" \
	"... and it was reported"
done_testing
