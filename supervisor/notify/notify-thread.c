/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier's own thread (notify-thread.h): RECV, handle, again. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/macros.h"
#include "supervisor/notify/notify-thread.h"

/* Interrupts the thread's RECV when it is told to stop. */
#define STOP_SIGNAL SIGURG

struct mb_notifier_thread {
	struct mb_notifier *n;
	int pidfd;
	pthread_t thread;
	atomic_bool stop;
};

static void on_stop_signal(int sig)
{
	(void)sig; /* only there to interrupt the ioctl (no SA_RESTART) */
}

/* Every watched process is gone: RECV then fails at once, forever. */
static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

static void *run(void *arg)
{
	struct mb_notifier_thread *t = arg;
	struct mb_notifier *n = t->n;
	/* A private umask and cwd: creates set the server's umask around
	 * them, which must not leak into the rest of the supervisor. */
	(void)unshare(CLONE_FS);
	while (!atomic_load(&t->stop)) {
		uint64_t before = mb_notifier_stats(n)->received;
		int r = mb_notifier_handle(n);
		if (r < 0) {
			if (atomic_load(&t->stop))
				break;
			fprintf(stderr,
				"membrane-run: the seccomp listener failed (%s): stopping the server\n",
				strerror(-r));
			(void)syscall(SYS_pidfd_send_signal, t->pidfd, SIGKILL, NULL, 0);
			break;
		}
		/* Nothing received (the target vanished, a signal, or nobody
		 * left): only the last ends the thread. */
		if (mb_notifier_stats(n)->received == before && hung_up(mb_notifier_fd(n)))
			break;
	}
	return NULL;
}

int mb_notifier_thread_start(struct mb_notifier *n, pthread_mutex_t *lock, int pidfd,
			     struct mb_notifier_thread **ret)
{
	struct mb_notifier_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->n = n;
	t->pidfd = pidfd;
	atomic_init(&t->stop, false);
	mb_notifier_set_lock(n, lock);
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	/* Everything blocked in the new thread but the stop signal: the
	 * relay takes INT, TERM and HUP through its signalfd, which needs
	 * them blocked in every thread. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, STOP_SIGNAL);
	int r = sigaction(STOP_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
	if (r == 0 && (r = -pthread_sigmask(SIG_SETMASK, &all, &old)) == 0) {
		r = -pthread_create(&t->thread, NULL, run, t);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (r < 0) {
		mb_notifier_set_lock(n, NULL);
		free(t);
		return r;
	}
	*ret = t;
	return 0;
}

void mb_notifier_thread_stop(struct mb_notifier_thread *t)
{
	if (!t)
		return;
	mb_notifier_close(t->n);
	atomic_store(&t->stop, true);
	/* The signal may come just before the thread enters RECV: send it
	 * again until the thread is gone. */
	for (;;) {
		(void)pthread_kill(t->thread, STOP_SIGNAL);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(t->thread, NULL, &ts) != ETIMEDOUT)
			break;
	}
	mb_notifier_set_lock(t->n, NULL);
	free(t);
}
