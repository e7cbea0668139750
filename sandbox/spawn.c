/* SPDX-License-Identifier: Apache-2.0 */
/* mb_sandbox_spawn(): clone the sandbox's init into its new namespaces, hand
 * it the command's pipes and a sync socket, and wait until the command was
 * exec'd or an error came back. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/cgroup.h"
#include "sandbox/child.h"
#include "sandbox/landlock.h"
#include "sandbox/namespaces.h"
#include "sandbox/seccomp-baseline.h"
#include "sandbox/sync.h"
#include "sandbox/watch.h"

/* struct clone_args of <linux/sched.h>, first version (64 bytes). */
struct mb_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* fork() into new namespaces, with a pidfd. clone3 first; clone where the
 * kernel lacks it (the child then starts like a fork's child too). */
static pid_t clone_ns(unsigned long flags, int *ret_pidfd)
{
	int pidfd = -1;
	struct mb_clone_args a = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
	if (pid > 0)
		*ret_pidfd = pidfd;
	return (pid_t)pid;
}

static int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Kill and reap a child that failed or that we give up on. */
static void reap(pid_t pid, int pidfd)
{
	if (pidfd >= 0)
		(void)pidfd_signal(pidfd, SIGKILL);
	else
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	mb_close(pidfd);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return mb_neg_errno();
	return 0;
}

static int check_config(const struct mb_sandbox_config *cfg, bool privileged,
			struct mb_error *err)
{
	if (!cfg->plan || !cfg->argv || !cfg->argv[0])
		return mb_error_set(err, -EINVAL, "no command to run");
	bool want_user = cfg->set_user || cfg->plan->user.set;
	if (want_user && !privileged)
		return mb_error_set(err, -EPERM,
				    "switching to another user (--user or the profile's user:) needs "
				    "membrane-run started as root; drop the option to run as yourself");
	return 0;
}

/* Landlock: refuse to start without it, or below the ABI required, unless
 * best effort was asked for (and a requirement always wins). */
static int check_landlock(const struct mb_sandbox_config *cfg, int abi, struct mb_error *err)
{
	int need = MB_MAX(cfg->require_landlock, cfg->plan->require_landlock);
	if (need > 0 && abi < need)
		return mb_error_set(err, -EOPNOTSUPP,
				    "Landlock ABI %d is required (--require-landlock or the profile's "
				    "require_landlock) but this kernel offers %s%d; run on a newer kernel "
				    "or lower the requirement",
				    need, abi ? "ABI " : "", abi);
	const struct mb_srcpos *rp = &cfg->plan->require_pos;
	if (abi == 0 && (cfg->plan->require & MB_REQUIRE_LANDLOCK))
		return mb_error_set(err, -EOPNOTSUPP,
				    "Landlock is not available on this kernel (it needs Linux 5.13 and "
				    "\"landlock\" in the lsm= boot parameter, and no seccomp filter "
				    "around membrane-run that refuses it), and the profile requires it "
				    "(%s:%u:%u), --best-effort or not: run it on a host that has it",
				    rp->file ? rp->file : "require", rp->line, rp->column);
	if (abi == 0 && !cfg->best_effort)
		return mb_error_set(err, -EOPNOTSUPP,
				    "Landlock is not available on this kernel (it needs Linux 5.13 and "
				    "\"landlock\" in the lsm= boot parameter): the filesystem wall would be "
				    "missing; enable it, or pass --best-effort to run without it");
	return 0;
}

/* The init asks for the seccomp baseline: build it here, in parallel with
 * its mounts, and send it; then, with want_listener, the filter of watched
 * calls, which the init keeps for the command (it was built before the
 * clone, on the start's path). */
static int send_filters(int sock, const struct mb_sandbox_config *cfg, bool memfd_noexec,
			struct mb_error *err)
{
	struct mb_seccomp_env env = { .plan = cfg->plan, .memfd_noexec = memfd_noexec };
	_cleanup_(mb_bpf_free) struct mb_bpf baseline = { 0 };
	_cleanup_(mb_bpf_free) struct mb_bpf watch = { 0 };
	int r = mb_seccomp_baseline_build(&env, &baseline, err);
	if (r < 0)
		return r;
	r = mb_sync_send_filter(sock, &baseline);
	if (r == 0 && cfg->want_listener) {
		r = mb_watch_filter_build(&watch, err);
		if (r < 0)
			return r;
		r = mb_sync_send_filter(sock, &watch);
	}
	if (r < 0)
		return mb_error_set(err, r, "sending the seccomp filters to the sandbox: %s",
				    strerror(-r));
	return 0;
}

/* How far await_exec() reads: to the command's exec, its execve only let
 * through (launch_early), or on from there to the exec (cfg NULL then). */
enum await { AWAIT_EXEC, AWAIT_LAUNCH, AWAIT_RESUME };

/* Read the child's messages until the command was exec'd (end of file) or an
 * error came. With a watch filter, also take the command's listener when it
 * hands it over (handoff), and answer the one notification that comes before
 * the exec is done: the command's own execve, which waits for us. Anything
 * the command does after its exec stays queued for the caller's notifier.
 * Returns 0 or the error's code, err filled. */
static int await_exec(int sock, int handoff, const struct mb_sandbox_config *cfg,
		      struct mb_sandbox *sb, enum await until, unsigned *ret_features,
		      int *ret_status, bool *ret_ns_setup, struct mb_error *err)
{
	bool have_layers = until == AWAIT_RESUME, send_failed = false;
	bool launched = handoff < 0 || until == AWAIT_RESUME;
	struct mb_error send_err = { 0 };
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = handoff, .events = POLLIN },
			{ .fd = launched ? -1 : sb->listener_fd, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return mb_error_set(err, mb_neg_errno(), "poll: %m");
		}
		/* The sync socket first: an error or the layers were sent before
		 * anything else could happen. */
		if (p[0].revents) {
			struct mb_sync_msg m;
			int fd;
			int r = mb_sync_recv(sock, &m, &fd);
			if (r > 0 && m.type == MB_SYNC_RESOLVER && (m.code == MB_RESOLVER_UDP ||
								    m.code == MB_RESOLVER_TCP)) {
				mb_close(sb->resolver_fd[m.code]);
				sb->resolver_fd[m.code] = TAKE_FD(fd);
				continue;
			}
			mb_close(fd); /* only the resolver's sockets come with one */
			/* An init that failed before reading the filter we sent
			 * closes with it unread: the kernel then reports
			 * ECONNRESET once, ahead of the messages still queued
			 * for us (its error among them). Read on. */
			if (r == -ECONNRESET)
				continue;
			if (r < 0)
				return mb_error_set(err, r, "reading from the sandbox's init: %s",
						    strerror(-r));
			if (r == 0)
				break;
			switch (m.type) {
			case MB_SYNC_ERROR:
				*ret_status = m.status;
				*ret_ns_setup = m.ns_setup;
				mb_error_set(err, m.code < 0 ? m.code : -EIO, "%s", m.text);
				return err ? err->code : m.code;
			case MB_SYNC_SECCOMP_ENV:
				if (!cfg)
					goto unexpected;
				/* If the init failed meanwhile, its own message (next)
				 * says why better than our broken pipe. */
				if (send_filters(sock, cfg, m.code == 1, &send_err) < 0) {
					send_failed = true;
					break;
				}
				/* The init has what it waits for: the caller's own
				 * preparations overlap the rest of its set-up. */
				if (cfg->building && (r = cfg->building(cfg->building_ud, err)) < 0)
					return r;
				break;
			case MB_SYNC_LAYERS:
				sb->layers = m.layers;
				have_layers = true;
				break;
			default:
			unexpected:
				return mb_error_set(err, -EBADMSG,
						    "unexpected message %u from the sandbox's init", m.type);
			}
			continue;
		}
		if (p[1].revents) {
			int r = mb_watch_handoff_recv(handoff, &sb->listener_fd, ret_features, err);
			if (r < 0)
				return r;
			handoff = -1;
			continue;
		}
		if (p[2].revents) {
			int r = mb_watch_continue_launch(sb->listener_fd, err);
			if (r < 0)
				return r;
			launched = true;
			if (until == AWAIT_LAUNCH && have_layers && !send_failed)
				return 0;
		}
	}
	if (send_failed)
		return mb_error_set(err, send_err.code, "%s", send_err.msg);
	if (!have_layers)
		return mb_error_set(err, -ECHILD, "the sandbox's init exited during set-up");
	if (!launched)
		return mb_error_set(err, -EBADMSG, "the command exec'd without handing its listener over");
	return 0;
}

/* Only an exec failure may say 126/127 (mb_sandbox_exit_status): the
 * command's, which comes with its status. */
static int exec_status(int r, int status)
{
	if (status == MB_EXIT_MEMBRANE && (r == -ENOENT || r == -EACCES || r == -ENOEXEC))
		return -EIO;
	return r;
}

/* Whether an errno from clone(2) with namespace flags means the host refuses
 * them (rather than a resource shortage on our side). */
static bool ns_refused(int e)
{
	return e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS;
}

/* One attempt with these namespace flags. On failure, *ret_ns_refused says
 * whether it was the host that refused the namespaces: clone refused them,
 * or the init could not put them to use (ns_setup) for lack of permission. */
/* trial: NULL, or mb_sandbox_trial()'s layers: an exec that finds no
 * command (127) then means that everything else was in place, and is 0. */
static int spawn_once(const struct mb_sandbox_config *cfg, unsigned long ns_flags, int abi,
		      struct mb_sandbox *ret, struct mb_layers *trial, bool *ret_ns_refused,
		      struct mb_error *err)
{
	int r;
	*ret_ns_refused = false;
	/* Our ends: [0] of in (we write [1]), [0] of out and err (child writes [1]). */
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, sv[2] = { -1, -1 };
	int hand[2] = { -1, -1 }, st[2] = { -1, -1 };
	/* Before the first goto: close_all removes the leaf. */
	struct mb_cgroup cg = { .by = MB_MEMORY_NONE };
	int cg_join = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(st, O_CLOEXEC) < 0 ||
	    (cfg->want_listener && (r = mb_watch_handoff_pair(hand)) < 0)) {
		r = mb_error_set(err, mb_neg_errno(), "creating the sandbox's pipes: %m");
		goto close_all;
	}
	if (cfg->plan->limits.memory) {
		r = mb_cgroup_create(cfg->plan->limits.memory, &cg, err);
		if (r < 0)
			goto close_all;
		r = mb_cgroup_open_join(&cg, &cg_join, err);
		if (r < 0)
			goto close_all;
	}

	struct mb_child c = {
		.cfg = cfg,
		.ns_flags = ns_flags,
		.uid = geteuid(),
		.gid = getegid(),
		.landlock_abi = abi,
		.sync_fd = sv[1],
		.stdio = { in[0], out[1], errp[1] },
		.watch = cfg->want_listener,
		.handoff_fd = hand[1],
		.status_fd = st[1],
		.cgroup_fd = cg_join,
	};
	int pidfd = -1;
	pid_t pid = clone_ns(c.ns_flags, &pidfd);
	if (pid < 0 && c.ns_flags && ns_refused(errno)) {
		*ret_ns_refused = true;
		/* With best effort this is the reason said beside running
		 * without them, or before a profile's requirement. */
		if (cfg->best_effort)
			r = mb_error_set(err, mb_neg_errno(), "cannot create %s: %m",
					 c.ns_flags & CLONE_NEWUSER ? "a user namespace"
								    : "the sandbox's namespaces");
		else
			r = mb_ns_unavailable(errno, c.ns_flags & CLONE_NEWUSER, err);
		goto close_all;
	}
	if (pid < 0) {
		r = mb_error_set(err, mb_neg_errno(), "clone: %m");
		goto close_all;
	}
	if (pid == 0) {
		mb_close(sv[0]);
		mb_close(hand[0]);
		mb_close(st[0]);
		mb_close(in[1]);
		mb_close(out[0]);
		mb_close(errp[0]);
		mb_child_main(&c);
	}

	/* Into the leaf before the init can fork the command: it waits for
	 * the baseline, which we send only later. cgroup v1: it has moved
	 * itself (mb_cgroup_join), or failed and says so. */
	cg_join = mb_close(cg_join);
	r = c.cgroup_fd < 0 ? mb_cgroup_attach(&cg, pid, err) : 0;
	if (r < 0) {
		reap(pid, pidfd);
		goto close_all;
	}
	sv[1] = mb_close(sv[1]);
	hand[1] = mb_close(hand[1]);
	st[1] = mb_close(st[1]);
	in[0] = mb_close(in[0]);
	out[1] = mb_close(out[1]);
	errp[1] = mb_close(errp[1]);

	struct mb_sandbox sb = {
		.pid = pid,
		.pidfd = pidfd,
		.stdin_fd = in[1],
		.stdout_fd = out[0],
		.stderr_fd = errp[0],
		.listener_fd = -1,
		.status_fd = st[0],
		.sync_fd = -1,
		.resolver_fd = { -1, -1 },
	};
	int status = MB_EXIT_MEMBRANE;
	unsigned features = 0;
	bool ns_setup = false;
	r = await_exec(sv[0], hand[0], cfg, &sb,
		       cfg->launch_early && cfg->want_listener && !trial ? AWAIT_LAUNCH : AWAIT_EXEC,
		       &features, &status, &ns_setup, err);
	if (r == 0 && sb.listener_fd >= 0) {
		sb.layers.seccomp_notify = true;
		sb.layers.seccomp_notify_killable = features & MB_WATCH_KILLABLE_RECV;
	}
	sb.layers.memory = cg.by;
	memcpy(sb.layers.memory_why, cg.why, sizeof(cg.why));
	if (r == 0 && (set_nonblock(sb.stdin_fd) < 0 || set_nonblock(sb.stdout_fd) < 0 ||
		       set_nonblock(sb.stderr_fd) < 0 || set_nonblock(sb.status_fd) < 0))
		r = mb_error_set(err, mb_neg_errno(), "fcntl O_NONBLOCK: %m");
	sb.layers.resolver = sb.resolver_fd[0] >= 0 && sb.resolver_fd[1] >= 0;
	if (trial && r < 0 && status == 127) {
		*trial = sb.layers;
		trial->seccomp_notify = sb.listener_fd >= 0;
		trial->seccomp_notify_killable = features & MB_WATCH_KILLABLE_RECV;
		trial->seccomp_notify_sync =
			sb.listener_fd >= 0 && ioctl(sb.listener_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
						     SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
		reap(pid, pidfd);
		mb_close(sb.listener_fd);
		mb_close(sb.resolver_fd[0]);
		mb_close(sb.resolver_fd[1]);
		*err = (struct mb_error){ 0 };
		r = 0;
		goto close_all;
	}
	if (r < 0) {
		reap(pid, pidfd);
		mb_close(sb.listener_fd);
		mb_close(sb.resolver_fd[0]);
		mb_close(sb.resolver_fd[1]);
		*ret_ns_refused = ns_setup && (r == -EPERM || r == -EACCES);
		if (*ret_ns_refused && !cfg->best_effort) {
			size_t n = strlen(err->msg);
			snprintf(err->msg + n, sizeof(err->msg) - n,
				 "; this host lets membrane-run create namespaces but not use them "
				 "(membrane-run --doctor says why): give it that, or pass "
				 "--best-effort to run without namespaces");
		}
		r = exec_status(r, status);
		goto close_all;
	}
	/* launch_early: the exec's end of file is still to come. */
	sb.sync_fd = cfg->launch_early && sb.listener_fd >= 0 ? TAKE_FD(sv[0]) : mb_close(sv[0]);
	hand[0] = mb_close(hand[0]);
	st[0] = -1; /* the caller's now, in sb */
	sb.cgroup = TAKE_PTR(cg.leaf);
	*ret = sb;
	return 0;

close_all:
	mb_close(cg_join);
	mb_cgroup_remove(&cg);
	for (int i = 0; i < 2; i++) {
		mb_close(in[i]);
		mb_close(out[i]);
		mb_close(errp[i]);
		mb_close(sv[i]);
		mb_close(hand[i]);
		mb_close(st[i]);
	}
	return r;
}

static int spawn(const struct mb_sandbox_config *cfg, struct mb_sandbox *ret,
		 struct mb_layers *trial, struct mb_error *err)
{
	bool privileged = mb_ns_privileged();
	int r = check_config(cfg, privileged, err);
	if (r < 0)
		return r == -ENOENT || r == -EACCES || r == -ENOEXEC ? -EIO : r;
	int abi = mb_landlock_abi();
	r = check_landlock(cfg, abi, err);
	if (r < 0)
		return r;

	bool refused;
	r = spawn_once(cfg, mb_ns_clone_flags(privileged, cfg->plan->network), abi, ret, trial,
		       &refused, err);
	if (r == 0 || !refused || !cfg->best_effort)
		return r;
	if (cfg->plan->require & MB_REQUIRE_NAMESPACES) {
		const struct mb_srcpos *rp = &cfg->plan->require_pos;
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 "; the profile requires namespaces (%s:%u:%u), --best-effort or not: run it "
			 "where membrane-run gets them (membrane-run --doctor says what refuses them)",
			 rp->file ? rp->file : "require", rp->line, rp->column);
		return r;
	}
	/* Said out loud: the caller prints why, and the layers show no
	 * namespace. */
	char why[MB_ERROR_MAX];
	snprintf(why, sizeof(why), "%s", err->msg);
	*err = (struct mb_error){ 0 };
	r = spawn_once(cfg, 0, abi, ret, trial, &refused, err);
	if (r == 0)
		snprintf(ret->no_namespaces, sizeof(ret->no_namespaces), "%s", why);
	return r;
}

int mb_sandbox_spawn(const struct mb_sandbox_config *cfg, struct mb_sandbox *ret,
		     struct mb_error *err)
{
	return spawn(cfg, ret, NULL, err);
}

int mb_sandbox_trial(const struct mb_sandbox_config *cfg, struct mb_trial *ret,
		     struct mb_error *err)
{
	/* A name no sandbox holds: the exec fails after everything else. */
	static char *const argv[] = { "/.membrane-trial-run", NULL };
	struct mb_sandbox_config c = *cfg;
	c.argv = argv;
	struct mb_sandbox sb = { 0 };
	*ret = (struct mb_trial){ 0 };
	int r = spawn(&c, &sb, &ret->layers, err);
	snprintf(ret->no_namespaces, sizeof(ret->no_namespaces), "%s", sb.no_namespaces);
	return r;
}

int mb_sandbox_wait(struct mb_sandbox *sb, int *ret_status)
{
	siginfo_t si = { 0 };
	int r;
	do
		r = sb->pidfd >= 0 ? waitid((idtype_t)P_PIDFD, (id_t)sb->pidfd, &si, WEXITED)
				   : waitid(P_PID, (id_t)sb->pid, &si, WEXITED);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return mb_neg_errno();
	if (si.si_code == CLD_EXITED)
		*ret_status = si.si_status;
	else
		*ret_status = 128 + si.si_status; /* the init itself was killed */
	return 0;
}

int mb_sandbox_await_exec(struct mb_sandbox *sb, struct mb_error *err)
{
	if (sb->sync_fd < 0)
		return 0;
	int status = MB_EXIT_MEMBRANE;
	unsigned features = 0;
	bool ns_setup = false;
	int r = await_exec(sb->sync_fd, -1, NULL, sb, AWAIT_RESUME, &features, &status, &ns_setup,
			   err);
	sb->sync_fd = mb_close(sb->sync_fd);
	if (r == 0)
		return 0;
	reap(sb->pid, sb->pidfd);
	sb->pidfd = -1;
	mb_sandbox_close(sb);
	return exec_status(r, status);
}

void mb_sandbox_close(struct mb_sandbox *sb)
{
	sb->stdin_fd = mb_close(sb->stdin_fd);
	sb->stdout_fd = mb_close(sb->stdout_fd);
	sb->stderr_fd = mb_close(sb->stderr_fd);
	sb->listener_fd = mb_close(sb->listener_fd);
	sb->pidfd = mb_close(sb->pidfd);
	sb->status_fd = mb_close(sb->status_fd);
	sb->sync_fd = mb_close(sb->sync_fd);
	sb->resolver_fd[0] = mb_close(sb->resolver_fd[0]);
	sb->resolver_fd[1] = mb_close(sb->resolver_fd[1]);
	struct mb_cgroup cg = { .leaf = TAKE_PTR(sb->cgroup) };
	mb_cgroup_remove(&cg);
}

int mb_sandbox_command_status(const struct mb_sandbox *sb, int *ret_wstatus)
{
	int ws;
	ssize_t n = sb->status_fd >= 0 ? read(sb->status_fd, &ws, sizeof(ws)) : -1;
	if (n != (ssize_t)sizeof(ws))
		return -ENODATA;
	*ret_wstatus = ws;
	return 0;
}
