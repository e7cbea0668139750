/* SPDX-License-Identifier: Apache-2.0 */
/* Starting a command inside the sandbox a plan describes. sandbox/ knows
 * nothing of JSON-RPC: it hands back the pipes and the seccomp listener, and
 * says which layers are in force.
 *
 * Process structure (see sandbox/spawn.c):
 *   caller (membrane-run)
 *     └─ init: pid 1 of a new pid namespace (sandbox/init.c); builds the
 *        namespaces, the fresh root and the restrictions, then forks
 *          └─ the command, exec'd with stdin/stdout/stderr on our pipes
 * Call mb_sandbox_spawn() from a single-threaded process (it clones without
 * CLONE_VM and the child calls malloc), and from the thread that will live as
 * long as the sandbox should: the init dies with it (PR_SET_PDEATHSIG). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/plan.h"

/* What holds limits.memory (sandbox/cgroup.h). */
enum mb_memory_by {
	MB_MEMORY_NONE,    /* no limit asked */
	MB_MEMORY_RLIMIT,  /* RLIMIT_DATA and the tmpfs sizes only: shared memory escapes */
	MB_MEMORY_CGROUP1, /* a cgroup v1 leaf: everything the sandbox's processes use */
	MB_MEMORY_CGROUP2, /* a cgroup v2 leaf: the same */
};
#define MB_MEMORY_WHY_MAX 512

/* What the running kernel and our set-up actually put in place; listed in the
 * start report and by --explain. */
struct mb_layers {
	bool userns, mntns, pidns, netns, ipcns, utsns, cgroupns;
	bool rootfs;           /* fresh root: tmpfs + pivot_root, old root detached */
	bool proc_hidepid;     /* /proc mounted with hidepid=invisible */
	int landlock_abi;      /* ABI in force, 0 = none */
	bool landlock_fs, landlock_net, landlock_scope;
	bool seccomp_baseline; /* the baseline deny filter */
	bool seccomp_notify;   /* the user-notification filter and its listener */
	bool seccomp_notify_killable; /* its waits are killable-only once received (5.19+) */
	bool seccomp_notify_sync;     /* the supervisor set SYNC_WAKE_UP on it (6.6+) */
	bool no_new_privs, caps_dropped;
	bool memfd_noexec;     /* vm.memfd_noexec=2 in our pid namespace */
	bool limits;           /* rlimits (or a cgroup leaf) applied */
	enum mb_memory_by memory;
	bool shm_limited;      /* System V shm bounded in the IPC namespace */
	bool resolver;         /* membrane-run answers the sandbox's DNS (its
				  sockets were made) */
	char memory_why[MB_MEMORY_WHY_MAX]; /* MB_MEMORY_RLIMIT: why no cgroup */
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
	/* With want_listener: mb_sandbox_spawn() returns once the command's
	 * execve was let through, before its end is known, and
	 * mb_sandbox_await_exec() waits for it: the caller readies its
	 * notifier while the kernel execs. */
	bool launch_early;
	/* The caller's work that needs no sandbox, run while the init builds
	 * it (after the filters are sent, before the command exists), so that
	 * it is off the start's path. May be NULL; called again if a
	 * best-effort retry builds a second sandbox. Returns 0, or -errno with
	 * err set: the spawn fails with it. */
	int (*building)(void *ud, struct mb_error *err);
	void *building_ud;
};

struct mb_sandbox {
	pid_t pid;    /* the sandbox's init, as the host sees it */
	int pidfd;    /* of pid; readable when it exits */
	int stdin_fd; /* our ends of the server's stdio: O_NONBLOCK, O_CLOEXEC */
	int stdout_fd;
	int stderr_fd;
	int listener_fd; /* seccomp user-notification fd, or -1 */
	int sync_fd;     /* launch_early: the init's socket, until the exec's end */
	int status_fd;   /* O_NONBLOCK: the init writes the command's wait status
			    here before it exits (mb_sandbox_command_status) */
	char *cgroup;    /* the sandbox's cgroup leaf (limits.memory), or NULL;
			    removed by mb_sandbox_close once the init is reaped */
	/* The sandbox's resolver sockets, made by the init in the sandbox's
	 * network namespace (UDP, TCP listening; -1: none, as without a
	 * namespace of its own); the caller takes them. */
	int resolver_fd[2];
	struct mb_layers layers;
	/* Best effort: why the sandbox has no namespaces ("" when it has
	 * them, or was not asked for them), for the caller to say. */
	char no_namespaces[MB_ERROR_MAX];
};

/* Build the sandbox and exec cfg->argv in it. Returns 0 once the command was
 * exec'd. On failure returns a negative errno, err->msg says what failed and
 * where ("mount /srv/data (p.yml:3:12): No such file or directory") and
 * err->code holds the errno of the failing call; nothing is left running.
 * The return value alone decides the exit status (mb_sandbox_exit_status()):
 * -ENOENT only when the command was not found (127), -EACCES or -ENOEXEC only
 * when it was found but could not be executed (126); a set-up failure whose
 * errno is one of those three is returned as -EIO (125). */
int mb_sandbox_spawn(const struct mb_sandbox_config *cfg, struct mb_sandbox *ret,
		     struct mb_error *err);

/* After mb_sandbox_spawn() with launch_early: wait for the command's exec.
 * Returns 0, or what mb_sandbox_spawn() would have returned for its failure,
 * err filled, the init reaped and sb closed. Without launch_early: 0. */
int mb_sandbox_await_exec(struct mb_sandbox *sb, struct mb_error *err);

/* membrane-run --doctor's trial run: the sandbox a run of cfg would build,
 * all of it (namespaces and their best-effort fallback, the fresh root,
 * Landlock, the seccomp baseline, the notifier's listener handed over), up
 * to the exec of a command that no sandbox holds, so that nothing runs.
 * Returns 0 when all but the command was in place, ret filled with the
 * layers (and, with best effort, why there are no namespaces); else what a
 * run would have failed with, err filled. */
struct mb_trial {
	struct mb_layers layers;
	char no_namespaces[MB_ERROR_MAX];
};
int mb_sandbox_trial(const struct mb_sandbox_config *cfg, struct mb_trial *ret,
		     struct mb_error *err);

/* membrane-run's own exit statuses, the ones env(1) and the shells use, so
 * that a caller tells membrane's failure from the server's. Defined here
 * because the sandbox is where they arise: the child exits with them and
 * sends them over the sync socket. */
#define MB_EXIT_MEMBRANE 125    /* membrane itself failed */
#define MB_EXIT_CANNOT_EXEC 126 /* the command was found but cannot be executed */
#define MB_EXIT_NOT_FOUND 127   /* the command was not found */

/* membrane-run's exit status after mb_sandbox_spawn() returned r < 0. */
static inline int mb_sandbox_exit_status(int r)
{
	return r == -ENOENT                      ? MB_EXIT_NOT_FOUND
	       : (r == -EACCES || r == -ENOEXEC) ? MB_EXIT_CANNOT_EXEC
						 : MB_EXIT_MEMBRANE;
}

/* Wait for the init to exit (blocking; call it once the pidfd is readable to
 * not block) and store what membrane-run exits with: the command's exit code,
 * or 128+N when it died of signal N (the init passes both on). */
int mb_sandbox_wait(struct mb_sandbox *sb, int *ret_status);

/* Once the init has exited: the command's own wait status (WIFSIGNALED
 * tells a death by signal, which the init's exit code 128+N cannot), or
 * -ENODATA when the init died before it could say (killed itself). */
int mb_sandbox_command_status(const struct mb_sandbox *sb, int *ret_wstatus);

/* Close our ends and remove the cgroup leaf; does not signal or reap (call
 * it once the init was reaped, or the leaf stays). */
void mb_sandbox_close(struct mb_sandbox *sb);
