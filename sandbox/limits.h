/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits from the profile's `limits`, as rlimits (docs/design.md
 * "Limits"; memory is also a cgroup where one can be had: cgroup.h):
 *   memory -> RLIMIT_DATA   not RLIMIT_AS: Node 20 does not start under ~800 MB
 *                           of address space, and its fetch() (a WebAssembly
 *                           memory) fails under 11 GB; RLIMIT_DATA counts the
 *                           private writable memory actually mapped, not
 *                           shared memory (that takes the cgroup)
 *   tasks  -> RLIMIT_NPROC  counted per user; not enforced for uid 0 of the
 *                           initial user namespace (root-launched without
 *                           --user), a kernel rule
 *   files  -> RLIMIT_NOFILE
 * Core dumps are always off (RLIMIT_CORE 0). */
#pragma once

#include "common/error.h"
#include "policy/profile.h"

/* In the init, before capabilities are dropped (raising NOFILE above the
 * current hard limit needs CAP_SYS_RESOURCE): core, tasks, files. */
int mb_limits_apply(const struct mb_limits *l, struct mb_error *err);

/* In the init, in its own IPC namespace, before the mounts (the sandbox's
 * /proc has sys/ read-only): memory as the System V shared memory the
 * namespace may hold in all (kernel.shmall) and in one segment
 * (kernel.shmmax), which RLIMIT_DATA does not count. Returns 1 when they are
 * set, 0 when there is no limit, no System V IPC, or the namespace's sysctls
 * are not ours to write (a user namespace that does not map root), or
 * -errno. */
int mb_limits_apply_shm(const struct mb_limits *l, struct mb_error *err);

/* In the command's process just before exec: memory. Only the command is
 * bound by it, not the init, whose set-up (libseccomp, libnl) allocates. */
int mb_limits_apply_memory(const struct mb_limits *l, struct mb_error *err);

/* In the command's process before exec, with RLIMIT_NOFILE set: grow its fd
 * table to as many entries as that limit allows, 1,024 at most. The kernel
 * grows a table past its first 64 entries after an RCU grace period when
 * the process has threads (expand_fdtable's synchronize_rcu: ~10 ms here,
 * every opening thread waiting), and a Node server crosses 64 fds while its
 * threads open its modules. Grown now, in a process of one thread, it costs
 * an allocation, and exec keeps it. Best effort: nothing depends on it. */
void mb_limits_presize_fd_table(void);
