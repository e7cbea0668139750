/* SPDX-License-Identifier: Apache-2.0 */
/* The cloned child: it sets up the sandbox around itself, layer by layer,
 * forks the command, and then stays as its init. Every failure goes back to
 * the caller over the sync socket as one line, and the child exits 125.
 *
 * Order matters, and each step says why it sits where it does:
 *   fds, signals, death first: nothing of the caller's may leak in, no signal
 *                       meant for the command may be lost, and the child
 *                       must not outlive a caller that died early
 *   user namespace map  before anything that checks ids (mounts, files)
 *   memfd_noexec, shm   per-namespace sysctls (pid, IPC), need CAP_SYS_ADMIN, and
 *                       through the host's /proc (ours has sys/ read-only);
 *                       its outcome is the one input of the seccomp baseline,
 *                       which the caller then builds while we go on
 *   mounts, pivot_root  need CAP_SYS_ADMIN (in the userns when unprivileged)
 *   loopback up         needs CAP_NET_ADMIN in the new netns
 *   rlimits             before dropping CAP_SYS_RESOURCE (memory: in the
 *                       command only, just before its exec)
 *   user, capabilities  then nothing privileged is left to do
 *   no_new_privs        required by Landlock and seccomp for the unprivileged
 *   Landlock, seccomp   last: the baseline forbids mount, and Landlock must
 *                       see the final tree
 *   hide the arguments  after every step whose error may name the profile,
 *                       before the command exists: /proc/1/cmdline and
 *                       environ must show nothing of membrane-run's */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/caps.h"
#include "sandbox/cgroup.h"
#include "sandbox/child.h"
#include "sandbox/exec.h"
#include "sandbox/init.h"
#include "sandbox/landlock.h"
#include "sandbox/limits.h"
#include "sandbox/memfd.h"
#include "sandbox/mounts.h"
#include "sandbox/namespaces.h"
#include "sandbox/network.h"
#include "sandbox/seccomp-baseline.h"
#include "sandbox/sync.h"

/* Where the child keeps its fds once everything else is closed. */
enum { FD_SYNC = 3, FD_STDIN, FD_STDOUT, FD_STDERR, FD_HANDOFF, FD_STATUS };

static void close_from(unsigned first)
{
	if (syscall(SYS_close_range, first, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = first; fd < (max > 0 ? max : 65536); fd++)
		(void)close((int)fd);
}

/* Move the four fds we need to 3..6 and close everything else we inherited
 * (the caller's fds need not all be O_CLOEXEC for us to be tight). Our own
 * 0, 1, 2 become /dev/null: the caller's terminal must never be reachable. */
static int arrange_fds(struct mb_child *c)
{
	/* In FD_SYNC.. order; a missing one (-1) leaves its place closed. */
	int want[] = { c->sync_fd, c->stdio[0], c->stdio[1], c->stdio[2], c->handoff_fd, c->status_fd };
	int tmp[ARRAY_SIZE(want)];
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		tmp[i] = want[i] < 0 ? -1 : fcntl(want[i], F_DUPFD_CLOEXEC, 100);
		if (want[i] >= 0 && tmp[i] < 0)
			return mb_neg_errno();
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		int fd = FD_SYNC + (int)i;
		if (tmp[i] < 0)
			(void)close(fd);
		else if (dup3(tmp[i], fd, O_CLOEXEC) < 0)
			return mb_neg_errno();
	}
	close_from((unsigned)(FD_SYNC + ARRAY_SIZE(want)));
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return mb_neg_errno();
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) < 0)
			return mb_neg_errno();
	if (null > 2)
		mb_close(null);
	c->sync_fd = FD_SYNC;
	for (int i = 0; i < 3; i++)
		c->stdio[i] = FD_STDIN + i;
	if (c->handoff_fd >= 0)
		c->handoff_fd = FD_HANDOFF;
	if (c->status_fd >= 0)
		c->status_fd = FD_STATUS;
	return 0;
}

/* The caller may have died before our PR_SET_PDEATHSIG took: then its end of
 * the socketpair is closed. */
static bool caller_gone(int sync_fd)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLIN));
}

/* *ns_setup is set while a failure means that the namespaces we were given
 * cannot be put to use (the id map, the mounts and the root, the loopback):
 * a host that lets them be created but not used, such as a container that
 * covers parts of /proc, or Ubuntu's AppArmor restriction, which leaves a
 * new user namespace without capabilities. */
static int setup(struct mb_child *c, struct mb_layers *L, bool *ns_setup, struct mb_error *err)
{
	const struct mb_sandbox_config *cfg = c->cfg;
	const struct mb_plan *plan = cfg->plan;
	unsigned long f = c->ns_flags;
	int r;

	L->userns = f & CLONE_NEWUSER;
	L->mntns = f & CLONE_NEWNS;
	L->pidns = f & CLONE_NEWPID;
	L->netns = f & CLONE_NEWNET;
	L->ipcns = f & CLONE_NEWIPC;
	L->utsns = f & CLONE_NEWUTS;
	L->cgroupns = f & CLONE_NEWCGROUP;

	*ns_setup = true;
	if (L->userns) {
		r = mb_ns_map_self(c->uid, c->gid, err);
		if (r < 0)
			return r;
	}
	*ns_setup = false;

	/* Who the command runs as: --user wins over the profile's user:. */
	struct mb_privs privs = { .clear_groups = !L->userns };
	if (cfg->set_user) {
		privs.set_user = true;
		privs.uid = cfg->uid;
		privs.gid = cfg->gid;
	} else if (plan->user.set) {
		privs.set_user = true;
		privs.uid = plan->user.uid;
		privs.gid = plan->user.gid;
	}
	uid_t owner = privs.set_user ? privs.uid : c->uid;
	gid_t group = privs.set_user ? privs.gid : c->gid;

	/* Before the mounts: the new /proc's sys/ is read-only. */
	if (L->pidns)
		L->memfd_noexec = mb_memfd_noexec() == 0;
	if (L->ipcns) {
		r = mb_limits_apply_shm(&plan->limits, err);
		if (r < 0)
			return r;
		L->shm_limited = r > 0;
	}
	/* The caller builds the seccomp baseline (which depends on that
	 * sysctl) while we build the mounts: ask for it now. */
	struct mb_sync_msg ask = { .type = MB_SYNC_SECCOMP_ENV, .code = L->memfd_noexec };
	r = mb_sync_send(c->sync_fd, &ask, -1);
	if (r < 0)
		return mb_error_set(err, r, "asking membrane-run for the seccomp filter: %s",
				    strerror(-r));
	*ns_setup = true;
	if (L->mntns) {
		struct mb_mount_result mr = { 0 };
		r = mb_mounts_setup(plan, owner, group, &mr, err);
		if (r < 0)
			return r;
		L->rootfs = true;
		L->proc_hidepid = mr.proc_hidepid;
	}
	if (L->netns) {
		r = mb_net_loopback_up(err);
		if (r < 0)
			return r;
		/* Port 53 while we may still bind it; membrane-run answers there. */
		int fds[2];
		r = mb_net_resolver_sockets(plan->resolver, &fds[0], &fds[1], err);
		for (int i = 0; r == 0 && i < 2; i++) {
			struct mb_sync_msg rm = { .type = MB_SYNC_RESOLVER, .code = i };
			r = mb_sync_send(c->sync_fd, &rm, fds[i]);
			if (r < 0)
				mb_error_set(err, r, "handing the resolver's sockets over: %s",
					     strerror(-r));
		}
		if (r == 0) {
			mb_close(fds[0]);
			mb_close(fds[1]);
		}
		if (r < 0)
			return r;
	}
	*ns_setup = false;
	if (plan->cwd && chdir(plan->cwd) < 0)
		return mb_error_set(err, mb_neg_errno(), "chdir %s: %m", plan->cwd);

	r = mb_limits_apply(&plan->limits, err);
	if (r < 0)
		return r;
	L->limits = true;

	r = mb_privs_drop(&privs, err);
	if (r < 0)
		return r;
	L->caps_dropped = true;
	L->no_new_privs = true;

	if (c->landlock_abi > 0) {
		struct mb_landlock_result lr = { 0 };
		r = mb_landlock_apply(plan, c->landlock_abi, &lr, err);
		if (r < 0)
			return r;
		L->landlock_abi = lr.abi;
		L->landlock_fs = lr.fs;
		L->landlock_net = lr.net;
		L->landlock_scope = lr.scope;
	}

	struct mb_bpf filter = { 0 };
	r = mb_sync_recv_filter(c->sync_fd, "the seccomp baseline", &filter, err);
	if (r == 0 && c->watch)
		r = mb_sync_recv_filter(c->sync_fd, "the filter of watched calls", &c->watch_prog,
					err);
	if (r < 0) {
		mb_bpf_free(&filter);
		return r;
	}
	r = mb_bpf_load(&filter, 0, err);
	mb_bpf_free(&filter);
	if (r < 0)
		return r;
	L->seccomp_baseline = true;
	return 0;
}

/* A NULL-terminated copy of strv, strings included. */
static char **copy_strv(char *const *strv)
{
	size_t n = 0;
	while (strv[n])
		n++;
	char **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		if (!(v[i] = strdup(strv[i])))
			return NULL; /* the child exits: nothing to free */
	return v;
}

/* In the command's process: stdio, session, notifier, exec. */
_noreturn_ static void run_command(struct mb_child *c)
{
	struct mb_error err = { 0 };
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own session: no controlling terminal, and a group of its own
	 * so that nothing it signals as a group reaches the init. */
	(void)setsid();
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 0; i < 3; i++)
		if (dup2(c->stdio[i], i) < 0) {
			mb_error_set(&err, mb_neg_errno(), "dup2: %m");
			goto fail;
		}
	mb_limits_presize_fd_table();
	if (c->watch) {
		/* The caller copies our listener with pidfd_getfd(2), which needs
		 * us dumpable: we are a fork of the init, which is not. Nothing
		 * else runs in the sandbox yet, and the exec replaces this
		 * memory. */
		(void)prctl(PR_SET_DUMPABLE, 1);
		unsigned features = 0;
		int fd = mb_watch_install(&c->watch_prog, &features);
		if (fd < 0) {
			mb_error_set(&err, fd, "seccomp: loading the filter of watched calls: %s%s",
				     strerror(-fd),
				     fd == -EBUSY ? " (a process has one seccomp listener at most: is "
						    "membrane-run itself under a seccomp notifier?)"
						  : "");
			goto fail;
		}
		/* From here on sendmsg and execve are watched: the listener
		 * travels by number (write, pidfd_getfd), the caller lets our
		 * one execve through, and errors go back with send(2). */
		int r = mb_watch_handoff_send(c->handoff_fd, fd, features);
		mb_close(fd);
		c->handoff_fd = mb_close(c->handoff_fd);
		if (r < 0)
			_exit(MB_EXIT_MEMBRANE); /* the caller went away or refused: nobody to tell */
	}
	if (mb_limits_apply_memory(&c->cfg->plan->limits, &err) < 0)
		goto fail;
	int status = MB_EXIT_CANNOT_EXEC;
	mb_exec_command(c->argv, c->envp, &status, &err);
	(void)mb_sync_send_error(c->sync_fd, &err, status);
	_exit(status);
fail:
	(void)mb_sync_send_error(c->sync_fd, &err, MB_EXIT_MEMBRANE);
	_exit(MB_EXIT_MEMBRANE);
}

_noreturn_ void mb_child_main(struct mb_child *c)
{
	struct mb_error err = { 0 };
	/* Die with the caller: with a pid namespace, our death takes every
	 * process of the sandbox with it. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Into the memory cgroup before anything is allocated for the
	 * sandbox; everything forked from here on is born there. */
	if (c->cgroup_fd >= 0) {
		int j = mb_cgroup_join(c->cgroup_fd);
		mb_close(c->cgroup_fd);
		if (j < 0) {
			mb_error_set(&err, j, "cgroup: the sandbox's init cannot join its memory cgroup: %s",
				     strerror(-j));
			(void)mb_sync_send_error(c->sync_fd, &err, MB_EXIT_MEMBRANE);
			_exit(MB_EXIT_MEMBRANE);
		}
	}
	mb_init_reset_signals();
	/* Block what the init waits for from the start: pid 1 drops signals it
	 * has no handler for, so a SIGTERM sent during set-up would be lost;
	 * blocked, it waits for the command to exist and is forwarded. */
	sigset_t set;
	mb_init_sigset(&set);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	int r = arrange_fds(c);
	if (r < 0)
		_exit(MB_EXIT_MEMBRANE); /* cannot even report: the caller reads end of file */
	if (caller_gone(c->sync_fd))
		_exit(MB_EXIT_MEMBRANE);
	(void)setsid();

	struct mb_sync_msg m = { .type = MB_SYNC_LAYERS };
	bool ns_setup = false;
	r = setup(c, &m.layers, &ns_setup, &err);
	if (r < 0) {
		(void)mb_sync_send_ns_error(c->sync_fd, &err, ns_setup && c->ns_flags);
		_exit(MB_EXIT_MEMBRANE);
	}

	/* What the sandbox sees of pid 1 must show nothing of membrane-run's
	 * command line or environment: the command gets copies. */
	const struct mb_plan *plan = c->cfg->plan;
	c->argv = copy_strv(c->cfg->argv);
	c->envp = plan->envp.n ? copy_strv(plan->envp.v) : NULL;
	r = c->argv && (c->envp || !plan->envp.n) ? mb_init_hide_args() : -ENOMEM;
	if (r < 0) {
		mb_error_set(&err, r, "hiding membrane-run's command line from the sandbox: %s",
			     strerror(-r));
		(void)mb_sync_send_error(c->sync_fd, &err, MB_EXIT_MEMBRANE);
		_exit(MB_EXIT_MEMBRANE);
	}
	if (!m.layers.pidns)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Nothing inside may ptrace or read the init's /proc entries. The
	 * command is dumpable again after its exec. */
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (mb_sync_send(c->sync_fd, &m, -1) < 0)
		_exit(MB_EXIT_MEMBRANE);

	pid_t pid = fork();
	if (pid < 0) {
		mb_error_set(&err, mb_neg_errno(), "fork: %m");
		(void)mb_sync_send_error(c->sync_fd, &err, MB_EXIT_MEMBRANE);
		_exit(MB_EXIT_MEMBRANE);
	}
	if (pid == 0)
		run_command(c);
	/* The command's end of the sync socket closes at its exec: that end
	 * of file is what the caller waits for. */
	mb_close(c->sync_fd);
	mb_close(c->handoff_fd);
	for (int i = 0; i < 3; i++)
		mb_close(c->stdio[i]);
	int ws = 0;
	int status = mb_init_loop(pid, &ws);
	/* One write of a few bytes to a pipe: whole, or not at all. */
	if (c->status_fd >= 0 && write(c->status_fd, &ws, sizeof(ws)) < 0) {
		/* the caller is gone: nobody to tell */
	}
	_exit(status);
}
