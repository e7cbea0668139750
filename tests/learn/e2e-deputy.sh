#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Learning a confused deputy: tests/notify/deputy performs its side actions
# while membrane-run --learn records it, as root and as nobody. With BASE
# (tests/notify/deputy.yml) every side action (a read of the file granted
# to another tool, of a host-only file, of a sibling within the root, a
# write elsewhere, the exec of a shell and of a memory file, a connect) is
# flagged SUSPICIOUS in the draft's commented-out block and granted nowhere;
# the draft enforced on the same session lets the legitimate calls work
# and denies every side action. Without BASE, a read in a secret store
# ($HOME/.ssh) during a call, an exec no argument names and a read while
# idle of data a call named are flagged; secret values never reach the
# draft (an argument named token, a long value, an environment variable
# named like a secret).
. "$top_srcdir/tests/tap.sh"

E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
# draft.mjs reads drafts with tests/e2e's yaml package.
need_npm "$E" yaml/package.json
export MEMBRANE_E2E_DIR=$E
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d /tmp/membrane-learn-deputy.XXXXXX)
chmod 755 "$W"
LISTENER_PID=
cleanup() {
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    with open(sys.argv[1], "a") as f:
        f.write("connection\n")
    c.close()
' "$W/listened" >"$W/port" &
LISTENER_PID=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
PORT=$(cat "$W/port")
SH=$(readlink -f /bin/sh)

draft() { J=$(node "$top_srcdir/tests/learn/draft.mjs" "$1"); }
j() { printf '%s' "$J" | jq -c "$1"; }
# flagged TEXT: how many "# SUSPICIOUS:" lines begin with TEXT.
flagged() { printf '%s' "$J" | jq --arg t "$1" '[.flagged[] | select(startswith($t))] | length'; }

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	D=$W/$who
	# The deputy and the root it serves share a directory (its tree in the
	# learning default); the secret store is elsewhere.
	mkdir -p "$D/srv/root" "$D/outside" "$D/home/.ssh"
	echo alpha >"$D/srv/root/a.txt"
	echo beta >"$D/srv/root/b.txt"
	echo topsecret >"$D/outside/secret"
	# A host secret store the sandbox lacks: never created, never looked at.
	HS=/root/.ssh/mb-learn-deputy-$who-$$
	echo "-----BEGIN OPENSSH PRIVATE KEY----- not a real one" >"$D/home/.ssh/id_rsa"
	cp "$top_builddir/tests/notify/deputy" "$D/srv/deputy"
	chown -R $who "$D"
	R=$D/srv/root
	sets="--set ROOT=$R --set OUTSIDE=$D/outside --set DEPUTY=$D/srv/deputy --set PORT=$PORT"
	args="--root $R --outside $D/outside --host-secret $HS --port $PORT --report $D/unused"

	# ---- with BASE: every side action is flagged, none granted ----
	T="[$who] deputy, learned with BASE"
	: >"$W/listened"
	out=$($run $PY "$top_srcdir/tests/notify/deputy-drive.py" acts $args -- "$MEMBRANE_RUN" --learn "$D/base.yml" \
		--profile "$top_srcdir/tests/notify/deputy.yml" $sets --report "$D/learn.report" \
		-- "$D/srv/deputy" "$D/outside" 2>"$D/err")
	is "$?" 0 "$T: the session ran to its end"
	g() { printf '%s' "$out" | jq -c "$1"; }
	is "$(g .legit.read.data)" '"alpha\n"' "$T: the legitimate read works"
	# Learning continues what the static layer allows, as audit mode does.
	is "$(g .also_write.also_write.errno)" 0 "$T: the side write happened (learning is audit-like)"
	is "$(g .connect.connect.errno)" 0 "$T: the side connect happened"
	is "$(wc -l <"$W/listened")" 2 "$T: ... the listener heard it and fetch's"
	is "$(jq -c 'select(.event == "violation")' "$D/learn.report" | wc -l)" 0 "$T: learning reports no violation"
	$run "$MEMBRANE_RUN" --check --profile "$D/base.yml" $sets 2>"$D/err"
	is "$?" 0 "$T: the draft loads with --check and the same --set values"
	draft "$D/base.yml"
	is "$(flagged "read $D/outside/secret during tool read")" 1 "$T: flagged: the read of config's file"
	is "$(flagged "read $HS during tool read")" 1 "$T: flagged: the read of the host secret store"
	is "$(flagged "read $R/b.txt during tool read")" 1 "$T: flagged: the read of the sibling within the root"
	is "$(flagged "write $R/planted.txt during tool read")" 1 "$T: flagged: the write elsewhere"
	is "$(flagged "exec $SH during tool read")" 1 "$T: flagged: the exec of the shell"
	is "$(flagged "exec of the anonymous memory file memfd:payload during tool read")" 1 "$T: flagged: the exec of the memory file"
	is "$(flagged "connect 127.0.0.1:$PORT during tool read")" 1 "$T: flagged: the connect"
	is "$(j '.flagged | length')" 7 "$T: nothing else is flagged"
	like "$(j '.flagged[0]')" 'BASE does not grant it to tool read' "$T: each says why"
	is "$(j '.suspicious.tools.read | [.read, .write, .exec, .connect]')" \
		"[[\"\${OUTSIDE}/secret\",\"$HS?\",\"\${ROOT}/b.txt\"],[\"\${ROOT}/planted.txt\"],[\"$SH\"],[\"127.0.0.1:$PORT\"]]" \
		"$T: the commented-out block would grant each (uncommented, it is YAML; the store is optional: the host lacks it)"
	is "$(j '.profile.tools.read')" '{"read":["{path}"]}' "$T: read is granted {path} and nothing else"
	is "$(j '.profile.tools.config')" '{"read":["${OUTSIDE}"]}' "$T: config keeps its own grant"
	is "$(j '.profile.tools.shell')" '{"exec":["/bin/sh"]}' "$T: shell keeps its own grant"
	is "$(j '.profile.tools.fetch')" '{"connect":["127.0.0.1:${PORT}"]}' "$T: fetch keeps its own grant, as BASE wrote it"
	is "$(j '.profile.tools.write')" '{"write":["{path}"]}' "$T: write keeps its own grant"
	is "$(j '[.profile.runtime[]?[]?] | map(select(test("secret|b.txt|planted|dash|'"$PORT"'"))) | length')" 0 \
		"$T: runtime grants none of the side actions either"
	like "$(j .header)" 'tools the server declared that no call used: hold, arm, status' "$T: the header names the tools never called"
	like "$(j .lint)" 'exec of /bin/sh.*exec-interpreter' "$T: shell's lint warning is carried as a comment"

	T="[$who] deputy, enforced with the draft"
	: >"$W/listened"
	rm -f "$R/planted.txt" "$R/w.txt"
	out=$($run $PY "$top_srcdir/tests/notify/deputy-drive.py" acts $args -- "$MEMBRANE_RUN" --profile "$D/base.yml" \
		$sets --report "$D/enf.report" -- "$D/srv/deputy" "$D/outside" 2>"$D/err")
	is "$?" 0 "$T: the session ran to its end"
	is "$(g .legit.read.data)" '"alpha\n"' "$T: the legitimate read works"
	is "$(g .config.read.data)" '"topsecret\n"' "$T: config's own read works"
	is "$(g .shell.exec)" '{"errno":0,"status":7}' "$T: shell's own exec works"
	is "$(g .fetch.connect.errno)" 0 "$T: fetch's own connect works"
	is "$(g .also_outside.also.errno)" 13 "$T: the read of config's file: EACCES"
	is "$(g .also_host.also.errno)" 2 "$T: the host secret store: ENOENT"
	is "$(g .also_within.also.errno)" 13 "$T: the sibling: EACCES"
	is "$(g .also_write.also_write.errno)" 13 "$T: the write elsewhere: EACCES"
	ok "$T: ... nothing was planted" test ! -e "$R/planted.txt"
	is "$(g .exec_shell.exec.errno)" 13 "$T: the shell: EACCES"
	is "$(g .exec_memfd.exec.errno)" 13 "$T: the memory file: EACCES"
	is "$(g .connect.connect.errno)" 1 "$T: the connect: EPERM"
	is "$(wc -l <"$W/listened")" 1 "$T: the listener heard fetch alone"
	is "$(jq -c 'select(.event == "violation" and .decision == "denied" and .requests[0].tool == "read")' "$D/enf.report" | wc -l)" 9 \
		"$T: the nine side actions are reported denied under read"
	is "$(jq -c 'select(.event == "violation")' "$D/enf.report" | wc -l)" 9 "$T: nothing else is reported"

	# ---- without BASE: secrets, an exec nobody named, an idle read ----
	T="[$who] deputy, learned without BASE"
	out=$(env HOME="$D/home" API_TOKEN=hunter2-not-for-drafts $run $PY "$top_srcdir/tests/learn/drive-deputy.py" \
		--root "$R" --secret "$D/home/.ssh/id_rsa" -- "$MEMBRANE_RUN" --learn "$D/nobase.yml" \
		--report "$D/nobase.report" -- "$D/srv/deputy" "$D/outside" 2>"$D/err")
	is "$?" 0 "$T: the session ran to its end"
	is "$(g .legit.read.data)" '"alpha\n"' "$T: the legitimate read works in the learning default"
	is "$(g .status.idle.result.data)" '"beta\n"' "$T: the idle read happened"
	like "$(head -1 "$D/err")" 'environment variables? passed through, [1-9][0-9]* held back' "$T: the learning default held the secret-named variable back"
	env HOME="$D/home" $run "$MEMBRANE_RUN" --check --profile "$D/nobase.yml" 2>"$D/err"
	is "$?" 0 "$T: the draft loads with --check"
	draft "$D/nobase.yml"
	is "$(flagged "read $D/home/.ssh/id_rsa during tool read")" 1 "$T: flagged: the read in the secret store"
	like "$(j '.flagged')" 'id_rsa during tool read[^"]*a secret store' "$T: ... as a secret store"
	is "$(flagged "exec $SH during tool read")" 1 "$T: flagged: the exec of the shell"
	is "$(flagged "exec of the anonymous memory file memfd:payload during tool read")" 1 "$T: flagged: the exec of the memory file"
	is "$(flagged "read $R/b.txt during start-up or idle")" 1 "$T: flagged: the read while idle"
	like "$(j '.flagged')" "b.txt during start-up or idle[^\"]*data a call of arm named" "$T: ... as data a call had named"
	is "$(j '.profile.tools.read')" '{"read":["{path}"]}' "$T: read is granted its argument {path}"
	is "$(j '.profile.tools.write')" '{"write":["{path}"]}' "$T: write is granted {path}"
	is "$(grep -v '^#' "$D/nobase.yml" | grep -c -e '\.ssh' -e 'b\.txt' -e dash -e memfd)" 0 \
		"$T: no active line of the draft names the secret store, the idle read or the execs"
	is "$(grep -c -e 'not a real one' -e 'hunter2' -e 's3cr3t' "$D/nobase.yml")" 0 \
		"$T: no secret value is in the draft (the key, the environment, the token argument)"
	like "$(grep -c '(redacted)' "$D/nobase.yml")" '^[1-9]' "$T: the token argument shows as (redacted)"
	like "$(grep -c '(300 bytes, not shown)' "$D/nobase.yml")" '^[1-9]' "$T: the long argument shows only its length"
	is "$(j '.profile.redact')" '["token"]' "$T: redact proposes the argument named like a secret"

	# ---- the draft is written when membrane-run is told to stop ----
	T="[$who] learning ended by a signal"
	out=$($run $PY "$top_srcdir/tests/learn/drive-deputy.py" --root "$R" --signal INT -- "$MEMBRANE_RUN" \
		--learn "$D/int.yml" --profile "$top_srcdir/tests/notify/deputy.yml" $sets \
		--report "$D/int.report" -- "$D/srv/deputy" "$D/outside" 2>"$D/err")
	is "$(g .legit.read.data)" '"alpha\n"' "$T: a call was answered before SIGINT"
	is "$(g .exit)" 130 "$T: SIGINT went to the server, which died of it; membrane-run says so (130)"
	$run "$MEMBRANE_RUN" --check --profile "$D/int.yml" $sets 2>"$D/err"
	is "$?" 0 "$T: the draft was written and loads"
	draft "$D/int.yml"
	is "$(j '.profile.tools.read')" '{"read":["{path}"]}' "$T: ... with what the call did"
	# A server that ignores SIGTERM: membrane-run escalates after --grace.
	# SIGTERM goes once the server's sleep runs (its shell has set the trap:
	# the start line comes before that), found by its unique argument.
	secs=60.$$
	$run $PY -c '
import os, signal, subprocess, sys, time
want = b"sleep\0" + sys.argv[1].encode() + b"\0"
def sleeping():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().endswith(want):
                    return True
        except OSError:
            pass
    return False
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
end = time.monotonic() + 20
while time.monotonic() < end and not sleeping():
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
print(p.wait(timeout=30))
' "$secs" "$MEMBRANE_RUN" --learn "$D/term.yml" --grace 0.3 --report "$D/term.report" \
		-- /bin/sh -c "trap '' TERM INT; exec sleep $secs" >"$D/out"
	is "$(cat "$D/out")" 137 "$T: a server that ignores SIGTERM is killed after the grace (137)"
	$run "$MEMBRANE_RUN" --check --profile "$D/term.yml" 2>"$D/err"
	is "$?" 0 "$T: ... and the draft was written and loads"
	draft "$D/term.yml"
	want=$(jq -cn --arg sh "$SH" --arg sleep "$(readlink -f "$(command -v sleep)")" '["/bin/sh", $sh, $sleep] | unique')
	is "$(j '.profile.runtime.exec | sort')" "$want" "$T: ... with the command (as /bin/sh and where it leads) and what it executed"
	like "$(j .header)" 'no initialize answer was seen' "$T: ... and says the session never began"
done
done_testing
