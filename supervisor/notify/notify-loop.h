/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier in membrane-run's event loop: one mb_io on the listener.
 * Each readiness handles one notification (the RECV ioctl blocks whatever
 * O_NONBLOCK says, and a level-triggered epoll comes back for the next).
 * When every watched process is gone the listener hangs up and the watch
 * removes itself. If the listener breaks, watched calls could never be
 * answered: the sandbox is killed (fail closed). */
#pragma once

#include "common/loop.h"
#include "supervisor/notify/notify.h"

struct mb_notifier_io {
	struct mb_io w;
	struct mb_notifier *n; /* borrowed */
	int pidfd;             /* the sandbox's init, killed if the listener breaks */
};

/* Register nw (owned by the caller, alive as long as the loop runs). */
int mb_notifier_io_add(struct mb_notifier_io *nw, struct mb_loop *loop,
			  struct mb_notifier *n, int pidfd);
