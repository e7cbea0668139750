#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The container image (containers/Containerfile) under Debian's podman, with
# podman's default seccomp profile, and the recipe's grants (docs/
# containers.md). The image is built by containers/build-image.sh from the
# Debian package of this tree (deploy-deb.sh's, or built here) on a base
# imported from a debootstrap tree: no registry pull. Each case runs a
# scripted MCP session through membrane inside the container, as the
# image's user nobody, with no network: initialize, tools/list, a
# read_text_file inside /srv/mcp (a volume), one of /etc/passwd. Checked
# from the answers, the exit status, and the start report's layers, which
# membrane writes to the container's standard error:
#   podman's defaults             membrane refuses (exit 125): a fresh /proc
#                                 is refused, the container masks parts of
#                                 /proc; --doctor says so
#   defaults + --best-effort      the session works: Landlock, seccomp, the
#                                 notifier, no namespaces
#   unmask=/proc/*                the session works in the whole sandbox
#   Docker 20.10's default profile (Debian's copy), unmask=ALL as Docker's
#   systempaths=unconfined: refused even with --best-effort (pidfd_getfd);
#   with containers/docker-seccomp.jq's profile, --best-effort works, and
#   its full tier gives the whole sandbox; so does --cap-add SYS_PTRACE for
#   the best-effort tier.
# Podman's state (storage, images) is this run's own, removed after. Minutes, and
# the network: make check-deploy.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/deploy/lib.sh"

need podman podman
need debootstrap debootstrap
need jq jq
need npm npm
[ "$(id -u)" = 0 ] || { fail "run as root (debootstrap, podman's storage)"; done_testing; }

W=$(mktemp -d "$top_builddir/tests/deploy/podman.XXXXXX")
chmod 755 "$W"
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
# podman refuses a runroot longer than 50 characters: a build tree's path
# can be longer (ci-clean-room's is), so the run state lives in /run.
RR=$(mktemp -d /run/membrane-podman.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"; rm -rf "$RR"' EXIT
mkdir -p "$W/src" "$W/data"
echo "hello from the volume" > "$W/data/notes.txt"
chmod -R a+rX "$W/data"

# podman with its storage and run state here. Two things of
# this machine, not of the recipe, are worked around and said:
#  - its cgroups are hybrid with a controller on the cgroup2 hierarchy,
#    which crun refuses ("cgroups in hybrid mode not supported"): podman
#    runs in a mount namespace of its own without that hierarchy;
#  - its root lacks CAP_SYS_RESOURCE, so podman's default RLIMIT_NOFILE
#    and RLIMIT_NPROC (1048576) cannot be set: the limits are given (NPROC
#    as podman lowers its own, 32768: it counts every task of the uid,
#    and nobody runs other tests here too).
ulimits=
if ! grep -q '^CapEff:.*' /proc/self/status ||
	[ $(( 0x$(sed -n 's/^CapEff:\t*//p' /proc/self/status) >> 24 & 1 )) = 0 ]; then
	ulimits="--ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=32768:32768"
	diag "this machine's root lacks CAP_SYS_RESOURCE: podman gets $ulimits"
fi
hide_cgroup2=
if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
	hide_cgroup2=1
	diag "hybrid cgroups with controllers on cgroup2: podman runs without /sys/fs/cgroup/unified"
fi
cat > "$W/podman" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c '
	[ -z "$hide_cgroup2" ] || umount /sys/fs/cgroup/unified
	exec podman --root "$W/storage" --runroot "$RR" --cgroup-manager=cgroupfs --events-backend=file "\$@"
' podman "\$@"
SH
chmod +x "$W/podman"
P=$W/podman

# ---- the image ----
key=$(source_tree "$W/src")
debdir=$(deb "$key" "$W/src")
ok "the Debian package of this tree" test -f "$debdir/membrane_${VERSION}_amd64.deb"
b=$(base bookworm)
start=$(date +%s)
PODMAN=$P BASE_ROOT=$b BUILD_OPTIONS="$ulimits" TMPDIR=$W \
	sh "$top_srcdir/containers/build-image.sh" "$debdir/membrane_${VERSION}_amd64.deb" \
	localhost/membrane-filesystem:test > "$W/build.log" 2>&1
st=$?
is "$st" 0 "containers/build-image.sh builds the image, pulling nothing ($(($(date +%s) - start)) s)"
[ "$st" = 0 ] || { diag "$(tail -n 20 "$W/build.log")"; done_testing; }
ok "... on the base imported from debootstrap" "$P" image exists localhost/membrane-base:bookworm
is "$("$P" image inspect -f '{{.Config.User}}' localhost/membrane-filesystem:test)" 65534:65534 \
	"the image runs as nobody"

# session TAG PODMAN-OPTIONS...: the scripted session; TAG.out (the
# client's side), TAG.err (membrane's reports and messages), TAG.rc.
session() {
	tag=$1; shift
	{
		printf '%s\n' \
		  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deploy-podman","version":"1"}}}' \
		  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
		  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"/srv/mcp/notes.txt"}}}' \
		  '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"/etc/passwd"}}}'
		sleep 5
	} | timeout 120 "$P" run --rm -i --network none $ulimits -v "$W/data:/srv/mcp:ro" "$@" \
		localhost/membrane-filesystem:test > "$W/$tag.out" 2> "$W/$tag.err"
	echo $? > "$W/$tag.rc"
}
answer() { grep -E "\"id\":$2[,}]" "$W/$1.out"; }
layers() { # layers TAG EXPR
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("{") and "\"event\":\"start\"" in l:
        print(eval(sys.argv[2], {"l": json.loads(l)["layers"]}))' "$W/$1.err" "$2" 2>/dev/null
}
# works TAG WHAT: the session ran through membrane to its end.
works() {
	is "$(cat "$W/$1.rc")" 0 "$2: the session runs to its end"
	like "$(answer "$1" 2)" '"name":"read_text_file"' "$2: ... tools/list answers"
	like "$(answer "$1" 3)" "hello from the volume" "$2: ... a read inside /srv/mcp is answered"
	like "$(answer "$1" 4)" 'membrane refused this call: .*outside arguments.within.*"isError":true' \
		"$2: ... the read of /etc/passwd is refused by membrane"
	ok "$2: ... no violation" sh -c '! grep -q "\"event\":\"violation\"" "$1"' sh "$W/$1.err"
	[ "$(cat "$W/$1.rc")" = 0 ] || diag "$(grep -v '^{' "$W/$1.err" | head -n 5)"
}
NS="['user', 'mount', 'pid', 'net', 'ipc', 'uts', 'cgroup']"

# ---- podman's defaults ----
session defaults
is "$(cat "$W/defaults.rc")" 125 "podman's defaults: membrane refuses to start (exit 125)"
like "$(cat "$W/defaults.err")" "mount proc on /proc: Operation not permitted .*--best-effort" \
	"podman's defaults: ... saying that a fresh /proc is refused, and what to do"
ok "podman's defaults: ... and no server started" sh -c '! grep -q "\"event\":\"start\"" "$1"' sh "$W/defaults.err"
timeout 60 "$P" run --rm --network none $ulimits localhost/membrane-filesystem:test doctor > "$W/doctor.out" 2>&1
is "$?" 1 "podman's defaults: the image's doctor exits 1"
like "$(cat "$W/doctor.out")" "hint: a fresh /proc is refused .*podman run --security-opt unmask=/proc/\*" \
	"podman's defaults: ... and names podman's grant"

session best -e MEMBRANE_OPTIONS=--best-effort
works best "podman's defaults, --best-effort"
is "$(layers best 'l["namespaces"], l["landlock"]["abi"] > 0, l["seccomp"]["notify"]')" "([], True, True)" \
	"podman's defaults, --best-effort: ... with Landlock and the notifier, without namespaces"
like "$(cat "$W/best.err")" "warning: running without namespaces \(--best-effort\): mount proc on /proc" \
	"podman's defaults, --best-effort: ... and says why"

session unmask --security-opt 'unmask=/proc/*'
works unmask "podman, unmask=/proc/*"
is "$(layers unmask 'l["namespaces"]')" "$NS" "podman, unmask=/proc/*: ... in every namespace, as nobody"
is "$(layers unmask 'l["rootfs"] and l["seccomp"]["notify"] and l["landlock"]["abi"] > 0')" True \
	"podman, unmask=/proc/*: ... on a fresh root, with Landlock and the notifier"
timeout 60 "$P" run --rm --network none $ulimits --security-opt 'unmask=/proc/*' \
	localhost/membrane-filesystem:test doctor > "$W/doctor-unmask.out" 2>&1
is "$?" 0 "podman, unmask=/proc/*: the image's doctor exits 0"

# ---- Docker's default seccomp profile, and the recipe's ----
dockerdir=$(cached docker-20.10-seccomp sh -c '
	mkdir -p "$1" && cd "$1" && apt-get download golang-github-docker-docker-dev > /dev/null 2>&1 &&
	dpkg-deb --fsys-tarfile golang-github-docker-docker-dev_*.deb |
		tar -xO ./usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json > default.json &&
	rm -f golang-github-docker-docker-dev_*.deb && test -s default.json' sh)
ok "Docker 20.10's default seccomp profile (Debian 12's docker.io source)" test -s "$dockerdir/default.json"
D=$dockerdir/default.json
jq -f "$top_srcdir/containers/docker-seccomp.jq" "$D" > "$W/membrane-seccomp.json"
jq --arg tier full -f "$top_srcdir/containers/docker-seccomp.jq" "$D" > "$W/membrane-seccomp-full.json"
ok "containers/docker-seccomp.jq derives the recipe's two profiles from it" \
	test -s "$W/membrane-seccomp.json" -a -s "$W/membrane-seccomp-full.json"

session docker --security-opt seccomp="$D" --security-opt unmask=ALL -e MEMBRANE_OPTIONS=--best-effort
is "$(cat "$W/docker.rc")" 125 "Docker's profile: refused even with --best-effort (exit 125)"
like "$(cat "$W/docker.err")" "pidfd_getfd of the seccomp listener: Operation not permitted: a seccomp filter around membrane-run refuses it" \
	"Docker's profile: ... naming pidfd_getfd and the filter"

session docker-ptrace --security-opt seccomp="$D" --cap-add SYS_PTRACE -e MEMBRANE_OPTIONS=--best-effort
works docker-ptrace "Docker's profile, --cap-add SYS_PTRACE, --best-effort"
is "$(layers docker-ptrace 'l["namespaces"], l["seccomp"]["notify"]')" "([], True)" \
	"Docker's profile, --cap-add SYS_PTRACE, --best-effort: ... without namespaces, with the notifier"

session docker-jq --security-opt seccomp="$W/membrane-seccomp.json" -e MEMBRANE_OPTIONS=--best-effort
works docker-jq "docker-seccomp.jq's profile, --best-effort"
is "$(layers docker-jq 'l["namespaces"], l["seccomp"]["notify"]')" "([], True)" \
	"docker-seccomp.jq's profile, --best-effort: ... without namespaces, with the notifier, no capability"

session docker-full --security-opt seccomp="$W/membrane-seccomp-full.json" --security-opt unmask=ALL
works docker-full "docker-seccomp.jq's full tier, unmask=ALL"
is "$(layers docker-full 'l["namespaces"]')" "$NS" "docker-seccomp.jq's full tier, unmask=ALL: ... in every namespace"

# ---- the Kubernetes example's container, under podman: its user, no
# capability, no_new_privs, a read-only root, the recipe's seccomp
# profile, --best-effort, and socat serving one sandbox per connection
# (the image's "serve") ----
K=$top_srcdir/containers/kubernetes/membrane-filesystem.yaml
py_yaml() { python3 -c 'import sys, yaml; d = list(yaml.safe_load_all(open(sys.argv[1]))); print(eval(sys.argv[2], {"d": d}))' "$K" "$1"; }
dep='[x for x in d if x["kind"] == "Deployment"][0]["spec"]["template"]["spec"]'
is "$(py_yaml "$dep[\"containers\"][0][\"args\"]")" "['serve', '8700']" \
	"the Kubernetes example serves sessions on port 8700"
is "$(py_yaml "$dep[\"securityContext\"][\"seccompProfile\"]")" \
	"{'type': 'Localhost', 'localhostProfile': 'profiles/membrane-seccomp.json'}" \
	"... under the recipe's seccomp profile"
cid=$(timeout 60 "$P" run -d --network none $ulimits --user 65534:65534 --cap-drop ALL \
	--security-opt no-new-privileges --read-only --tmpfs /tmp --security-opt seccomp="$W/membrane-seccomp.json" \
	-e MEMBRANE_OPTIONS=--best-effort -v "$W/data:/srv/mcp:ro" \
	localhost/membrane-filesystem:test serve 8700)
ok "the example's container starts (socat listening)" test -n "$cid"
sleep 1
for conn in 1 2; do
	{
		printf '%s\n' \
		  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"k8s","version":"1"}}}' \
		  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"/srv/mcp/notes.txt"}}}'
		sleep 4
	} | timeout 60 "$P" exec -i "$cid" socat STDIO TCP:127.0.0.1:8700 > "$W/k8s-$conn.out" 2>&1
	like "$(answer "k8s-$conn" 3)" "hello from the volume" "connection $conn: a session through socat and membrane is answered"
done
"$P" logs "$cid" > "$W/k8s.log" 2>&1
is "$(grep -c '"event":"start"' "$W/k8s.log")" 2 "each connection had a sandbox of its own, reported in the container's log"
"$P" rm -f "$cid" > /dev/null 2>&1
done_testing
