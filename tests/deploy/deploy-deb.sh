#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Debian package, end to end, on roots that never saw membrane:
# dpkg-buildpackage -us -uc -b of the release tree in a clean Debian 12
# root holding only the Build-Depends (debootstrap from Debian's mirror +
# apt-get build-dep; the package build runs the unit tier), lintian clean of
# errors and warnings, then apt installs the .deb into another fresh root
# (its dependencies from the mirror), where the first-run demo runs against
# the installed membrane-run with the installed profile by name, as root and
# as nobody; --doctor agrees; the systemd generator writes the socket that
# systemd-analyze, running the generators as the manager does on
# daemon-reload, verifies; the man pages open with man; purge leaves
# nothing. Minutes, and the network: make check-deploy.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/deploy/lib.sh"

E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
need_npm "$E" @modelcontextprotocol/server-filesystem/dist/index.js
need debootstrap debootstrap
need lintian lintian
[ "$(id -u)" = 0 ] || { fail "run as root (debootstrap, mounts)"; done_testing; }

W=$(mktemp -d "$top_builddir/tests/deploy/deb.XXXXXX")
chmod 755 "$W" # lintian runs as nobody
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$W/src" "$W/out"

key=$(source_tree "$W/src")
ok "make distdir gives the release tree" test -n "$key" -a -d "$W/src/membrane-$VERSION/debian"

# ---- build ----
start=$(date +%s)
build_deb "$W/src" "$W/deb"
st=$?
is "$st" 0 "dpkg-buildpackage -us -uc -b succeeds in a Debian 12 root with only the Build-Depends ($(($(date +%s) - start)) s)"
[ "$st" = 0 ] || { diag "$(tail -n 30 "$W/deb/build.log")"; done_testing; }
deb=$W/deb/membrane_${VERSION}_amd64.deb
ok "it made membrane_${VERSION}_amd64.deb" test -f "$deb"
like "$(grep -E '^# (PASS|FAIL|ERROR):' "$W/deb/build.log" | tr '\n' ' ')" \
	"^# PASS: +[1-9][0-9]* # FAIL: +0 # ERROR: +0 $" "the build ran the unit tier, and all of it passed"
# Keep it for deploy-podman.sh, which installs the same tree's package;
# the packages of older trees, and build roots of older debian/control,
# are of no further use.
[ -d "$CACHE/deb-$key" ] || { mkdir -p "$CACHE/deb-$key.tmp" && cp "$W/deb"/*.deb "$CACHE/deb-$key.tmp/" &&
	mv "$CACHE/deb-$key.tmp" "$CACHE/deb-$key"; }
ctl=$(sha256sum "$W/src/membrane-$VERSION/debian/control" | cut -c1-16)
for old in "$CACHE"/deb-* "$CACHE"/bookworm-build-deps-*; do
	case $old in "$CACHE/deb-$key" | "$CACHE/bookworm-build-deps-$ctl") ;; *) rm -rf "$old" ;; esac
done

out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups lintian --fail-on error,warning \
	"$W/deb/membrane_${VERSION}_amd64.changes" 2>&1)
st=$?
is "$st" 0 "lintian $(lintian --version | sed 's/Lintian v//'): no error, no warning"
[ -z "$out" ] || diag "$out"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/membrane-run ./usr/bin/membrane-audit ./usr/share/membrane/profiles/filesystem.yml \
	./usr/share/membrane/profiles/runtimes/node.yml ./lib/systemd/system/membrane@.service \
	./lib/systemd/system-generators/membrane-generator ./usr/share/man/man1/membrane-run.1.gz \
	./usr/share/man/man5/membrane-profile.5.gz ./usr/share/membrane/apparmor/membrane-run \
	./usr/share/doc/membrane/copyright; do
	like "$contents" "^$f\$" "the package holds ${f#.}"
done
ok "it puts no AppArmor profile in /etc/apparmor.d (Debian 12's AppArmor 3.0 would refuse the userns rule)" \
	sh -c '! dpkg-deb -c "$1" | grep -q "etc/apparmor.d"' sh "$deb"

# ---- install and use ----
b=$(base bookworm)
run=$(cached bookworm-run-v1 layer "$b" "" \
	"apt-get -q update && apt-get -q -y install --no-install-recommends systemd man-db && apt-get clean")
ok "a Debian 12 root with systemd and man-db, without membrane" test -n "$run" -a -d "$run"
sh "$ENTER" "$run:$b" "$W/inst" -b "$W/deb:/deb" -b "$W/out:/out" -b "$(cd "$E" && pwd)/node_modules:/opt/mcp/node_modules" \
	-b "$(cd "$top_srcdir/tests/deploy" && pwd):/tests" -- sh /tests/deb-inside.sh > "$W/inside.log" 2>&1
is "$?" 0 "the install root ran its script"
O=$W/out
is "$(cat "$O/install.rc")" 0 "apt-get install ./membrane_${VERSION}_amd64.deb fetches what it needs and installs it"
[ "$(cat "$O/install.rc")" = 0 ] || diag "$(tail -n 20 "$O/install.out")"
is "$(cat "$O/status")" "install ok installed $VERSION" "dpkg says it is installed"
like "$(cat "$O/install.out")" "Setting up nodejs " "apt brought node along (Recommends)"
is "$(tr '\n' ' ' < "$O/which")" "/usr/bin/membrane-run /usr/bin/membrane-audit " "membrane-run and membrane-audit are on PATH"
is "$(cat "$O/version.out")" "membrane-run $VERSION" "membrane-run --version"

for who in root nobody; do
	is "$(cat "$O/demo-$who.rc")" 0 "[$who] the first-run demo: --profile filesystem finds the installed profile, the server runs"
	like "$(grep '"id":2' "$O/demo-$who.out")" "hello from inside the sandbox" "[$who] ... read_text_file inside ROOT is answered"
	like "$(grep '"id":3' "$O/demo-$who.out")" '"isError":true' "[$who] ... the one naming /etc/passwd is refused"
	like "$(cat "$O/demo-$who.jsonl")" '"event":"refused".*"/etc/passwd"' "[$who] ... by membrane, and reported"
	ok "[$who] ... and the server never saw it (no violation: it did not try)" sh -c '! grep -q "\"event\":\"violation\"" "$1"' sh "$O/demo-$who.jsonl"
	[ "$(cat "$O/demo-$who.rc")" = 0 ] || diag "$(head -c 2000 "$O/demo-$who.err")"
	is "$(cat "$O/doctor-$who.rc")" 0 "[$who] membrane-run --doctor --profile filesystem: every layer in place"
	[ "$(cat "$O/doctor-$who.rc")" = 0 ] || diag "$(cat "$O/doctor-$who.out")"
done
like "$(cat "$O/demo-nobody.jsonl")" '"namespaces":\["user","mount","pid","net","ipc","uts","cgroup"\]' \
	"[nobody] ... in a user namespace of its own, with the rest"

is "$(cat "$O/generator.rc")" 0 "the installed generator runs"
like "$(cat "$O/generated")" "membrane-files.socket" "... and writes membrane-files.socket for /etc/membrane/files.conf"
is "$(cat "$O/analyze.rc")" 0 "systemd-analyze --generators=yes verify membrane-files.socket: the manager's way of running generators finds and verifies it"
[ "$(cat "$O/analyze.rc")" = 0 ] || diag "$(cat "$O/analyze.out")"

for page in membrane-run:1 membrane-audit:1 membrane-profile:5 membrane-report:5 membrane:7; do
	name=${page%:*} sec=${page#*:}
	is "$(cat "$O/man-$name.path")" "/usr/share/man/man$sec/$name.$sec.gz" "man -w $name finds the installed page"
	is "$(cat "$O/man-$name.rc")" 0 "man $name opens it"
	like "$(head -n 1 "$O/man-$name.out")" "^$(echo "$name" | tr a-z A-Z)\\($sec\\)" "... and shows it"
done

is "$(cat "$O/purge.rc")" 0 "apt-get purge membrane"
is "$(cat "$O/left")" "" "... leaves none of its files"
done_testing
