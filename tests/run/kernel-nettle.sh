#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# nettle is opened with dlopen (common/nettle-dl.h). One that lacks SHA-256
# (a stand-in found first through LD_LIBRARY_PATH) fails closed: no server
# runs without the reports' hash chain, membrane-audit verifies nothing,
# and both say what is missing. As root and as nobody.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 1777 "$dir" # nobody writes its own report here
soname=$(sed -n 's/^#define MB_NETTLE_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h")
echo 'int mb_not_nettle;' > "$dir/empty.c"
${CC:-cc} -shared -fPIC -o "$dir/$soname" -Wl,-soname,"$soname" "$dir/empty.c" ||
	{ fail "a stand-in $soname is built"; done_testing; }
printf 'version: 1\nname: sh\nruntime:\n  read: [/usr, /lib, /lib64]\n  exec: [/usr/bin/dash]\n' > "$dir/sh.yml"
chmod 644 "$dir/sh.yml"
for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	r=$dir/$who.jsonl
	err=$(LD_LIBRARY_PATH=$dir $run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- \
		/usr/bin/dash -c 'echo ran > /dev/stderr' 2>&1 < /dev/null)
	is "$?" 125 "[$who] a nettle without SHA-256: membrane-run fails (125)"
	is "$err" "membrane-run: the reports' hash chain: cannot load nettle_sha256_init in $soname" \
		"[$who] ... and says which symbol it lacks"
	is "$(cat "$r" 2>/dev/null)" "" "[$who] ... writes no report line (none could be chained)"
	is "$(printf '%s\n' "$err" | grep -c '^ran$')" 0 "[$who] ... and the server never ran"
	# The same profile and command with the real nettle.
	rm -f "$r"
	$run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c 'exit 0' \
		2>/dev/null < /dev/null
	is "$?" 0 "[$who] the real nettle: the run succeeds"
	err=$(LD_LIBRARY_PATH=$dir $run "$top_builddir/membrane-audit" verify "$r" 2>&1)
	is "$?" 2 "[$who] membrane-audit verify without SHA-256: exit 2"
	like "$err" "cannot load nettle_sha256_init in $soname" "[$who] ... naming what it lacks"
	$run "$top_builddir/membrane-audit" verify "$r" > /dev/null 2>&1
	is "$?" 0 "[$who] ... and with it, the same report verifies"
done
done_testing
