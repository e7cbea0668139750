/* SPDX-License-Identifier: Apache-2.0 */
/* nouserns [OPTIONS] UID GID COMMAND...: run COMMAND as UID/GID on a host
 * that refuses what membrane-run asks of the kernel, for the tests of its
 * refusals and of degrading out loud. Must be started as root.
 *
 * Without options: in a user namespace (ids 0-65535 mapped to the same ids
 * outside) where user.max_user_namespaces is 0, the way a sysctl forbids
 * user namespaces.
 * With any of these, under a seccomp filter instead, loaded as root and
 * inherited by COMMAND:
 *   --docker       refuse namespaces as Docker's default seccomp profile
 *                  does for a container without CAP_SYS_ADMIN: clone with
 *                  any CLONE_NEW* flag, unshare, setns, mount, umount2 and
 *                  pivot_root fail with EPERM, clone3 with ENOSYS (a filter
 *                  cannot read its flags; the C library falls back to clone)
 *   --no-ptrace    pidfd_getfd and process_vm_readv fail with EPERM, as
 *                  under Docker's default profile without CAP_SYS_PTRACE
 *                  (Docker 20.10, Debian 12's, for both; later ones still
 *                  for pidfd_getfd)
 *   --no-landlock  the Landlock system calls fail with ENOSYS, as on a
 *                  kernel built without it
 *   --listener     the filter has a user-notification listener, held by
 *                  this process while COMMAND runs, as under a container
 *                  runtime or a supervisor that uses one (a process can sit
 *                  under one listener only: the next one gets EBUSY); it
 *                  notifies on acct(2), which nothing here calls
 * And, with either:
 *   --masked-proc  in a mount namespace of its own where /dev/null covers
 *                  /proc/keys (and the others container runtimes mask):
 *                  user namespaces are given, but the kernel then refuses a
 *                  fresh /proc to an unprivileged pid namespace (the mounts
 *                  over /proc are locked in any namespace COMMAND makes) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int become(const char *u, const char *g)
{
	uid_t uid = (uid_t)atoi(u);
	gid_t gid = (gid_t)atoi(g);
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		perror("nouserns: set ids");
		return -1;
	}
	return 0;
}

static int wait_for(pid_t pid)
{
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* The sysctl way: max_user_namespaces 0 in a user namespace of our own. */
static int by_sysctl(char **argv)
{
	int go[2];
	if (pipe(go) < 0)
		return 1;
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		perror("nouserns: clone");
		return 1;
	}
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (put("/proc/sys/user/max_user_namespaces", "0") < 0) {
			perror("nouserns: max_user_namespaces");
			_exit(1);
		}
		if (become(argv[0], argv[1]) < 0)
			_exit(1);
		execvp(argv[2], argv + 2);
		perror("nouserns: exec");
		_exit(127);
	}
	close(go[0]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	int r = put(path, "0 0 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	r |= put(path, "0 0 65536\n");
	if (r < 0) {
		perror("nouserns: id maps");
		kill(pid, SIGKILL);
	}
	(void)!write(go[1], "x", 1);
	close(go[1]);
	return wait_for(pid);
}

#define DENY(ctx, err, name, ...) \
	seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(name), __VA_ARGS__)

static int docker_rules(scmp_filter_ctx ctx)
{
	static const unsigned long ns_flags[] = {
		CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
		CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
	};
	int r = 0;
	/* Docker allows clone when (flags & 0x7E020000) == 0: one rule a flag
	 * says the same with the comparisons libseccomp has. */
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		r |= DENY(ctx, EPERM, clone, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	r |= DENY(ctx, EPERM, unshare, 0);
	r |= DENY(ctx, EPERM, setns, 0);
	r |= DENY(ctx, EPERM, mount, 0);
	r |= DENY(ctx, EPERM, umount2, 0);
	r |= DENY(ctx, EPERM, pivot_root, 0);
	r |= DENY(ctx, ENOSYS, clone3, 0);
	return r;
}

static int no_ptrace_rules(scmp_filter_ctx ctx)
{
	return DENY(ctx, EPERM, pidfd_getfd, 0) | DENY(ctx, EPERM, process_vm_readv, 0);
}

static int no_landlock_rules(scmp_filter_ctx ctx)
{
	return DENY(ctx, ENOSYS, landlock_create_ruleset, 0) |
	       DENY(ctx, ENOSYS, landlock_add_rule, 0) |
	       DENY(ctx, ENOSYS, landlock_restrict_self, 0);
}

/* The seccomp way: load the filter here, as root, then fork COMMAND, which
 * inherits it; a listener stays open in this process until COMMAND ends. */
static int by_seccomp(bool docker, bool no_ptrace, bool no_landlock, bool listener, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 1;
	bool any = docker || no_ptrace || no_landlock || listener; /* else: --masked-proc alone */
	int r = 0;
	if (docker)
		r |= docker_rules(ctx);
	if (no_ptrace)
		r |= no_ptrace_rules(ctx);
	if (no_landlock)
		r |= no_landlock_rules(ctx);
	if (listener)
		r |= seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(acct), 0);
	if (r || (any && seccomp_load(ctx) < 0)) {
		fprintf(stderr, "nouserns: cannot build or load the seccomp filter\n");
		return 1;
	}
	int fd = listener ? seccomp_notify_fd(ctx) : -1;
	if (listener && fd < 0) {
		fprintf(stderr, "nouserns: no listener\n");
		return 1;
	}
	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (become(argv[0], argv[1]) < 0)
			_exit(1);
		execvp(argv[2], argv + 2);
		perror("nouserns: exec");
		_exit(127);
	}
	int status = wait_for(pid);
	seccomp_release(ctx);
	return status;
}

/* /dev/null over what Docker and podman mask in /proc, where it exists. */
static int mask_proc(void)
{
	static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list",
					      "/proc/sched_debug" };
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("nouserns: a mount namespace");
		return -1;
	}
	int n = 0;
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		if (access(masked[i], F_OK) < 0)
			continue;
		if (mount("/dev/null", masked[i], NULL, MS_BIND, NULL) < 0) {
			perror(masked[i]);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "nouserns: none of /proc/kcore, keys, timer_list, sched_debug to mask\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool docker = false, no_ptrace = false, no_landlock = false, listener = false, masked = false;
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--docker") == 0)
			docker = true;
		else if (strcmp(argv[i], "--no-ptrace") == 0)
			no_ptrace = true;
		else if (strcmp(argv[i], "--no-landlock") == 0)
			no_landlock = true;
		else if (strcmp(argv[i], "--listener") == 0)
			listener = true;
		else if (strcmp(argv[i], "--masked-proc") == 0)
			masked = true;
		else
			break;
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: nouserns [--docker] [--no-ptrace] [--no-landlock] [--listener] "
				"[--masked-proc] UID GID COMMAND...\n");
		return 2;
	}
	if (masked && mask_proc() < 0)
		return 1;
	if (masked && !(docker || no_ptrace || no_landlock || listener))
		return by_seccomp(false, false, false, false, argv + i);
	if (docker || no_ptrace || no_landlock || listener)
		return by_seccomp(docker, no_ptrace, no_landlock, listener, argv + i);
	return by_sysctl(argv + i);
}
