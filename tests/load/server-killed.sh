#!/bin/sh
# The server killed in the middle of a call: SIGKILL to the sandboxed
# server-everything while a tools/call is in its hands. The user gets an
# error answer to that call from membrane-run, membrane-run's exit status
# says how the server ended (128+9), the report ends with an exit line, and
# nothing of the sandbox is left.
. "$top_srcdir/tests/load/lib.sh"
need_server everything

fault kill-server "$W/facts" --report "$W/report.jsonl"
F=$W/facts
[ -s "$F.err" ] && diag "driver: $(head -c 300 "$F.err")"
is "$(fact mid_call "$F")" yes "the call was in the server's hands (a progress notification came)"
ok "the server was found as the child of the sandbox's init ($(fact init_pid "$F") -> $(fact server_pid "$F"))" \
	test -n "$(fact server_pid "$F")"
is "$(fact exited "$F")" yes "membrane-run exits by itself, its stdout and stderr closed"
is "$(fact exit_status "$F")" 137 "its exit status is 128+SIGKILL"
a2=$(fact answer2 "$F")
like "$a2" '"id":2,"error":\{"code":-31001,' "the call in flight is answered with membrane's error -31001"
like "$a2" '"message":"membrane: the MCP server [^"]* before answering"' "... saying the server ended before answering"
is "$(fact answers "$F")" "1,2" "no other answer, none twice"
is "$(fact stdout_not_json "$F")" 0 "nothing but JSON-RPC on stdout"
is "$(fact report_events "$F")" "start,exit" "reports: start, then exit"
like "$(fact report_last "$F")" '"event":"exit".*"status":137' "the exit report carries status 137"
is "$(fact report_complete "$F")" yes "every report line is whole"
is "$(fact stderr "$F")" "" "membrane-run itself says nothing on stderr (the answer and the report say it)"
no_survivor "" "$F"
is "$(fact orphans "$F")" 0 "no descendant of membrane-run outlived it (the driver is their subreaper)"
done_testing
