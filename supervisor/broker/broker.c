/* SPDX-License-Identifier: Apache-2.0 */
/* The broker's performing half: the connects, binds and listens it does
 * for the server, the waits of blocking calls in the event loop, and the
 * answers. broker-decide.c decides (broker-rule.h), broker-send.c sends.
 * See broker.h for what is kept of connect(2)'s meaning. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/macros.h"
#include "supervisor/broker/broker-internal.h"

int mb_broker_new(const struct mb_broker_config *cfg, struct mb_broker **ret, struct mb_error *err)
{
	struct mb_broker *b = calloc(1, sizeof(*b));
	if (!b)
		return mb_error_set(err, -ENOMEM, "out of memory");
	b->cfg = *cfg;
	b->listener = -1;
	*ret = b;
	return 0;
}

static void wait_free(struct mb_broker_wait *w);
static void answer(struct mb_broker *b, uint64_t id, int error);

void mb_broker_free(struct mb_broker *b)
{
	if (!b)
		return;
	while (b->waits)
		wait_free(b->waits);
	mb_sockopt_defaults_free(b->defaults);
	free(b);
}

void mb_broker_set_listener(struct mb_broker *b, int listener)
{
	b->listener = listener;
}

void mb_broker_set_loop(struct mb_broker *b, struct mb_loop *loop)
{
	if (loop == b->loop)
		return;
	/* The old loop may be freed already: forget the waits' places in it
	 * without touching it, and give up the waits (their threads are
	 * gone, or the answer would never come). */
	for (struct mb_broker_wait *w = b->waits; w; w = w->next)
		w->watched = w->timed = false;
	while (b->waits) {
		answer(b, b->waits->id, ECONNABORTED);
		wait_free(b->waits);
	}
	b->loop = loop;
}

const struct mb_broker_stats *mb_broker_stats(const struct mb_broker *b)
{
	return &b->stats;
}

unsigned mb_broker_waiting(const struct mb_broker *b)
{
	return b->nwaits;
}

socklen_t mb_broker_sockaddr(const struct mb_addr *a, int domain, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET && domain != AF_INET6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(a->port);
	if (a->family == AF_INET) { /* ::ffff:a.b.c.d, as the server wrote it */
		sin6->sin6_addr.s6_addr[10] = 0xff;
		sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], a->addr, 4);
	} else {
		memcpy(&sin6->sin6_addr, a->addr, 16);
	}
	return sizeof(*sin6);
}

/* ---- answering ---------------------------------------------------------- */

void mb_broker_reply(struct mb_broker *b, uint64_t id, int64_t val, int error)
{
	struct seccomp_notif_resp resp = { .id = id, .error = error ? -error : 0,
					   .val = error ? 0 : val };
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno == ENOENT)
		b->stats.vanished++;
}

static void answer(struct mb_broker *b, uint64_t id, int error)
{
	mb_broker_reply(b, id, 0, error);
}

/* Put sock at the server's newfd (replacing its socket, as dup2 would),
 * with the server's O_NONBLOCK and close-on-exec. Returns 0 or -errno. */
static int install(struct mb_broker *b, uint64_t id, int sock, int newfd, int status_fl,
		   bool cloexec)
{
	int fl = fcntl(sock, F_GETFL);
	if (fl < 0 || fcntl(sock, F_SETFL, (fl & ~O_NONBLOCK) | (status_fl & O_NONBLOCK)) < 0)
		return -errno;
	struct seccomp_notif_addfd a = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)sock,
		.newfd = (uint32_t)newfd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0)
		return -errno;
	b->stats.installed++;
	return 0;
}

/* Install (if there is a socket to install) and answer error (0: success,
 * EINPROGRESS...). A failed install is the answer instead. */
static void install_and_answer(struct mb_broker *b, uint64_t id, int sock, int newfd,
			       int status_fl, bool cloexec, int error)
{
	if (sock >= 0) {
		int r = install(b, id, sock, newfd, status_fl, cloexec);
		if (r == -ENOENT) {
			b->stats.vanished++;
			return;
		}
		if (r < 0)
			error = -r;
	}
	answer(b, id, error);
}

/* ---- blocking calls ------------------------------------------------------ */

static void wait_free(struct mb_broker_wait *w)
{
	struct mb_broker *b = w->b;
	if (w->watched)
		mb_io_del(&w->w);
	if (w->timed && b->loop)
		mb_timer_cancel(b->loop, &w->t);
	mb_close(w->sock);
	mb_send_job_free(w->job);
	if (w->prev)
		w->prev->next = w->next;
	else
		b->waits = w->next;
	if (w->next)
		w->next->prev = w->prev;
	b->nwaits--;
	free(w);
}

/* Answer a blocking connect on sock: done (the socket became writable: its
 * SO_ERROR is the answer) or not (SO_SNDTIMEO expired first: EINPROGRESS,
 * as connect(2) says then). A failed connect installs nothing: the server
 * keeps its own socket, as a failed connect leaves it. */
static void complete(struct mb_broker *b, uint64_t id, int sock, bool install_it, int newfd,
		     int status_fl, bool cloexec, bool done)
{
	int error = EINPROGRESS;
	if (done) {
		socklen_t len = sizeof(error);
		if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
			error = errno;
	}
	if (error && error != EINPROGRESS) {
		b->stats.failed++;
		answer(b, id, error);
		return;
	}
	install_and_answer(b, id, install_it ? sock : -1, newfd, status_fl, cloexec, error);
}

/* The socket is writable, or the timeout expired: a send goes on (and may
 * wait again), a connect is answered. */
static void wait_done(struct mb_broker_wait *w, bool timed_out)
{
	if (w->job) {
		if (!mb_send_resume(w->job, timed_out))
			return;
	} else {
		complete(w->b, w->id, w->sock, w->install, w->newfd, w->status_fl, w->cloexec,
			 !timed_out);
	}
	wait_free(w);
}

static void on_wait_ready(struct mb_io *watch, uint32_t ev)
{
	(void)ev;
	wait_done((struct mb_broker_wait *)((char *)watch - offsetof(struct mb_broker_wait, w)),
		  false);
}

static void on_wait_timeout(struct mb_timer *t)
{
	struct mb_broker_wait *w = (struct mb_broker_wait *)((char *)t - offsetof(struct mb_broker_wait, t));
	w->timed = false;
	wait_done(w, true);
}

uint64_t mb_broker_send_timeout_ms(int fd)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) < 0 || tv.tv_sec < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
}

/* Wait in the loop for fd to be writable, at most timeout ms (0: no limit).
 * *w is filled by the caller, fd and the callbacks here. Returns false
 * (answered ENOBUFS, w freed) when the loop cannot take it. */
static bool wait_in_loop(struct mb_broker *b, struct mb_broker_wait *w, int fd, uint64_t timeout)
{
	w->b = b;
	w->next = b->waits;
	if (b->waits)
		b->waits->prev = w;
	b->waits = w;
	b->nwaits++;
	b->stats.pending++;
	w->w.fd = fd;
	w->w.events = EPOLLOUT;
	w->w.cb = on_wait_ready;
	if (mb_io_add(b->loop, &w->w) < 0) {
		answer(b, w->id, ENOBUFS);
		wait_free(w);
		return false;
	}
	w->watched = true;
	if (timeout) {
		w->t.cb = on_wait_timeout;
		w->timed = true;
		mb_timer_arm(b->loop, &w->t, timeout);
	}
	return true;
}

/* Answer later, when sock (owned from here) is connected or failed. */
static void wait_for(struct mb_broker *b, uint64_t id, int sock, bool install_it,
		     const struct mb_srvsock *ss, int newfd)
{
	uint64_t timeout = mb_broker_send_timeout_ms(ss->fd);
	/* Often done already (a loopback handshake completes within our own
	 * connect): then no turn of the loop. Without a loop (tests), wait
	 * here. */
	struct pollfd p = { .fd = sock, .events = POLLOUT };
	int r = poll(&p, 1, b->loop ? 0 : timeout ? (int)timeout : -1);
	if (r > 0 || !b->loop) {
		complete(b, id, sock, install_it, newfd, ss->status_fl, ss->cloexec, r > 0);
		close(sock);
		return;
	}
	struct mb_broker_wait *w = calloc(1, sizeof(*w));
	if (!w) {
		close(sock);
		answer(b, id, ENOBUFS);
		return;
	}
	*w = (struct mb_broker_wait){
		.id = id, .sock = sock, .newfd = newfd, .install = install_it,
		.cloexec = ss->cloexec, .status_fl = ss->status_fl,
	};
	wait_in_loop(b, w, sock, timeout);
}

void mb_broker_wait_send(struct mb_broker *b, uint64_t id, int sock, uint64_t timeout_ms,
			 struct mb_send_job *j)
{
	if (!b->loop) { /* tests: wait here */
		bool done = false;
		while (!done) {
			struct pollfd p = { .fd = sock, .events = POLLOUT };
			int r = poll(&p, 1, timeout_ms ? (int)timeout_ms : -1);
			done = mb_send_resume(j, r == 0);
		}
		mb_send_job_free(j);
		return;
	}
	struct mb_broker_wait *w = calloc(1, sizeof(*w));
	if (!w) {
		answer(b, id, ENOBUFS);
		mb_send_job_free(j);
		return;
	}
	*w = (struct mb_broker_wait){ .id = id, .sock = -1, .job = j };
	wait_in_loop(b, w, sock, timeout_ms);
}

/* ---- performing --------------------------------------------------------- */

/* The lowest port a process without CAP_NET_BIND_SERVICE may bind on the
 * host (net.ipv4.ip_unprivileged_port_start, the supervisor's namespace). */
static unsigned unprivileged_port_start(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	mb_close(fd);
	return n > 0 ? (unsigned)strtoul(buf, NULL, 10) : 1024;
}

/* The server has no capabilities: a bind below that port on the host is
 * the kernel's EACCES to it, whatever the supervisor itself may do. */
static bool bind_refused(const struct mb_addr *a)
{
	return a->port != 0 && a->port < unprivileged_port_start();
}

/* A new socket in our namespace, set up like the server's, connected or
 * bound to the checked address a, then handed over. */
void mb_broker_perform_brokered(struct mb_broker *b, const struct mb_notified_op *op,
				struct mb_srvsock *ss, enum mb_net_call call,
				const struct mb_addr *a)
{
	int fd = (int)op->args[0];
	if (call == MB_NET_BIND && bind_refused(a)) {
		answer(b, op->id, EACCES);
		return;
	}
	/* Installed in place of the server's: its close-on-exec flag, read
	 * now (the thread waits in this call), fail closed. */
	if (mb_srvsock_cloexec(ss) < 0) {
		b->stats.denied++;
		answer(b, op->id, EACCES);
		return;
	}
	int s = socket(ss->domain, ss->type | SOCK_NONBLOCK | SOCK_CLOEXEC, ss->protocol);
	if (s < 0) {
		b->stats.failed++;
		answer(b, op->id, errno);
		return;
	}
	mb_sockopt_copy(&b->defaults, ss->fd, s, ss->domain, ss->type, ss->protocol, &b->stats);
	struct sockaddr_storage sa;
	socklen_t len = mb_broker_sockaddr(a, ss->domain, &sa);
	b->stats.brokered++;
	int r = call == MB_NET_BIND ? bind(s, (struct sockaddr *)&sa, len)
				    : connect(s, (struct sockaddr *)&sa, len);
	int e = r < 0 ? errno : 0;
	if (e == EINPROGRESS && !(ss->status_fl & O_NONBLOCK)) {
		wait_for(b, op->id, s, true, ss, fd);
		return;
	}
	if (e && e != EINPROGRESS) {
		b->stats.failed++;
		close(s);
		answer(b, op->id, e);
		return;
	}
	install_and_answer(b, op->id, s, fd, ss->status_fl, ss->cloexec, e);
	close(s);
}

/* connect or bind on the server's own socket (our copy of it) to a. A
 * blocking stream socket is switched to O_NONBLOCK for the call, the
 * supervisor never waits: the flag is the open file's, shared with the
 * server, for the length of one connect(2) of ours while the server's
 * thread is held in this very call. */
void mb_broker_in_place(struct mb_broker *b, const struct mb_notified_op *op,
			struct mb_srvsock *ss, enum mb_net_call call, const struct mb_addr *a)
{
	struct sockaddr_storage sa;
	socklen_t len = mb_broker_sockaddr(a, ss->domain, &sa);
	b->stats.brokered++;
	if (call == MB_NET_BIND) {
		int r = ss->host && bind_refused(a) ? -EACCES
			: bind(ss->fd, (struct sockaddr *)&sa, len) < 0 ? -errno : 0;
		answer(b, op->id, -r);
		return;
	}
	bool flip = !(ss->status_fl & O_NONBLOCK) && ss->type == SOCK_STREAM;
	if (flip && fcntl(ss->fd, F_SETFL, ss->status_fl | O_NONBLOCK) < 0) {
		answer(b, op->id, errno);
		return;
	}
	int r = connect(ss->fd, (struct sockaddr *)&sa, len);
	int e = r < 0 ? errno : 0;
	if (flip)
		(void)fcntl(ss->fd, F_SETFL, ss->status_fl);
	if (flip && e == EINPROGRESS) {
		wait_for(b, op->id, ss->fd, false, ss, (int)op->args[0]);
		ss->fd = -1; /* the wait owns it */
		return;
	}
	if (e && e != EINPROGRESS)
		b->stats.failed++;
	answer(b, op->id, e);
}

/* A call whose outcome cannot reach anything new, done as the server wrote
 * it on our copy of its socket: connect with AF_UNSPEC (dissolves the
 * association), listen (backlog a register). */
void mb_broker_raw(struct mb_broker *b, const struct mb_notified_op *op, struct mb_srvsock *ss)
{
	b->stats.brokered++;
	int r;
	if (op->sc->kind == MB_WATCH_LISTEN)
		r = listen(ss->fd, (int)op->args[1]);
	else
		r = connect(ss->fd, (const struct sockaddr *)op->t[0].sa, op->t[0].salen);
	answer(b, op->id, r < 0 ? errno : 0);
}
