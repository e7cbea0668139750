# SPDX-License-Identifier: Apache-2.0
# Shared by the tests of tests/http (sourced after tests/tap.sh and
# tests/e2e/lib/e2e.sh): a membrane-run --listen in the background as root
# or nobody, and stopping it.

# front_start WHO TAG ARG...: membrane-run ARG... as WHO in the background,
# its stderr in $D/TAG.front, under a subreaper (lib/reaper.py, FRONT_PID)
# that forwards SIGTERM, so that every process of its sessions stays a
# descendant and what outlives it is counted in $D/TAG.left (FRONT_LEFT);
# returns once it listens, 1 if it exited first or took over 10 s.
front_start() {
	who=$1 tag=$2; shift 2
	FRONT_ERR=$D/$tag.front FRONT_LEFT=$D/$tag.left
	rm -f "$FRONT_LEFT"
	# Not through the function "as": $! would be a subshell's.
	if [ "$who" = nobody ]; then
		$NOBODY /usr/bin/python3 "$E/lib/reaper.py" "$FRONT_LEFT" -- "$MEMBRANE_RUN" "$@" \
			</dev/null >/dev/null 2>"$FRONT_ERR" &
	else
		/usr/bin/python3 "$E/lib/reaper.py" "$FRONT_LEFT" -- "$MEMBRANE_RUN" "$@" \
			</dev/null >/dev/null 2>"$FRONT_ERR" &
	fi
	FRONT_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q "serving MCP at" "$FRONT_ERR" && return 0
		kill -0 "$FRONT_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# front_stop: SIGTERM; its exit status in FRONT_RC (every session's server
# gets --grace first). Not in $(...): a subshell cannot wait for it.
front_stop() {
	kill -TERM "$FRONT_PID" 2>/dev/null
	wait "$FRONT_PID"
	FRONT_RC=$?
}

# descendants PID: every process below PID, one pid a line.
descendants() {
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# left SCRIPT: how many "node SCRIPT" processes (servers) of this test's
# front are running: its descendants only, not another test's servers of
# the same script (make check -j2). After front_stop, $FRONT_LEFT says
# what outlived the front.
left() {
	descendants "$FRONT_PID" | while read -r p; do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null
		echo
	done | grep -c -- "^node $1"
}

# gone SCRIPT: wait up to 10 s for every "node SCRIPT" of the front to end.
gone() {
	i=0
	while [ $i -lt 100 ] && [ "$(left "$1")" -gt 0 ]; do sleep 0.1; i=$((i + 1)); done
}
