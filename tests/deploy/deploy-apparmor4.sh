#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The AppArmor profile of membrane-run under AppArmor 4, which knows the
# userns rule that Ubuntu's restriction of unprivileged user namespaces asks
# for (Debian 12's 3.0 does not: tests/deploy/unit-apparmor.sh). Debian 13's
# apparmor_parser (4.1), in a debootstrap'd root, parses the profile as
# make install writes it, without loading it (this kernel has no AppArmor);
# a profile that grants no userns, and one with a typo in the rule, are
# the controls. What it cannot show: that an AppArmor kernel with the
# restriction on then gives membrane-run its namespaces (none here).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/deploy/lib.sh"

need debootstrap debootstrap
[ "$(id -u)" = 0 ] || { fail "run as root (debootstrap, mounts)"; done_testing; }
P=$top_builddir/apparmor/membrane-run
ok "the profile is built ($P)" test -f "$P"

W=$(mktemp -d "$top_builddir/tests/deploy/aa4.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$W/in"
cp "$P" "$W/in/membrane-run"
sed 's/^  userns,$/  usernz,/' "$P" > "$W/in/typo"
grep -v '^  userns,$' "$P" > "$W/in/no-userns"

root=$(cached trixie-apparmor debootstrap_into trixie apparmor)
ok "a Debian 13 root with AppArmor" test -n "$root" -a -x "$root/usr/sbin/apparmor_parser" -o -x "$root/sbin/apparmor_parser"
sh "$ENTER" "$root" "$W/up" -b "$W/in:/in" -- sh -c '
	apparmor_parser --version | head -n 1 > /in/version
	for f in membrane-run typo no-userns; do
		apparmor_parser -QK /in/$f > /in/$f.out 2>&1; echo $? > /in/$f.rc
	done
	# The compiled policy a load would hand a kernel that mediates user
	# namespaces (-S: to standard output; -M: Debian 13'"'"'s pinned
	# kernel features, which hold namespaces/userns_create), with and
	# without the rule.
	f=/usr/share/apparmor-features/features
	grep -q userns_create $f; echo $? > /in/features.rc
	apparmor_parser -QK -M $f -S /in/membrane-run > /in/binary 2>/dev/null; echo $? > /in/binary.rc
	apparmor_parser -QK -M $f -S /in/no-userns > /in/no-userns.binary 2>/dev/null
' > "$W/enter.log" 2>&1
is "$?" 0 "the root ran the parser"
diag "$(cat "$W/in/version" 2>/dev/null)"
like "$(cat "$W/in/version")" "version 4\\." "it is AppArmor 4"
is "$(cat "$W/in/membrane-run.rc")" 0 "AppArmor 4 parses membrane-run's profile, userns rule and all"
[ "$(cat "$W/in/membrane-run.rc")" = 0 ] || diag "$(cat "$W/in/membrane-run.out")"
is "$(cat "$W/in/features.rc")" 0 "Debian 13's kernel feature set mediates user namespace creation"
is "$(cat "$W/in/binary.rc")" 0 "... and for it, AppArmor 4 compiles the profile to loadable policy"
ok "... that is not empty" test -s "$W/in/binary"
isnt_zero() { [ "$1" != 0 ]; }
ok "a typo in the rule is refused (the parser checks what it reads)" isnt_zero "$(cat "$W/in/typo.rc")"
is "$(cat "$W/in/no-userns.rc")" 0 "the profile without the rule parses too"
ok "... to other policy: the rule is in what would be loaded" \
	sh -c '! cmp -s "$1" "$2"' sh "$W/in/binary" "$W/in/no-userns.binary"
done_testing
