#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The libraries configure requires (MB_REQUIRE names each one's Debian
# package) are the ones a fresh machine installs: bootstrap.sh's list, which
# .ci/run and the README's first command use, and debian/control's
# Build-Depends, which a package build in a clean root installs and nothing
# else (tests/deploy/deploy-deb.sh builds there: make check-deploy). A
# library added to configure.ac alone passes every test on a machine that
# has it and fails on the next fresh one.
. "$top_srcdir/tests/tap.sh"

pkgs=$(sed -n 's/^MB_REQUIRE(\[[A-Z0-9]*\], *\[[^]]*\], *\[\([^]]*\)\]).*/\1/p' "$top_srcdir/configure.ac" | tr ' ' '\n' | sort -u)
ok "configure.ac names the Debian package of each library it requires" test "$(echo "$pkgs" | wc -w)" -ge 7
# Build-Depends: one package a line, with an optional version and build profile.
deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top_srcdir/debian/control" |
	sed -e 's/^Build-Depends://' -e 's/[(<].*//' -e 's/[ ,]//g' | tr '|' '\n' | grep -v '^[A-Z]' | sort -u)
boot=$(sed -n '/^PACKAGES="/,/"$/p' "$top_srcdir/bootstrap.sh" | tr -d '"' | sed 's/^PACKAGES=//' | tr ' ' '\n' | sort -u)
for p in $pkgs; do
	ok "$p (configure.ac) is in debian/control's Build-Depends" sh -c 'echo "$1" | grep -qx "$2"' sh "$deps" "$p"
	ok "$p (configure.ac) is in bootstrap.sh's packages" sh -c 'echo "$1" | grep -qx "$2"' sh "$boot" "$p"
done
done_testing
