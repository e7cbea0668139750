#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The confused deputy, caught: tests/notify/deputy (a misbehaving MCP
# server) under tests/notify/deputy.yml through the real membrane-run, as
# root and as nobody, in enforce and audit mode. For each misbehaviour
# (a read outside every grant, one in the sandbox but granted to another
# tool, one inside arguments.within but not the path named, a write
# elsewhere, an exec of a shell, an exec from a memfd, a connect to the
# test's listener, a read while idle): what the server saw (the errno), what
# the listener received, and the report line (op, syscall, target, decision,
# tool, attribution). Two calls in flight are both named; under
# concurrency: serial one call is, and a held call the client cancels never
# reaches the server. Repeats collapse into a count. The legitimate part of
# every call still works. membrane-audit reads the reports like the
# reference reader does.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/audit/lib.sh"
. "$top_srcdir/tests/notify/listener.sh"

# The system's python3: a per-user one (pyenv under /root) is not nobody's.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
DRIVE="$PY $top_srcdir/tests/notify/deputy-drive.py"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d /tmp/membrane-deputy.XXXXXX)
chmod 755 "$W"
LISTENER_PID=
cleanup() {
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# The listener: one line per connection, what it received.
start_listener "$W/listened" "$W"
SH=$(readlink -f /bin/sh)

# viol REPORT JQ-CONDITION: how many violation lines match.
viol() {
	jq -c "select(.event == \"violation\" and ($2))" "$1" | wc -l
}

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	D=$W/$who
	mkdir -p "$D/root" "$D/outside"
	echo alpha >"$D/root/a.txt"
	echo beta >"$D/root/b.txt"
	echo topsecret >"$D/outside/secret"
	# A host secret store the sandbox does not show: never created, never
	# looked at; its name alone makes the read a violation.
	HS=/root/.ssh/mb-deputy-$who-$$
	cp "$top_builddir/tests/notify/deputy" "$D/deputy"
	sed 's/^concurrency: parallel$/concurrency: serial/' "$top_srcdir/tests/notify/deputy.yml" >"$D/serial.yml"
	chown -R $who "$D"

	for mode in enforce audit; do
		T="[$who $mode]"
		R=$D/report-$mode
		: >"$W/listened"
		rm -f "$D/root/planted.txt" "$D/root/w.txt"
		mr() { # mr PROFILE: membrane-run's command line for this run
			echo "$MEMBRANE_RUN" --profile "$1" --mode $mode --report "$R" \
				--set ROOT="$D/root" --set OUTSIDE="$D/outside" --set DEPUTY="$D/deputy" \
				--set PORT="$PORT" -- "$D/deputy" "$D/outside"
		}
		args="--root $D/root --outside $D/outside --host-secret $HS --port $PORT --report $R"
		out=$($run $DRIVE acts $args -- $(mr "$top_srcdir/tests/notify/deputy.yml") 2>"$W/err")
		is "$?" 0 "$T the acts session ran to its end"
		[ -s "$W/err" ] && diag "stderr: $(head -c 600 "$W/err")"
		g() { printf '%s' "$out" | jq -c "$1"; }

		# The legitimate part of every call works in both modes.
		is "$(g .legit.read.data)" '"alpha\n"' "$T read: the file named is read"
		for k in also_outside also_host also_within also_repeat also_write exec_shell exec_memfd connect; do
			is "$(g ".$k.read.data")" '"alpha\n"' "$T read ($k): the file named is still read"
		done
		is "$(g .config.read.data)" '"topsecret\n"' "$T config: its own grant works"
		is "$(g .shell.exec)" '{"errno":0,"status":7}' "$T shell: its own exec works"
		is "$(g .fetch.connect.errno)" 0 "$T fetch: its own connect works"
		is "$(g .write.write.errno)" 0 "$T write: its own write works"
		is "$(cat "$D/root/w.txt" 2>/dev/null)" written "$T ... the file holds what was written"
		is "$(g .exit)" 0 "$T membrane-run exits 0 when the client is done"

		if [ $mode = enforce ]; then
			is "$(g .also_outside.also.errno)" 13 "$T a file in the sandbox granted to another tool: EACCES"
			is "$(g .also_host.also.errno)" 2 "$T a host secret store: ENOENT (whether it exists stays hidden)"
			is "$(g .also_within.also.errno)" 13 "$T a file within arguments.within but not named: EACCES"
			is "$(g .also_repeat.also.errno)" 13 "$T the same read five times: EACCES"
			is "$(g .also_write.also_write.errno)" 13 "$T a write elsewhere: EACCES"
			ok "$T ... nothing was written" test ! -e "$D/root/planted.txt"
			is "$(g .exec_shell.exec.errno)" 13 "$T exec of a shell: EACCES"
			is "$(g .exec_memfd.exec.errno)" 13 "$T exec from a memfd: EACCES"
			is "$(g .connect.connect.errno)" 1 "$T a connect to the listener: EPERM"
			is "$(wc -l <"$W/listened")" 1 "$T the listener heard only fetch's connection"
			decision=denied
		else
			is "$(g .also_outside.also.data)" '"topsecret\n"' "$T audit: the file granted to another tool is read"
			is "$(g .also_host.also.errno)" 2 "$T audit: a host secret store: the kernel's ENOENT"
			is "$(g .also_within.also.data)" '"beta\n"' "$T audit: the file not named is read"
			is "$(g .also_write.also_write.errno)" 0 "$T audit: the write elsewhere happens"
			is "$(cat "$D/root/planted.txt" 2>/dev/null)" "the deputy wrote this" "$T ... and the file is there"
			is "$(g .exec_shell.exec)" '{"errno":0,"status":7}' "$T audit: the shell runs"
			# CONTINUE leaves it to the kernel, which refuses to exec a
			# memfd sealed non-executable.
			is "$(g .exec_memfd.exec.errno)" 13 "$T audit: the memfd exec gets the kernel's own EACCES"
			is "$(g .connect.connect.errno)" 0 "$T audit: the connect goes through"
			is "$(wc -l <"$W/listened")" 2 "$T ... and the listener heard it too"
			decision=allowed
		fi

		# One line per misbehaviour, naming the call it happened in.
		one='.decision == "'$decision'" and (.requests | length) == 1 and .requests[0].tool == "read" and .requests[0].method == "tools/call" and .attribution == "single" and .exe == "'$D/deputy'"'
		is "$(viol "$R" ".op == \"read\" and .syscall == \"openat\" and .target == \"$D/outside/secret\" and .presence == \"sandbox\" and $one")" 1 \
			"$T report: read of the other tool's file, under read"
		is "$(viol "$R" ".op == \"read\" and .target == \"$HS\" and .presence == \"outside\" and $one")" 1 \
			"$T report: read of a host secret store the sandbox lacks (presence outside, the host not looked at)"
		is "$(viol "$R" ".op == \"read\" and .target == \"$D/root/b.txt\" and .reason == \"not granted to read\" and .requests[0].arguments == {\"path\":\"$D/root/a.txt\",\"also\":\"$D/root/b.txt\"} and $one")" 1 \
			"$T report: read of the file within but not named, with the call's arguments"
		is "$(viol "$R" ".op == \"write\" and .syscall == \"openat\" and .target == \"$D/root/planted.txt\" and .presence == \"new\" and $one")" 1 \
			"$T report: the write elsewhere"
		is "$(viol "$R" ".op == \"exec\" and .syscall == \"execve\" and .target == \"$SH\" and $one")" 1 \
			"$T report: the exec of the shell ($SH)"
		is "$(viol "$R" ".op == \"exec\" and .syscall == \"execveat\" and .target == \"memfd:payload\" and $one")" 1 \
			"$T report: the exec from the memfd"
		is "$(viol "$R" ".op == \"connect\" and .syscall == \"connect\" and .target == \"127.0.0.1:$PORT\" and $one")" 1 \
			"$T report: the connect"
		# Five identical reads: one line, then one line counting the four
		# repeats (written when the second ended, at the latest at exit).
		is "$(viol "$R" ".target == \"$D/root/b.txt\" and .requests[0].arguments.times == 5 and (has(\"count\") | not)")" 1 \
			"$T report: the repeated read is reported once"
		is "$(viol "$R" ".target == \"$D/root/b.txt\" and .requests[0].arguments.times == 5 and .count == 4")" 1 \
			"$T ... and its four repeats in one line with count 4"
		is "$(viol "$R" true)" 9 "$T report: nothing else (no false positive on start-up or the legitimate calls)"
		audit_crosscheck "$T deputy acts" "$R"

		# A probe: a path that exists nowhere gets the kernel's ENOENT,
		# reported only with --report-probes.
		for probes in no yes; do
			R=$D/report-probe-$probes-$mode
			flag=
			[ $probes = yes ] && flag=--report-probes
			out=$($run $DRIVE probe $args -- $(mr "$top_srcdir/tests/notify/deputy.yml" | sed "s|--report |$flag --report |") 2>"$W/err")
			is "$(g .probe.also.errno)" 2 "$T probe ($probes): the server sees the kernel's ENOENT"
			is "$(g .probe.read.data)" '"alpha\n"' "$T probe ($probes): the file named is read"
			want=0
			[ $probes = yes ] && want=1
			is "$(viol "$R" ".probe == true and .presence == \"nowhere\" and .target == \"$D/root/nowhere/at/all.txt\" and .requests[0].tool == \"read\"")" $want \
				"$T probe: reported only with --report-probes ($probes)"
			is "$(viol "$R" true)" $want "$T probe ($probes): nothing else reported"
		done

		# Idle: the timer fires with nothing in flight.
		R=$D/report-idle-$mode
		out=$($run $DRIVE idle $args --report "$R" -- $(mr "$top_srcdir/tests/notify/deputy.yml") 2>"$W/err")
		is "$?" 0 "$T the idle session ran to its end"
		is "$(g .reported)" true "$T idle: the act was reported while the server was idle"
		if [ $mode = enforce ]; then
			is "$(g .status.idle.result.errno)" 13 "$T idle: the server saw EACCES"
		else
			is "$(g .status.idle.result.data)" '"beta\n"' "$T idle (audit): the server read it"
		fi
		is "$(viol "$R" ".op == \"read\" and .target == \"$D/root/b.txt\" and .decision == \"$decision\" and .requests == [] and .attribution == \"idle\" and .reason == \"not granted at runtime (idle)\"")" 1 \
			"$T report: the idle read, with an empty requests array"

		# Two calls in flight: the operation is attributed to both.
		R=$D/report-parallel-$mode
		out=$($run $DRIVE parallel $args -- $(mr "$top_srcdir/tests/notify/deputy.yml") 2>"$W/err")
		is "$?" 0 "$T the parallel session ran to its end"
		is "$(g .hold.seen_during)" '[11]' "$T parallel: the read reached the server while hold was in flight"
		is "$(g .read.read.data)" '"alpha\n"' "$T parallel: the read's own file is read"
		[ $mode = enforce ] && is "$(g .read.also.errno)" 13 "$T parallel: the file not named: EACCES"
		is "$(viol "$R" ".target == \"$D/root/b.txt\" and .decision == \"$decision\" and ([.requests[].tool] | sort) == [\"hold\", \"read\"] and .attribution == \"parallel\" and (.reason | startswith(\"not granted to any request in flight\"))")" 1 \
			"$T report: the read names both calls in flight, attribution parallel"

		# concurrency: serial.
		R=$D/report-serial-$mode
		out=$($run $DRIVE serial $args -- $(mr "$D/serial.yml") 2>"$W/err")
		is "$?" 0 "$T the serial session ran to its end"
		is "$(g .hold.seen_during)" '[]' "$T serial: nothing reached the server while hold was in flight"
		is "$(g .order)" '[10,12]' "$T serial: hold answered first, then the read held behind it"
		is "$(g .cancelled_answered)" false "$T serial: the cancelled held call gets no answer"
		is "$(g '.status.seen | index(11)')" null "$T serial: ... and never reached the server"
		is "$(g .read.read.data)" '"alpha\n"' "$T serial: the held read works once released"
		is "$(viol "$R" ".target == \"$D/root/b.txt\" and .decision == \"$decision\" and (.requests | length) == 1 and .requests[0].id == 12 and .requests[0].tool == \"read\" and .attribution == \"serial\"")" 1 \
			"$T report: under serial the read alone is named"
		R=$D/report-serial-eof-$mode
		out=$($run $DRIVE serial-eof $args -- $(mr "$D/serial.yml") 2>"$W/err")
		is "$?" 0 "$T serial, then the client's end of input: the session ends"
		is "$(g .read.read.data)" '"alpha\n"' "$T ... the held read was still forwarded and answered"
		is "$(g .exit)" 0 "$T ... and membrane-run exits 0"
	done
done
done_testing
