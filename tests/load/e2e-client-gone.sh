#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The client vanishing in the middle of a call: it closes its ends of
# membrane-run's stdin and stdout while a tools/call is in the server's
# hands. membrane-run must not hang or die of SIGPIPE: it closes the
# server's stdin, waits --grace (1 s here), sends SIGTERM (the call keeps
# server-everything alive past its EOF), reports the exit and exits with the
# server's status; nothing of the sandbox is left. As root and as nobody.
. "$top_srcdir/tests/load/lib.sh"
need_server everything

for who in root nobody; do
	d=$(scratch $who)
	F=$d/facts
	fault $who client-gone "$F" --report "$d/report.jsonl" --grace 1
	[ -s "$F.err" ] && diag "[$who] driver: $(head -c 300 "$F.err")"
	is "$(fact mid_call "$F")" yes "[$who] the call was in the server's hands (a progress notification came)"
	is "$(fact exited "$F")" yes "[$who] membrane-run exits by itself"
	is "$(fact exit_status "$F")" 143 "[$who] its exit status is the server's: 128+SIGTERM, sent after the grace period"
	is "$(fact report_events "$F")" "start,exit" "[$who] reports: start, then exit"
	like "$(fact report_last "$F")" '"event":"exit".*"status":143' "[$who] the exit report carries status 143"
	is "$(fact report_complete "$F")" yes "[$who] every report line is whole"
	is "$(fact stderr "$F")" "" "[$who] nothing on stderr: a client going away is not an error"
	no_survivor "[$who]" "$F"
done
done_testing
