#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Names in endpoints are never resolved when a profile is loaded: in a new
# user, mount and network namespace (no privileges needed) whose
# /etc/resolv.conf names 127.0.0.1, where hosts-probe counts every DNS
# question, and whose /etc/hosts names dual.membrane.test, profiles of
# names load, plan and lint without a question asked; membrane-run --check,
# --explain, --lint and --test-profile work there too, offline.
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/hosts" <<'HOSTS'
127.0.0.1 localhost
10.1.2.3 dual.membrane.test
HOSTS
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
cat >"$tmp/p.yml" <<'YML'
version: 1
name: offline
network: brokered
runtime:
  connect: ["api.example.org:443", "*.slack.com:443", "dual.membrane.test:8443"]
private_names: [dual.membrane.test]
tests:
  - idle: true
    allow: [connect api.example.org:443, connect files.slack.com:443]
    deny: [connect slack.com:443, connect 10.1.2.3:8443]
YML

# In the namespace: $1 hosts, $2 resolv.conf, then the command.
ns() {
	MB_HOSTS_FIXTURE=1 unshare --user --map-root-user --mount --net sh -c '
		ip link set lo up && mount --bind "$1" /etc/hosts &&
		mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"' \
		sh "$tmp/hosts" "$tmp/resolv.conf" "$@"
}

# The TAP lines of the C program are this test's; its plan is printed last.
ns "$top_builddir/tests/policy/hosts-probe" >"$tmp/out" 2>"$tmp/err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$tmp/out"
is "$rc" 0 "hosts-probe exits 0 in its namespace ($(cat "$tmp/err"))"

for action in --check --explain; do
	out=$(ns "$MEMBRANE_RUN" --profile "$tmp/p.yml" $action 2>&1)
	is "$?" 0 "membrane-run $action of a profile of names works offline ($out)"
done
out=$(ns "$MEMBRANE_RUN" --lint "$tmp/p.yml" 2>&1)
like "$?" "^[01]$" "--lint works offline ($out)"
out=$(ns "$MEMBRANE_RUN" --test-profile "$tmp/p.yml" 2>&1)
is "$?" 0 "--test-profile decides names without resolving them"
like "$out" "ok 1 .*allow connect api.example.org:443" "... a granted name"
like "$out" "ok 3 .*deny connect slack.com:443" "... the apex of a wildcard is not granted"
like "$out" "ok 4 .*deny connect 10.1.2.3:8443" "... nor the address /etc/hosts gives the name"
done_testing
