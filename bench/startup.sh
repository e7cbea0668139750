#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Start-up cost of the sandbox, in one hyperfine run so that the figures are
# comparable: bare /bin/true, `unshare -Urmpnif`, bubblewrap with the same
# namespaces and binds, firejail with the flags of bench/README.md, the
# sandbox through tests/sandbox/launch (a plan made by hand: no profile
# loading), and membrane-run with bench/true.yml once its run path works.
# Medians and ratios go to stdout and to $1 (bench/startup-results.md);
# with BENCH_JSON=FILE, hyperfine's own figures are kept there too
# (bench/side-by-side.sh reads them). Nothing here asserts a timing.
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
OUT=${1:-$top_srcdir/bench/startup-results.md}
RUNS=${BENCH_RUNS:-300}
T=$(mktemp -d /tmp/membrane-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

for tool in hyperfine bwrap firejail unshare python3; do
	command -v $tool > /dev/null || { echo "bench: $tool is missing (see bootstrap.sh)" >&2; exit 1; }
done

TRUE=$(readlink -f /bin/true)
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2)
LAUNCH_OPTS="--ro /etc/ld.so.cache --ro /bin --ro /lib --ro /lib64 --ro /usr --exec $TRUE --exec $LDSO"
LAUNCH="$top_builddir/tests/sandbox/launch $LAUNCH_OPTS -- /bin/true"
# The same sandbox with every watched call notified and answered CONTINUE
# at once: what a listener costs when it decides nothing.
FLOOR="$top_builddir/tests/sandbox/launch --listener-continue 1 $LAUNCH_OPTS -- /bin/true"
BWRAP="bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind /usr /usr --ro-bind /etc/ld.so.cache /etc/ld.so.cache --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev /bin/true"
# firejail 0.9.72 has no fresh root and no Landlock: these flags give what
# it can of membrane's isolation (bench/README.md says what each does).
# --private-etc makes it print two "unmount: Invalid argument" lines.
FIREJAIL="firejail --quiet --noprofile --private --private-dev --private-tmp --private-etc=ld.so.cache --net=none --ipc-namespace --hostname=sandbox --caps.drop=all --nonewprivs --seccomp --nogroups --deterministic-exit-code"
MRUN="$top_builddir/membrane-run --report /dev/null --profile $top_srcdir/bench/true.yml -- /bin/true"
# MRUN_BEFORE=PATH: a second membrane-run (e.g. main's) measured in the same
# hyperfine call, as "before".
MRUN_B=${MRUN_BEFORE:+$MRUN_BEFORE --report /dev/null --profile $top_srcdir/bench/true.yml -- /bin/true}

set -- -n bare /bin/true -n unshare "unshare -Urmpnif /bin/true" -n bwrap "$BWRAP" -n firejail "$FIREJAIL /bin/true" -n launch "$LAUNCH" -n floor "$FLOOR"
have_mrun=no
if $MRUN > "$T/mrun.out" 2>&1; then
	have_mrun=yes
	set -- "$@" -n membrane-run "$MRUN"
	[ -z "$MRUN_B" ] || set -- "$@" -n before "$MRUN_B"
else
	echo "bench: membrane-run cannot run /bin/true yet ($(head -1 "$T/mrun.out")); measuring the launcher only" >&2
fi
for c in "/bin/true" "unshare -Urmpnif /bin/true" "$BWRAP" "$FIREJAIL /bin/true" "$LAUNCH" "$FLOOR"; do
	# shellcheck disable=SC2086
	$c 2> "$T/err" || { echo "bench: '$c' fails: $(cat "$T/err")" >&2; exit 1; }
done

hyperfine -N --style basic --warmup 20 --runs "$RUNS" --export-json "$T/r.json" "$@" > "$T/hyperfine.txt" 2> "$T/hyperfine.err" ||
	{ cat "$T/hyperfine.err" >&2; exit 1; }
[ -z "${BENCH_JSON:-}" ] || cp "$T/r.json" "$BENCH_JSON"

python3 - "$T/r.json" "$have_mrun" "$RUNS" > "$T/table.md" <<'PY'
import json, platform, sys
r = json.load(open(sys.argv[1]))["results"]
med = {x["command"]: x["median"] * 1000 for x in r}
def ratio(a, b):
    return "%.2f" % (med[a] / med[b]) if a in med and b in med else "-"
print("| what | median (ms) | x bare | x bwrap |")
print("|---|---|---|---|")
for name in ["bare", "unshare", "bwrap", "firejail", "launch", "floor", "membrane-run", "before"]:
    if name in med:
        print("| %s | %.3f | %s | %s |" % (name, med[name], ratio(name, "bare"), ratio(name, "bwrap")))
print()
load = open("/proc/loadavg").read().split()[0]
print("%s runs each, one hyperfine call, kernel %s, load average %s at the end (the 2 cores"
      " are shared: compare ratios within a run, not medians across runs)."
      % (sys.argv[3], platform.release(), load))
if sys.argv[2] != "yes":
    print("membrane-run could not run /bin/true yet (its run path had not landed):"
          " `launch` is the same mb_sandbox_spawn() without profile loading and"
          " plan compilation.")
PY
cat "$T/table.md"
{
	echo "# Start-up cost (bench/startup.sh)"
	echo
	echo "Written by \`make bench\` on $(date -u +%Y-%m-%d). Commands:"
	echo
	echo "- bare: \`/bin/true\`"
	echo "- unshare: \`unshare -Urmpnif /bin/true\`"
	echo "- bwrap: \`$BWRAP\`"
	echo "- firejail: \`$FIREJAIL /bin/true\`"
	echo "- launch: \`tests/sandbox/launch\` with the same binds (namespaces, fresh root, Landlock, seccomp, capabilities dropped, init)"
	echo "- floor: launch with \`--listener-continue 1\` (a listener that answers CONTINUE at once: what a listener costs when it decides nothing)"
	echo "- membrane-run: \`membrane-run --profile bench/true.yml -- /bin/true\`"
	[ -z "$MRUN_B" ] || echo "- before: \`$MRUN_BEFORE\` (another build, same profile and command)"
	echo
	cat "$T/table.md"
} > "$OUT"
echo "bench: written to $OUT"
