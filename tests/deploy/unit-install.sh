#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make install with DESTDIR, as a package build runs it: the binaries, the
# man pages, the profiles and their runtime fragments, the systemd unit and
# generator and the AppArmor profile land where configure said, with this
# build's paths written into them; the installed generator writes units;
# make uninstall takes every file away again.
. "$top_srcdir/tests/tap.sh"

W=$(mktemp -d /tmp/membrane-install.XXXXXX)
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
D=$W/root

# mkvar NAME: make's value of NAME in this build, expanded.
mkvar() {
	printf 'mb-print-var:\n\t@echo $(%s)\n' "$1" |
		env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -C "$top_builddir" -f Makefile -f - mb-print-var
}
mk() { env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -C "$top_builddir" "$@"; }

bindir=$(mkvar bindir)
mandir=$(mkvar mandir)
pkgdatadir=$(mkvar pkgdatadir)
sysconfdir=$(mkvar sysconfdir)
unitdir=$(mkvar systemdsystemunitdir)
gendir=$(mkvar systemdsystemgeneratordir)
apparmordir=$(mkvar apparmordir)
ok "make knows where things go ($bindir, $pkgdatadir, $unitdir)" test -n "$bindir" -a -n "$pkgdatadir" -a -n "$unitdir"

mk install DESTDIR="$D" > "$W/install.out" 2>&1
st=$?
is "$st" 0 "make install DESTDIR=... succeeds"
[ "$st" = 0 ] || diag "$(tail -n 20 "$W/install.out")"

for f in membrane-run membrane-audit; do
	ok "$bindir/$f is installed, executable" test -x "$D$bindir/$f"
done
for page in man1/membrane-run.1 man1/membrane-audit.1 man5/membrane-profile.5 \
	man5/membrane-report.5 man7/membrane.7; do
	ok "$mandir/$page is installed, as written" cmp -s "$D$mandir/$page" "$top_srcdir/man/${page#*/}"
done
n=0
for p in "$top_srcdir"/profiles/*.yml "$top_srcdir"/profiles/runtimes/*.yml; do
	rel=${p#"$top_srcdir"/profiles/}
	cmp -s "$p" "$D$pkgdatadir/profiles/$rel" || fail "profiles/$rel is installed in $pkgdatadir/profiles"
	n=$((n + 1))
done
is "$(cd "$D$pkgdatadir/profiles" && find . -name '*.yml' | wc -l)" "$n" \
	"every shipped profile and fragment ($n) is in $pkgdatadir/profiles, and nothing else"
like "$("$top_builddir/membrane-run" --help)" "$pkgdatadir/profiles" \
	"membrane-run looks for profiles by name where they are installed"

unit=$D$unitdir/membrane@.service
ok "the unit is installed in $unitdir" test -f "$unit"
is "$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")" "$bindir/membrane-run" \
	"... and starts the installed membrane-run"
gen=$D$gendir/membrane-generator
ok "the generator is installed in $gendir, executable" test -x "$gen"

# The installed generator, as systemd runs it at boot and on daemon-reload,
# on a configuration of ours.
mkdir -p "$W/etc/profiles" "$W/out" "$W/early" "$W/late"
echo 'MEMBRANE_COMMAND=/bin/true' > "$W/etc/files.conf"
MEMBRANE_GENERATOR_CONFDIR=$W/etc "$gen" "$W/out" "$W/early" "$W/late"
is "$?" 0 "the installed generator exits 0"
is "$(sed -n 's/^ListenStream=//p' "$W/out/membrane-files.socket" 2>/dev/null)" /run/membrane/files.sock \
	"... and writes membrane-files.socket for files.conf"
is "$(readlink "$W/out/membrane-files@.service")" "$unitdir/membrane@.service" \
	"... whose service is the installed template"
like "$(cat "$gen")" "confdir=\\\$\\{MEMBRANE_GENERATOR_CONFDIR:-$sysconfdir/membrane\\}" \
	"the generator reads $sysconfdir/membrane"

copy=$D$pkgdatadir/apparmor/membrane-run
ok "the AppArmor profile is in $pkgdatadir/apparmor" test -f "$copy"
like "$(grep '^profile ' "$copy")" "^profile membrane-run $bindir/membrane-run " \
	"... and attaches to the installed membrane-run"
if [ "$apparmordir" = no ]; then
	ok "configure found no AppArmor 4 parser: nothing goes to apparmor.d" \
		test ! -e "$D$sysconfdir/apparmor.d/membrane-run"
else
	ok "the AppArmor profile is installed in $apparmordir" cmp -s "$copy" "$D$apparmordir/membrane-run"
fi

mk uninstall DESTDIR="$D" > "$W/uninstall.out" 2>&1
is "$?" 0 "make uninstall DESTDIR=... succeeds"
is "$(find "$D" -type f -o -type l | wc -l)" 0 "... and leaves no file behind"
[ -z "$(find "$D" -type f -o -type l)" ] || diag "$(find "$D" -type f -o -type l | head)"
done_testing
