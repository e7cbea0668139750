/* The broker: decide a network operation with the rule, perform it where
 * the rule says, answer. See broker.h for what is kept of connect(2)'s
 * meaning and broker-rule.h for the rule. */
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

/* What the supervisor sends on the server's behalf, at most: a UDP
 * datagram's size. A stream send may be cut short (a short count, as
 * send(2) may return). */
#define MB_SEND_MAX 65536
#define MB_CONTROL_MAX 4096
#define MB_IOV_MAX 1024

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

bool mb_broker_handles(const struct mb_notified_op *op)
{
	uint8_t k = op->sc->kind;
	return k == MB_WATCH_LISTEN ||
	       ((k == MB_WATCH_SOCKADDR || k == MB_WATCH_MSGHDR || k == MB_WATCH_MMSGHDR) &&
		op->n == 1 && op->t[0].kind == MB_TARGET_INET);
}

static enum mb_net_call call_of(const struct mb_watch_syscall *sc)
{
	if (sc->nr == SYS_connect)
		return MB_NET_CONNECT;
	if (sc->nr == SYS_bind)
		return MB_NET_BIND;
	return MB_NET_SEND;
}

static enum mb_net_scope scope_of(const struct mb_addr *a)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	if (a->family == AF_INET)
		return a->addr[0] == 127 ? MB_ADDR_LOOPBACK
		       : memcmp(a->addr, zero, 4) == 0 ? MB_ADDR_ANY
						       : MB_ADDR_REMOTE;
	if (memcmp(a->addr, one, 16) == 0)
		return MB_ADDR_LOOPBACK;
	return memcmp(a->addr, zero, 16) == 0 ? MB_ADDR_ANY : MB_ADDR_REMOTE;
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

static void answer(struct mb_broker *b, uint64_t id, int error)
{
	struct seccomp_notif_resp resp = { .id = id, .error = error ? -error : 0 };
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno == ENOENT)
		b->stats.vanished++;
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

/* ---- blocking connects -------------------------------------------------- */

static void wait_free(struct mb_broker_wait *w)
{
	struct mb_broker *b = w->b;
	if (w->watched)
		mb_io_del(&w->w);
	if (w->timed && b->loop)
		mb_timer_cancel(b->loop, &w->t);
	mb_close(w->sock);
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

static void wait_done(struct mb_broker_wait *w, bool timed_out)
{
	complete(w->b, w->id, w->sock, w->install, w->newfd, w->status_fl, w->cloexec, !timed_out);
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

/* The server's SO_SNDTIMEO in ms (0: none), which bounds a blocking connect. */
static uint64_t send_timeout_ms(int fd)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) < 0 || tv.tv_sec < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
}

/* Answer later, when sock (owned from here) is connected or failed. */
static void wait_for(struct mb_broker *b, uint64_t id, int sock, bool install_it,
		     const struct mb_srvsock *ss, int newfd)
{
	uint64_t timeout = send_timeout_ms(ss->fd);
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
		.b = b, .id = id, .sock = sock, .newfd = newfd, .install = install_it,
		.cloexec = ss->cloexec, .status_fl = ss->status_fl, .next = b->waits,
	};
	if (b->waits)
		b->waits->prev = w;
	b->waits = w;
	b->nwaits++;
	b->stats.pending++;
	w->w.fd = sock;
	w->w.events = EPOLLOUT;
	w->w.cb = on_wait_ready;
	if (mb_io_add(b->loop, &w->w) < 0) {
		answer(b, id, ENOBUFS);
		wait_free(w);
		return;
	}
	w->watched = true;
	if (timeout) {
		w->t.cb = on_wait_timeout;
		w->timed = true;
		mb_timer_arm(b->loop, &w->t, timeout);
	}
}

/* ---- performing --------------------------------------------------------- */

/* A new socket in our namespace, set up like the server's, connected or
 * bound to the checked address, then handed over. */
static void perform_brokered(struct mb_broker *b, const struct mb_notified_op *op,
			     struct mb_srvsock *ss, enum mb_net_call call)
{
	int fd = (int)op->args[0];
	int s = socket(ss->domain, ss->type | SOCK_NONBLOCK | SOCK_CLOEXEC, ss->protocol);
	if (s < 0) {
		b->stats.failed++;
		answer(b, op->id, errno);
		return;
	}
	mb_sockopt_copy(&b->defaults, ss->fd, s, ss->domain, ss->type, ss->protocol, &b->stats);
	struct sockaddr_storage sa;
	socklen_t len = mb_broker_sockaddr(&op->t[0].addr, ss->domain, &sa);
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

/* connect or bind on the server's own socket (our copy of it). A blocking
 * stream socket is switched to O_NONBLOCK for the call, the supervisor
 * never waits: the flag is the open file's, shared with the server, for
 * the length of one connect(2) of ours while the server's thread is held
 * in this very call. */
static void in_place_connect(struct mb_broker *b, const struct mb_notified_op *op,
			     struct mb_srvsock *ss, enum mb_net_call call)
{
	struct sockaddr_storage sa;
	socklen_t len = mb_broker_sockaddr(&op->t[0].addr, ss->domain, &sa);
	if (call == MB_NET_BIND) {
		int r = bind(ss->fd, (struct sockaddr *)&sa, len);
		answer(b, op->id, r < 0 ? errno : 0);
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

/* Read len bytes of the server's memory at addr into buf. */
static int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec l = { .iov_base = buf, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* Gather a sendmsg's iovecs (at most MB_SEND_MAX bytes) into buf. */
static ssize_t gather(pid_t pid, const struct msghdr *mh, char *buf)
{
	size_t n = mh->msg_iovlen, got = 0;
	if (n > MB_IOV_MAX)
		return -EMSGSIZE;
	struct iovec iov[64];
	for (size_t i = 0; i < n && got < MB_SEND_MAX; i += 64) {
		size_t k = MB_MIN(n - i, (size_t)64);
		int r = remote_read(pid, (uint64_t)(uintptr_t)(mh->msg_iov + i), iov,
				    k * sizeof(struct iovec));
		if (r < 0)
			return r;
		for (size_t j = 0; j < k && got < MB_SEND_MAX; j++) {
			size_t take = MB_MIN(iov[j].iov_len, (size_t)MB_SEND_MAX - got);
			r = remote_read(pid, (uint64_t)(uintptr_t)iov[j].iov_base, buf + got, take);
			if (r < 0)
				return r;
			got += take;
		}
	}
	return (ssize_t)got;
}

/* sendto or sendmsg on the server's own socket, to the checked address,
 * with the data read from its memory; never waiting (MSG_DONTWAIT). */
static void in_place_send(struct mb_broker *b, const struct mb_notified_op *op,
			  struct mb_srvsock *ss)
{
	static char data[MB_SEND_MAX], control[MB_CONTROL_MAX];
	struct sockaddr_storage sa;
	socklen_t salen = mb_broker_sockaddr(&op->t[0].addr, ss->domain, &sa);
	struct iovec iov = { .iov_base = data };
	struct msghdr out = { .msg_name = &sa, .msg_namelen = salen, .msg_iov = &iov, .msg_iovlen = 1 };
	int flags;
	int r;
	if (op->sc->kind == MB_WATCH_SOCKADDR) { /* sendto(fd, buf, len, flags, addr, addrlen) */
		iov.iov_len = MB_MIN((size_t)op->args[2], (size_t)MB_SEND_MAX);
		flags = (int)op->args[3];
		r = remote_read(op->pid, op->args[1], data, iov.iov_len);
	} else { /* sendmsg(fd, msg, flags) */
		struct msghdr mh;
		flags = (int)op->args[2];
		r = remote_read(op->pid, op->args[1], &mh, sizeof(mh));
		ssize_t n = r < 0 ? r : gather(op->pid, &mh, data);
		r = n < 0 ? (int)n : 0;
		iov.iov_len = n < 0 ? 0 : (size_t)n;
		if (r == 0 && mh.msg_control && mh.msg_controllen) {
			if (mh.msg_controllen > MB_CONTROL_MAX)
				r = -ENOBUFS;
			else
				r = remote_read(op->pid, (uint64_t)(uintptr_t)mh.msg_control, control,
						mh.msg_controllen);
			out.msg_control = control;
			out.msg_controllen = mh.msg_controllen;
		}
	}
	if (r < 0) {
		answer(b, op->id, -r);
		return;
	}
	ssize_t sent = sendmsg(ss->fd, &out, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0) {
		answer(b, op->id, errno);
		return;
	}
	struct seccomp_notif_resp resp = { .id = op->id, .val = sent };
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno == ENOENT)
		b->stats.vanished++;
}

/* ---- deciding ----------------------------------------------------------- */

struct presence_ctx {
	const struct mb_notified_op *op;
	bool stream;
	enum mb_network network;
};

static enum mb_net_presence presence(void *ud)
{
	struct presence_ctx *c = ud;
	const struct mb_addr *a = &c->op->t[0].addr;
	if (c->network != MB_NET_HOST) {
		int r = mb_net_bound(c->op->pid, c->stream, a);
		if (r > 0)
			return MB_PRESENT_INSIDE;
		if (r < 0)
			return MB_PRESENT_ON_HOST; /* cannot tell: report rather than not */
	}
	int r = mb_net_bound(0, c->stream, a);
	return r != 0 ? MB_PRESENT_ON_HOST : MB_PRESENT_NOWHERE;
}

static struct mb_answer verdict(enum mb_verdict v, int error)
{
	return (struct mb_answer){ v, error };
}

/* The server's socket the call names (its first argument), or false with
 * the answer to give: the kernel's own EBADF or ENOTSOCK, given without
 * CONTINUE (another thread could put a socket at that number before the
 * kernel looked again), or EACCES when the thread is gone or its fds are
 * out of reach (fail closed). */
static bool server_socket(struct mb_broker *b, const struct mb_notified_op *op,
			  struct mb_srvsock *ss, struct mb_answer *refused)
{
	int r = mb_srvsock_get(b, op->pid, (int)op->args[0], ss);
	if (r == 0)
		return true;
	b->stats.denied++;
	*refused = verdict(MB_VERDICT_DENY, r == -EBADF || r == -ENOTSOCK ? -r : EACCES);
	return false;
}

/* listen(2) on an IPv4 or IPv6 socket never bound binds it first, to every
 * address of its family and a port the kernel picks, with no bind(2) for
 * the filter or Landlock to see. In the sandbox's own network namespace
 * that is the sandbox's business; on the host's it is a bind of 0.0.0.0:0
 * or [::]:0, held to the grants like any bind. A socket already bound had
 * its bind decided. (An unbound AF_UNIX socket autobinds a random abstract
 * name: no name a host service owns.) */
static struct mb_answer decide_listen(struct mb_broker *b, const struct mb_notified_op *op)
{
	b->stats.decided++;
	_cleanup_(mb_srvsock_done) struct mb_srvsock ss = { .fd = -1 };
	struct mb_answer refused;
	if (!server_socket(b, op, &ss, &refused))
		return refused;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	struct mb_addr a = { 0 };
	if (!ss.host || getsockname(ss.fd, (struct sockaddr *)&sa, &len) < 0)
		goto cont;
	if (sa.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
		if (in->sin_port)
			goto cont;
		mb_addr_set_v4(&a, (const uint8_t *)&in->sin_addr, 0);
	} else if (sa.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
		if (in6->sin6_port)
			goto cont;
		mb_addr_set_v6(&a, in6->sin6_addr.s6_addr, 0);
	} else {
		goto cont;
	}
	enum mb_net_grant g = b->cfg.hooks.granted ? b->cfg.hooks.granted(b->cfg.hooks.ud, op, MB_OP_BIND, &a)
						   : MB_NET_NOT_GRANTED;
	if (g == MB_NET_GRANTED)
		goto cont;
	bool audit = b->cfg.mode == MB_MODE_AUDIT;
	struct mb_net_outcome out = {
		.action = audit ? MB_NET_DO_CONTINUE : MB_NET_DO_DENY, .error = EPERM, .report = true,
		.allowed = audit,
		.reason = "listen(2) on a socket never bound binds every address of the host on a "
			  "port the kernel picks: not granted to any request in flight",
	};
	if (b->cfg.hooks.report && b->cfg.hooks.report(b->cfg.hooks.ud, op, MB_OP_BIND, &a, &out) < 0)
		audit = false; /* no report, no operation */
	if (!audit) {
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, EPERM);
	}
cont:
	b->stats.continued++;
	return verdict(MB_VERDICT_PROBE, 0);
}

struct mb_answer mb_broker_decide(struct mb_broker *b, const struct mb_notified_op *op)
{
	if (op->sc->kind == MB_WATCH_LISTEN)
		return decide_listen(b, op);
	const struct mb_notified_target *t = &op->t[0];
	enum mb_net_call call = call_of(op->sc);
	enum mb_op o = call == MB_NET_BIND ? MB_OP_BIND : MB_OP_CONNECT;
	b->stats.decided++;

	_cleanup_(mb_srvsock_done) struct mb_srvsock ss = { .fd = -1 };
	struct mb_answer refused;
	if (!server_socket(b, op, &ss, &refused))
		return refused;

	struct presence_ctx pc = { op, ss.type == SOCK_STREAM, b->cfg.network };
	struct mb_net_facts f = {
		.network = b->cfg.network,
		.mode = b->cfg.mode,
		.call = call,
		.host_socket = b->cfg.network == MB_NET_HOST || (ss.host && b->cfg.network != MB_NET_NONE),
		.brokerable = ss.type == SOCK_STREAM || ss.type == SOCK_DGRAM,
		.stream = ss.type == SOCK_STREAM,
		.batch = op->sc->kind == MB_WATCH_MMSGHDR,
		.scope = scope_of(&t->addr),
		.grant = b->cfg.hooks.granted ? b->cfg.hooks.granted(b->cfg.hooks.ud, op, o, &t->addr)
					      : MB_NET_NOT_GRANTED,
		.presence = presence,
		.presence_ud = &pc,
	};
	struct mb_net_outcome out = mb_net_rule(&f);
	if (out.report && b->cfg.hooks.report &&
	    b->cfg.hooks.report(b->cfg.hooks.ud, op, o, &t->addr, &out) < 0) {
		b->stats.denied++; /* no report, no operation */
		return verdict(MB_VERDICT_DENY, EACCES);
	}
	switch (out.action) {
	case MB_NET_DO_CONTINUE:
		b->stats.continued++;
		return verdict(out.report ? MB_VERDICT_ALLOW : MB_VERDICT_PROBE, 0);
	case MB_NET_DO_DENY:
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, out.error);
	case MB_NET_DO_BROKER:
		perform_brokered(b, op, &ss, call);
		return verdict(MB_VERDICT_ANSWERED, 0);
	default:
		if (call == MB_NET_SEND)
			in_place_send(b, op, &ss);
		else
			in_place_connect(b, op, &ss, call);
		return verdict(MB_VERDICT_ANSWERED, 0);
	}
}
