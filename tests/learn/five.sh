# SPDX-License-Identifier: Apache-2.0
# The five servers of issue 14, learned then enforced: sourced by
# tests/learn/e2e-{sequential-thinking,git,sqlite,fetch,desktop-commander}.sh
# after tests/tap.sh. Each test, as root and as nobody:
#   1. learns the server from a scripted workload followed by calls out of
#      scope (five_learn), from nothing but the command (no BASE): the
#      session runs, the draft loads and carries its lint warnings;
#   2. checks that the out-of-scope calls were flagged and granted nowhere
#      (the test's own checks, on $J: tests/learn/draft.mjs);
#   3. enforces the draft, unedited, on the same workload (five_enforce):
#      every step works, no violation, and every answer is the one the
#      learning session got (answers.mjs);
#   4. makes the out-of-scope calls under the draft (five_outside): each is
#      refused (arguments.within, an undeclared tool) or denied, reported,
#      and the client is told.
# The test sets, before calling them: CMD (the server's command line),
# RS_OPTS (run-script.mjs options), LEARN_OPTS, ENF_OPTS (membrane-run's),
# and defines reset(), which puts the data back as it was.
# One line per run is printed for the closing note's table:
#   # FIGURE NAME WHO lines=N violations=N unedited=yes|no
E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
export MEMBRANE_E2E_DIR=$E
S=$top_srcdir/tests/learn/scripts
RUNSCRIPT="node $E/lib/run-script.mjs"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
export STEP_GAP_MS=50
export SERVER_STDERR=inherit

# five_init PACKAGE MAIN: the server installed by tests/e2e (npm ci), a
# scratch directory $W; SERVER is the path of its main script.
five_init() {
	SERVER=$E/node_modules/$1/$2
	if [ ! -f "$SERVER" ] || ! command -v node >/dev/null; then
		fail "$1 is installed in $E (bootstrap.sh runs npm ci in tests/e2e; set MEMBRANE_E2E_DIR for another tree)"
		done_testing
	fi
	W=$(mktemp -d /tmp/membrane-five.XXXXXX)
	chmod 755 "$W"
	trap 'five_cleanup' EXIT INT TERM
}
five_cleanup() {
	[ -n "$E2E_KEEP" ] && { echo "# kept $W"; W=; }
	# A failure keeps the drafts, sessions and reports beside the test's
	# log (W is in /tmp, which CI's clean room empties).
	if [ -n "$W" ] && [ "$tap_failed" -gt 0 ]; then
		kept=$top_builddir/tests/learn/failed-$(basename "$W")
		cp -a "$W" "$kept" 2>/dev/null && echo "# failed: the session files are kept in $kept"
	fi
	[ -n "$five_pids" ] && kill $five_pids 2>/dev/null
	rm -rf "$W"
}

# five_who root|nobody: $run, and $D, a directory of that user's; the
# server starts in $D/cwd.
five_who() {
	who=$1
	run=
	[ "$who" = nobody ] && run=$NOBODY
	D=$W/$who
	mkdir -p "$D/cwd"
	chown -R "$who" "$D"
}

j() { printf '%s' "$J" | jq -c "$1"; }
# flagged TEXT: how many "# SUSPICIOUS:" lines begin with TEXT.
flagged() { printf '%s' "$J" | jq --arg t "$1" '[.flagged[] | select(startswith($t))] | length'; }
violations() { jq -c 'select(.event == "violation")' "$1" | wc -l; }
show() {
	jq -c 'select(.event == "violation") | [.op, .syscall, .target, .reason]' "$1" | head -5 |
		while read -r l; do diag "$l"; done
}
# The draft's active lines (no comment, no blank line).
lines() { grep -cv '^[[:space:]]*\(#\|$\)' "$1"; }

# five_session OUT REPORT SCRIPT MEMBRANE-ARGS...: one scripted session in
# $D/cwd, as $who.
five_session() {
	out=$1 rep=$2 script=$3
	shift 3
	(cd "$D/cwd" && $run $RUNSCRIPT "$script" $RS_OPTS -- "$MEMBRANE_RUN" "$@" --report "$rep" -- $CMD) \
		>"$out" 2>"$out.err"
}

# steps_ok OUT N WHAT: the first N steps of a session succeeded.
steps_ok() {
	good=$(grep '"label"' "$1" | head -n "$2" | grep -c '"ok":true')
	is "$good" "$2" "$3"
	[ "$good" = "$2" ] && return 0
	grep '"label"' "$1" | head -n "$2" | grep -v '"ok":true' | head -3 |
		cut -c1-300 | while read -r l; do diag "$l"; done
	return 1
}

# five_learn NAME SCRIPT OUTSIDE: learn from SCRIPT then OUTSIDE into
# $D/NAME.yml; $J is the draft as draft.mjs reads it.
five_learn() {
	name=$1 script=$2 outside=$3
	T="[$who] $name, learned"
	nsteps=$(jq length "$script")
	jq -s 'add' "$script" "$outside" >"$D/$name-learn.json"
	reset
	five_session "$D/$name-learn.out" "$D/$name-learn.report" "$D/$name-learn.json" \
		--learn "$D/$name.yml" $LEARN_OPTS
	ok "$T: the session ran to its end" grep -q '"seen"' "$D/$name-learn.out"
	steps_ok "$D/$name-learn.out" "$nsteps" "$T: every step of the workload works"
	like "$(head -1 "$D/$name-learn.out.err")" "^membrane-run: learning into $D/$name.yml: the sandbox is the learning default" \
		"$T: membrane-run says which sandbox it learns in"
	is "$(violations "$D/$name-learn.report")" 0 "$T: learning reports no violation"
	ok "$T: the draft was written" test -s "$D/$name.yml"
	$run "$MEMBRANE_RUN" --check --profile "$D/$name.yml" $ENF_OPTS 2>"$D/check-err"
	is "$?" 0 "$T: the draft loads with --check"
	[ -s "$D/check-err" ] && diag "$(head -c 300 "$D/check-err")"
	nwarn=$($run "$MEMBRANE_RUN" --lint "$D/$name.yml" $ENF_OPTS | grep -c ': warning: ')
	is "$(grep -c '^# LINT: ' "$D/$name.yml")" "$nwarn" "$T: each of its $nwarn lint warnings is a comment in it"
	J=$(node "$top_srcdir/tests/learn/draft.mjs" "$D/$name.yml")
	is "$(j '[.profile.tools // {} | keys[] | select(startswith("outside"))] | length')" 0 \
		"$T: no tool is declared for a call out of scope"
}

# enforced OUT SCRIPT PROFILE ARGS...: SCRIPT under PROFILE into OUT (and
# OUT's .report): every step works, no violation; $nsteps, $nviol say so.
enforced() {
	out=$1 script=$2 profile=$3
	shift 3
	nsteps=$(jq length "$script")
	reset
	five_session "$out" "$out.report" "$script" --profile "$profile" "$@"
	steps_ok "$out" "$nsteps" "$T: every step works" ||
		grep -v '^{' "$out.err" | head -5 | cut -c1-300 | while read -r l; do diag "stderr: $l"; done
	nviol=$(violations "$out.report")
	is "$nviol" 0 "$T: no violation"
	show "$out.report"
}

# five_enforce NAME SCRIPT: the draft, unedited, on the same workload.
five_enforce() {
	name=$1 script=$2
	T="[$who] $name, enforced with the draft"
	enforced "$D/$name-enf.out" "$script" "$D/$name.yml" $ENF_OPTS
	cp "$D/$name-enf.out.report" "$D/$name-enf.report"
	node "$top_srcdir/tests/learn/answers.mjs" "$D/$name-learn.out" "$D/$name-enf.out" >"$D/answers" 2>&1
	is "$?" 0 "$T: every answer is the learning session's"
	grep -v '^#' "$D/answers" | head -3 | while read -r l; do diag "$l"; done
	unedited=no
	[ "$nviol" = 0 ] && ! grep -qv '^#' "$D/answers" &&
		[ "$(grep -c '"ok":true' "$D/$name-enf.out")" = "$nsteps" ] && unedited=yes
	diag "FIGURE $name $who lines=$(lines "$D/$name.yml") violations=$nviol unedited=$unedited"
}

# five_outside NAME OUTSIDE: the out-of-scope calls under the draft: each
# refused or denied, reported, and the client told.
five_outside() {
	name=$1 outside=$2
	T="[$who] $name, out of scope under the draft"
	n=$(jq length "$outside")
	reset
	five_session "$D/$name-out.out" "$D/$name-out.report" "$outside" --profile "$D/$name.yml" $ENF_OPTS
	stopped=$(jq -c 'select(.event == "refused" or (.event == "violation" and .decision == "denied"))' \
		"$D/$name-out.report" | wc -l)
	ok "$T: each call is refused or denied, and reported ($stopped lines for $n calls)" test "$stopped" -ge "$n"
	told=$(grep '"label"' "$D/$name-out.out" | grep -c 'membrane refused\|membrane/denials\|"ok":false')
	is "$told" "$n" "$T: the client is told"
}

# five_shipped NAME PROFILE SCRIPT SETS...: the shipped profile, on the
# workload (or the part of it the profile serves): every step works, no
# violation.
five_shipped() {
	name=$1 profile=$2 script=$3
	shift 3
	T="[$who] $name, under the shipped profile $(basename "$profile")"
	enforced "$D/$name-shipped.out" "$script" "$profile" "$@"
}
