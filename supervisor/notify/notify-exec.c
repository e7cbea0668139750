/* SPDX-License-Identifier: Apache-2.0 */
/* execve and execveat: the one path call the supervisor cannot perform --
 * the new program must start in the server's own process. The path is
 * read once and resolved like any other (a memfd, a deleted file and
 * /proc/self/fd/N are told apart), decided, and an allowed exec is answered
 * CONTINUE: the kernel then reads the path again, so a racing thread can
 * make it execute another file, but only one Landlock's execute rights
 * (the union of every exec grant) and the mounts (noexec everywhere else)
 * let it. membrane(7) says so. */
#include <errno.h>
#include <fcntl.h>

#include "supervisor/notify/notify-internal.h"

int mb_handle_exec(struct mb_notifier *n, struct mb_notified_op *op)
{
	const struct mb_watch_syscall *sc = op->sc;
	const struct mb_watch_path *p = &sc->p[0];
	uint64_t at_flags = sc->flags == MB_WATCH_NOARG ? 0 : op->args[sc->flags];
	bool follow = p->follow == MB_FOLLOW_YES || !(at_flags & AT_SYMLINK_NOFOLLOW);
	struct mb_path_req rq = { .follow = follow };
	struct mb_path_res res;
	int ret;
	if (!mb_notify_allowed(n, op, mb_decode_path(n, op, 0, at_flags, &rq, &res), &ret))
		return ret;
	return mb_notify_send_resp(n, op->id, true, 0);
}
