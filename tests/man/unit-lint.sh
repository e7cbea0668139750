#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every man page lints clean with mandoc -Tlint -W warning (Debian's
# mandoc) and renders without a warning through groff, as `man -l` does.
. "$top_srcdir/tests/tap.sh"

command -v mandoc > /dev/null || { fail "mandoc is installed (apt-get install mandoc)"; done_testing; }
command -v groff > /dev/null || { fail "groff is installed (apt-get install groff-base)"; done_testing; }
found=0
for page in "$top_srcdir"/man/*.[1-8]; do
	[ -f "$page" ] || continue
	found=$((found + 1))
	name=${page##*/}
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	if [ -z "$out" ]; then pass "$name: mandoc -Tlint -W warning is silent"
	else fail "$name: mandoc -Tlint -W warning is silent" "$out"; fi
	out=$(groff -mdoc -Tutf8 -ww -z "$page" 2>&1)
	if [ -z "$out" ]; then pass "$name: groff renders it without a warning"
	else fail "$name: groff renders it without a warning" "$out"; fi
done
ok "there are man pages to lint ($found)" test "$found" -gt 0
done_testing
