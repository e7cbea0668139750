/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "common/macros.h"
#include "common/loop.h"

#define MAX_EVENTS 32
/* Watchers another thread may delete during one wait before the loop
 * drops that wait's whole batch instead (level-triggered: it comes back). */
#define MAX_GONE 16

struct mb_loop {
	int epfd;
	bool quit;
	struct mb_timer *timers; /* sorted by due */
	/* The timers' deadline is a timerfd in the epoll set, re-armed only
	 * when the earliest deadline changes: epoll_wait then never takes a
	 * timeout (each would cost the kernel an hrtimer per wait) and the
	 * clock is read only when timers are armed or fire. */
	int tfd;
	uint64_t tfd_due;        /* what tfd is armed for; 0: disarmed */
	bool tfd_fired;
	struct mb_io tw;
	struct mb_io *polled; /* watchers epoll cannot watch */
	/* The batch being dispatched, so that mb_io_del() can drop events
	 * still pending for a watcher. */
	struct epoll_event *batch;
	int batch_n, batch_i;
	void (*idle)(void *ud);
	void *idle_ud;
	/* Shared with another thread (mb_loop_set_lock): held but in
	 * epoll_wait; what that thread deleted meanwhile is dropped from the
	 * batch the wait returns (the memory may be gone: compared, never
	 * read). */
	pthread_mutex_t *lock;
	bool waiting;
	struct mb_io *gone[MAX_GONE];
	unsigned ngone;
	bool gone_overflow;
};

uint64_t mb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mb_coarse_ns(void)
{
	/* A memory read in the vDSO, where CLOCK_MONOTONIC reads the TSC
	 * (slow under some hypervisors). */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_timerfd(struct mb_io *w, uint32_t ev)
{
	struct mb_loop *l = w->loop;
	uint64_t n;
	(void)ev;
	(void)!read(l->tfd, &n, sizeof(n));
	l->tfd_fired = true;
	l->tfd_due = 0; /* one-shot: disarmed now */
}

/* Arm the timerfd for the earliest timer, if that changed. */
static void sync_timerfd(struct mb_loop *l)
{
	uint64_t want = l->timers ? l->timers->due : 0;
	if (want == l->tfd_due)
		return;
	struct itimerspec its = { 0 };
	if (want) {
		its.it_value.tv_sec = (time_t)(want / 1000000000u);
		its.it_value.tv_nsec = (long)(want % 1000000000u);
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->tfd_due = want;
}

int mb_loop_new(struct mb_loop **ret)
{
	struct mb_loop *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->tfd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	int r = l->epfd < 0 ? mb_neg_errno() : 0;
	if (r == 0) {
		l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		r = l->tfd < 0 ? mb_neg_errno() : 0;
	}
	if (r == 0) {
		l->tw = (struct mb_io){ .fd = l->tfd, .events = EPOLLIN, .cb = on_timerfd };
		r = mb_io_add(l, &l->tw);
	}
	if (r < 0) {
		mb_loop_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

void mb_loop_free(struct mb_loop *l)
{
	if (!l)
		return;
	mb_close(l->tfd);
	mb_close(l->epfd);
	free(l);
}

static void polled_remove(struct mb_loop *l, struct mb_io *w)
{
	for (struct mb_io **p = &l->polled; *p; p = &(*p)->poll_next)
		if (*p == w) {
			*p = w->poll_next;
			return;
		}
}

int mb_io_add(struct mb_loop *l, struct mb_io *w)
{
	struct epoll_event ev = { .events = w->events, .data.ptr = w };
	w->loop = l;
	w->polled = false;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0) {
		if (errno != EPERM)
			return mb_neg_errno();
		/* Regular files and some character devices are always ready
		 * and epoll refuses them: the loop polls them instead. */
		w->polled = true;
		w->poll_next = l->polled;
		l->polled = w;
	}
	w->added = true;
	return 0;
}

int mb_io_set(struct mb_io *w, uint32_t events)
{
	if (!w->added)
		return -EINVAL;
	if (w->events == events)
		return 0;
	w->events = events;
	if (w->polled)
		return 0;
	struct epoll_event ev = { .events = events, .data.ptr = w };
	return epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? mb_neg_errno() : 0;
}

void mb_io_del(struct mb_io *w)
{
	if (!w->added)
		return;
	struct mb_loop *l = w->loop;
	if (w->polled)
		polled_remove(l, w);
	else
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	for (int i = l->batch_i; l->batch && i < l->batch_n; i++)
		if (l->batch[i].data.ptr == w)
			l->batch[i].data.ptr = NULL;
	if (l->waiting) {
		if (l->ngone < MAX_GONE)
			l->gone[l->ngone++] = w;
		else
			l->gone_overflow = true;
	}
	w->added = false;
}

void mb_timer_cancel(struct mb_loop *l, struct mb_timer *t)
{
	if (!t->armed)
		return;
	for (struct mb_timer **p = &l->timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->armed = false;
	if (l->waiting)
		sync_timerfd(l);
}

void mb_timer_arm(struct mb_loop *l, struct mb_timer *t, uint64_t ms)
{
	mb_timer_cancel(l, t);
	t->due = mb_now_ns() + ms * 1000000u;
	struct mb_timer **p = &l->timers;
	while (*p && (*p)->due <= t->due)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	t->armed = true;
	if (l->waiting) /* another thread: the loop sleeps on the old deadline */
		sync_timerfd(l);
}

void mb_loop_quit(struct mb_loop *l)
{
	l->quit = true;
}

void mb_loop_set_idle(struct mb_loop *l, void (*fn)(void *ud), void *ud)
{
	l->idle = fn;
	l->idle_ud = ud;
}

/* 0 when a polled watcher wants a turn, else -1: timers come by the
 * timerfd. */
static int next_timeout(struct mb_loop *l)
{
	for (struct mb_io *w = l->polled; w; w = w->poll_next)
		if (w->events)
			return 0;
	return -1;
}

static void run_timers(struct mb_loop *l)
{
	if (!l->tfd_fired || !l->timers)
		return;
	l->tfd_fired = false;
	uint64_t now = mb_now_ns();
	while (!l->quit && l->timers && l->timers->due <= now) {
		struct mb_timer *t = l->timers;
		l->timers = t->next;
		t->armed = false;
		t->cb(t);
	}
}

static void run_polled(struct mb_loop *l)
{
	/* A callback may delete watchers: restart from the head after each. */
	struct mb_io *w = l->polled;
	while (!l->quit && w) {
		struct mb_io *next = w->poll_next;
		uint32_t ev = w->events & (EPOLLIN | EPOLLOUT);
		if (ev) {
			w->cb(w, ev);
		}
		w = next;
		/* next may have been removed by the callback; verify. */
		bool found = false;
		for (struct mb_io *x = l->polled; x; x = x->poll_next)
			if (x == w)
				found = true;
		if (!found)
			w = NULL;
	}
}

void mb_loop_set_lock(struct mb_loop *l, pthread_mutex_t *m)
{
	l->lock = m;
}

/* epoll_wait, without the lock when the loop is shared; then the events
 * of watchers the other thread deleted meanwhile are dropped. */
static int wait_events(struct mb_loop *l, struct epoll_event *events)
{
	int timeout = next_timeout(l);
	if (!l->lock)
		return epoll_wait(l->epfd, events, MAX_EVENTS, timeout);
	l->waiting = true;
	pthread_mutex_unlock(l->lock);
	int n = epoll_wait(l->epfd, events, MAX_EVENTS, timeout);
	int e = errno;
	pthread_mutex_lock(l->lock);
	l->waiting = false;
	if (l->gone_overflow && n > 0)
		n = 0;
	for (int i = 0; i < n; i++)
		for (unsigned k = 0; k < l->ngone; k++)
			if (events[i].data.ptr == l->gone[k])
				events[i].data.ptr = NULL;
	l->ngone = 0;
	l->gone_overflow = false;
	errno = e;
	return n;
}

static int run_locked(struct mb_loop *l)
{
	struct epoll_event events[MAX_EVENTS];
	l->quit = false;
	while (!l->quit) {
		if (l->idle)
			l->idle(l->idle_ud);
		if (l->quit)
			break;
		sync_timerfd(l);
		int n = wait_events(l, events);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mb_neg_errno();
		}
		l->batch = events;
		l->batch_n = n;
		for (l->batch_i = 0; l->batch_i < n && !l->quit; ) {
			struct epoll_event *e = &events[l->batch_i++];
			struct mb_io *w = e->data.ptr;
			if (w)
				w->cb(w, e->events);
		}
		l->batch = NULL;
		l->batch_n = l->batch_i = 0;
		run_polled(l);
		run_timers(l);
	}
	return 0;
}

int mb_loop_run(struct mb_loop *l)
{
	if (l->lock)
		pthread_mutex_lock(l->lock);
	int r = run_locked(l);
	if (l->lock)
		pthread_mutex_unlock(l->lock);
	return r;
}

int mb_signalfd_open(const int *sigs, unsigned n)
{
	sigset_t set;
	sigemptyset(&set);
	for (unsigned i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return mb_neg_errno();
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? mb_neg_errno() : fd;
}
