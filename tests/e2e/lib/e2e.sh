# SPDX-License-Identifier: Apache-2.0
# Shared by the tests of tests/e2e (sourced after tests/tap.sh): where the
# pinned packages are, a scratch directory per test, running a command as
# root or as nobody under lib/reaper.py, and the checks every scripted
# session gets (tests/e2e/README.md).

# The system's node and python3 (the shipped profiles name /usr/bin/node),
# whoever runs the test: a PATH of root's own (pyenv shims...) may hold
# copies that nobody cannot run.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# E2E_NOTIFY=yes (the default): every wrapped session must also run under
# the seccomp notifier (the start report's layers.seccomp.notify), so that,
# once the correlator decides each watched call, "no violation report"
# means that each call stayed within its own tool's grants, not only within
# the static layer. E2E_NOTIFY=no for a membrane-run built without it.
: "${E2E_NOTIFY:=yes}"

# tests/e2e with its node_modules (npm ci); MEMBRANE_E2E_DIR points
# elsewhere, e.g. at the source tree's during make distcheck.
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
NM=$E/node_modules
MCP=$NM/@modelcontextprotocol
PROFILES=$top_srcdir/profiles
: "${MEMBRANE_RUN:=$top_builddir/membrane-run}"
need_npm "$E" @modelcontextprotocol/sdk/package.json

W=$(mktemp -d "/tmp/membrane-e2e-${0##*/}.XXXXXX")
chmod 755 "$W"
e2e_cleanup() { [ -n "$E2E_KEEP" ] || rm -rf "$W"; }
trap 'e2e_cleanup' EXIT
trap 'exit 1' INT TERM HUP

# diags TEXT: TEXT as TAP comment lines, every line of it.
diags() { printf '%s\n' "$*" | sed 's/^/# /'; }

NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# as WHO COMMAND...: run COMMAND as root or as nobody.
as() {
	who=$1; shift
	if [ "$who" = nobody ]; then $NOBODY "$@"; else "$@"; fi
}

# userdir WHO: a scratch directory owned by WHO, for its trees and reports.
userdir() {
	mkdir -p "$W/$1"
	chown "$1" "$W/$1"
	echo "$W/$1"
}

# reaped WHO TAG COMMAND...: run COMMAND as WHO under lib/reaper.py; its
# output goes to $D/TAG.out and TAG.err, its status to $D/TAG.rc and the
# number of processes it left behind to $D/TAG.left ($D: the caller's
# userdir, writable by WHO).
reaped() {
	who=$1 tag=$2; shift 2
	as "$who" /usr/bin/python3 "$E/lib/reaper.py" "$D/$tag.left" -- "$@" >"$D/$tag.out" 2>"$D/$tag.err"
	echo $? >"$D/$tag.rc"
}

# session WHO TAG SCRIPT [session.mjs options] -- COMMAND...: one scripted
# session (lib/session.mjs) whose transcript is $D/TAG.json; checks that it
# ran to its end with every step as expected and left no process behind.
session() {
	who=$1 tag=$2 script=$3; shift 3
	reaped "$who" "$tag" node "$E/lib/session.mjs" "$script" --out "$D/$tag.json" "$@"
	out=$(node "$E/lib/check.mjs" steps "$D/$tag.json" 2>&1)
	is "$(cat "$D/$tag.rc")" 0 "[$who] $tag: the session runs to its end, each step as expected ($(echo "$out" | tail -n1) steps)"
	[ "$(cat "$D/$tag.rc")" = 0 ] || { diags "$out"; diags "stderr: $(head -c 2000 "$D/$tag.err")"; }
	is "$(cat "$D/$tag.left" 2>/dev/null)" 0 "[$who] $tag: no process is left behind"
}

# check_coverage WHO TAG: every tool the server listed was called.
check_coverage() {
	out=$(node "$E/lib/check.mjs" coverage "$D/$2.json" 2>&1)
	st=$?
	ok "[$1] $2: every tool the server declares is called and succeeds ($(echo "$out" | tail -n1))" \
		test $st -eq 0
	case $out in *never*) diags "$out" ;; esac
}

# check_same WHO A B: transcripts A and B are the same once normalised.
check_same() {
	out=$(node "$E/lib/check.mjs" compare "$D/$2.json" "$D/$3.json" 2>&1)
	st=$?
	ok "[$1] $2 and $3 give the same responses (normalised: times, random ids)" test $st -eq 0
	[ -z "$out" ] || diags "$out"
}

# check_report WHO FILE EVENT...: the report's events are exactly these
# (and with E2E_NOTIFY=yes, its start report says the notifier is on).
check_report() {
	who=$1 file=$2; shift 2
	if [ "$E2E_NOTIFY" = yes ]; then
		is "$(head -n1 "$file" | node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end",
			() => console.log(JSON.parse(s).layers?.seccomp?.notify))' 2>&1)" true \
			"[$who] the server ran under the seccomp notifier (start report: layers.seccomp.notify)"
	fi
	out=$(node "$E/lib/check.mjs" report "$file" "$@" 2>&1)
	st=$?
	ok "[$who] the report holds: $*" test $st -eq 0
	[ $st -eq 0 ] || diags "$out"
}

# check_calls WHO SCRIPT REPORT [NAME=VALUE...]: the report's call record
# holds one line per tools/call of the script, in order (check.mjs calls).
check_calls() {
	who=$1 script=$2 file=$3
	shift 3
	out=$(node "$E/lib/check.mjs" calls "$script" "$file" "$@" 2>&1)
	st=$?
	ok "[$who] the call record holds each tools/call of the session ($(echo "$out" | tail -n1))" \
		test $st -eq 0
	[ $st -eq 0 ] || diags "$out"
}

# the_call REPORT TOOL [N]: the Nth call line of TOOL (default the first).
the_call() {
	jq -c "select(.event == \"call\" and .request.tool == \"$2\")" "$1" | sed -n "${3:-1}p"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
