#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The security team's record (issue 16) from real sessions: the deputy
# (tests/notify/deputy.c) under tests/record/record.yml through the real
# membrane-run, as root and as nobody, driven by record-drive.py:
#   - call lines for what each call did, did not get to do, and refusals;
#     --record all and none;
#   - every budget spent by a scripted client and then refused (a "limit"
#     line), a session budget, and audit mode letting it be;
#   - decoys denied, allowed with their canary seen leaving (in a result and
#     in a notification), and stopping the server;
#   - a decoy's canary in a tool result under scan.answers canary: report,
#     redact, refuse (the scanner's one line, what the client got), and in
#     a notification (the record's one line);
#   - the kill switch mid-call: SIGUSR1 and the control socket, who asked,
#     the call after it refused, the server stopped after the grace;
#   - a baseline from normal sessions (membrane-audit baseline) and the
#     anomalies of a burst, reported or refused;
#   - a signed session, the key from a file and from a systemd credential.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/audit/lib.sh"
. "$top_srcdir/tests/notify/listener.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
DRIVE="$PY $top_srcdir/tests/record/record-drive.py"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d /tmp/membrane-record.XXXXXX)
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

# ev REPORT JQ-CONDITION: how many lines match.
ev() { jq -c "select($2)" "$1" | wc -l; }
# call REPORT N: the Nth call line of tools/call.
call() { jq -c 'select(.event == "call" and .request.method == "tools/call")' "$1" | sed -n "${2}p"; }
j() { printf '%s' "$1" | jq -c "$2"; }

if command -v openssl >/dev/null; then
	openssl genpkey -algorithm ed25519 -out "$W/sign.pem" 2>/dev/null
	openssl pkey -in "$W/sign.pem" -pubout -out "$W/sign.pub"
fi

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	D=$W/$who
	mkdir -p "$D/root" "$D/outside" "$D/creds"
	echo alpha >"$D/root/a.txt"
	echo topsecret >"$D/outside/secret"
	cp "$top_builddir/tests/notify/deputy" "$D/deputy"
	[ -f "$W/sign.pem" ] && cp "$W/sign.pem" "$D/creds/membrane-sign"
	chown -R $who "$D"
	T="[$who]"
	# mr PROFILE REPORT [OPTION...]: membrane-run's command line
	mr() {
		p=$1 r=$2
		shift 2
		echo "$MEMBRANE_RUN" --profile "$p" --report "$r" "$@" \
			--set ROOT="$D/root" --set OUTSIDE="$D/outside" --set DEPUTY="$D/deputy" \
			--set PORT="$PORT" -- "$D/deputy" "$D/outside"
	}
	args="--root $D/root --outside $D/outside --port $PORT"
	profile() { # profile NAME: a copy of record.yml, then stdin
		{ cat "$top_srcdir/tests/record/record.yml"; cat; } >"$D/$1.yml"
		chown $who "$D/$1.yml"
	}

	# ---- the call record ----
	R=$D/calls.jsonl
	: >"$W/listened"
	out=$($run $DRIVE calls $args -- $(mr "$top_srcdir/tests/record/record.yml" "$R") 2>"$W/err")
	is "$?" 0 "$T calls: the session ran to its end"
	[ -s "$W/err" ] && diag "stderr: $(head -c 600 "$W/err")"
	is "$(ev "$R" '.event == "call"')" 7 "$T calls: one call line per tools/call (7), none for the rest"
	c=$(call "$R" 1)
	is "$(j "$c" '[.request.tool, .outcome, .client, .did.read]')" \
		"[\"read\",\"result\",\"deputy-test\",{\"count\":1,\"targets\":[\"$D/root/a.txt\"]}]" \
		"$T call 1: read, result, the client's name, the one file it read"
	is "$(j "$c" '[.did.write.count, .did.exec.count, .did.connect.count, has("denied")]')" "[0,0,0,false]" \
		"$T call 1: nothing else done, nothing denied"
	ok "$T call 1: bytes each way, a duration, when it started" \
		test "$(j "$c" '.bytes_in > 100 and .bytes_out > 100 and .duration_ms >= 0 and (.started < .time)')" = true
	c=$(call "$R" 2)
	is "$(j "$c" '[.did.read.targets, .denied.read]')" \
		"[[\"$D/root/a.txt\"],{\"count\":1,\"targets\":[\"$D/outside/secret\"]}]" \
		"$T call 2: its own read done, the other tool's file denied"
	c=$(call "$R" 3)
	is "$(j "$c" '.did.write.targets')" "[\"$D/root/w.txt\"]" "$T call 3: write did its write"
	c=$(call "$R" 4)
	is "$(j "$c" '.did.connect')" "{\"count\":1,\"targets\":[\"127.0.0.1:$PORT\"]}" "$T call 4: fetch's connect"
	c=$(call "$R" 5)
	is "$(j "$c" "[.did.exec.targets[0], (.did.read.count > 0)]")" "[\"$SH\",true]" \
		"$T call 5: shell's exec, and what the shell read to start"
	c=$(call "$R" 6)
	is "$(j "$c" '[.did.write.count, .denied.write.targets]')" "[0,[\"$D/root/planted.txt\"]]" \
		"$T call 6: the write elsewhere denied, and named as such"
	c=$(call "$R" 7)
	is "$(j "$c" '[.outcome, .bytes_out, .did.read.count, (.reason | test("outside arguments.within"))]')" \
		'["refused",0,0,true]' "$T call 7: refused by membrane, with the reason"
	is "$(ev "$R" '.event == "refused"')" 1 "$T ... beside its refused line"
	audit_crosscheck "$T calls" "$R"
	is "$("$AUDIT" calls "$R" | wc -l)" 7 "$T membrane-audit calls: the seven calls"
	R=$D/calls-all.jsonl
	$run $DRIVE calls $args -- $(mr "$top_srcdir/tests/record/record.yml" "$R" --record all) >/dev/null 2>&1
	is "$(jq -r 'select(.event == "call") | .request.method' "$R" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
		"initialize=1 tools/call=7 tools/list=1 " "$T --record all: initialize and tools/list too"
	R=$D/calls-none.jsonl
	$run $DRIVE calls $args -- $(mr "$top_srcdir/tests/record/record.yml" "$R" --record none) >/dev/null 2>&1
	is "$(ev "$R" '.event == "call"'),$(ev "$R" '.event == "violation"')" "0,2" \
		"$T --record none: no call line, the violations as ever"

	# ---- budgets ----
	profile budgets <<'EOF'
budgets:
  tools:
    status: { calls_per_minute: 3 }
    hold: { in_flight: 1 }
    config: { bytes_returned: 200 }
    fetch: { connects: 1 }
    write: { files_written: 2 }
EOF
	for mode in enforce audit; do
		R=$D/budgets-$mode.jsonl
		: >"$W/listened"
		out=$($run $DRIVE budgets $args -- $(mr "$D/budgets.yml" "$R" --mode $mode) 2>"$W/err")
		is "$?" 0 "$T budgets ($mode): the session ran to its end"
		lim() { ev "$R" ".event == \"limit\" and .budget == \"$1\" and .tool == \"$2\" and .scope == \"tool\" and $3"; }
		# A refused call's answer is membrane's text, not the deputy's JSON.
		refused=".response.result.isError // false"
		if [ $mode = enforce ]; then
			is "$(j "$out" "[.status[] | $refused]")" "[false,false,false,true]" \
				"$T calls_per_minute 3: the fourth status is refused"
			like "$(j "$out" '.status[3].response.result.content[0].text')" \
				"membrane refused this call: budget calls_per_minute of tool status exceeded" \
				"$T ... isError, saying which budget"
			is "$(lim calls_per_minute status '.limit == 3 and .value == 4 and .decision == "denied" and .request.tool == "status"')" 1 \
				"$T ... and a limit line"
			like "$(j "$out" '.hold2.result.content[0].text')" "budget in_flight of tool hold exceeded" \
				"$T in_flight 1: a second hold at once is refused"
			is "$(j "$out" '.hold1.result.isError')" false "$T ... the first runs"
			is "$(lim in_flight hold '.value == 2')" 1 "$T ... a limit line"
			is "$(j "$out" "[.config[] | $refused]")" "[false,false,true]" \
				"$T bytes_returned 200: the answers passed it, the third config is refused"
			is "$(lim bytes_returned config '.value > 200')" 1 "$T ... a limit line with the bytes"
			is "$(j "$out" "[.fetch[0].connect.errno, .fetch[1].connect.errno, (.fetch[2] | $refused)]")" "[0,1,true]" \
				"$T connects 1: the second connect is denied (EPERM), the third fetch refused"
			is "$(wc -l <"$W/listened")" 1 "$T ... the listener heard one connection"
			is "$(lim connects fetch ".op == \"connect\" and .target == \"127.0.0.1:$PORT\" and .value == 2")" 1 \
				"$T ... a limit line naming the connect"
			is "$(j "$out" "[.write[0].write.errno, .write[1].write.errno, .write[2].write.errno, (.write[3] | $refused)]")" \
				"[0,0,13,true]" "$T files_written 2: the third file is denied (EACCES), the fourth write refused"
			ok "$T ... and not written" test ! -e "$D/root/w2.txt"
			is "$(lim files_written write ".op == \"write\" and .target == \"$D/root/w2.txt\"")" 1 \
				"$T ... a limit line naming the file"
			is "$(ev "$R" '.event == "call" and .outcome == "refused"')" 5 "$T five refused calls, each with its call line"
		else
			is "$(j "$out" "[.status[] | $refused] | any")" false "$T audit: nothing is refused"
			is "$(j "$out" '.fetch[1].connect.errno')" 0 "$T audit: the second connect goes through"
			is "$(ev "$R" '.event == "limit" and .decision == "allowed"')" "$(ev "$R" '.event == "limit"')" \
				"$T audit: every limit line says allowed"
			ok "$T audit: limits are reported" test "$(ev "$R" '.event == "limit"')" -ge 5
		fi
	done
	profile session <<'EOF'
budgets:
  session: { in_flight: 2 }
EOF
	R=$D/session.jsonl
	out=$($run $DRIVE session $args -- $(mr "$D/session.yml" "$R") 2>"$W/err")
	like "$(j "$out" '.third.result.content[0].text')" "budget in_flight of session exceeded" \
		"$T session in_flight 2: the third hold at once is refused"
	is "$(ev "$R" '.event == "limit" and .scope == "session" and (has("tool") | not) and .budget == "in_flight"')" 1 \
		"$T ... a limit line of the session"

	# ---- decoys ----
	for touch in deny allow stop; do
		profile decoy-$touch <<EOF
decoys:
  files: [/home/agent/.ssh/id_rsa, /home/agent/.aws/credentials, /srv/app/.env]
  on_touch: $touch
EOF
		R=$D/decoy-$touch.jsonl
		stopped=
		[ $touch = stop ] && stopped="--stopped yes"
		out=$($run $DRIVE decoy $args --decoy /home/agent/.ssh/id_rsa $stopped -- $(mr "$D/decoy-$touch.yml" "$R") 2>"$W/err")
		dec='.event == "decoy" and .target == "/home/agent/.ssh/id_rsa" and .op == "read" and .syscall == "openat" and .requests[0].tool == "read"'
		case $touch in
		deny)
			is "$(j "$out" '.read.also.errno')" 13 "$T decoy deny: the read fails (EACCES)"
			is "$(ev "$R" "$dec and .decision == \"denied\" and .action == \"deny\"")" 1 \
				"$T decoy deny: a decoy line, whatever the grants"
			is "$(ev "$R" '.event == "violation" or .event == "exfiltration"')" 0 "$T decoy deny: no other line for it"
			;;
		allow)
			like "$(j "$out" '.read.also.data')" "^\"-----BEGIN OPENSSH PRIVATE KEY-----" \
				"$T decoy allow: the server reads what looks like a key"
			is "$(ev "$R" "$dec and .decision == \"allowed\"")" 1 "$T decoy allow: a decoy line"
			is "$(jq -r 'select(.event == "exfiltration") | .where' "$R" | tr '\n' ' ')" "notification result " \
				"$T decoy allow: its canary seen leaving in a notification, then in the result"
			is "$(ev "$R" '.event == "exfiltration" and .decoy == "/home/agent/.ssh/id_rsa" and .where == "result" and .request.tool == "read"')" 1 \
				"$T ... the result named with its request"
			is "$(j "$(call "$R" 1)" '.did.read.targets')" "[\"$D/root/a.txt\",\"/home/agent/.ssh/id_rsa\"]" \
				"$T ... and the call line says it read the decoy"
			;;
		stop)
			is "$(ev "$R" "$dec and .decision == \"denied\" and .action == \"stop\"")" 1 "$T decoy stop: a decoy line"
			is "$(ev "$R" '.event == "killed" and .by.via == "decoy" and .by.target == "/home/agent/.ssh/id_rsa"')" 1 \
				"$T decoy stop: the server is stopped, the decoy named as who asked"
			is "$(j "$out" .exit)" 143 "$T decoy stop: membrane-run exits as the server did (SIGTERM)"
			;;
		esac
	done
	R=$D/decoy-audit.jsonl
	out=$($run $DRIVE decoy $args --decoy /srv/app/.env -- $(mr "$D/decoy-deny.yml" "$R" --mode audit) 2>"$W/err")
	like "$(j "$out" '.read.also.data')" "^\"API_KEY=[0-9a-f]{40}" "$T decoy in audit mode: read, an .env holding a token"
	is "$(ev "$R" '.event == "decoy" and .decision == "allowed" and .target == "/srv/app/.env"'),$(ev "$R" '.event == "exfiltration"')" "1,2" \
		"$T ... reported as allowed, and its canary followed"

	# ---- the canary through the answer scanner (scan.answers: canary) ----
	# The deputy reads a decoy and returns it in its tool result, and in a
	# notification: the result is the scanner's (one exfiltration line, the
	# action applied to what the client gets), the notification the
	# record's (one line, forwarded as it is). Never two lines for a frame.
	for act in report redact refuse; do
		profile canary-$act <<EOF
decoys:
  files: [/srv/app/.env]
  on_touch: allow
scan:
  answers: { canary: $act }
EOF
		R=$D/canary-$act.jsonl
		out=$($run $DRIVE decoy $args --decoy /srv/app/.env -- $(mr "$D/canary-$act.yml" "$R") 2>"$W/err")
		[ -s "$W/err" ] && diag "stderr: $(head -c 600 "$W/err")"
		xr='.event == "exfiltration" and .decoy == "/srv/app/.env" and .where == "result" and .kind == "canary" and .request.tool == "read" and .name == "/srv/app/.env" and .occurrences >= 1'
		xn='.event == "exfiltration" and .decoy == "/srv/app/.env" and .where == "notification" and .method == "notifications/message" and (has("kind") | not)'
		is "$(ev "$R" '.event == "exfiltration"')" 2 "$T canary $act: two exfiltration lines, one per frame that carried it"
		is "$(ev "$R" "$xn")" 1 "$T canary $act: the notification's line is the record's"
		case $act in
		report)
			is "$(ev "$R" "$xr and .action == \"reported\"")" 1 "$T canary report: the result's line is the scanner's, reported"
			tok=$(j "$out" '.read.also.data' | grep -o 'API_KEY=[0-9a-f]\{40\}' | cut -d= -f2)
			is "${#tok}" 40 "$T canary report: the answer reached the client unchanged, token and all"
			is "$(grep -c "${tok:-none}" "$R")" 0 "$T canary report: the token itself is in no report line"
			;;
		redact)
			is "$(ev "$R" "$xr and .action == \"redacted\"")" 1 "$T canary redact: the result's line says redacted"
			like "$(j "$out" '.read.also.data')" '^"API_KEY=\[membrane: redacted canary\]' \
				"$T canary redact: the client got the decoy with its token replaced"
			is "$(j "$out" '.read.also.data' | grep -c '[0-9a-f]\{40\}')" 0 "$T canary redact: no token left in what the client got"
			;;
		refuse)
			is "$(ev "$R" "$xr and .action == \"refused\"")" 1 "$T canary refuse: the result's line says refused"
			is "$(j "$out" '.read.response.result.isError')" true "$T canary refuse: the client got isError"
			like "$(j "$out" '.read.response.result.content[0].text')" "withheld this answer: it held .*canary" \
				"$T canary refuse: ... saying it held a canary"
			is "$(printf '%s' "$out" | grep -c '[0-9a-f]\{40\}')" 0 "$T canary refuse: no token in what the client got"
			;;
		esac
	done

	# ---- the kill switch ----
	R=$D/kill-signal.jsonl
	out=$($run $DRIVE kill-signal $args -- $(mr "$top_srcdir/tests/record/record.yml" "$R" --grace 1) 2>"$W/err")
	is "$?" 0 "$T kill by SIGUSR1: the session ran to its end"
	asker=$(j "$out" .asker)
	is "$(ev "$R" ".event == \"killed\" and .by.via == \"signal\" and .by.signal == \"SIGUSR1\" and .by.pid == $asker and .in_flight == 1")" 1 \
		"$T ... a killed line naming the signal's sender"
	like "$(j "$out" '.after.result.content[0].text')" "the kill switch" "$T ... a call after it is refused"
	is "$(ev "$R" '.event == "refused" and .request.tool == "status"'),$(ev "$R" '.event == "call" and .outcome == "refused" and .request.tool == "status"')" "1,1" \
		"$T ... with its refused and call lines"
	is "$(j "$out" '.in_flight.error.code')" -31001 "$T ... the call in flight is answered for the server"
	is "$(j "$out" .exit)" 137 "$T ... a server ignoring SIGTERM is killed after the grace"
	is "$(jq -c 'select(.event == "exit") | .signal' "$R")" 9 "$T ... its exit line says SIGKILL"
	is "$(jq -c 'select(.event == "call" and .request.tool == "hold") | [.outcome, .error.code]' "$R")" '["rpc_error",-31001]' \
		"$T ... the call in flight's line"
	R=$D/kill-control.jsonl
	out=$($run $DRIVE kill-control $args --control "$D/control.sock" -- \
		$(mr "$top_srcdir/tests/record/record.yml" "$R" --grace 1 --control "$D/control.sock") 2>"$W/err")
	is "$?" 0 "$T kill by the control socket: the session ran to its end"
	is "$(j "$out" '[.status_before.ok, .status_before.killed, .status_before.in_flight]')" "[true,false,1]" \
		"$T ... status first: one call in flight"
	is "$(j "$out" '.status_before.session')" "$(head -1 "$R" | jq .session)" "$T ... status names the session"
	is "$(j "$out" '[.kill.ok, .kill.killed]')" "[true,true]" "$T ... kill answers killed"
	asker=$(j "$out" .asker)
	uid=$(id -u $who)
	is "$(ev "$R" ".event == \"killed\" and .by.via == \"control\" and .by.pid == $asker and .by.uid == $uid and .by.comm == \"python3\" and (.reason | test(\"incident 4711\"))")" 1 \
		"$T ... a killed line with the peer's pid, uid and reason"
	like "$(j "$out" '.after.result.content[0].text')" "the kill switch" "$T ... a call after it is refused"
	ok "$T ... the socket is gone with membrane-run" test ! -e "$D/control.sock"

	# ---- baseline and anomalies ----
	N=$D/normal.jsonl
	for i in 1 2 3; do
		$run $DRIVE normal $args -- $(mr "$top_srcdir/tests/record/record.yml" "$N") >/dev/null 2>"$W/err"
	done
	"$AUDIT" baseline "$N" >"$D/base.json"
	is "$?" 0 "$T baseline from three normal sessions"
	chown $who "$D/base.json"
	is "$(jq -c '[.sessions, .tools.read.calls, .tools.read.per_minute.max, .tools.read.per_session.max, .tools.read.write.max, .tools.config.calls]' "$D/base.json")" \
		"[3,9,3,3,0,3]" "$T ... read: 9 calls, 3 a minute and a session at most, never a write"
	R=$D/burst.jsonl
	out=$($run $DRIVE burst $args --n 12 -- $(mr "$top_srcdir/tests/record/record.yml" "$R" --baseline "$D/base.json") 2>"$W/err")
	is "$?" 0 "$T burst: the session ran to its end"
	is "$(jq -r 'select(.event == "anomaly") | .metric' "$R" | tr '\n' ' ')" "per_minute per_session read unseen " \
		"$T burst: anomalies in rate, count, reads and a tool never seen, each once"
	is "$(ev "$R" '.event == "anomaly" and .metric == "per_minute" and .tool == "read" and .value == 10 and .baseline == 3 and .factor == 3 and .threshold == 9 and .action == "report"')" 1 \
		"$T ... the tenth read within a minute, above 3 x 3"
	is "$(ev "$R" '.event == "anomaly" and .metric == "read" and .value == 6 and .baseline == 1 and .request.arguments.times == 5')" 1 \
		"$T ... a read that read six times, where reads read once"
	is "$(ev "$R" '.event == "anomaly" and .metric == "unseen" and .tool == "write"')" 1 \
		"$T ... write, which the baseline never saw"
	is "$(j "$out" '[.burst[], .times, .write, .later] | map(test("refused")) | any')" false \
		"$T ... reported, not refused"
	profile anomaly-refuse <<EOF
anomaly: { baseline: "$D/base.json", action: refuse }
EOF
	R=$D/burst-refuse.jsonl
	out=$($run $DRIVE burst $args --n 12 -- $(mr "$D/anomaly-refuse.yml" "$R") 2>"$W/err")
	is "$(j "$out" '[.burst[] | test("departed from its baseline")] | index(true)')" 9 \
		"$T anomaly action refuse: the tenth read is the first refused"
	like "$(j "$out" .later)" "departed from its baseline" "$T ... and later reads are refused too"
	like "$(j "$out" .write)" "tool write departed from its baseline" "$T ... a tool never seen is refused at once"
	is "$(ev "$R" '.event == "anomaly" and .action == "refuse"')" 3 "$T ... the anomaly lines say so"
	is "$(ev "$R" '.event == "refused" and (.reason | test("departed from its baseline"))')" 6 \
		"$T ... each refusal has its refused line"

	# ---- a signed session ----
	if [ -f "$W/sign.pem" ]; then
		cp "$W/sign.pem" "$D/sign.pem"
		chown $who "$D/sign.pem"
		chmod 600 "$D/sign.pem" "$D/creds/membrane-sign"
		R=$D/signed.jsonl
		$run $DRIVE normal $args -- $(mr "$top_srcdir/tests/record/record.yml" "$R" --sign-key "$D/sign.pem" --checkpoint-every 2) >/dev/null 2>&1
		is "$(jq -r .event "$R" | tail -2 | tr '\n' ' ')" "exit checkpoint " "$T signed: the exit line is followed by a checkpoint"
		like "$("$AUDIT" verify --key "$W/sign.pub" "$R")" "intact and signed by key" "$T signed: verify --key"
		R=$D/signed-cred.jsonl
		$run env CREDENTIALS_DIRECTORY="$D/creds" $DRIVE normal $args -- \
			$(mr "$top_srcdir/tests/record/record.yml" "$R" --sign-key credential:membrane-sign) >/dev/null 2>&1
		like "$("$AUDIT" verify --key "$W/sign.pub" "$R")" "intact and signed by key" \
			"$T signed with the key of a systemd credential"
		$run $(mr "$top_srcdir/tests/record/record.yml" "$D/x.jsonl" --sign-key "$W/sign.pub") 2>"$W/err"
		is "$?" 125 "$T a public key cannot sign: membrane-run refuses to start"
		like "$(cat "$W/err")" "^membrane-run: --sign-key $W/sign.pub: a public key, where the private key is needed to sign$" \
			"$T ... in one line"
	else
		fail "$T openssl makes the signing key (apt-get install openssl)"
	fi
done
done_testing
