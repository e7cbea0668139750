#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The server killed in the middle of a call: SIGKILL to the sandboxed
# server-everything while a tools/call is in its hands. The user gets an
# error answer to that call from membrane-run, membrane-run's exit status
# says how the server ended (128+9), the report ends with an exit line, and
# nothing of the sandbox is left. As root and as nobody.
. "$top_srcdir/tests/load/lib.sh"
need_server everything

for who in root nobody; do
	d=$(scratch $who)
	F=$d/facts
	fault $who kill-server "$F" --report "$d/report.jsonl"
	[ -s "$F.err" ] && diag "[$who] driver: $(head -c 300 "$F.err")"
	is "$(fact mid_call "$F")" yes "[$who] the call was in the server's hands (a progress notification came)"
	ok "[$who] the server was found as the child of the sandbox's init ($(fact init_pid "$F") -> $(fact server_pid "$F"))" \
		test -n "$(fact server_pid "$F")"
	is "$(fact exited "$F")" yes "[$who] membrane-run exits by itself, its stdout and stderr closed"
	is "$(fact exit_status "$F")" 137 "[$who] its exit status is 128+SIGKILL"
	a2=$(fact answer2 "$F")
	like "$a2" '"id":2,"error":\{"code":-31001,' "[$who] the call in flight is answered with membrane's error -31001"
	like "$a2" '"message":"membrane: the MCP server was killed by signal 9 [^"]*before answering"' \
		"[$who] ... saying the server was killed by signal 9 before answering"
	is "$(fact answers "$F")" "1,2" "[$who] no other answer, none twice"
	is "$(fact stdout_not_json "$F")" 0 "[$who] nothing but JSON-RPC on stdout"
	is "$(fact report_events "$F")" "start,exit" "[$who] reports: start, then exit"
	like "$(fact report_last "$F")" '"event":"exit".*"status":137,"signal":9' \
		"[$who] the exit report carries status 137 and signal 9 (the init's exit code alone cannot tell)"
	is "$(fact report_complete "$F")" yes "[$who] every report line is whole"
	is "$(fact stderr "$F")" "" "[$who] membrane-run itself says nothing on stderr (the answer and the report say it)"
	no_survivor "[$who]" "$F"
done
done_testing
