#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# How the server ended, through the real membrane-run: a death by signal N
# and an exit with code 128+N give the same exit status (docs/design.md "Command line"), and the
# exit report tells them apart ("signal" or "code"), although the sandbox's
# init, pid 1 of its namespace, can only exit 128+N for both. The server has
# ended when the init has its status, but nothing of the sandbox outlives
# membrane-run. The notifier decides the server's first calls while its exec
# is still under way: none is reported before "start". As root and as
# nobody.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 1777 "$dir" # nobody writes its own report here
cp /bin/true "$dir/tool"
chmod 755 "$dir/tool"
cat > "$dir/sh.yml" <<'YML'
version: 1
name: sh
runtime:
  read: [/usr, /lib, /lib64]
  exec: [/usr/bin/dash, /usr/bin/sleep]
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
	# A child left running: the init's exit kills it, and membrane-run
	# returns only once the init is gone, so nothing is left.
	$run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c \
		'/usr/bin/sleep 7301 & exit 4' < /dev/null
	is "$?" 4 "[$who] a server that leaves a child running: its own exit status"
	is "$(pgrep -f 'sleep 7301' | wc -l)" 0 "[$who] ... and the child is gone when membrane-run returns"
	# ld.so's first open (/etc/ld.so.cache, not granted) is the first
	# notification; the thread may receive it before the exec is known to
	# have succeeded, and must decide it after the start report.
	rm -f "$r"
	$run "$MEMBRANE_RUN" --report-probes --profile "$dir/sh.yml" --report "$r" -- /usr/bin/dash -c \
		'exit 0' < /dev/null 2> /dev/null
	is "$(sed -n 's/.*"event":"\([a-z]*\)".*"seq":\([0-9]*\).*/\2 \1/p' "$r" | head -n 2 | tr '\n' ' ')" \
		"0 start 1 violation " "[$who] the server's first call is reported after start"
	like "$(sed -n 2p "$r")" '"target":"/etc/ld.so.cache"' "[$who] ... and it is ld.so's first open"
	# 127 and 126: a command the sandbox lacks, or holds without an exec
	# grant; when the caller could run it on the host, the message says
	# which grant is missing.
	err=$($run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- "$dir/tool" 2>&1 < /dev/null)
	is "$?" 127 "[$who] a command outside the sandbox: exit status 127"
	is "$err" "membrane-run: $dir/tool: command not found in the sandbox (the host runs $dir/tool: grant it under runtime.exec)" \
		"[$who] ... and the message names the grant that is missing"
	like "$(tail -n 1 "$r")" "\"event\":\"error\".*\"reason\":\"$dir/tool: command not found in the sandbox" \
		"[$who] ... as does the error report"
	err=$($run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /usr/bin/env true 2>&1 < /dev/null)
	is "$?" 126 "[$who] a command the sandbox holds without exec: exit status 126"
	is "$err" "membrane-run: /usr/bin/env: Permission denied in the sandbox (the host runs /usr/bin/env: grant it under runtime.exec)" \
		"[$who] ... and the message says so"
	err=$($run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- env true 2>&1 < /dev/null)
	like "$err" "env: Permission denied in the sandbox \\(the host runs /[a-z/]*bin/env:" "[$who] ... a name found through PATH too"
	err=$($run "$MEMBRANE_RUN" --profile "$dir/sh.yml" --report "$r" -- /no/such/command 2>&1 < /dev/null)
	is "$?" 127 "[$who] a command nowhere: exit status 127"
	is "$err" "membrane-run: /no/such/command: command not found" "[$who] ... plainly not found"
done
done_testing
