# Shared by the tests of tests/http (sourced after tests/tap.sh and
# tests/e2e/lib/e2e.sh): a membrane-run --listen in the background as root
# or nobody, and stopping it.

# front_start WHO TAG ARG...: membrane-run ARG... as WHO in the background,
# its stderr in $D/TAG.front; returns once it listens (FRONT_PID), 1 if it
# exited first or took over 10 s.
front_start() {
	who=$1 tag=$2; shift 2
	FRONT_ERR=$D/$tag.front
	# Not through the function "as": $! would be a subshell's.
	if [ "$who" = nobody ]; then
		$NOBODY "$MEMBRANE_RUN" "$@" </dev/null >/dev/null 2>"$FRONT_ERR" &
	else
		"$MEMBRANE_RUN" "$@" </dev/null >/dev/null 2>"$FRONT_ERR" &
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

# left SCRIPT: how many "node SCRIPT" processes (servers) remain.
left() {
	pgrep -f -- "^node $1" | wc -l
}

# gone SCRIPT: wait up to 10 s for every "node SCRIPT" to end.
gone() {
	i=0
	while [ $i -lt 100 ] && [ "$(left "$1")" -gt 0 ]; do sleep 0.1; i=$((i + 1)); done
}
