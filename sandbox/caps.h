/* SPDX-License-Identifier: Apache-2.0 */
/* Privileges: the command runs with no capability in any set (effective,
 * permitted, inheritable, ambient, bounding), securebits locked so that uid
 * 0 gains none back at exec, and no_new_privs so that no setuid or file
 * capability raises them either. As root, optionally as another user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

struct mb_privs {
	bool set_user;     /* switch to uid/gid (root only) */
	uid_t uid;
	gid_t gid;
	bool clear_groups; /* drop supplementary groups where we may (not in
			      our own user namespace: setgroups is denied
			      there; not without CAP_SETGID) */
};

/* Drop everything; 0 or -errno with err naming the step. Verifies the
 * result: returns -EPERM if any capability survived. */
int mb_privs_drop(const struct mb_privs *p, struct mb_error *err);

/* Whether the calling thread has cap (CAP_*) in its effective set: 1, 0, or
 * -errno. */
int mb_caps_effective(int cap);
