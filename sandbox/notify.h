/* The hook for the dynamic layer (issue 5): a second seccomp filter that
 * returns SECCOMP_RET_USER_NOTIF for the watched system calls, installed in
 * the command's process just before its exec, its listener fd sent to the
 * caller over the sync socket (SCM_RIGHTS) and returned in
 * struct mb_sandbox.listener_fd.
 *
 * The table of watched calls belongs to the correlator; until it lands it is
 * empty and the listener never fires. Mind that a watched execve/execveat
 * would wait for a supervisor that is itself still waiting in
 * mb_sandbox_spawn() for the exec: those two must not be watched. */
#pragma once

#include "common/error.h"
#include "policy/plan.h"

struct mb_notify_watch {
	const char *syscall;
};
extern const struct mb_notify_watch mb_notify_watched[];
extern const size_t mb_notify_watched_n;

/* Load the filter (no_new_privs set) and return its listener. */
int mb_notify_install(const struct mb_plan *plan, int *ret_listener, struct mb_error *err);
