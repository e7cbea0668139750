# docker-seccomp.jq: Docker's default seccomp profile, plus what
# membrane-run needs and nothing else (docs/containers.md). Apply it to the
# default profile of your Docker release (moby's profiles/seccomp/default.json
# at its tag; Debian ships it in golang-github-docker-docker-dev):
#   jq -f docker-seccomp.jq default.json > membrane-seccomp.json
#       the calls the notifier needs on the server, pidfd_getfd and
#       process_vm_readv, which Docker allows only with CAP_SYS_PTRACE:
#       membrane-run --best-effort runs (Landlock, seccomp, the notifier;
#       no namespaces)
#   jq --arg tier full -f docker-seccomp.jq default.json > membrane-seccomp-full.json
#       also the calls that make and use namespaces, which Docker allows
#       only with CAP_SYS_ADMIN: the whole sandbox (with
#       --security-opt systempaths=unconfined, for a fresh /proc)
# Each call named here loses its conditional rules and gets one that allows
# it; every other rule of the profile is kept as it is.
($ARGS.named.tier // "default") as $tier
| (["pidfd_getfd", "process_vm_readv"]
   + if $tier == "full" then
       ["clone", "clone3", "unshare", "mount", "umount2", "pivot_root",
        "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
        "mount_setattr"]
     elif $tier == "default" then []
     else error("tier: default or full, not \($tier)") end) as $add
| .syscalls |= (map(.names -= $add | select(.names | length > 0))
               + [{ "names": $add, "action": "SCMP_ACT_ALLOW",
                    "comment": "membrane-run (\($tier) tier): containers/docker-seccomp.jq" }])
