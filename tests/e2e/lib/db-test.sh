# SPDX-License-Identifier: Apache-2.0
# Shared by tests/e2e/e2e-db-brokered.sh and db-exfil.sh (sourced after
# tests/tap.sh): the pinned packages, a scratch directory, a throwaway
# PostgreSQL (lib/pg.sh), running a command as root or as nobody, and
# reading reports.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
# Absolute: the server's profile grants these paths.
E=$(cd "${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}" && pwd)
NM=$E/node_modules
MCP=$NM/@modelcontextprotocol
PROFILES=$(cd "$top_srcdir/profiles" && pwd)
: "${MEMBRANE_RUN:=$top_builddir/membrane-run}"
case $MEMBRANE_RUN in /*) ;; *) MEMBRANE_RUN=$PWD/$MEMBRANE_RUN ;; esac
need_npm "$E" @modelcontextprotocol/sdk/package.json

W=$(mktemp -d "/tmp/membrane-${0##*/}.XXXXXX")
chmod 755 "$W"
PG=$W/pg
PIDS=
db_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -f "$PG/data/postmaster.pid" ] && sh "$E/lib/pg.sh" stop "$PG" 2>/dev/null
	[ -n "${E2E_KEEP:-}" ] || rm -rf "$W"
}
trap 'db_cleanup' EXIT
trap 'exit 1' INT TERM HUP

NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
as() { # as WHO COMMAND...
	who=$1; shift
	if [ "$who" = nobody ] && [ "$(id -u)" = 0 ]; then $NOBODY "$@"; else "$@"; fi
}
userdir() { # a scratch directory owned by WHO
	mkdir -p "$W/$1"
	[ "$(id -u)" = 0 ] && chown "$1" "$W/$1"
	echo "$W/$1"
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# db_start: a PostgreSQL on 127.0.0.1:$DBPORT with database app (tables
# customers and orders); $URL connects to it.
db_start() {
	DBPORT=$(free_port)
	if ! URL=$(sh "$E/lib/pg.sh" start "$PG" "$DBPORT" 2>"$W/pg.err"); then
		fail "a PostgreSQL server starts on 127.0.0.1:$DBPORT" "$(cat "$W/pg.err")"
		done_testing
	fi
	pass "a PostgreSQL server runs on 127.0.0.1:$DBPORT as an unprivileged user"
}

# json FILE EXPR: a value of the JSON object in FILE (Python expression over o).
json() {
	python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# json_line FILE EXPR: the same over the first line of a file of JSON lines.
json_line() {
	python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# violations REPORT: one line per violation: op syscall target decision
# tools-in-flight (comma-separated, "-" when idle) | reason
violations() {
	python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["event"] != "violation":
        continue
    tools = ",".join(r.get("tool") or r.get("method") for r in o.get("requests", [])) or "-"
    print(o["op"], o["syscall"], o["target"], o["decision"], tools, "|", o["reason"])
PY
}

# events REPORT: the events, space-separated.
# events REPORT: its events in order, the call record's lines aside.
events() {
	python3 -c 'import json,sys; print(" ".join(e for e in (json.loads(l)["event"] for l in open(sys.argv[1])) if e != "call"))' "$1" 2>/dev/null
}
