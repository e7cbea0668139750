/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "common/kernel-compat.h"
#include "sandbox/caps.h"
#include "sandbox/namespaces.h"

bool mb_ns_privileged(void)
{
	return mb_caps_effective(CAP_SYS_ADMIN) == 1;
}

unsigned long mb_ns_clone_flags(bool privileged, enum mb_network net)
{
	unsigned long f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	if (net != MB_NET_HOST)
		f |= CLONE_NEWNET;
	if (!privileged)
		f |= CLONE_NEWUSER;
	return f;
}

static int write_file(const char *path, const char *text, struct mb_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "open %s: %m", path);
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int r = w < 0 ? mb_neg_errno() : (size_t)w == n ? 0 : -EIO;
	mb_close(fd);
	if (r < 0)
		return mb_error_set(err, r, "write %s: %s", path, strerror(-r));
	return 0;
}

int mb_ns_map_self(uid_t uid, gid_t gid, struct mb_error *err)
{
	char line[64];
	int r = write_file("/proc/self/setgroups", "deny", err);
	if (r < 0)
		return r;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	r = write_file("/proc/self/uid_map", line, err);
	if (r < 0)
		return r;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", line, err);
}

int mb_ns_unavailable(int e, bool userns, struct mb_error *err)
{
	if (userns)
		return mb_error_set(err, -e,
				    "cannot create a user namespace (%s): unprivileged user namespaces are "
				    "disabled here (sysctl user.max_user_namespaces, "
				    "kernel.unprivileged_userns_clone, or an AppArmor/container policy); "
				    "enable them, run as root, or pass --best-effort to run without "
				    "namespaces (Landlock, seccomp and no_new_privs only)",
				    strerror(e));
	return mb_error_set(err, -e,
			    "cannot create the sandbox's namespaces (%s): a container or security "
			    "policy forbids them; pass --best-effort to run without namespaces",
			    strerror(e));
}
