/* SPDX-License-Identifier: Apache-2.0 */
/* mb_probe_host(): see sandbox/probe.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/probe.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The first line of PATH, without its newline; -1 when unreadable. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *got = fgets(buf, (int)size, f);
	fclose(f);
	if (!got)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static long read_long(const char *path)
{
	char buf[64];
	if (read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	char *end;
	long v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}

/* "Seccomp:" and "Seccomp_filters:" of /proc/self/status. */
static void seccomp_status(struct mb_host *h)
{
	h->seccomp_mode = h->seccomp_filters = -1;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Seccomp:", 8) == 0)
			h->seccomp_mode = atoi(line + 8);
		else if (strncmp(line, "Seccomp_filters:", 16) == 0)
			h->seccomp_filters = atoi(line + 16);
	}
	fclose(f);
	if (h->seccomp_mode == 0)
		h->seccomp_filters = 0;
}

static void landlock(struct mb_host *h)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	h->landlock_errno = v < 0 ? errno : 0;
}

static void apparmor(struct mb_host *h)
{
	char buf[256];
	h->apparmor = 0;
	if (read_line("/sys/module/apparmor/parameters/enabled", buf, sizeof(buf)) == 0)
		h->apparmor = buf[0] == 'Y';
	else if (read_line("/sys/kernel/security/lsm", buf, sizeof(buf)) == 0)
		h->apparmor = strstr(buf, "apparmor") != NULL;
	h->apparmor_label[0] = '\0';
	if (h->apparmor &&
	    read_line("/proc/self/attr/apparmor/current", h->apparmor_label,
		      sizeof(h->apparmor_label)) < 0 &&
	    read_line("/proc/self/attr/current", h->apparmor_label, sizeof(h->apparmor_label)) < 0)
		h->apparmor_label[0] = '\0';
	h->apparmor_restrict_userns = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
}

static void cgroups(struct mb_host *h)
{
	struct statfs sf;
	h->cgroup2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	h->cgroup[0] = h->cgroup_controllers[0] = '\0';
	h->cgroup_delegated = false;
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return;
	char line[sizeof(h->cgroup) + 3];
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			memcpy(h->cgroup, line + 3, strlen(line + 3) + 1);
		}
	fclose(f);
	if (!h->cgroup2 || !h->cgroup[0])
		return;
	char dir[512], path[600];
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", strcmp(h->cgroup, "/") ? h->cgroup : "");
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	h->cgroup_delegated = access(dir, W_OK) == 0 && access(path, W_OK) == 0;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_line(path, h->cgroup_controllers, sizeof(h->cgroup_controllers)) < 0)
		h->cgroup_controllers[0] = '\0';
}

/* What the notifier and the broker do to the server: read its memory
 * (process_vm_readv) and take a copy of one of its fds (pidfd_getfd), here
 * on a child of ours that waits to be killed. */
static void child_access(struct mb_host *h)
{
	static volatile char mark[] = "membrane";
	int p[2];
	h->vm_read_errno = h->getfd_errno = EAGAIN;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1); /* until the parent closes its end */
		_exit(0);
	}
	close(p[0]);
	char got[sizeof(mark)] = { 0 };
	struct iovec local = { .iov_base = got, .iov_len = sizeof(got) };
	struct iovec remote = { .iov_base = (void *)mark, .iov_len = sizeof(mark) };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	h->vm_read_errno = n < 0 ? errno : n == (ssize_t)sizeof(mark) ? 0 : EFAULT;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		h->getfd_errno = errno;
	} else {
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, p[0], 0);
		h->getfd_errno = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		close(pidfd);
	}
	close(p[1]);
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void mb_probe_host(struct mb_host *h)
{
	*h = (struct mb_host){ 0 };
	h->max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
	h->unprivileged_userns_clone = read_long("/proc/sys/kernel/unprivileged_userns_clone");
	seccomp_status(h);
	landlock(h);
	apparmor(h);
	cgroups(h);
	child_access(h);
}
