/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/notify/notify-loop.h"

static void on_listener(struct mb_io *w, uint32_t ev)
{
	struct mb_notifier_io *nw =
		(struct mb_notifier_io *)((char *)w - offsetof(struct mb_notifier_io, w));
	if (ev & EPOLLIN) {
		int r = mb_notifier_handle(nw->n);
		if (r < 0) {
			fprintf(stderr,
				"membrane-run: the seccomp listener failed (%s): stopping the server\n",
				strerror(-r));
			(void)syscall(SYS_pidfd_send_signal, nw->pidfd, SIGKILL, NULL, 0);
			mb_io_del(w);
		}
		return;
	}
	if (ev & (EPOLLHUP | EPOLLERR)) /* no watched process left */
		mb_io_del(w);
}

int mb_notifier_io_add(struct mb_notifier_io *nw, struct mb_loop *loop,
			  struct mb_notifier *n, int pidfd)
{
	nw->n = n;
	nw->pidfd = pidfd;
	nw->w.fd = mb_notifier_fd(n);
	nw->w.events = EPOLLIN;
	nw->w.cb = on_listener;
	return mb_io_add(loop, &nw->w);
}
