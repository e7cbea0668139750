/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run's one event loop: epoll, with the watcher embedded in its
 * owner (libubox's uloop and seatd do the same). Signals arrive through a
 * signalfd, the child through its pidfd, timers behind one timerfd;
 * anything else with an fd (the seccomp listener of the notifier, say) is
 * one more mb_io.
 *
 * Deleting a watcher while events are being dispatched drops the events still
 * pending for it in the current batch, so an owner may free itself from its
 * own callback.
 *
 * One other thread may share the loop's state (membrane-run's notifier
 * thread deciding against the relay's tables): with mb_loop_set_lock(),
 * mb_loop_run() holds the mutex except while it waits in epoll_wait, and
 * the other thread, holding it, may add, change and delete watchers and arm
 * and cancel timers. A watcher deleted while the loop waited loses the
 * events that wait returned for it, as in a batch. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h> /* pthread_mutex_t, without <pthread.h>'s <time.h> */

struct mb_loop;
struct mb_io;

typedef void (*mb_io_fn)(struct mb_io *w, uint32_t revents);

struct mb_io {
	int fd;
	uint32_t events;   /* EPOLLIN / EPOLLOUT wanted now */
	mb_io_fn cb;
	/* private */
	struct mb_loop *loop;
	bool added;
	bool polled;       /* epoll refused the fd (regular file, /dev/null): it is
			      always ready and the loop calls cb on every turn */
	struct mb_io *poll_next;
};

struct mb_timer;
typedef void (*mb_timer_fn)(struct mb_timer *t);

struct mb_timer {
	mb_timer_fn cb;
	/* private */
	uint64_t due;      /* CLOCK_MONOTONIC ns */
	bool armed;
	struct mb_timer *next;
};

int mb_loop_new(struct mb_loop **ret);
void mb_loop_free(struct mb_loop *l);

/* Register w (fd, events, cb set by the caller). Returns 0 or -errno. */
int mb_io_add(struct mb_loop *l, struct mb_io *w);
/* Change the events wanted; 0 keeps the fd registered but quiet. */
int mb_io_set(struct mb_io *w, uint32_t events);
/* Unregister (the fd stays open: its owner closes it). Safe from callbacks. */
void mb_io_del(struct mb_io *w);

/* Arm t to fire once, ms milliseconds from now (re-arming moves it). */
void mb_timer_arm(struct mb_loop *l, struct mb_timer *t, uint64_t ms);
void mb_timer_cancel(struct mb_loop *l, struct mb_timer *t);

/* CLOCK_MONOTONIC in ns: the timers' clock. */
uint64_t mb_now_ns(void);
/* CLOCK_MONOTONIC_COARSE in ns (a few ms of resolution, and cheap): for
 * bookkeeping on the path of every message (the in-flight table's
 * deadlines). Never compare it with mb_now_ns(). */
uint64_t mb_coarse_ns(void);

/* Share the loop with another thread through m (see above); set before
 * mb_loop_run(), which then takes m itself. Only the loop's thread may call
 * mb_loop_quit(); a watcher epoll refuses (always ready) added by the other
 * thread is first polled when the loop wakes for something else. */
void mb_loop_set_lock(struct mb_loop *l, pthread_mutex_t *m);

/* Run until mb_loop_quit(). Returns 0, or -errno if epoll_wait failed. */
int mb_loop_run(struct mb_loop *l);
void mb_loop_quit(struct mb_loop *l);
/* Called after every dispatch round, before waiting again (flushing output
 * queues there turns many small writes into one). */
void mb_loop_set_idle(struct mb_loop *l, void (*fn)(void *ud), void *ud);

/* A signalfd for sigs, which are blocked in this thread. */
int mb_signalfd_open(const int *sigs, unsigned n);
