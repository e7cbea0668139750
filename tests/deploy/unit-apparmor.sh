#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The AppArmor profile of membrane-run (apparmor/membrane-run.in), parsed by
# this host's apparmor_parser without loading anything (-Q: no kernel; -K:
# no cache). An AppArmor 4 parser must take it whole. Debian 12's AppArmor
# 3.0 does not know the userns rule that the profile exists for: there,
# everything else must parse, and 3.0 must refuse exactly that rule, which is
# why configure installs the profile in apparmor.d only where the parser
# takes it (tests/deploy/deploy-apparmor4.sh parses it with Debian 13's
# AppArmor 4.1: make check-deploy).
. "$top_srcdir/tests/tap.sh"

P=$top_builddir/apparmor/membrane-run
AA=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
if [ ! -x "$AA" ]; then
	fail "apparmor_parser is installed (apt-get install apparmor; bootstrap.sh does)"
	done_testing
fi
W=$(mktemp -d /tmp/membrane-apparmor.XXXXXX)
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
version=$("$AA" --version 2>&1 | sed -n '1s/.*version //p')
diag "apparmor_parser $version"

ok "the profile is built ($P)" test -f "$P"
like "$(grep '^profile ' "$P")" '^profile membrane-run /[^ ]*/membrane-run flags=\(unconfined\) \{$' \
	"it attaches to membrane-run by its installed path, unconfined"
is "$(grep -c '^  userns,$' "$P")" 1 "it holds the userns rule, once"
is "$(grep -v '^ *#' "$P" | grep -c -v -e '^$' -e '^abi ' -e '^include ' -e '^profile ' \
	-e '^  userns,$' -e '^  include if exists' -e '^}$')" 0 "and no other rule"

printf 'abi <abi/4.0>,\nprofile membrane-test-probe { userns, }\n' > "$W/probe"
if "$AA" -QK "$W/probe" > /dev/null 2>&1; then
	out=$("$AA" -QK "$P" 2>&1)
	is "$?" 0 "AppArmor $version parses the profile"
	[ -z "$out" ] || diag "$out"
	sed 's/^  userns,$/  usernz,/' "$P" > "$W/typo"
	ok "... and refuses it with a typo in the rule (control)" sh -c '! "$1" -QK "$2" > /dev/null 2>&1' sh "$AA" "$W/typo"
else
	sed -e 's|^abi <abi/4.0>,$|abi <abi/3.0>,|' -e '/^  userns,$/d' "$P" > "$W/without-userns"
	out=$("$AA" -QK "$W/without-userns" 2>&1)
	is "$?" 0 "AppArmor $version parses all of the profile but the userns rule"
	[ -z "$out" ] || diag "$out"
	sed -e 's|^abi <abi/4.0>,$|abi <abi/3.0>,|' "$P" > "$W/abi3"
	line=$(grep -n '^  userns,$' "$W/abi3" | cut -d: -f1)
	like "$("$AA" -QK "$W/abi3" 2>&1)" "at line $line: syntax error" \
		"AppArmor $version refuses the userns rule itself (line $line), as configure expected"
	dir=$(printf 'mb-print-var:\n\t@echo $(apparmordir)\n' |
		env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -C "$top_builddir" -f Makefile -f - mb-print-var)
	# Unless it was told where (make distcheck tells it its own prefix).
	case $("$top_builddir/config.status" --config) in
	*--with-apparmordir=*) pass "configure was told where to install it ($dir)" ;;
	*) is "$dir" no "so configure installs it in no apparmor.d" ;;
	esac
fi
done_testing
