#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# mb_sandbox_spawn() through tests/sandbox/launch: exit statuses (the
# command's, 128+N, 125/126/127), the init's signal forwarding, no process
# left behind when the launcher is killed, stdio, session, environment,
# layers, --user, limits, the loopback, the listener hook, and degrading out
# loud. Each as root and, where it differs, as nobody.
. "$top_srcdir/tests/tap.sh"

B=$top_builddir
L="$B/tests/sandbox/launch"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d /tmp/membrane-spawn.XXXXXX)
chmod 755 "$W"
KILLME=
cleanup() {
	[ -n "$KILLME" ] && kill -9 $KILLME 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# A sanitizer build: the prober is instrumented, and LeakSanitizer's ptrace
# is (rightly) refused inside; pass the caller's options in.
SANENV=
[ -n "${ASAN_OPTIONS:-}" ] && SANENV="--env ASAN_OPTIONS=$ASAN_OPTIONS"

# What a shell needs: /bin/sh and the libraries, the loader exec-granted.
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2)
SH="--ro /bin --ro /lib --ro /lib64 --ro /usr/lib64 --exec /usr/bin --ro /usr/lib --exec $LDSO --env PATH=/usr/bin"

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY

	$run $L $SH -- sh -c 'exit 42' 2>/dev/null
	is "$?" 42 "[$who] the command's exit status comes back"
	$run $L $SH -- sh -c 'kill -TERM $$' 2>/dev/null
	is "$?" 143 "[$who] death by SIGTERM is 128+15"
	$run $L $SH -- sh -c 'kill -KILL $$' 2>/dev/null
	is "$?" 137 "[$who] death by SIGKILL is 128+9"
	$run $L $SH -- sh -c 'kill -SEGV $$' 2>/dev/null
	is "$?" 139 "[$who] death by SIGSEGV is 128+11 (and no core: RLIMIT_CORE 0)"

	err=$($run $L $SH -- no-such-command 2>&1)
	is "$?" 127 "[$who] command not found: 127"
	like "$err" "no-such-command: command not found" "[$who] ... and says so"
	err=$($run $L $SH --ro /etc/hostname -- /etc/hostname 2>&1)
	is "$?" 126 "[$who] a file granted read but not exec: 126"
	like "$err" "/etc/hostname: Permission denied" "[$who] ... and says so"
	err=$($run $L --exec /usr/bin -- /usr/bin/true 2>&1)
	is "$?" 127 "[$who] a program whose loader is not in the sandbox: 127"
	like "$err" "interpreter .* is not in the sandbox" "[$who] ... and says what is missing"
	err=$($run $L $SH --ro /no/such/path -- true 2>&1)
	is "$?" 125 "[$who] a set-up failure (a missing required path): 125"
	like "$err" "launch:1:1: mount /no/such/path: No such file or directory" \
		"[$who] ... naming the path and the grant's position"

	# Environment: exactly what the plan says, nothing of ours.
	out=$(FOO=leak $run $L $SH --env A=1 -- /usr/bin/env)
	is "$out" "$(printf 'PATH=/usr/bin\nA=1')" "[$who] the environment is exactly the plan's"

	# stdio: pipes, never our terminal; its own session.
	out=$(echo '{"jsonrpc":"2.0"}' | $run $L $SH -- sh -c 'cat; for f in 0 1 2; do [ -p /proc/self/fd/$f ] && printf p; done')
	is "$out" '{"jsonrpc":"2.0"}
ppp' "[$who] stdin, stdout and stderr are pipes carrying the data"
	out=$(script -qec "$run $L $SH -- sh -c 'test -t 0 || test -t 1 || test -t 2 || echo no-tty'" /dev/null < /dev/null | tr -d '\r')
	is "$out" no-tty "[$who] launched on a terminal, the command sees none"
	out=$($run $L $SH -- sh -c 'read -r _ _ _ _ _ sid _ < /proc/self/stat; [ "$sid" = $$ ] && echo own-session; echo $PPID')
	is "$out" "$(printf 'own-session\n1')" "[$who] the command leads its own session; its parent is the init, pid 1"

	# The caller's signal state stays outside: all blocked and SIGPIPE
	# ignored around the spawn, the command starts with defaults.
	out=$($run $L $SH --hostile-signals -- sh -c 'grep -E "^Sig(Blk|Ign):" /proc/self/status | tr -s "\t " " "')
	is "$out" "$(printf 'SigBlk: 0000000000000000\nSigIgn: 0000000000000000')" \
		"[$who] the command starts with no signal blocked or ignored, whatever the caller's"

	# Namespaces and layers.
	out=$($run $L $SH --layers -- true 2>&1)
	if [ $who = root ]; then
		like "$out" "userns=0 mntns=1 pidns=1 netns=1 ipcns=1 utsns=1 cgroupns=1 rootfs=1 hidepid=1" \
			"[$who] every namespace but user (not needed as root)"
		like "$out" "memfd_noexec=1" "[$who] vm.memfd_noexec=2 in the sandbox's pid namespace"
	else
		like "$out" "userns=1 mntns=1 pidns=1 netns=1 ipcns=1 utsns=1 cgroupns=1 rootfs=1 hidepid=1" \
			"[$who] every namespace, a user namespace included"
		like "$out" "memfd_noexec=0" "[$who] vm.memfd_noexec cannot be set (seccomp stands in)"
	fi
	like "$out" "landlock_abi=[1-9] landlock_fs=1" "[$who] Landlock in force"
	like "$out" "seccomp_baseline=1 seccomp_notify=0 no_new_privs=1 caps_dropped=1" \
		"[$who] seccomp baseline, no_new_privs, no capabilities"
	out=$($run $L $SH -- sh -c 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "')
	is "$out" "$(printf 'CapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2')" \
		"[$who] the kernel confirms: no capability in any set, no_new_privs, filtered"
	out=$($run $L $SH -- sh -c 'set -- /proc/[0-9]*; echo $#')
	is "$out" 1 "[$who] /proc shows the shell alone (hidepid hides the undumpable init)"
	out=$($run $L $SH -- sh -c 'ls / 2>/dev/null')
	is "$out" "" "[$who] / cannot be listed (no read right on the skeleton)"
	out=$($run $L $SH -- sh -c 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')
	is "$out" lo "[$who] network none: only lo"
	$run $L $SH --exec "$B/tests/sandbox/prober" --bind-any --connect-any $SANENV -- "$B/tests/sandbox/prober" --lo
	is "$?" 0 "[$who] ... and lo is up (a TCP round trip over 127.0.0.1)"
	out=$($run $L $SH --net host -- sh -c 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort | tr "\n" " "')
	is "$out" "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')" \
		"[$who] network host: the host's interfaces"

	# Limits.
	out=$($run $L $SH --files 64 --memory 268435456 --tasks 32 -- sh -c 'ulimit -n; ulimit -d; ulimit -p; ulimit -c')
	is "$out" "$(printf '64\n262144\n32\n0')" "[$who] limits: files, memory (RLIMIT_DATA), tasks; no core"
	# The fd table comes grown to the files limit (1,024 at most), so that
	# a server's threads never wait for the kernel to grow it past 64
	# (an RCU grace period). FDSize (of the command, $$: a process it forks
	# gets a table sized to its open fds) is the table's size; the kernel
	# rounds a size up to a power of two times 128.
	out=$($run $L $SH --files 256 -- sh -c 'grep FDSize /proc/$$/status; ls /proc/$$/fd | tr "\n" " "')
	like "$out" "FDSize:	256" "[$who] the command's fd table holds its files limit (256)"
	like "$out" "^0 1 2 \$" "[$who] ... and nothing is left open for it"
	out=$($run $L $SH --files 300 -- sh -c 'grep FDSize /proc/$$/status')
	is "$out" "FDSize:	512" "[$who] ... rounded up as the kernel sizes tables (300 -> 512)"
	# A limit above 1,024 needs a hard limit above it: raised for this one.
	out=$(sh -c 'ulimit -n 4096 && exec "$@"' sh $run $L $SH --files 3000 -- sh -c 'grep FDSize /proc/$$/status')
	is "$out" "FDSize:	1024" "[$who] ... 1,024 at most"
	out=$($run $L $SH --files 32 -- sh -c 'grep FDSize /proc/$$/status')
	is "$out" "FDSize:	64" "[$who] ... and the kernel's 64 under a limit below it"
	$run $L $SH --files 999999999 -- true 2>"$W/lim"
	is "$?" 125 "[$who] a files limit above the hard limit fails set-up"
	like "$(cat "$W/lim")" "RLIMIT_NOFILE" "[$who] ... naming the limit"

	# Writable trees: writes land on the host, owned by the caller.
	mkdir -p "$W/rw-$who"
	chown $who "$W/rw-$who"
	$run $L $SH --rw "$W/rw-$who" -- sh -c "echo data > $W/rw-$who/f"
	is "$(cat "$W/rw-$who/f" 2>/dev/null)" data "[$who] a write grant writes through to the host"
	is "$(stat -c %U "$W/rw-$who/f")" "$who" "[$who] ... as the caller's uid"
	$run $L $SH --rw "$W/rw-$who" -- sh -c "cp /usr/bin/true $W/rw-$who/t && $W/rw-$who/t" 2>/dev/null
	is "$?" 126 "[$who] nothing written may run (noexec, no exec right)"
	out=$($run $L $SH --tmpfs /scratch -- sh -c 'echo x > /scratch/f && cat /scratch/f && stat -c %u /scratch')
	is "$out" "$(printf 'x\n%s' $(id -u $who))" "[$who] a private tmpfs, owned by the command's user"

	# The listener hook: a real seccomp user-notification fd comes back.
	out=$($run $L $SH --listener -- true 2>&1)
	like "$out" "listener: valid" "[$who] want_listener: the listener fd arrives and is a seccomp listener"
	# --listener-continue, the benchmarks' floor: the filter of watched
	# calls is installed (one filter more than without a listener) and every
	# watched call is answered (one left unanswered would hang: timeout).
	out=$(timeout 60 $run $L $SH --listener-continue 2 -- sh -c 'head -c 4 /usr/lib/os-release; grep Seccomp_filters /proc/self/status' 2>&1)
	is "$?" 0 "[$who] --listener-continue: the command runs to its end"
	like "$out" "^PRET" "[$who] ... its watched opens answered"
	like "$out" "Seccomp_filters:	2" "[$who] ... under the baseline and the filter of watched calls"
	out=$($run $L $SH -- sh -c 'grep Seccomp_filters /proc/self/status' 2>&1)
	like "$out" "Seccomp_filters:	1" "[$who] ... (without a listener: the baseline alone)"

	# Signal forwarding: SIGTERM to the init reaches the command.
	$run $L $SH -- sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.05; done' > "$W/fwd-$who" &
	lpid=$!
	KILLME=$lpid
	i=0
	while ! grep -q ready "$W/fwd-$who" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	init=$(cat /proc/$lpid/task/$lpid/children 2>/dev/null | tr -d ' ')
	kill -TERM "$init"
	wait $lpid
	is "$?" 7 "[$who] SIGTERM to the init is forwarded to the command"

	# SIGKILL of the launcher leaves nothing behind.
	$run $L $SH -- sh -c 'sleep 1000 & sleep 1000 & echo ready; wait' > "$W/orphans-$who" &
	lpid=$!
	KILLME=$lpid
	i=0
	while ! grep -q ready "$W/orphans-$who" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	init=$(cat /proc/$lpid/task/$lpid/children 2>/dev/null | tr -d ' ')
	shpid=$(cat /proc/$init/task/$init/children 2>/dev/null | tr -d ' ')
	sleeps=$(cat /proc/$shpid/task/$shpid/children 2>/dev/null)
	pids="$init $shpid $sleeps"
	ok "[$who] the sandbox has its init, the shell and two sleeps ($pids)" [ $(echo $pids | wc -w) -eq 4 ]
	kill -KILL $lpid
	wait $lpid 2>/dev/null
	KILLME=
	left=$pids
	i=0
	while [ -n "$left" ] && [ $i -lt 200 ]; do
		left=
		for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
		[ -n "$left" ] && sleep 0.05
		i=$((i + 1))
	done
	is "$left" "" "[$who] SIGKILL of the launcher leaves no sandbox process behind"
done

# As root: another user inside, for the whole run.
out=$($L $SH --user 65534:65534 -- sh -c 'id -u; id -g; id -G')
is "$out" "$(printf '65534\n65534\n65534')" "[root] --user: the command runs as that uid/gid, no other group"
err=$($NOBODY $L $SH --user 0:0 -- true 2>&1)
is "$?" 125 "[nobody] --user needs root"
like "$err" "needs membrane-run started as root" "[nobody] ... and says so"

# Degrading out loud: Landlock missing (forced with the test-only knob).
err=$(MEMBRANE_TEST_LANDLOCK_ABI=0 $L $SH -- true 2>&1)
is "$?" 125 "Landlock missing: refuse to start"
like "$err" "Landlock is not available.*--best-effort" "... saying what is missing and how to proceed"
out=$(MEMBRANE_TEST_LANDLOCK_ABI=0 $L $SH --best-effort --layers -- true 2>&1)
is "$?" 0 "--best-effort runs without Landlock"
like "$out" "landlock_abi=0 landlock_fs=0" "... and the layers say so"
like "$out" "seccomp_baseline=1" "... the other layers still in force"
# The fallback paths for older kernels, end to end: each lower ABI (forced
# with the test-only knob) builds a sandbox that runs, reading and writing
# what is granted, and the layers name the ABI in force.
kabi=$($L $SH --layers -- true 2>&1 | sed -n 's/.*landlock_abi=\([0-9]*\).*/\1/p')
mkdir -p "$W/abi"
abi=1
while [ "$abi" -le "${kabi:-0}" ]; do
	out=$(MEMBRANE_TEST_LANDLOCK_ABI=$abi $L $SH --rw "$W/abi" --layers -- \
		sh -c "echo $abi > $W/abi/f && cat $W/abi/f && cat /etc/hostname" 2>&1)
	like "$out" "landlock_abi=$abi landlock_fs=1" "Landlock ABI $abi (forced): in force"
	like "$out" "^$abi\$" "Landlock ABI $abi (forced): a granted write and read work"
	like "$out" "/etc/hostname: No such file" "Landlock ABI $abi (forced): the rest stays out"
	abi=$((abi + 1))
done
ok "the kernel's Landlock ABI was read (${kabi:-none})" [ "${kabi:-0}" -ge 1 ]

err=$($L $SH --require-landlock 99 -- true 2>&1)
is "$?" 125 "--require-landlock above the kernel's ABI: refuse"
like "$err" "Landlock ABI 99 is required" "... naming the ABI"
err=$(MEMBRANE_TEST_LANDLOCK_ABI=3 $L $SH --best-effort --require-landlock 4 -- true 2>&1)
is "$?" 125 "a requirement wins over --best-effort"

# Degrading out loud: no user namespaces for the unprivileged. A user
# namespace of our own, where user.max_user_namespaces is 0 for its
# children, stands in for a host that forbids them.
nouserns() {
	"$B/tests/sandbox/nouserns" 65534 65534 "$@"
}
if nouserns true; then
	err=$(nouserns $L $SH -- true 2>&1)
	is "$?" 125 "user namespaces unavailable: refuse to start"
	like "$err" "cannot create a user namespace.*--best-effort" "... saying what is missing and how to proceed"
	out=$(nouserns $L $SH --best-effort --layers -- sh -c 'echo ran' 2>&1)
	is "$?" 0 "--best-effort runs without namespaces"
	like "$out" "ran" "... the command ran"
	like "$out" "userns=0 mntns=0 pidns=0 netns=0" "... and the layers say no namespace"
	like "$out" "landlock_fs=1 .*seccomp_baseline=1 .*no_new_privs=1" "... Landlock, seccomp, no_new_privs still"
else
	fail "tests/sandbox/nouserns cannot build a user namespace without nested ones"
fi

done_testing
