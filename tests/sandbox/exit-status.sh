#!/bin/sh
# How the server ended, through the real membrane-run: a death by signal N
# and an exit with code 128+N give the same exit status (DESIGN.md), and the
# exit report tells them apart ("signal" or "code"), although the sandbox's
# init, pid 1 of its namespace, can only exit 128+N for both. As root and as
# nobody.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 1777 "$dir" # nobody writes its own report here
cat > "$dir/sh.yml" <<'YML'
version: 1
name: sh
runtime:
  read: [/usr, /lib, /lib64]
  exec: [/usr/bin/dash]
YML
for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	r=$dir/$who.jsonl
	$run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c 'kill -KILL $$' < /dev/null
	is "$?" 137 "[$who] killed by SIGKILL: exit status 137"
	like "$(tail -n 1 "$r")" '"event":"exit".*"status":137,"signal":9}$' "[$who] ... reported as signal 9"
	$run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c 'exit 137' < /dev/null
	is "$?" 137 "[$who] exit 137: exit status 137"
	like "$(tail -n 1 "$r")" '"event":"exit".*"status":137,"code":137}$' "[$who] ... reported as code 137, not as a signal"
	$run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c 'kill -SEGV $$' < /dev/null
	is "$?" 139 "[$who] killed by SIGSEGV: exit status 139"
	like "$(tail -n 1 "$r")" '"event":"exit".*"status":139,"signal":11}$' "[$who] ... reported as signal 11"
done
done_testing
