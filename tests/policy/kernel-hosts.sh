#!/bin/sh
# Host names in endpoints resolve to every address, once each, v4-mapped
# folded to v4: checked against our own /etc/hosts, bound over the system's
# in a new user+mount namespace (no privileges needed).
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/hosts" <<'HOSTS'
127.0.0.1 localhost
::1 localhost
10.1.2.3 dual.membrane.test
::ffff:10.1.2.3 dual.membrane.test
fd00::7 dual.membrane.test
HOSTS

# The TAP lines of the C program are this test's; its plan is printed last.
MB_HOSTS_FIXTURE=1 unshare --user --map-root-user --mount sh -c \
	'mount --bind "$1" /etc/hosts && exec "$2"' sh "$tmp/hosts" \
	"$top_builddir/tests/policy/hosts-probe" >"$tmp/out" 2>"$tmp/err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$tmp/out"
is "$rc" 0 "test-profile-hosts exits 0 in its namespace ($(cat "$tmp/err"))"
done_testing
