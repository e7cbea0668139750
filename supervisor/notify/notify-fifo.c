/* SPDX-License-Identifier: Apache-2.0 */
/* A FIFO the server opens without O_NONBLOCK waits, in the kernel, for its
 * other end. The supervisor's own open must never wait (it runs on the
 * event loop), so it opens with O_NONBLOCK (notify-open.c), and when that
 * finds a FIFO whose open would have waited, the waiting open is done again
 * here, blocking, on a short-lived helper thread that answers the
 * notification itself (ADDFD + SEND, on its own copy of the listener).
 * The thread is created by the notifier's thread and so starts with its
 * credentials, the server's (notify-ident.h), and its blocked signals.
 *
 * The complete way knows the object is a FIFO before opening anything, and
 * the helper's open then waits exactly as the server's would. The fast way
 * learns it only from its own non-blocking open, which a waiting writer
 * takes for the reader it waited for: the helper installs that open when a
 * writer has come since (data, or a writer come and gone), and otherwise
 * opens again, blocking. Left open: a writer that opens, writes and closes
 * in the instant between the two waits for the next writer.
 *
 * At most MAX_WAITS such opens wait at once; more get EAGAIN. A helper
 * whose server thread died meanwhile waits until the FIFO's other end
 * opens, or until membrane-run exits. While a helper waits, the server's
 * thread cannot be interrupted by a signal that is not fatal
 * (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), unlike in a plain open. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "supervisor/notify/notify-internal.h"

#define MAX_WAITS 16

static unsigned waits; /* process-wide: helpers outlive no notifier's memory */

struct job {
	int listener; /* our copy */
	uint64_t id;
	int pin;      /* the FIFO: an O_PATH descriptor, or our non-blocking open */
	int flags;
	bool cloexec;
};

/* Closes fd as soon as the server has its own: until then our copy is
 * one more reader or writer of the FIFO. */
static void answer(const struct job *j, int fd, int error)
{
	if (fd >= 0) {
		struct seccomp_notif_addfd a = {
			.id = j->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)fd,
			.newfd_flags = j->cloexec ? O_CLOEXEC : 0,
		};
		int r = ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
		int e = errno;
		mb_close(fd);
		if (r >= 0 || e == ENOENT)
			return;
		error = e;
	}
	struct seccomp_notif_resp r = { .id = j->id, .error = -error };
	(void)ioctl(j->listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* A reader we opened already (the fast way found the FIFO only then): if a
 * writer came since (data, or a writer come and gone), the server's open
 * would not have waited: install ours. */
static int writer_came(const struct job *j)
{
	struct pollfd p = { .fd = j->pin, .events = POLLIN };
	if ((fcntl(j->pin, F_GETFL) & O_ACCMODE) != O_RDONLY || (fcntl(j->pin, F_GETFL) & O_PATH))
		return -1;
	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP)))
		return -1;
	int fd = fcntl(j->pin, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0)
		(void)fcntl(fd, F_SETFL, j->flags & (O_APPEND | O_NONBLOCK | O_ASYNC));
	return fd;
}

static void *helper(void *arg)
{
	struct job *j = arg;
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", j->pin);
	int fd = writer_came(j);
	while (fd < 0) {
		fd = open(p, j->flags & ~O_NONBLOCK);
		if (fd >= 0 || errno != EINTR)
			break;
	}
	int e = errno;
	mb_close(j->pin);
	answer(j, fd, e);
	mb_close(j->listener);
	free(j);
	__atomic_sub_fetch(&waits, 1, __ATOMIC_RELAXED);
	return NULL;
}

int mb_fifo_open_later(struct mb_notifier *n, uint64_t id, int pin, int flags, bool cloexec)
{
	struct job *j = NULL;
	if (__atomic_add_fetch(&waits, 1, __ATOMIC_RELAXED) > MAX_WAITS || !(j = malloc(sizeof(*j))))
		goto fail;
	*j = (struct job){ .id = id, .pin = pin, .flags = flags, .cloexec = cloexec,
			   .listener = fcntl(n->fd, F_DUPFD_CLOEXEC, 0) };
	if (j->listener < 0)
		goto fail;
	pthread_attr_t at;
	pthread_t t;
	bool ok = pthread_attr_init(&at) == 0;
	ok = ok && pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) == 0 &&
	     pthread_attr_setstacksize(&at, 64 * 1024) == 0 && pthread_create(&t, &at, helper, j) == 0;
	pthread_attr_destroy(&at);
	if (ok)
		return 0;
fail:
	if (j)
		mb_close(j->listener);
	free(j);
	mb_close(pin);
	__atomic_sub_fetch(&waits, 1, __ATOMIC_RELAXED);
	return -EAGAIN;
}
