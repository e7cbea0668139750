#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The report file on a full filesystem (a 16 KiB tmpfs in a mount namespace
# of this test's own). Fail closed (docs/design.md "Failure philosophy"): a server that cannot be
# reported on does not run.
#  1. full before membrane-run starts: the start report cannot be written,
#     the server is stopped at once, membrane-run says so and exits 125.
#  2. full while it runs: the filesystem fills, then calls of an undeclared
#     tool are refused (each refusal is a report line) until one cannot be
#     written: the server is killed, the call in flight is answered with an
#     error, membrane-run says so and exits 125, and the file holds only
#     whole lines.
# Each time nothing of the sandbox is left. membrane-run runs as root and as
# nobody (the mount is root's, the tmpfs is handed to nobody).
. "$top_srcdir/tests/load/lib.sh"
need_server everything
if [ "$(id -u)" -ne 0 ]; then
	fail "runs as root (it mounts a tmpfs in a private mount namespace)"
	done_testing
fi

# What runs in the mount namespace: mount, fill (case 1), drive.
# ns.sh WHO FAULT FACTS
cat > "$W/ns.sh" <<EOS
set -e
full=$W/\$1/full
mkdir -p "\$full"
mount -t tmpfs -o size=16k,mode=755 tmpfs "\$full"
chown "\$1" "\$full"
if [ "\$2" = start ]; then
	dd if=/dev/zero of="\$full/filler" bs=4k 2>/dev/null || true
fi
prefix=
[ "\$1" = nobody ] && prefix="$NOBODY"
FILL=\$full "$PYTHON" "$top_srcdir/tests/load/fault.py" "\$2" > "\$3" 2> "\$3.err" -- \\
	\$prefix "$MEMBRANE_RUN" --report "\$full/report.jsonl" --profile "$top_srcdir/profiles/everything.yml" \\
	--set SERVER_DIR="$EVERY" --set MODULES="$MODULES" -- node "$EVERY/dist/index.js"
cp "\$full/report.jsonl" "\$3.report"
EOS

for who in root nobody; do
	d=$(scratch $who)
	# 1. full at start
	F=$d/start
	unshare -m --propagation private sh "$W/ns.sh" $who start "$F"
	[ -s "$F.err" ] && diag "[$who] driver: $(head -c 300 "$F.err")"
	is "$(fact exited "$F")" yes "[$who, full at start] membrane-run exits"
	is "$(fact exit_status "$F")" 125 "[$who, full at start] with status 125 (membrane failed)"
	is "$(fact stderr "$F")" "membrane-run: cannot write the start report: stopping the server" \
		"[$who, full at start] and one line on stderr saying why"
	is "$(fact answers "$F")" "" "[$who, full at start] initialize is never answered: the server was stopped before the session"
	is "$(wc -c < "$F.report")" 0 "[$who, full at start] the report file is empty: no partial line"
	is "$(fact orphans "$F")" 0 "[$who, full at start] no descendant of membrane-run outlived it (the driver is their child subreaper)"

	# 2. full while running
	F=$d/run
	unshare -m --propagation private sh "$W/ns.sh" $who report-full "$F"
	[ -s "$F.err" ] && diag "[$who] driver: $(head -c 300 "$F.err")"
	is "$(fact mid_call "$F")" yes "[$who, full while running] the call was in the server's hands"
	is "$(fact fill "$F")" "No space left on device" "[$who, full while running] the filesystem was filled"
	ok "[$who, full while running] some refusals were answered before it ran out ($(fact refused "$F"))" \
		test -n "$(fact refused "$F")"
	is "$(fact exited "$F")" yes "[$who, full while running] membrane-run exits"
	is "$(fact exit_status "$F")" 125 "[$who, full while running] with status 125"
	is "$(fact stderr "$F")" "membrane-run: a report could not be written: the server was stopped" \
		"[$who, full while running] and one line on stderr saying why"
	like "$(fact answer2 "$F")" '"id":2,"error":\{"code":-31001,"message":"membrane: the MCP server was killed by signal 9 [^"]*before answering"' \
		"[$who, full while running] the call in flight is answered: the server was killed"
	# Every refused call was answered (a refusal is membrane's own answer),
	# the last one too, though its report line could not be written.
	# Each refusal is a refused line and a call line (the call record):
	# the line that could not be written is the last refusal's, or its
	# call line.
	n=$(fact refused "$F" | tr ',' '\n' | grep -c .)
	got=$(fact report_events "$F")
	case $got in
	"start$(printf ',refused%.0s' $(seq 2 "$n"))" | "start$(printf ',refused%.0s' $(seq 1 "$n"))")
		pass "[$who, full while running] the report holds start and every refusal, the last one's perhaps not ($n refusals)" ;;
	*) fail "[$who, full while running] the report holds start and every refusal, the last one's perhaps not ($n refusals)" "got $got" ;;
	esac
	is "$(fact report_complete "$F")" yes "[$who, full while running] every line of the report is whole JSON"
	is "$(tail -c 1 "$F.report" | od -An -c | tr -d ' ')" '\n' "[$who, full while running] ... and the file ends with a newline"
	no_survivor "[$who, full while running]" "$F"
done
done_testing
