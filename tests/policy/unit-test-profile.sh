#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-run --test-profile: the TAP it prints (one line per expectation,
# naming its file:line:column and the test's line; a diagnostic for each
# failure), its exit status (0 all pass, 1 a failure or no tests, 125 a
# broken profile), the working directory relative arguments resolve
# against, and host names (resolved by --test-profile, never by a run).
. "$top_srcdir/tests/tap.sh"

fix=$top_srcdir/tests/fixtures/profiles/selftest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
mkdir "$data"

# From DATA, which the sandbox shows: "a.txt" is DATA/a.txt.
(cd "$data" && "$MEMBRANE_RUN" --test-profile "$fix/mixed.yml" --set DATA="$data") \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
is "$rc" 1 "mixed.yml: exit 1 (some expectations fail)"
is "$(cat "$tmp/err")" "" "mixed.yml: nothing on stderr"
sed "s|$data|\$DATA|g; s|$fix/|@/|g" "$tmp/out" >"$tmp/got"
cat >"$tmp/want" <<'TAP'
1..11
ok 1 - @/mixed.yml:18:13: read_text_file (test at line 16): allow read $DATA/a.txt
ok 2 - @/mixed.yml:18:35: read_text_file (test at line 16): allow read /usr/lib/os-release
ok 3 - @/mixed.yml:20:9: read_text_file (test at line 16): deny read $DATA/b.txt
not ok 4 - @/mixed.yml:21:9: read_text_file (test at line 16): deny list $DATA
#   allowed by read_text_file's read grant '{path}' (@/mixed.yml:12:28), filled in as '$DATA/a.txt', as the listing of an ancestor of a granted path
not ok 5 - @/mixed.yml:22:9: read_text_file (test at line 16): deny read /usr/lib/x
#   allowed by runtime's read grant '/usr/lib' (@/mixed.yml:8:10)
not ok 6 - @/mixed.yml:26:13: read_text_file (test at line 24): allow read /etc/passwd
#   membrane refuses the call before the server sees it: argument path ("/etc/passwd") is outside arguments.within
ok 7 - @/mixed.yml:27:12: read_text_file (test at line 24): deny read /etc/passwd
ok 8 - @/mixed.yml:32:13: read_text_file (test at line 30): allow read $DATA/a.txt
ok 9 - @/mixed.yml:34:13: query (test at line 33): allow connect 127.0.0.1:5432
not ok 10 - @/mixed.yml:34:37: query (test at line 33): allow connect [::1]:5432
#   no grant in force allows it (runtime, and the call's grants filled from its arguments)
not ok 11 - @/mixed.yml:36:13: idle (test at line 35): allow connect 127.0.0.1:5432
#   no grant in force allows it (runtime alone, while idle)
TAP
if cmp -s "$tmp/got" "$tmp/want"; then
	pass "mixed.yml: the TAP report, line for line"
else
	fail "mixed.yml: the TAP report, line for line" "$(diff "$tmp/want" "$tmp/got")"
fi

# From /, which the sandbox does not show: "a.txt" is /a.txt, outside
# arguments.within, and the call is refused.
(cd / && "$MEMBRANE_RUN" --test-profile "$fix/mixed.yml" --set DATA="$data") >"$tmp/out" 2>&1
like "$(grep '^not ok 8 ' "$tmp/out")" "^not ok 8 - .*allow read $data/a.txt\$" \
	"mixed.yml from /: the relative path no longer names DATA/a.txt"
like "$(grep -A1 '^not ok 8 ' "$tmp/out" | tail -n 1)" \
	'refuses the call.*argument path \("a.txt"\) is outside arguments.within' \
	"mixed.yml from /: ... because the call is refused"

# No tests: nothing was checked, which is not a pass.
"$MEMBRANE_RUN" --test-profile "$fix/none.yml" >"$tmp/out" 2>"$tmp/err"
is "$?" 1 "none.yml: exit 1"
is "$(head -n 1 "$tmp/out")" "1..0" "none.yml: an empty plan"
like "$(tail -n 1 "$tmp/out")" "none.yml has no tests: nothing was checked" "none.yml: says so"

# A broken tests key: 125 and the loader's one line, nothing on stdout.
"$MEMBRANE_RUN" --test-profile "$top_srcdir/tests/fixtures/profiles/bad/tests-bad-op.yml" \
	>"$tmp/out" 2>"$tmp/err"
is "$?" 125 "broken tests: exit 125"
like "$(cat "$tmp/err")" "^membrane-run: .*tests-bad-op.yml:11:12: unknown operation 'delete'" \
	"broken tests: the error names file:line:column"
is "$(wc -c <"$tmp/out" | tr -d ' ')" 0 "broken tests: nothing on stdout"

# A shipped profile's tests pass; the same profile with a variable that
# moves ROOT under a grant of runtime still loads, and the tests say so.
"$MEMBRANE_RUN" --test-profile "$fix/mixed.yml" --set DATA=/nonexistent >"$tmp/out" 2>"$tmp/err"
is "$?" 125 "a missing DATA: exit 125 (the compiler's existence checks honour --set)"

# Options: the profile is given once.
"$MEMBRANE_RUN" --profile "$fix/none.yml" --test-profile "$fix/none.yml" >"$tmp/out" 2>"$tmp/err"
is "$?" 125 "--profile with --test-profile: exit 125"
like "$(cat "$tmp/err")" "the profile is given twice" "... saying the profile is given twice"
"$MEMBRANE_RUN" --test-profile "$fix/none.yml" -- /bin/true >"$tmp/out" 2>"$tmp/err"
is "$?" 125 "--test-profile with a command: exit 125"
like "$(cat "$tmp/err")" "--test-profile takes no command" "... saying it takes none"

# Host names, with our own /etc/hosts and files-only resolution in a new
# user+mount namespace: --test-profile decides them by the name grants and
# never resolves them, so what /etc/hosts says changes nothing.
cat >"$tmp/hosts" <<'HOSTS'
127.0.0.1 localhost
10.1.2.3 db.membrane.test
HOSTS
echo 'hosts: files' >"$tmp/nsswitch.conf"
in_ns() {
	unshare --user --map-root-user --mount sh -c \
		'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' \
		sh "$tmp/hosts" "$tmp/nsswitch.conf" "$@"
}
in_ns "$MEMBRANE_RUN" --test-profile "$fix/hosts.yml" >"$tmp/out" 2>"$tmp/err"
is "$?" 1 "hosts.yml: exit 1 (the address grant does not grant the name)"
sed "s|$fix/|@/|g" "$tmp/out" >"$tmp/got"
cat >"$tmp/want" <<'TAP'
1..4
not ok 1 - @/hosts.yml:11:13: idle (test at line 10): allow connect db.membrane.test:5432
#   no grant in force allows it (runtime alone, while idle)
ok 2 - @/hosts.yml:11:44: idle (test at line 10): allow connect api.svc.membrane.test:443
ok 3 - @/hosts.yml:12:12: idle (test at line 10): deny connect svc.membrane.test:443
not ok 4 - @/hosts.yml:12:43: idle (test at line 10): deny connect API.Svc.membrane.test.:443
#   allowed by runtime's connect grant '*.svc.membrane.test:443' (@/hosts.yml:7:30)
TAP
if cmp -s "$tmp/got" "$tmp/want"; then
	pass "hosts.yml: names decided by name grants: a wildcard, its apex, case and a trailing dot"
else
	fail "hosts.yml: names decided by name grants: a wildcard, its apex, case and a trailing dot" \
		"$(diff "$tmp/want" "$tmp/got"; cat "$tmp/err")"
fi
in_ns "$MEMBRANE_RUN" --check --profile "$fix/unknown-host.yml" >"$tmp/out" 2>"$tmp/err"
is "$?" 0 "unknown-host.yml: --check does not resolve a test's host name"
in_ns "$MEMBRANE_RUN" --test-profile "$fix/unknown-host.yml" >"$tmp/out" 2>"$tmp/err"
is "$?" 0 "unknown-host.yml: --test-profile needs no answer for a name: exit 0"
like "$(cat "$tmp/out")" "^ok 1 .*deny connect nowhere.membrane.test:443" \
	"... its deny holds: nothing grants the name"

done_testing
