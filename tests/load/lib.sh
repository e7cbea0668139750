# SPDX-License-Identifier: Apache-2.0
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
	need_npm "$E" "@modelcontextprotocol/server-$1/dist/index.js"
}

# event_count EVENT [FILE]: report lines of that event.
event_count() {
	grep -c "\"event\":\"$1\"" "${2:-$W/report.jsonl}"
}

# Debian's python3 (what another user can run: a python3 found first on
# root's PATH, e.g. a pyenv shim under /root, is not).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# membrane-run runs as root and as nobody (unprivileged, it puts the
# sandbox in a user namespace of its own); the driver stays root, to see
# the sandbox's /proc entries (its init is not dumpable) and to be the
# subreaper of whatever membrane-run leaves behind.
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# as WHO: the command prefix that runs a command as WHO.
as() {
	if [ "$1" = nobody ]; then echo "$NOBODY"; fi
}
# scratch WHO: a directory of W that WHO can write.
scratch() {
	mkdir -p "$W/$1"
	chown "$1" "$W/$1"
	echo "$W/$1"
}

# The fault driver (tests/load/fault.py) around membrane-run with
# server-everything under its shipped profile, as WHO; FACTS gets what it saw.
# fault WHO FAULT FACTS [membrane-run option]...
fault() {
	who=$1 f=$2 facts=$3
	shift 3
	# shellcheck disable=SC2046
	"$PYTHON" "$top_srcdir/tests/load/fault.py" "$f" > "$facts" 2> "$facts.err" -- \
		$(as "$who") "$MEMBRANE_RUN" "$@" --profile "$top_srcdir/profiles/everything.yml" \
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
	is "$(fact orphans "$2")" 0 "$1 no descendant of membrane-run outlived it (the driver is their child subreaper)"
}
