/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier on threads of its own, each waiting in SECCOMP_IOCTL_NOTIF_RECV
 * itself (membrane-run's way since issue 19; notify-loop.h is the other).
 *
 * Why a thread: with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP the kernel wakes a
 * task waiting on the listener on the notifying thread's own CPU
 * (wake_up_poll_on_current_cpu), which is about to sleep: the server's
 * thread and the supervisor hand the CPU to each other instead of waking
 * the other CPU, which costs tens of microseconds on these machines
 * (bench/notify-results.md). Through epoll that hint is lost: epoll's own wake-up
 * of the loop is a plain one. A thread blocked in RECV gets it, and a
 * notification no longer waits behind the relay's work either.
 *
 * Why several (one per CPU, 2 to 4, the others started by the first once
 * it has had 16 notifications, so a short command runs with one): an open
 * the supervisor performs is installed with ADDFD, which waits until the
 * server's thread has been scheduled to take the file; in a Node server's
 * start several threads open at once, and one notifier would leave them
 * queued behind that wait (bench/node-results.md). Each worker is a twin
 * of the first (mb_notifier_twin) on the same listener; RECV gives each
 * notification to one of them.
 *
 * The hand-off: a worker does everything a notification needs (read,
 * resolve, perform, answer) on state only it touches, and calls the
 * decision callbacks holding the lock the relay's loop holds whenever it
 * runs (mb_loop_set_lock): the in-flight table, the correlator, the broker
 * and the reporter are only ever touched under it, by one thread at a time.
 * The loop is idle in epoll_wait most of the time, so the lock is nearly
 * always free (bench/README.md: the options measured).
 *
 * Signals: the workers block every signal but SIGURG, by which stopping
 * interrupts their RECV (a watched process that lingers, under --best-effort
 * without a pid namespace, would keep it waiting). */
#pragma once

#include <pthread.h>

#include "supervisor/notify/notify.h"

struct mb_notifier_thread;

/* Start handling n's notifications on new threads, deciding under lock
 * (which the caller's loop holds while it runs, mb_loop_set_lock). pidfd:
 * the sandbox's init, killed if the listener breaks (fail closed). n and
 * lock must outlive mb_notifier_thread_stop(). Returns 0 or -errno. */
int mb_notifier_thread_start(struct mb_notifier *n, pthread_mutex_t *lock, int pidfd,
			     struct mb_notifier_thread **ret);
/* Close n's and its twins' decisions (mb_notifier_close), stop the threads
 * and wait for them.
 * Call without holding the lock. NULL is a no-op. */
void mb_notifier_thread_stop(struct mb_notifier_thread *t);
