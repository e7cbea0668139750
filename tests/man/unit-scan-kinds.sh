#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every kind of finding (policy/scan-kinds.h) is documented where users look
# for it: membrane-profile(5) SCANNING, where the scan key names it, and
# membrane-report(5), where the poisoning and secret lines carry it.
. "$top_srcdir/tests/tap.sh"

kinds=$(sed -n 's/^[[:space:]]*X([A-Z_]*, "\([a-z-]*\)",.*/\1/p' "$top_srcdir/policy/scan-kinds.h")
n=$(echo "$kinds" | wc -w)
ok "policy/scan-kinds.h lists kinds ($n)" test "$n" -gt 20
profile=$(sed -n '/^\.Sh SCANNING/,/^\.Sh /p' "$top_srcdir/man/membrane-profile.5")
report=$(sed -n '/^\.Ss poisoning/,/^\.Ss exit/p' "$top_srcdir/man/membrane-report.5")
for k in $kinds; do
	like "$profile" "Cm ([a-z-]+ , )*$k( |$)" "membrane-profile(5) SCANNING documents $k"
	like "$report" "Cm ([a-z-]+ , )*$k( |$)" "membrane-report(5) names $k"
done
done_testing
