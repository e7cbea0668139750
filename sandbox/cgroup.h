/* SPDX-License-Identifier: Apache-2.0 */
/* limits.memory for the whole sandbox, where the host lets membrane-run have
 * a cgroup: RLIMIT_DATA (limits.h) counts only a process's private writable
 * memory, so shared anonymous mappings, memfds, System V shared memory and
 * the pages of tmpfs files escape it. A memory cgroup counts them all, for
 * every process of the sandbox together.
 *
 * Two backends, tried in this order:
 *   cgroup v2  a leaf beside membrane-run with memory.max (and memory.swap.max
 *              0): in membrane-run's own cgroup when memory is already in its
 *              cgroup.subtree_control, or when that cgroup was delegated to
 *              it (writable, holding membrane-run alone: it moves itself into
 *              a leaf "supervisor" and enables memory for its children, as a
 *              delegated systemd scope or service expects); failing both, for
 *              root, under a cgroup "membrane" of its own below the root
 *              cgroup, as container runtimes that manage cgroups do;
 *   cgroup v1  a child of membrane-run's memory cgroup with
 *              memory.limit_in_bytes (and memory.memsw.limit_in_bytes where
 *              swap is accounted): the hierarchy belongs to root, so in
 *              practice when root starts membrane-run.
 * Neither: only the rlimit and each private tmpfs's size= hold, and the
 * layers say why (sandbox.h, struct mb_layers).
 *
 * The leaf is made before the clone, the init is moved into it before the
 * command exists (cgroup v1: by itself, its first step), and it is removed
 * once the init has been reaped. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "sandbox/sandbox.h"

struct mb_cgroup {
	enum mb_memory_by by; /* MB_MEMORY_CGROUP1/2 when leaf is set */
	char *leaf;           /* the sandbox's cgroup directory, or NULL */
	char why[MB_MEMORY_WHY_MAX]; /* MB_MEMORY_RLIMIT: why no cgroup */
};

/* What this host offers for a limit, without changing anything (for
 * --explain): by and why are filled, leaf stays NULL. */
void mb_cgroup_probe(struct mb_cgroup *ret);

/* Make the sandbox's leaf holding memory to limit bytes. Returns 0 with
 * ret->by saying what holds (MB_MEMORY_RLIMIT and why when no cgroup can be
 * had here), or -errno when a cgroup could be had but setting it up failed
 * (err says where): the sandbox must not start without what it promised. */
int mb_cgroup_create(uint64_t limit, struct mb_cgroup *ret, struct mb_error *err);

/* cgroup v1: the leaf's "tasks" file, opened here for the init to move
 * itself in with mb_cgroup_join() as its first step, into *ret_fd; -1 there
 * when the init is to be moved from outside (mb_cgroup_attach: cgroup v2,
 * or no leaf). Returns 0, or -errno with err set. */
int mb_cgroup_open_join(const struct mb_cgroup *cg, int *ret_fd, struct mb_error *err);

/* In the init, still single-threaded: move this thread, and so the whole
 * process and everything it forks, into the leaf whose "tasks" fd is. A
 * thread that moves itself takes no global lock, where writing a pid to
 * cgroup.procs waits for an RCU grace period (cgroup_threadgroup_rwsem),
 * 5 to 20 ms on the start-up path. Returns 0 or -errno. */
int mb_cgroup_join(int fd);

/* Move pid (the sandbox's init, before it forks the command) into the
 * leaf. No-op without one. */
int mb_cgroup_attach(const struct mb_cgroup *cg, pid_t pid, struct mb_error *err);

/* Remove the leaf (its processes must be gone) and forget it. */
void mb_cgroup_remove(struct mb_cgroup *cg);

/* The parsers, for the tests. In text (/proc/self/cgroup), the path of the
 * cgroup holding controller ("memory"; NULL for the cgroup v2 line "0::");
 * in text (/proc/self/mountinfo), the mount point of the cgroup2 file system
 * (controller NULL) or of the v1 hierarchy with controller. Both malloc'd,
 * or -ENOENT. */
int mb_cgroup_own_path(const char *text, const char *controller, char **ret);
int mb_cgroup_mount_point(const char *text, const char *controller, char **ret);
