/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier's own threads (notify-thread.h): RECV, handle, again. */
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
#include "supervisor/notify/notify-ident.h"
#include "supervisor/notify/notify-thread.h"

/* Interrupts the thread's RECV when it is told to stop. */
#define STOP_SIGNAL SIGURG

#define WORKERS_MAX 4
/* The first worker starts the others after this many notifications: a
 * short command (three or four at its start) never pays for threads it
 * would not use. */
#define SPAWN_AFTER 16

struct worker {
	struct mb_notifier_thread *set;
	struct mb_notifier *n;
	struct mb_notifier *twin; /* owned: n for every worker but the first */
	pthread_t thread;
	bool started;
};

/* Every worker waits in RECV: the kernel wakes them all for each
 * notification and one gets it. A leader-and-followers hand-off (one in
 * RECV, the next woken before an ADDFD) measured worse: the wake-up it
 * adds before each ADDFD costs more than the waiters that go back to
 * sleep (bench/notify-results.md). */
struct mb_notifier_thread {
	int pidfd;
	atomic_bool stop;
	pthread_mutex_t mu; /* count and the workers' start, against stop */
	unsigned count, want;
	struct worker w[WORKERS_MAX];
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

static void *run(void *arg);

/* Start worker t->count, a twin of the first; under t->mu, with every
 * signal but the stop signal blocked (the starting thread's mask, which
 * the new one inherits). A failure leaves fewer workers, not less safety:
 * each one decides alone. */
static int start_worker(struct mb_notifier_thread *t)
{
	struct worker *w = &t->w[t->count];
	*w = (struct worker){ .set = t, .n = t->w[0].n };
	int r = t->count > 0 ? mb_notifier_twin(t->w[0].n, &w->twin) : 0;
	if (r < 0)
		return r;
	if (w->twin)
		w->n = w->twin;
	r = -pthread_create(&w->thread, NULL, run, w);
	if (r < 0) {
		mb_notifier_free(w->twin);
		return r;
	}
	w->started = true;
	t->count++;
	return 0;
}

/* On the first worker, which may be in the server's identity: a thread
 * starts with its creator's credentials, and a worker must start as the
 * supervisor (notify-ident.h). */
static void start_others(struct mb_notifier_thread *t)
{
	struct mb_ident_scope s = mb_ident_privileged();
	pthread_mutex_lock(&t->mu);
	while (!atomic_load(&t->stop) && t->count < t->want && start_worker(t) == 0)
		;
	pthread_mutex_unlock(&t->mu);
	mb_ident_restore(&s);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct mb_notifier *n = w->n;
	bool first = w == &w->set->w[0];
	/* A private umask and cwd: creates set the server's umask around
	 * them, which must not leak into the rest of the supervisor. */
	(void)unshare(CLONE_FS);
	while (!atomic_load(&w->set->stop)) {
		uint64_t before = mb_notifier_stats(n)->received;
		int r = mb_notifier_handle(n);
		if (r < 0) {
			if (atomic_load(&w->set->stop))
				break;
			fprintf(stderr,
				"membrane-run: the seccomp listener failed (%s): stopping the server\n",
				strerror(-r));
			(void)syscall(SYS_pidfd_send_signal, w->set->pidfd, SIGKILL, NULL, 0);
			break;
		}
		if (first && before < SPAWN_AFTER && mb_notifier_stats(n)->received == SPAWN_AFTER)
			start_others(w->set);
		/* Nothing received (the target vanished, a signal, or nobody
		 * left): only the last ends the thread. */
		if (mb_notifier_stats(n)->received == before && hung_up(mb_notifier_fd(n)))
			break;
	}
	return NULL;
}

/* One per CPU, two at least: a worker waits in ADDFD until the server's
 * thread has run to take its file, and meanwhile another serves the
 * server's other threads (Node's module loading opens from several). More
 * than a few would only wait. */
static unsigned worker_count(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 2 ? 2 : cpus > WORKERS_MAX ? WORKERS_MAX : (unsigned)cpus;
}

static void stop_workers(struct mb_notifier_thread *t)
{
	/* Under mu: no worker starts after this. */
	pthread_mutex_lock(&t->mu);
	atomic_store(&t->stop, true);
	pthread_mutex_unlock(&t->mu);
	for (unsigned i = 0; i < t->count; i++)
		mb_notifier_close(t->w[i].n);
	for (unsigned i = 0; i < t->count; i++) {
		struct worker *w = &t->w[i];
		/* The signal may come just before the thread enters RECV: send
		 * it again until the thread is gone. */
		while (w->started) {
			(void)pthread_kill(w->thread, STOP_SIGNAL);
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (pthread_timedjoin_np(w->thread, NULL, &ts) != ETIMEDOUT)
				w->started = false;
		}
	}
	mb_notifier_set_lock(t->w[0].n, NULL); /* the caller's, started or not */
	for (unsigned i = 1; i < t->count; i++)
		mb_notifier_free(t->w[i].twin);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

int mb_notifier_thread_start(struct mb_notifier *n, pthread_mutex_t *lock, int pidfd,
			     struct mb_notifier_thread **ret)
{
	struct mb_notifier_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pidfd = pidfd;
	atomic_init(&t->stop, false);
	pthread_mutex_init(&t->mu, NULL);
	t->want = worker_count();
	t->w[0].n = n;
	mb_notifier_set_lock(n, lock);
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	/* Everything blocked in the new threads but the stop signal: the
	 * relay takes INT, TERM and HUP through its signalfd, which needs
	 * them blocked in every thread. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, STOP_SIGNAL);
	int r = sigaction(STOP_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
	if (r == 0 && (r = -pthread_sigmask(SIG_SETMASK, &all, &old)) == 0) {
		pthread_mutex_lock(&t->mu);
		r = start_worker(t);
		pthread_mutex_unlock(&t->mu);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (r < 0) {
		stop_workers(t);
		return r;
	}
	*ret = t;
	return 0;
}

void mb_notifier_thread_stop(struct mb_notifier_thread *t)
{
	if (t)
		stop_workers(t);
}
