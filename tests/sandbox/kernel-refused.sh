#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hosts that refuse what membrane-run asks of the kernel, made with
# tests/sandbox/nouserns, each as the unprivileged user nobody: user
# namespaces refused by a sysctl and by a seccomp filter as Docker's default
# profile does, with and without pidfd_getfd and process_vm_readv (Docker's
# without CAP_SYS_PTRACE); namespaces given but a fresh /proc refused (a
# container's masked /proc); no Landlock; a seccomp listener in place. For each:
# a plain run is refused, exit 125, with one line that names what was
# refused and what to do, and the command never runs; --best-effort runs it
# with what remains (the kernel's view from inside, not only the start
# report, shows whether there were namespaces), and says why; --doctor
# says the same before anything runs, and exits 1. On the host as it is,
# everything is there, and --doctor exits 0.
. "$top_srcdir/tests/tap.sh"

B=$top_builddir
NOU=$B/tests/sandbox/nouserns
W=$(mktemp -d /tmp/membrane-refused.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
cp "$MEMBRANE_RUN" "$W/membrane-run"
PROFILE=$top_srcdir/tests/sandbox/refused.yml
# Where the command was: its pid as it sees it (1 is the sandbox's init, so
# 2 with a pid namespace), and whether it sees the host's /etc/passwd (not
# granted: only without a mount namespace of its own).
SCRIPT='echo $$ > "$0/pid"; if [ -e /etc/passwd ]; then echo host > "$0/root"; else echo fresh > "$0/root"; fi'

# run TAG WRAPPER-OPTIONS -- MEMBRANE-RUN-OPTIONS: as nobody; $W/TAG/ holds
# rc, err (standard error), report, and what the command wrote. PROFILE is
# the profile (refused.yml unless the caller says otherwise).
run() {
	tag=$1; shift
	wrap=
	while [ "$1" != -- ]; do wrap="$wrap $1"; shift; done
	shift
	D=$W/$tag
	mkdir -p "$D/out" && chown -R 65534:65534 "$D"
	# shellcheck disable=SC2086
	if [ "$wrap" = " none" ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$W/membrane-run" "$@" \
			--report "$D/report" --profile "$PROFILE" --set OUT="$D/out" \
			-- /usr/bin/sh -c "$SCRIPT" "$D/out" </dev/null >/dev/null 2>"$D/err"
	else
		"$NOU" $wrap 65534 65534 "$W/membrane-run" "$@" \
			--report "$D/report" --profile "$PROFILE" --set OUT="$D/out" \
			-- /usr/bin/sh -c "$SCRIPT" "$D/out" </dev/null >/dev/null 2>"$D/err"
	fi
	echo $? > "$D/rc"
}
# doctor TAG WRAPPER-OPTIONS: --doctor as nobody; $W/TAG.doctor, .rc
doctor() {
	tag=$1; shift
	if [ "$1" = none ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$W/membrane-run" --doctor \
			--profile "$PROFILE" --set OUT="$W" > "$W/$tag.doctor" 2>&1
	else
		"$NOU" "$@" 65534 65534 "$W/membrane-run" --doctor --profile "$PROFILE" \
			--set OUT="$W" > "$W/$tag.doctor" 2>&1
	fi
	echo $? > "$W/$tag.rc"
}
layer() { # layer TAG EXPR: a field of the start report's layers
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["event"] == "start":
        print(eval(sys.argv[2], {"l": o["layers"]}))' "$W/$1/report" "$2" 2>/dev/null
}

# refused TAG WHAT REGEX WRAPPER...: the plain run is refused, said in one
# line matching REGEX, and the command did not run.
refused() {
	tag=$1 what=$2 regex=$3; shift 3
	run "$tag" "$@" --
	is "$(cat "$W/$tag/rc")" 125 "$what: membrane-run refuses to start (exit 125)"
	is "$(wc -l < "$W/$tag/err")" 1 "$what: ... with one line"
	like "$(cat "$W/$tag/err")" "$regex" "$what: ... that names what was refused and what to do"
	ok "$what: ... and the command never ran" test ! -e "$W/$tag/out/pid"
	like "$(cat "$W/$tag/report" 2>/dev/null)" '"event":"error"' "$what: ... and the report says why"
}
# degraded TAG WHAT WRAPPER...: --best-effort runs the command without
# namespaces, and says why.
degraded() {
	tag=$1 what=$2; shift 2
	run "$tag" "$@" -- --best-effort
	is "$(cat "$W/$tag/rc")" 0 "$what: --best-effort runs the command"
	ok "$what: ... with no pid namespace (it sees its host pid)" test "$(cat "$W/$tag/out/pid" 2>/dev/null)" -gt 2
	is "$(cat "$W/$tag/out/root" 2>/dev/null)" host "$what: ... nor a mount namespace (it sees the host's root)"
	is "$(layer "$tag" 'l["namespaces"]')" "[]" "$what: ... as the start report says"
	like "$(cat "$W/$tag/err")" "warning: running without namespaces \(--best-effort\): " \
		"$what: ... and membrane-run says why"
}
# doctored TAG WHAT REGEX WRAPPER...: --doctor exits 1, prints the refusal and
# what --best-effort would run with.
doctored() {
	tag=$1 what=$2 regex=$3; shift 3
	doctor "$tag" "$@"
	is "$(cat "$W/$tag.rc")" 1 "$what: --doctor exits 1"
	like "$(cat "$W/$tag.doctor")" "trial run: a run of this profile is refused: " "$what: ... says a run is refused"
	like "$(cat "$W/$tag.doctor")" "$regex" "$what: ... and why"
}

# ---- the host as it is ----
run host none --
is "$(cat "$W/host/rc")" 0 "this host: membrane-run runs the command as nobody"
is "$(cat "$W/host/out/pid" 2>/dev/null)" 2 "this host: ... in a pid namespace (pid 2, after the init)"
is "$(cat "$W/host/out/root" 2>/dev/null)" fresh "this host: ... on a fresh root"
is "$(cat "$W/host/err")" "" "this host: ... and says nothing"
doctor host none
is "$(cat "$W/host.rc")" 0 "this host: --doctor exits 0"
like "$(cat "$W/host.doctor")" "verdict: every layer membrane-run uses is in place" "this host: ... every layer is there"
like "$(cat "$W/host.doctor")" "namespaces: user mount pid net ipc uts cgroup" "this host: ... namespaces, as nobody gets them"

# ---- user namespaces refused by a sysctl ----
refused sysctl "max_user_namespaces 0" \
	"cannot create a user namespace \(No space left on device\): .*pass --best-effort" 
degraded sysctl-be "max_user_namespaces 0"
doctored sysctl-dr "max_user_namespaces 0" "hint: user.max_user_namespaces is 0"

# ---- refused as Docker's default seccomp profile does ----
refused docker "Docker's seccomp profile" \
	"cannot create a user namespace \(Operation not permitted\): .*pass --best-effort" --docker
degraded docker-be "Docker's seccomp profile" --docker
like "$(cat "$W/docker-be/err")" "cannot create a user namespace: Operation not permitted" \
	"Docker's seccomp profile: ... the warning names the refusal"
is "$(layer docker-be 'l["landlock"]["abi"] > 0 and l["seccomp"]["notify"]')" True \
	"Docker's seccomp profile: ... Landlock and the notifier stay"
doctored docker-dr "Docker's seccomp profile" "hint: a seccomp filter around membrane-run" --docker
like "$(cat "$W/docker-dr.doctor")" "seccomp: membrane-run itself runs under 1 filter" \
	"Docker's seccomp profile: ... --doctor sees the filter"
like "$(cat "$W/docker-dr.doctor")" "trial run with --best-effort: it would run with:.*" \
	"Docker's seccomp profile: ... and what --best-effort gives"
like "$(sed -n '/with --best-effort/,$p' "$W/docker-dr.doctor")" "  namespaces: none" \
	"Docker's seccomp profile: ... no namespaces, as the run above had"

# ---- namespaces given, a fresh /proc refused (a container's masked /proc) ----
refused masked "masked /proc" \
	"mount proc on /proc: Operation not permitted .*create namespaces but not use them.*--best-effort" --masked-proc
degraded masked-be "masked /proc" --masked-proc
like "$(cat "$W/masked-be/err")" "mount proc on /proc: Operation not permitted" \
	"masked /proc: ... the warning names the refused mount"
doctored masked-dr "masked /proc" "hint: a fresh /proc is refused .*unmask=/proc/\*" --masked-proc

# ---- Docker's profile without CAP_SYS_PTRACE: no pidfd_getfd, no
# process_vm_readv, which the notifier needs: no run at all ----
run noptrace-be --docker --no-ptrace -- --best-effort
is "$(cat "$W/noptrace-be/rc")" 125 "Docker's profile, no CAP_SYS_PTRACE: refused even with --best-effort"
like "$(grep -v warning: "$W/noptrace-be/err")" \
	"^membrane-run: pidfd_getfd of the seccomp listener: Operation not permitted: a seccomp filter around membrane-run refuses it .*docs/containers.md" \
	"Docker's profile, no CAP_SYS_PTRACE: ... in one line that names the call, who refuses it, and where to read on"
ok "Docker's profile, no CAP_SYS_PTRACE: ... and the command never ran" test ! -e "$W/noptrace-be/out/pid"
doctor noptrace-dr --docker --no-ptrace
is "$(cat "$W/noptrace-dr.rc")" 1 "Docker's profile, no CAP_SYS_PTRACE: --doctor exits 1"
like "$(cat "$W/noptrace-dr.doctor")" "process_vm_readv Operation not permitted, pidfd_getfd Operation not permitted" \
	"Docker's profile, no CAP_SYS_PTRACE: ... names both calls"
like "$(cat "$W/noptrace-dr.doctor")" "verdict: membrane-run cannot run here, even with --best-effort" \
	"Docker's profile, no CAP_SYS_PTRACE: ... and says it cannot run here"

# ---- no Landlock ----
refused nolandlock "no Landlock" \
	"Landlock is not available on this kernel .*pass --best-effort to run without it" --no-landlock
run nolandlock-be --no-landlock -- --best-effort
is "$(cat "$W/nolandlock-be/rc")" 0 "no Landlock: --best-effort runs the command"
is "$(cat "$W/nolandlock-be/out/pid" 2>/dev/null)" 2 "no Landlock: ... still in a pid namespace"
is "$(layer nolandlock-be 'l["landlock"]["abi"]')" 0 "no Landlock: ... and the start report says Landlock is missing"
doctored nolandlock-dr "no Landlock" "Landlock: no \(Function not implemented" --no-landlock

# ---- a seccomp listener already in place ----
refused listener "another seccomp listener" \
	"seccomp: loading the filter of watched calls: Device or resource busy \(a process has one seccomp listener at most" \
	--listener
doctor listener-dr --listener
is "$(cat "$W/listener-dr.rc")" 1 "another seccomp listener: --doctor exits 1"
like "$(cat "$W/listener-dr.doctor")" "verdict: membrane-run cannot run here, even with --best-effort" \
	"another seccomp listener: ... and says it cannot run here"

# ---- a profile that requires layers (require:) ----
# refused.yml plus the key, as its last line.
for req in namespaces landlock "namespaces, landlock"; do
	f=$W/require-$(echo "$req" | tr -d ' ,').yml
	{ cat "$top_srcdir/tests/sandbox/refused.yml"; echo "require: [$req]"; } > "$f"
done
chmod 644 "$W"/require-*.yml
last=$(($(wc -l < "$top_srcdir/tests/sandbox/refused.yml") + 1))
PROFILE=$W/require-namespaceslandlock.yml run req-host none --
is "$(cat "$W/req-host/rc")" 0 "require: [namespaces, landlock] on this host: the command runs"
is "$(cat "$W/req-host/out/pid" 2>/dev/null)" 2 "... in its namespaces"

PROFILE=$W/require-namespaces.yml run req-docker --docker -- --best-effort
is "$(cat "$W/req-docker/rc")" 125 "require: [namespaces], Docker's seccomp profile: refused even with --best-effort (exit 125)"
is "$(wc -l < "$W/req-docker/err")" 1 "... with one line"
like "$(cat "$W/req-docker/err")" \
	"cannot create a user namespace: Operation not permitted; the profile requires namespaces \($W/require-namespaces.yml:$last:10\), --best-effort or not" \
	"... that names the refusal and the profile's key, where it is written"
ok "... and the command never ran" test ! -e "$W/req-docker/out/pid"

PROFILE=$W/require-namespaces.yml run req-masked --masked-proc -- --best-effort
is "$(cat "$W/req-masked/rc")" 125 "require: [namespaces], masked /proc: refused even with --best-effort"
like "$(cat "$W/req-masked/err")" "mount proc on /proc: Operation not permitted .*the profile requires namespaces" \
	"... naming the refused mount and the requirement"
ok "... and the command never ran" test ! -e "$W/req-masked/out/pid"

PROFILE=$W/require-landlock.yml run req-nolandlock --no-landlock -- --best-effort
is "$(cat "$W/req-nolandlock/rc")" 125 "require: [landlock], no Landlock: refused even with --best-effort"
like "$(cat "$W/req-nolandlock/err")" \
	"Landlock is not available .*the profile requires it \($W/require-landlock.yml:$last:10\), --best-effort or not" \
	"... naming the requirement, where it is written"
ok "... and the command never ran" test ! -e "$W/req-nolandlock/out/pid"
PROFILE=$W/require-landlock.yml run req-landlock-docker --docker -- --best-effort
is "$(cat "$W/req-landlock-docker/rc")" 0 "require: [landlock] only, Docker's seccomp profile: --best-effort runs without namespaces"

"$NOU" --docker 65534 65534 "$W/membrane-run" --doctor --profile "$W/require-namespaces.yml" \
	--set OUT="$W" > "$W/req.doctor" 2>&1
is "$?" 1 "require: [namespaces], Docker's seccomp profile: --doctor exits 1"
like "$(cat "$W/req.doctor")" "trial run with --best-effort: refused too: .*the profile requires namespaces" \
	"... and says that --best-effort would be refused too"
done_testing
