#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The escape suite: tests/sandbox/prober runs inside the sandbox under a
# minimal profile and tries every way out the issue lists; each attempt
# must fail with the errno it expects. Every run happens twice, launched by
# root and by nobody, with the launcher on a real pty (script(1)) so that
# TIOCSTI/TIOCLINUX would have a terminal to reach. The connect attempts
# aim at a TCP listener and an abstract unix socket opened here, on the
# host.
#
# LAUNCHER selects what starts the sandbox: "launch" (tests/sandbox/launch,
# a plan built by hand) or "membrane-run" (the real command line with
# tests/sandbox/prober.yml).
. "$top_srcdir/tests/tap.sh"

LAUNCHER=${LAUNCHER:-launch}
B=$top_builddir
W=$(mktemp -d /tmp/membrane-escape.XXXXXX)
chmod 755 "$W"
LPID=
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

for t in script setpriv; do
	command -v $t >/dev/null || { echo "Bail out! $t is missing (apt-get install util-linux bsdutils)"; exit 1; }
done

NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# A sanitizer build: the prober is instrumented too, and LeakSanitizer's
# ptrace is (rightly) refused inside; pass the caller's options in.
SANENV=
[ -n "${ASAN_OPTIONS:-}" ] && SANENV="--env ASAN_OPTIONS=$ASAN_OPTIONS"
[ -n "${UBSAN_OPTIONS:-}" ] && SANENV="$SANENV --env UBSAN_OPTIONS=$UBSAN_OPTIONS"
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2)
ABSTRACT="membrane-escape-$$"

# A TCP listener and an abstract unix socket on the host.
"$B/tests/sandbox/prober" --listen "$ABSTRACT" > "$W/port" &
LPID=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$W/port")
[ -n "$PORT" ] || { echo "Bail out! the host listener did not start"; exit 1; }

# Each run gets its own tree, owned by whoever launches, so that the
# owner checks pass and the sandbox is what stops the writes.
prepare() { # prepare DIR OWNER
	mkdir -p "$1/rw" "$1/rw2" "$1/ro"
	echo x > "$1/ro/ro.txt"
	cp "$B/tests/sandbox/prober" "$1/ro/tool"
	cp "$B/tests/sandbox/prober" "$1/prober"
	chown -R "$2" "$1"
	chmod 755 "$1"
}

# run_prober LABEL WHO NET [PROBER-ARGS...]: one sandboxed prober run on a
# pty; its PASS/FAIL lines become TAP lines labelled LABEL. PLAN=hand builds
# the plan in the launcher; PLAN=profile compiles tests/sandbox/prober.yml
# (prober-host.yml for network host) with the real loader and compiler.
run_prober() {
	label=$1 who=$2 net=$3
	shift 3
	profile=$top_srcdir/tests/sandbox/prober.yml
	[ "$net" = host ] && profile=$top_srcdir/tests/sandbox/prober-host.yml
	d="$W/$(echo "$label" | tr -c 'a-zA-Z0-9\n' _)"
	prepare "$d" "$who"
	as=$who
	runas=
	[ "$who" = nobody ] && runas=$NOBODY
	pargs="--as $as --rw $d/rw --rw2 $d/rw2 --ro $d/ro --home $HOME --hostpid $LPID --tcp $PORT --abstract $ABSTRACT --net $net $*"
	if [ "$LAUNCHER" = membrane-run ]; then
		# Audit mode: the correlator reports each attempt and lets the
		# kernel answer, so the errnos are the static layer's own.
		cmd="$runas $MEMBRANE_RUN --profile $profile --mode audit --report $d/report --set DIR=$d -- $d/prober $pargs --fd 2"
	elif [ "${PLAN:-hand}" = profile ]; then
		cmd="$runas $B/tests/sandbox/launch --profile $profile --set DIR=$d $SANENV -- $d/prober $pargs"
	else
		cmd="$runas $B/tests/sandbox/launch --ro /lib --ro /lib64 --ro /usr/lib --ro /usr/lib64 --exec $LDSO --exec $d/prober --rw $d/rw --rw $d/rw2 --ro $d/ro --net $net $SANENV -- $d/prober $pargs"
	fi
	# script(1) gives the launcher a terminal; -e passes its status on.
	script -qec "$cmd" /dev/null < /dev/null > "$d/out" 2>&1
	rc=$?
	tr -d '\r' < "$d/out" > "$d/out.txt"
	count=0
	last_count=0
	while IFS= read -r line; do
		# membrane-run relays stderr line-prefixed: drop any prefix.
		case $line in
		*PASS\ *) line="PASS ${line#*PASS }" ;;
		*FAIL\ *) line="FAIL ${line#*FAIL }" ;;
		*COUNT\ *) line="COUNT ${line#*COUNT }" ;;
		esac
		case $line in
		PASS\ *) pass "[$label] ${line#PASS }" ;;
		FAIL\ *) fail "[$label] ${line#FAIL }" ;;
		COUNT\ *) count=${line#COUNT } ;;
		*) diag "[$label] $line" ;;
		esac
	done < "$d/out.txt"
	is "$rc" 0 "[$label] the prober exits 0 (every attempt blocked)"
	[ "$LAUNCHER" = membrane-run ] &&
		ok "[$label] the dynamic layer reported attempts too (audit)" grep -q '"event":"violation"' "$d/report"
	last_count=$count
}

# The pty is real: the launcher's stdin is a terminal under script(1).
is "$(script -qec 'test -t 0 && echo tty' /dev/null < /dev/null | tr -d '\r')" tty \
	"script(1) puts the launcher on a terminal"

total=0
plans=hand
[ "$LAUNCHER" = launch ] && plans="hand profile"
for PLAN in $plans; do
	tag=
	[ "$PLAN" = profile ] && tag=-profile
	for who in root nobody; do
		run_prober "$who$tag" "$who" none
		ok "[$who$tag] at least 40 distinct attempts ($last_count)" [ "$last_count" -ge 40 ]
		total=$((total + last_count))
		# Network host: Landlock alone stands between the server and
		# the host's sockets.
		run_prober "$who$tag-net-host" "$who" host --only net
		total=$((total + last_count))
	done
done
PLAN=hand

if [ "$LAUNCHER" = launch ]; then
	# The bind mounts' fallback for kernels before 5.12 (mount(2) and a
	# remount of every submount) must hold the same wall.
	export MEMBRANE_TEST_NO_MOUNT_API=1
	for who in root nobody; do
		run_prober "$who-old-mount-api" "$who" none
		total=$((total + last_count))
	done
	unset MEMBRANE_TEST_NO_MOUNT_API
fi

# The prober can fail: outside a pid namespace it refuses to probe...
"$B/tests/sandbox/prober" --as root --rw "$W" --rw2 "$W" --ro "$W" --home "$HOME" \
	--hostpid "$LPID" --tcp "$PORT" --abstract "$ABSTRACT" > "$W/refuse.out" 2>&1
is "$?" 3 "the prober refuses to run on the host"
like "$(cat "$W/refuse.out")" "^REFUSE" "and says why"

# ...and it notices a hole: with Landlock capped below the network ABI and
# the host's network, the TCP connect gets through and must be reported.
if [ "$LAUNCHER" = launch ]; then
	d="$W/weak"
	prepare "$d" root
	MEMBRANE_TEST_LANDLOCK_ABI=3 "$B/tests/sandbox/launch" --ro /lib --ro /lib64 --ro /usr/lib \
		--ro /usr/lib64 --exec "$LDSO" --exec "$d/prober" --rw "$d/rw" --rw "$d/rw2" --ro "$d/ro" \
		--net host $SANENV -- "$d/prober" --as root --rw "$d/rw" --rw2 "$d/rw2" --ro "$d/ro" --home "$HOME" \
		--hostpid "$LPID" --tcp "$PORT" --abstract "$ABSTRACT" --net host --only net \
		> "$d/out" 2>&1
	is "$?" 1 "a weakened sandbox (Landlock ABI 3, network host) fails the prober"
	like "$(cat "$d/out")" "FAIL TCP connect to the host's listener: SUCCEEDED" \
		"and the prober names the attempt that got through"
fi

diag "escape attempts: $total in all (root and nobody launched)"
echo "# ESCAPE-ATTEMPTS $total"
done_testing
