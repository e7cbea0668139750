#!/bin/sh
# The report file on a full filesystem (a 16 KiB tmpfs in a mount namespace
# of this test's own). Fail closed (DESIGN.md): a server that cannot be
# reported on does not run.
#  1. full before membrane-run starts: the start report cannot be written,
#     the server is stopped at once, membrane-run says so and exits 125.
#  2. full while it runs: the filesystem fills, then calls of an undeclared
#     tool are refused (each refusal is a report line) until one cannot be
#     written: the server is killed, the call in flight is answered with an
#     error, membrane-run says so and exits 125, and the file holds only
#     whole lines.
# Each time, nothing of the sandbox is left.
. "$top_srcdir/tests/load/lib.sh"
need_server everything
if [ "$(id -u)" -ne 0 ]; then
	fail "runs as root (it mounts a tmpfs in a private mount namespace)"
	done_testing
fi
mkdir "$W/full"

# What runs in the mount namespace: mount, fill (case 1), drive.
cat > "$W/ns.sh" <<EOS
set -e
mount -t tmpfs -o size=16k tmpfs "$W/full"
if [ "\$1" = start ]; then
	dd if=/dev/zero of="$W/full/filler" bs=4k 2>/dev/null || true
fi
FILL=$W/full python3 "$top_srcdir/tests/load/fault.py" "\$1" > "\$2" 2> "\$2.err" -- \\
	"$MEMBRANE_RUN" --report "$W/full/report.jsonl" --profile "$top_srcdir/profiles/everything.yml" \\
	--set SERVER_DIR="$EVERY" --set MODULES="$MODULES" -- node "$EVERY/dist/index.js"
cp "$W/full/report.jsonl" "$W/report-\$1.jsonl"
EOS

# 1. full at start
unshare -m --propagation private sh "$W/ns.sh" start "$W/start"
F=$W/start
[ -s "$F.err" ] && diag "driver: $(head -c 300 "$F.err")"
is "$(fact exited "$F")" yes "[full at start] membrane-run exits"
is "$(fact exit_status "$F")" 125 "[full at start] with status 125 (membrane failed)"
is "$(fact stderr "$F")" "membrane-run: cannot write the start report: stopping the server" \
	"[full at start] and one line on stderr saying why"
is "$(fact answers "$F")" "" "[full at start] initialize is never answered: the server was stopped before the session"
is "$(wc -c < "$W/report-start.jsonl")" 0 "[full at start] the report file is empty: no partial line"
is "$(fact orphans "$F")" 0 "[full at start] no descendant of membrane-run outlived it (the driver is their subreaper)"

# 2. full while running
unshare -m --propagation private sh "$W/ns.sh" report-full "$W/run"
F=$W/run
[ -s "$F.err" ] && diag "driver: $(head -c 300 "$F.err")"
is "$(fact mid_call "$F")" yes "[full while running] the call was in the server's hands"
is "$(fact fill "$F")" "No space left on device" "[full while running] the filesystem was filled"
ok "[full while running] some refusals were reported before it ran out ($(fact refused "$F"))" \
	test -n "$(fact refused "$F")"
is "$(fact exited "$F")" yes "[full while running] membrane-run exits"
is "$(fact exit_status "$F")" 125 "[full while running] with status 125"
is "$(fact stderr "$F")" "membrane-run: a report could not be written: the server was stopped" \
	"[full while running] and one line on stderr saying why"
like "$(fact answer2 "$F")" '"id":2,"error":\{"code":-31001,"message":"membrane: the MCP server was killed by signal 9 [^"]*before answering"' \
	"[full while running] the call in flight is answered: the server was killed"
# Every refused call was answered (a refusal is membrane's own answer), the
# last one too even though its report line could not be written.
n=$(echo "$(fact refused "$F")" | tr ',' '\n' | grep -c .)
events=$(fact report_events "$F")
is "$events" "start$(printf ',refused%.0s' $(seq 2 "$n"))" \
	"[full while running] the report holds start and every refusal but the last ($((n - 1)) of $n)"
is "$(fact report_complete "$F")" yes "[full while running] every line of the report is whole JSON"
ok "[full while running] ... and the file ends with a newline" \
	test "$(tail -c 1 "$W/report-report-full.jsonl" | od -An -c | tr -d ' ')" = '\n'
no_survivor "[full while running]" "$F"
is "$(fact orphans "$F")" 0 "[full while running] no descendant of membrane-run outlived it"
done_testing
