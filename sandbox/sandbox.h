/* Starting a command inside the sandbox a plan describes. sandbox/ knows
 * nothing of JSON-RPC: it hands back the pipes and the seccomp listener, and
 * says which layers are in force. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/plan.h"

/* What the running kernel and our set-up actually put in place; listed in the
 * start report and by --explain. */
struct mb_layers {
	bool userns, mntns, pidns, netns, ipcns, utsns, cgroupns;
	int landlock_abi;      /* ABI in force, 0 = none */
	bool landlock_fs, landlock_net, landlock_scope;
	bool seccomp_baseline; /* the baseline deny filter */
	bool seccomp_notify;   /* the user-notification filter and its listener */
	bool no_new_privs, caps_dropped;
	bool limits;           /* rlimits (or a cgroup leaf) applied */
};

struct mb_sandbox_config {
	const struct mb_plan *plan;
	char *const *argv;    /* argv[0] is looked up in the sandbox's PATH */
	bool best_effort;     /* run with what the kernel offers, said out loud */
	int require_landlock; /* max of --require-landlock and the profile's */
	bool set_user;        /* --user given (root only) */
	uid_t uid;
	gid_t gid;
	bool want_listener;   /* install the watched-syscall USER_NOTIF filter */
};

struct mb_sandbox {
	pid_t pid;    /* the sandbox's init, as the host sees it */
	int pidfd;    /* of pid; readable when it exits */
	int stdin_fd; /* our ends of the server's stdio: O_NONBLOCK, O_CLOEXEC */
	int stdout_fd;
	int stderr_fd;
	int listener_fd; /* seccomp user-notification fd, or -1 */
	struct mb_layers layers;
};

/* Build the sandbox and exec cfg->argv in it. Returns 0 once the command was
 * exec'd, or -errno with err saying what failed and where ("mount /srv/data:
 * No such file or directory"). -ENOENT: command not found (exit 127);
 * -EACCES/-ENOEXEC: not executable (exit 126); anything else: exit 125. */
int mb_sandbox_spawn(const struct mb_sandbox_config *cfg, struct mb_sandbox *ret,
		     struct mb_error *err);

/* Close our ends; does not signal or reap. */
void mb_sandbox_close(struct mb_sandbox *sb);
