/* SPDX-License-Identifier: Apache-2.0 */
/* Which namespaces the sandbox gets, and the user namespace's id maps. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/profile.h"

/* May we create namespaces without a user namespace of our own? True when we
 * hold CAP_SYS_ADMIN in our current user namespace (root on the host, or
 * root of a container that owns its namespaces). */
bool mb_ns_privileged(void);

/* The CLONE_NEW* flags for the sandbox: mount, pid, ipc, uts, cgroup always,
 * net unless network is host, user when !privileged. */
unsigned long mb_ns_clone_flags(bool privileged, enum mb_network net);

/* In the child of a clone(CLONE_NEWUSER): map uid and gid (our ids outside)
 * to themselves and deny setgroups, as bubblewrap does for an unprivileged
 * caller. */
int mb_ns_map_self(uid_t uid, gid_t gid, struct mb_error *err);

/* One line for the user when namespaces could not be created (errno e). */
int mb_ns_unavailable(int e, bool userns, struct mb_error *err);
