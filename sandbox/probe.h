/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about this host that membrane-run --doctor prints beside its trial
 * run (mb_sandbox_trial(), which builds the sandbox itself): the knobs that
 * decide whether user namespaces are given, why Landlock is missing, the
 * seccomp filters membrane-run itself runs under, whether it may read a
 * child's memory and take its file descriptors (the notifier's and the
 * broker's needs), AppArmor's restriction, and cgroup delegation.
 * Read-only: nothing here changes the host; the one child it forks is
 * gone when it returns. */
#pragma once

#include <stdbool.h>

struct mb_host {
	long max_user_namespaces;       /* user.max_user_namespaces; -1: absent */
	long unprivileged_userns_clone; /* kernel.unprivileged_userns_clone (older
					   Debian kernels); -1: absent */
	long apparmor_restrict_userns;  /* kernel.apparmor_restrict_unprivileged_userns
					   (Ubuntu 23.10 and later); -1: absent */
	int apparmor;                   /* an active LSM: 1 yes, 0 no */
	char apparmor_label[128];       /* membrane-run's confinement; "" unknown */
	int landlock_errno;             /* why there is no Landlock ABI; 0: there is */
	int seccomp_mode;               /* membrane-run's own: 0 none, 2 filter; -1 */
	int seccomp_filters;            /* how many filters; -1 unknown */
	int vm_read_errno;              /* process_vm_readv of a child: 0 or errno */
	int getfd_errno;                /* pidfd_getfd of a child's fd: 0 or errno */
	bool cgroup2;                   /* /sys/fs/cgroup is a cgroup2 mount */
	char cgroup[256];               /* our cgroup v2 path ("0::PATH"); "" */
	bool cgroup_delegated;          /* we may write our cgroup (a leaf for limits) */
	char cgroup_controllers[128];   /* the controllers our cgroup offers */
};

void mb_probe_host(struct mb_host *ret);
