/* SPDX-License-Identifier: Apache-2.0 */
/* getaddrinfo off the event loop's thread: glibc's resolver blocks (up to
 * its timeouts), and the supervisor must answer every notification
 * meanwhile. A few workers, started as lookups queue up, take lookups from
 * a queue and put them on a done list; an eventfd tells the loop.
 *
 * The pool is shared between the loop's thread and the workers under one
 * mutex and freed by whoever leaves it last: mb_lookups_free() only marks
 * it closing, since a worker may sit inside getaddrinfo for seconds, and
 * that worker frees it when it comes out. Workers block every signal: the
 * loop's thread takes them through its signalfd. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/macros.h"
#include "supervisor/resolve/resolve-internal.h"

struct mb_lookups {
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct mb_lookup *queue, *queue_tail; /* to start */
	struct mb_lookup *done;               /* finished, newest first */
	int efd;
	unsigned threads, max_threads, idle;
	unsigned refs; /* the loop's, and one per worker */
	bool closing;
	void (*free_ud)(void *ud);
};

static void drop_list(struct mb_lookup *l, void (*free_ud)(void *))
{
	while (l) {
		struct mb_lookup *next = l->next;
		if (free_ud)
			free_ud(l->ud);
		free(l);
		l = next;
	}
}

/* Called with the lock held; unlocks. Frees the pool when nobody is left. */
static void unref_unlock(struct mb_lookups *p)
{
	bool last = --p->refs == 0;
	pthread_mutex_unlock(&p->mu);
	if (!last)
		return;
	drop_list(p->queue, p->free_ud);
	drop_list(p->done, p->free_ud);
	mb_close(p->efd);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static void resolve_one(struct mb_lookup *l)
{
	/* No AI_ADDRCONFIG: the sandbox asks for both families, whatever the
	 * host has configured; no AI_V4MAPPED: an AAAA answer is real IPv6. */
	struct addrinfo hints = { .ai_family = l->family, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	l->gai = getaddrinfo(l->name, NULL, &hints, &res);
	l->sys_errno = l->gai == EAI_SYSTEM ? errno : 0;
	l->n = 0;
	for (const struct addrinfo *ai = res; ai && l->n < MB_LOOKUP_ADDRS; ai = ai->ai_next) {
		struct mb_addr a;
		if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in))
			mb_addr_set_v4(&a, (const uint8_t *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 0);
		else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
			mb_addr_set_v6(&a, ((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr.s6_addr, 0);
		else
			continue;
		bool dup = false;
		for (size_t i = 0; i < l->n && !dup; i++)
			dup = l->addrs[i].family == a.family && memcmp(l->addrs[i].addr, a.addr, 16) == 0;
		if (!dup)
			l->addrs[l->n++] = a;
	}
	if (res)
		freeaddrinfo(res);
}

static void *worker(void *arg)
{
	struct mb_lookups *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->queue && !p->closing) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->mu);
			p->idle--;
		}
		if (p->closing)
			break;
		struct mb_lookup *l = p->queue;
		p->queue = l->next;
		if (!p->queue)
			p->queue_tail = NULL;
		pthread_mutex_unlock(&p->mu);
		resolve_one(l);
		pthread_mutex_lock(&p->mu);
		if (p->closing) {
			drop_list((l->next = NULL, l), p->free_ud);
			break;
		}
		l->next = p->done;
		p->done = l;
		uint64_t one = 1;
		if (write(p->efd, &one, sizeof(one)) < 0) {
			/* the counter is full: it is readable anyway */
		}
	}
	p->threads--;
	unref_unlock(p);
	return NULL;
}

int mb_lookups_new(unsigned threads, struct mb_lookups **ret)
{
	struct mb_lookups *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd < 0) {
		int r = -errno;
		free(p);
		return r;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	p->max_threads = threads ? threads : 1;
	p->refs = 1;
	*ret = p;
	return 0;
}

int mb_lookups_fd(const struct mb_lookups *p)
{
	return p->efd;
}

/* With the lock held: one more worker when every one is busy. */
static int grow(struct mb_lookups *p)
{
	if (p->idle > 0 || p->threads >= p->max_threads)
		return 0;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* inherited by the worker */
	pthread_t t;
	int e = pthread_create(&t, &attr, worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e != 0)
		return p->threads ? 0 : -e; /* the ones there will get to it */
	p->threads++;
	p->refs++;
	return 0;
}

int mb_lookups_submit(struct mb_lookups *p, struct mb_lookup *l)
{
	pthread_mutex_lock(&p->mu);
	int r = grow(p);
	if (r == 0) {
		l->next = NULL;
		if (p->queue_tail)
			p->queue_tail->next = l;
		else
			p->queue = l;
		p->queue_tail = l;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->mu);
	return r;
}

struct mb_lookup *mb_lookups_done(struct mb_lookups *p)
{
	uint64_t n;
	pthread_mutex_lock(&p->mu);
	struct mb_lookup *l = p->done;
	if (l)
		p->done = l->next;
	else if (read(p->efd, &n, sizeof(n)) < 0) {
		/* nothing counted: nothing to read */
	}
	pthread_mutex_unlock(&p->mu);
	return l;
}

void mb_lookups_free(struct mb_lookups *p, void (*free_ud)(void *ud))
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	p->free_ud = free_ud;
	pthread_cond_broadcast(&p->work);
	unref_unlock(p);
}
