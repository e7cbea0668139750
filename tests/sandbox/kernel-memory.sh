#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# limits.memory for memory RLIMIT_DATA does not count: shared anonymous
# mappings, memfds, System V shared memory and tmpfs files. Where membrane-run can have a memory
# cgroup (here: root, cgroup v1; or a delegated cgroup v2), going beyond the
# limit that way fails, and the start report says which mechanism held;
# where it cannot (nobody here), the start report and --explain say so and
# why. Private memory beyond the limit fails either way (RLIMIT_DATA).
. "$top_srcdir/tests/tap.sh"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
W=$(mktemp -d /var/tmp/membrane-memory.XXXXXX) # not under /tmp: a tmpfs in the sandbox
trap 'rm -rf "$W"' EXIT
chmod 1777 "$W"
: > "$W/pids" && chmod 666 "$W/pids"
cat > "$W/mem.yml" <<'YML'
version: 1
name: mem
vars:
  W: /nonexistent
runtime:
  read: [/usr, /lib, /lib64, /etc, "${W}/take.py"]
  exec: [/usr/bin]
  tmpfs: [/tmp]
limits: { memory: 64M }
YML
chmod 644 "$W/mem.yml"
# The server: take MiB of memory one way and say how far it got, on stderr.
cat > "$W/take.py" <<'PY'
import mmap, os, sys
how, mib = sys.argv[1], int(sys.argv[2])
n = mib << 20
# Where the kernel put us: the v1 memory line, or the v2 line "0::".
for line in open("/proc/self/cgroup"):
    if ":memory:" in line or line.startswith("0::"):
        print("cgroup " + line.strip(), file=sys.stderr)
try:
    if how == "shared":
        m = mmap.mmap(-1, n, flags=mmap.MAP_SHARED)
    elif how == "private":
        m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE)
    elif how == "sysv":
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        sid = libc.shmget(0, ctypes.c_size_t(n), 0o1600)  # IPC_PRIVATE, IPC_CREAT
        if sid < 0:
            raise OSError(ctypes.get_errno(), "shmget")
        addr = libc.shmat(sid, None, 0)
        libc.shmctl(sid, 0, None)  # IPC_RMID: gone with the last detach
        m = (ctypes.c_char * n).from_address(addr)
    elif how == "memfd":
        fd = os.memfd_create("take", os.MFD_CLOEXEC | getattr(os, "MFD_NOEXEC_SEAL", 8))
        os.ftruncate(fd, n)
        m = mmap.mmap(fd, n)
    for i in range(0, n, 4096):
        m[i] = 1
    print("took %d MiB %s" % (mib, how), file=sys.stderr)
except (OSError, MemoryError) as e:
    print("refused %s: %r" % (how, e), file=sys.stderr)
PY
chmod 644 "$W/take.py"
take() { # take WHO HOW MIB: run the server, leave its stderr and report in $W
	run=
	[ "$1" = nobody ] && run=$NOBODY
	# membrane-run's own pid names its cgroup leaf (membrane-PID): the
	# shell's pid, which exec keeps, is written down first.
	# shellcheck disable=SC2016
	$run sh -c 'echo $$ >> "$1/pids"; shift; exec "$@"' sh "$W" \
		"$MEMBRANE_RUN" --profile "$W/mem.yml" --set W="$W" --report "$W/r-$1-$2-$3" -- \
		/usr/bin/python3 "$W/take.py" "$2" "$3" < /dev/null > /dev/null 2> "$W/e-$1-$2-$3"
	echo $? > "$W/s-$1-$2-$3"
}
by() { jq -r 'select(.event == "start") | .layers.memory.by' "$W/r-$1"; }
for who in root nobody; do
	take $who shared 16
	like "$(cat "$W/e-$who-shared-16")" "took 16 MiB shared" "[$who] a shared mapping under the limit works"
	held=$(by $who-shared-16)
	case $held in
	cgroup1|cgroup2)
		pass "[$who] the start report says a cgroup holds the limit ($held)"
		# The server itself is in the leaf (the init joined it before
		# forking the command): what /proc says, not what we report.
		if [ "$held" = cgroup1 ]; then
			like "$(grep 'cgroup [0-9]*:memory:' "$W/e-$who-shared-16")" "cgroup [0-9]*:memory:/membrane-[0-9]*\$" \
				"[$who] the server's memory cgroup is the sandbox's leaf"
		else
			like "$(grep 'cgroup 0::' "$W/e-$who-shared-16")" "/membrane-[0-9]*\$" \
				"[$who] the server's cgroup is the sandbox's leaf"
		fi
		for how in shared memfd; do
			take $who $how 256
			ok "[$who] 256 MiB $how beyond 64M: not taken" \
				sh -c "! grep -q 'took 256' '$W/e-$who-$how-256'"
			st=$(cat "$W/s-$who-$how-256")
			ok "[$who] ... refused, or the server killed by the limit (status $st)" \
				sh -c "grep -q 'refused $how' '$W/e-$who-$how-256' || [ $st = 137 ]"
		done
		like "$("$MEMBRANE_RUN" --profile "$W/mem.yml" --set W="$W" --explain)" "memory limit: a cgroup v[12] leaf" \
			"[$who] --explain says a cgroup will hold it"
		;;
	rlimit)
		why=$(jq -r 'select(.event == "start") | .layers.memory.why' "$W/r-$who-shared-16")
		like "$why" "cgroup" "[$who] no cgroup here: the start report says why ($why)"
		like "$($run "$MEMBRANE_RUN" --profile "$W/mem.yml" --set W="$W" --explain 2>&1)" \
			"memory limit: RLIMIT_DATA and each private tmpfs's size only: .*not counted \\(no cgroup: " \
			"[$who] ... and --explain says what holds and what does not"
		;;
	*) fail "[$who] the start report names what holds limits.memory" "got '$held'" ;;
	esac
	take $who private 256
	like "$(cat "$W/e-$who-private-256")" "refused private" "[$who] 256 MiB private beyond 64M: refused (RLIMIT_DATA)"
	# System V shared memory: the sandbox's IPC namespace holds no more
	# than the limit (kernel.shmmax, kernel.shmall) where its sysctls are
	# the sandbox's to write (root-launched), and the layers say whether.
	take $who sysv 16
	like "$(cat "$W/e-$who-sysv-16")" "took 16 MiB sysv" "[$who] 16 MiB of System V shared memory works"
	sysv=$(jq -r 'select(.event == "start") | .layers.memory.sysv_shm' "$W/r-$who-shared-16")
	if [ $who = root ]; then
		is "$sysv" true "[root] the layers say the IPC namespace bounds System V shared memory"
	fi
	if [ "$sysv" = true ]; then
		take $who sysv 256
		like "$(cat "$W/e-$who-sysv-256")" "refused sysv" "[$who] 256 MiB of System V shared memory: refused"
	else
		is "$held:$sysv" "rlimit:false" "[$who] unbounded System V shared memory is said (layers.memory.sysv_shm false)"
	fi
done
# Only this test's runs count: other membrane-runs on the machine (another
# suite) have leaves of their own while they run.
leaks=0
while read -r pid; do
	n=$(find /sys/fs/cgroup -maxdepth 4 -name "membrane-$pid" -type d 2>/dev/null | wc -l)
	leaks=$((leaks + n))
done < "$W/pids"
is "$leaks" 0 "no cgroup leaf of this test's $(wc -l < "$W/pids") runs is left behind"
done_testing
