#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SIGTERM, SIGINT and SIGHUP to membrane-run while a tools/call is in the
# server's hands. membrane-run forwards each to the server (through the
# sandbox's init) and lets the server decide: the user gets the exit status
# the bare server gives for that signal (server-everything catches SIGINT and
# exits 0; it dies of the other two), an error answer to the call in flight,
# an exit report, and nothing of the sandbox is left. As root and as nobody.
. "$top_srcdir/tests/load/lib.sh"
need_server everything

for sig in SIGTERM SIGINT SIGHUP; do
	# The server alone, for the status it gives itself.
	"$PYTHON" "$top_srcdir/tests/load/fault.py" $sig -- node "$EVERY/dist/index.js" > "$W/bare-$sig" 2>&1
	bare=$(fact exit_status "$W/bare-$sig")
	ok "[$sig] the bare server's status to that signal is known ($bare)" test -n "$bare"
	for who in root nobody; do
		d=$(scratch $who)
		F=$d/$sig
		fault $who $sig "$F" --report "$d/report-$sig.jsonl"
		[ -s "$F.err" ] && diag "[$sig, $who] driver: $(head -c 300 "$F.err")"
		is "$(fact mid_call "$F")" yes "[$sig, $who] the call was in the server's hands"
		is "$(fact exited "$F")" yes "[$sig, $who] membrane-run exits"
		is "$(fact exit_status "$F")" "$bare" "[$sig, $who] membrane-run exits with the bare server's status"
		like "$(fact answer2 "$F")" '"id":2,"error":\{"code":-31001,"message":"membrane: the MCP server [^"]* before answering"' \
			"[$sig, $who] the call in flight is answered with membrane's error"
		is "$(fact answers "$F")" "1,2" "[$sig, $who] no other answer, none twice"
		is "$(fact report_events "$F")" "start,exit" "[$sig, $who] reports: start, then exit"
		like "$(fact report_last "$F")" "\"event\":\"exit\".*\"status\":$bare[,}]" "[$sig, $who] the exit report carries status $bare"
		is "$(fact stderr "$F")" "" "[$sig, $who] membrane-run itself says nothing on stderr"
		no_survivor "[$sig, $who]" "$F"
	done
done
done_testing
