/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox side of mb_sandbox_spawn(): what the cloned child does, as pid
 * 1 of its namespaces, before it becomes the init of sandbox/init.c. */
#pragma once

#include "common/macros.h"
#include "sandbox/sandbox.h"
#include "sandbox/watch.h"

struct mb_child {
	const struct mb_sandbox_config *cfg;
	unsigned long ns_flags; /* the CLONE_NEW* flags the child was cloned with */
	uid_t uid;              /* the caller's ids, outside */
	gid_t gid;
	int landlock_abi;       /* what mb_landlock_abi() said in the caller */
	int sync_fd;            /* our end of the sync socketpair */
	int stdio[3];           /* the command's ends of its stdin, stdout, stderr pipes */
	/* want_listener: the command loads the filter of watched calls, which
	 * the caller sends after the baseline (watch_prog, ours once received),
	 * and hands its listener over on handoff_fd (sandbox/watch.h); else
	 * false and -1. */
	bool watch;
	struct mb_bpf watch_prog;
	int handoff_fd;
	/* Where the init writes the command's wait status before it exits. */
	int status_fd;
	/* cgroup v1: the leaf's "tasks", which the init joins first
	 * (mb_cgroup_join); else -1. */
	int cgroup_fd;
	/* The command's argv and environment, copied before the init
	 * overwrites membrane-run's argument and environment areas
	 * (mb_init_hide_args), where they may point. */
	char **argv, **envp;
};

/* Never returns: exits MB_EXIT_MEMBRANE after sending an error, or with the command's
 * status once it is done. */
_noreturn_ void mb_child_main(struct mb_child *c);
