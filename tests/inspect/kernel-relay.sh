#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The scripted-client tests of relay.py through membrane-run itself (run
# path, sandbox, reporter), under tests/fixtures/inspector.yml, as root and
# as nobody; the server is the system's python3 inside the sandbox.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	out=$($run env RELAY_MEMBRANE=1 HOME=/tmp /usr/bin/python3 "$top_srcdir/tests/inspect/relay.py" 2>&1)
	st=$?
	n=$(printf '%s\n' "$out" | grep -c '^ok ')
	bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
	ok "[$who] relay.py through membrane-run: $n passed, $bad failed" test "$st" -eq 0 -a "$n" -gt 80 -a "$bad" -eq 0
	[ "$st" -eq 0 ] || diag "$(printf '%s\n' "$out" | grep -A3 '^not ok' | head -30)"
done
done_testing
