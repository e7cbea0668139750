#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# man/membrane-profile.5 is clean mdoc (mandoc -Tlint -W warning prints
# nothing), documents every key of the profile language and every shipped
# profile and fragment. The keys are the key table's (policy/profile-keys.h,
# printed by print-profile-keys): each has its entry under KEYS, the keys
# its value takes are documented, and the section the table names for it
# exists and speaks of it.
. "$top_srcdir/tests/tap.sh"

page=$top_srcdir/man/membrane-profile.5
out=$(mandoc -Tlint -W warning "$page" 2>&1)
rc=$?
is "$rc" 0 "mandoc -Tlint -W warning exits 0"
is "$out" "" "mandoc -Tlint -W warning prints nothing"

# The source of section $1: from its .Sh or .Ss line to the next heading of
# its level or above.
section() {
	awk -v name="$1" '
		/^\.S[hs] / && on && ($1 == ".Sh" || level == ".Ss") { on = 0 }
		$0 == ".Sh " name || $0 == ".Ss " name { on = 1; level = $1 }
		on' "$page"
}

text=$(mandoc -Tascii "$page" | col -b)
entries=$(section KEYS)
table=$("$top_builddir/tests/man/print-profile-keys")
is "$?" 0 "print-profile-keys prints the key table"
tab=$(printf '\t')
n=0
while IFS=$tab read -r key pass where reader sub draft man; do
	n=$((n + 1))
	like "$text" "(^|[^a-z_])$key:" "the page documents '$key:'"
	like "$entries" "^\.It Ic $key( |$)" "'$key' has its entry under KEYS"
	like "$(section "$man")" "(^|[^a-z_.])$key([^a-z_]|$)" "'$key' is explained in $man"
	for s in $sub; do
		[ "$s" = - ] || like "$text" "(^|[^a-z_])$s:" "the page documents '$key' '$s:'"
	done
done <<END
$table
END
ok "the key table has keys ($n)" test "$n" -gt 1

for f in "$top_srcdir"/profiles/*.yml "$top_srcdir"/profiles/runtimes/*.yml; do
	case $f in
	*/runtimes/*) n=runtimes/$(basename "$f") ;;
	*) n=$(basename "$f") ;;
	esac
	like "$text" "$n" "the page shows $n"
done

done_testing
