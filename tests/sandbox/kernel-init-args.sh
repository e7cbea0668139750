#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The sandbox's init is a clone of membrane-run: it must show nothing of
# membrane-run's command line (the profile's path, --set values) or
# environment, neither to the server (/proc/1/cmdline, /proc/1/environ) nor
# in its own argument and environment areas (read here from the host, which
# sees them whatever the sandbox's /proc hides). As root and as nobody.
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
chmod 1777 "$W"
cat > "$W/secret-profile-name.yml" <<'YML'
version: 1
name: args
vars:
  TOKEN: none
runtime:
  read: [/usr, /lib, /lib64, /proc]
  exec: [/usr/bin]
YML
chmod 644 "$W/secret-profile-name.yml"
# What the server does: look at pid 1 and list what it can see, then wait
# for the host to look at the init.
SERVER='{
for f in /proc/1/cmdline /proc/1/environ; do
	if cat "$f" > /dev/null 2>&1; then echo "$f readable: $(tr "\0" " " < "$f")"; else echo "$f: not readable"; fi
done
echo "pids: $(ls /proc | grep -E "^[0-9]+$" | tr "\n" " ")"
} >&2
sleep 3'
for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	MEMBRANE_ARGS_MARKER=env-secret-$who $run "$MEMBRANE_RUN" --profile "$W/secret-profile-name.yml" \
		--set TOKEN=set-secret-$who --report "$W/r-$who" --grace 10 -- \
		/usr/bin/dash -c "$SERVER" < /dev/null > "$W/out-$who" 2> "$W/err-$who" &
	mr=$!
	init=
	i=0
	while [ -z "$init" ] && [ $i -lt 100 ]; do
		grep -q pids "$W/err-$who" 2>/dev/null && init=$(pgrep -P $mr | head -1)
		[ -z "$init" ] && sleep 0.05
		i=$((i + 1))
	done
	ok "[$who] the init is found from the host" [ -n "$init" ]
	cmdline=$(tr '\0' ' ' < "/proc/${init:-none}/cmdline" 2>/dev/null)
	environ=$(tr '\0' ' ' < "/proc/${init:-none}/environ" 2>/dev/null)
	wait $mr
	is "$?" 0 "[$who] the session ends cleanly"
	like "$cmdline" '^membrane-init *$' "[$who] the init's argument area holds a neutral name only"
	ok "[$who] ... no trace of the command line" sh -c "! printf '%s' '$cmdline' | grep -Eq 'secret|--set|--profile|dash'"
	like "$environ" '^ *$' "[$who] the init's environment area is empty"
	err=$(cat "$W/err-$who")
	ok "[$who] the server does not see the init's command line" sh -c "! printf '%s' '$err' | grep -q 'secret'"
	like "$err" '/proc/1/cmdline: not readable' "[$who] ... /proc/1 is hidden from it"
	like "$err" '/proc/1/environ: not readable' "[$who] ... and its environment"
	ok "[$who] ... pid 1 is not among the pids it sees" sh -c "! printf '%s' '$err' | grep -Eq 'pids: (.* )?1 '"
done
done_testing
