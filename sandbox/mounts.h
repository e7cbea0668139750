/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's fresh root: a tmpfs holding only what the plan mounts, made
 * the root with pivot_root, the host's root detached. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/plan.h"

struct mb_mount_result {
	bool proc_hidepid; /* /proc has hidepid=invisible */
};

/* In a new mount namespace (and pid namespace, for MB_MOUNT_PROC): build the
 * root and pivot into it. uid/gid own the private tmpfs entries (the ids
 * the command will run as). On return the cwd is "/". A required path that
 * is missing fails naming the path and the grant's profile position. */
int mb_mounts_setup(const struct mb_plan *plan, uid_t uid, gid_t gid,
		    struct mb_mount_result *res, struct mb_error *err);

/* Test-only knob: MEMBRANE_TEST_NO_MOUNT_API=1 makes the bind mounts take
 * the classic mount(2) path (MS_BIND then MS_REMOUNT of every submount found
 * in mountinfo) instead of open_tree/mount_setattr/move_mount, so that the
 * fallback for kernels before 5.12 is exercised on a new kernel. */
#define MB_TEST_NO_MOUNT_API_ENV "MEMBRANE_TEST_NO_MOUNT_API"
