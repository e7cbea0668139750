# Sourced by tests/load/*.sh: TAP, a scratch directory, the real servers.
. "$top_srcdir/tests/tap.sh"

# tests/e2e with its node_modules (npm ci); MEMBRANE_E2E_DIR points
# elsewhere, e.g. at the source tree's during make distcheck.
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
MODULES=$E/node_modules
EVERY=$MODULES/@modelcontextprotocol/server-everything

W=$(mktemp -d /tmp/membrane-load.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT INT TERM

# need_server NAME: the npm package is installed, and node is there.
need_server() {
	if [ ! -f "$MODULES/@modelcontextprotocol/server-$1/dist/index.js" ] || ! command -v node > /dev/null; then
		fail "server-$1 is installed in $E (bootstrap.sh runs npm ci in tests/e2e; set MEMBRANE_E2E_DIR for another tree)"
		done_testing
	fi
}

# event_count EVENT [FILE]: report lines of that event.
event_count() {
	grep -c "\"event\":\"$1\"" "${2:-$W/report.jsonl}"
}

# The fault driver (tests/load/fault.py) around membrane-run with
# server-everything under its shipped profile; FACTS=FILE gets what it saw.
# fault FAULT FACTS [membrane-run option]...
fault() {
	f=$1 facts=$2
	shift 2
	python3 "$top_srcdir/tests/load/fault.py" "$f" > "$facts" 2> "$facts.err" -- \
		"$MEMBRANE_RUN" "$@" --profile "$top_srcdir/profiles/everything.yml" \
		--set SERVER_DIR="$EVERY" --set MODULES="$MODULES" -- node "$EVERY/dist/index.js"
}

# fact NAME FILE: one KEY=VALUE of a facts file.
fact() {
	sed -n "s/^$1=//p" "$2"
}

# The checks every fault test makes of the sandbox once membrane-run is gone.
no_survivor() { # PREFIX FACTS
	is "$(fact init_exited "$2")" yes "$1 the sandbox's init is gone (its pidfd polls readable)"
	is "$(fact server_exited "$2")" yes "$1 the server is gone (its pidfd polls readable)"
	is "$(fact pidns_members "$2")" 0 "$1 no process left in the sandbox's pid namespace (/proc scanned: $(fact pidns "$2"))"
}
