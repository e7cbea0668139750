/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's resolver on its sockets: questions read from UDP and TCP
 * in the event loop, judged, looked up off the loop's thread, guarded,
 * bound and answered (resolve.h tells the whole path). Bounded: at most
 * MB_DNS_PENDING questions wait for a lookup (SERVFAIL past it), at most
 * MB_DNS_CONNS TCP connections, each closed after MB_DNS_IDLE_MS of
 * silence or at the first thing it sends that is not a question. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/macros.h"
#include "policy/addr-class.h"
#include "supervisor/resolve/resolve-internal.h"

#define MB_DNS_PENDING 256
#define MB_DNS_CONNS 16
#define MB_DNS_IDLE_MS 10000
#define MB_DNS_UDP_BATCH 32 /* datagrams read per turn of the loop */

#define R_AUDIT "granted to a scope not in force (audit mode)"

/* How long an answer of the host's resolver is reused: a burst of
 * questions for one name (A and AAAA, a retry, a client opening several
 * connections) is looked up once; never longer than the sandbox keeps it. */
#define MB_ANSWER_REUSE_MS 1000

static uint64_t cache_life(const struct mb_resolver *r)
{
	uint64_t ms = (uint64_t)r->ttl_s * 1000;
	return (ms < MB_ANSWER_REUSE_MS ? ms : MB_ANSWER_REUSE_MS) * 1000000ull;
}

struct mb_dns_conn {
	struct mb_io w;
	struct mb_timer idle;
	struct mb_resolver *r;
	uint8_t in[2 + MB_DNS_QUERY_MAX];
	size_t in_len;
	bool watched, timed;
	struct mb_dns_conn *prev, *next;
};

/* A question waiting for its lookup: one lookup per name (both families:
 * a client asks A and AAAA together), shared by every question for it
 * that comes while it runs. */
struct mb_pending {
	struct mb_resolver *r;
	const struct mb_lookup *lookup; /* the one it waits for (identity only) */
	struct mb_dns_query q;
	struct mb_dns_conn *conn; /* TCP: where to answer (NULL once it closed) */
	bool tcp;
	struct sockaddr_storage peer; /* UDP: whom to answer */
	socklen_t peerlen;
	struct mb_pending *prev, *next;
};

/* ---- answering -------------------------------------------------------- */

static void conn_close(struct mb_dns_conn *c);
static bool conn_alive(const struct mb_resolver *r, const struct mb_dns_conn *c);

static void send_udp(struct mb_resolver *r, const uint8_t *msg, size_t len,
		     const struct sockaddr_storage *peer, socklen_t peerlen)
{
	/* A full socket buffer drops the answer: the client asks again. */
	(void)sendto(r->cfg.udp_fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		     (const struct sockaddr *)peer, peerlen);
}

static void send_tcp(struct mb_dns_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t buf[2 + 65535];
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, msg, len);
	/* An answer is a few hundred bytes: a client that does not read it
	 * has its connection closed rather than an output queue grown. */
	ssize_t n = send(c->w.fd, buf, len + 2, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n != (ssize_t)(len + 2))
		conn_close(c);
}

/* Answer q with rcode and addrs, over TCP (conn) or UDP (peer). */
static void reply(struct mb_resolver *r, const struct mb_dns_query *q, int rcode,
		  const struct mb_addr *addrs, size_t n, struct mb_dns_conn *conn, bool tcp,
		  const struct sockaddr_storage *peer, socklen_t peerlen)
{
	if (!q->header || (tcp && !conn))
		return; /* nothing to answer with, or nobody to answer */
	uint8_t out[4096];
	size_t max = tcp ? sizeof(out) : mb_dns_max_answer(q);
	ssize_t len = mb_dns_write_response(q, rcode, addrs, n, r->ttl_s, out, max);
	if (len < 0)
		return;
	switch (rcode) {
	case MB_DNS_NOERROR: r->stats.answered++; break;
	case MB_DNS_NXDOMAIN: r->stats.nxdomain++; break;
	case MB_DNS_SERVFAIL: r->stats.servfail++; break;
	default: r->stats.refused++; break;
	}
	if (tcp)
		send_tcp(conn, out, (size_t)len);
	else
		send_udp(r, out, (size_t)len, peer, peerlen);
}

static int report(struct mb_resolver *r, const char *target, bool allowed, const char *reason)
{
	return r->cfg.report ? r->cfg.report(r->cfg.report_ud, target, allowed, reason) : 0;
}

/* ---- lookups ---------------------------------------------------------- */

static void pending_free(struct mb_pending *p)
{
	struct mb_resolver *r = p->r;
	if (p->prev)
		p->prev->next = p->next;
	else
		r->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	r->npending--;
	free(p);
}

/* The answer's addresses pass the guards, or the reason they do not. */
static const char *guard(struct mb_resolver *r, const char *name, const struct mb_addr *addrs,
			 size_t n, char *why, size_t whylen)
{
	bool private_ok = mb_scopes_private(r, name);
	for (size_t i = 0; i < n; i++) {
		enum mb_addr_class c = mb_addr_classify(&addrs[i]);
		char a[INET6_ADDRSTRLEN];
		if (c == MB_CLASS_PUBLIC || (c != MB_CLASS_METADATA && private_ok))
			continue;
		if (!inet_ntop(addrs[i].family, addrs[i].addr, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		if (c == MB_CLASS_METADATA)
			snprintf(why, whylen,
				 "answered with %s, a cloud metadata address: reached only through a "
				 "grant of the address itself, never by a name", a);
		else
			snprintf(why, whylen,
				 "answered with %s, a %s address: refused as DNS rebinding (list the name "
				 "under private_names if it is an internal service)",
				 a, mb_addr_class_name(c));
		return why;
	}
	return NULL;
}

/* A lookup is back (or was in the cache): guard, bind, answer q. */
static void finish(struct mb_resolver *r, const struct mb_dns_query *q, const struct mb_lookup *l,
		   struct mb_dns_conn *conn, bool tcp, const struct sockaddr_storage *peer,
		   socklen_t peerlen)
{
	int rcode = MB_DNS_NOERROR;
	size_t n = 0;
	char why[512];
	/* The addresses of the family asked: those are answered, guarded and
	 * bound (the other family's are another question's). */
	struct mb_addr addrs[MB_LOOKUP_ADDRS];
	int family = q->qtype == MB_DNS_A ? AF_INET : AF_INET6;
	for (size_t i = 0; l->gai == 0 && i < l->n; i++)
		if (l->addrs[i].family == family)
			addrs[n++] = l->addrs[i];
	if (l->gai == 0) {
		const char *refused =
			r->cfg.answer_all ? NULL : guard(r, q->name, addrs, n, why, sizeof(why));
		if (refused) {
			rcode = MB_DNS_REFUSED;
			n = 0;
			(void)report(r, q->name, false, refused);
		} else {
			uint64_t now = mb_now_ns(), life = 2ull * r->ttl_s * 1000000000ull;
			for (size_t i = 0; i < n; i++)
				if (mb_bindings_add(&r->bindings, &addrs[i], q->name, now, life) == 0)
					r->stats.bound++;
		}
	} else if (l->gai == EAI_NONAME) {
		rcode = MB_DNS_NXDOMAIN; /* granted, and exists nowhere */
	} else if (l->gai != EAI_NODATA && l->gai != EAI_ADDRFAMILY) {
		rcode = MB_DNS_SERVFAIL;
	}
	reply(r, q, rcode, addrs, n, conn, tcp, peer, peerlen);
}

static void on_lookups(struct mb_io *w, uint32_t ev)
{
	(void)ev;
	struct mb_resolver *r = (struct mb_resolver *)((char *)w - offsetof(struct mb_resolver, lookups_w));
	struct mb_lookup *l;
	while ((l = mb_lookups_done(r->lookups))) {
		mb_answer_cache_put(&r->cache, l, mb_now_ns(), cache_life(r));
		for (struct mb_pending *p = r->pending, *next; p; p = next) {
			next = p->next;
			if (p->lookup != l)
				continue;
			finish(r, &p->q, l, p->conn, p->tcp, &p->peer, p->peerlen);
			pending_free(p);
		}
		free(l);
	}
}

static void start_lookup(struct mb_resolver *r, const struct mb_dns_query *q,
			 struct mb_dns_conn *conn, bool tcp, const struct sockaddr_storage *peer,
			 socklen_t peerlen)
{
	const struct mb_lookup *cached = mb_answer_cache_get(&r->cache, q->name, mb_now_ns());
	if (cached) {
		r->stats.cached++;
		finish(r, q, cached, conn, tcp, peer, peerlen);
		return;
	}
	struct mb_pending *p = r->npending < MB_DNS_PENDING ? calloc(1, sizeof(*p)) : NULL;
	if (!p) {
		reply(r, q, MB_DNS_SERVFAIL, NULL, 0, conn, tcp, peer, peerlen);
		return;
	}
	*p = (struct mb_pending){ .r = r, .q = *q, .conn = conn, .tcp = tcp, .peerlen = peerlen };
	if (peer)
		memcpy(&p->peer, peer, peerlen);
	/* A lookup of this name already running answers this question too. */
	for (const struct mb_pending *o = r->pending; o && !p->lookup; o = o->next)
		if (strcmp(o->q.name, q->name) == 0)
			p->lookup = o->lookup;
	struct mb_lookup *l = NULL;
	if (!p->lookup) {
		if (!(l = calloc(1, sizeof(*l)))) {
			free(p);
			reply(r, q, MB_DNS_SERVFAIL, NULL, 0, conn, tcp, peer, peerlen);
			return;
		}
		snprintf(l->name, sizeof(l->name), "%s", q->name);
		l->family = AF_UNSPEC;
		p->lookup = l;
	}
	p->next = r->pending;
	if (r->pending)
		r->pending->prev = p;
	r->pending = p;
	r->npending++;
	if (!l)
		return;
	if (mb_lookups_submit(r->lookups, l) < 0) {
		free(l);
		reply(r, q, MB_DNS_SERVFAIL, NULL, 0, conn, tcp, peer, peerlen);
		pending_free(p);
		return;
	}
	r->stats.lookups++;
}

/* ---- one question ----------------------------------------------------- */

static void question(struct mb_resolver *r, const uint8_t *msg, size_t len,
		     struct mb_dns_conn *conn, bool tcp, const struct sockaddr_storage *peer,
		     socklen_t peerlen)
{
	r->stats.questions++;
	struct mb_dns_query q;
	const char *why;
	char reason[160];
	if (mb_dns_parse_query(msg, len, &q, &why) < 0) {
		snprintf(reason, sizeof(reason), "a DNS message refused: %s", why);
		(void)report(r, q.question ? q.name : "(malformed)", false, reason);
		reply(r, &q, MB_DNS_REFUSED, NULL, 0, conn, tcp, peer, peerlen);
		if (!q.header)
			r->stats.refused++;
		return;
	}
	if (q.qtype != MB_DNS_A && q.qtype != MB_DNS_AAAA) {
		char t[16];
		snprintf(reason, sizeof(reason), "a question of type %s: only A and AAAA are answered",
			 mb_dns_type_name(q.qtype, t, sizeof(t)));
		(void)report(r, q.name, false, reason);
		reply(r, &q, MB_DNS_REFUSED, NULL, 0, conn, tcp, peer, peerlen);
		return;
	}
	if (r->cfg.answer_all) {
		if (r->cfg.asked)
			r->cfg.asked(r->cfg.asked_ud, q.name);
		start_lookup(r, &q, conn, tcp, peer, peerlen);
		return;
	}
	enum mb_name_scope s = mb_scopes_name(r, MB_OP_CONNECT, q.name, 0, 0, NULL);
	bool audit = r->cfg.profile->mode == MB_MODE_AUDIT;
	if (s == MB_SCOPE_NONE || (s == MB_SCOPE_STATIC && !audit)) {
		(void)report(r, q.name, false, "not granted: no connect grant in force names it");
		reply(r, &q, MB_DNS_NXDOMAIN, NULL, 0, conn, tcp, peer, peerlen);
		return;
	}
	if (s == MB_SCOPE_STATIC && report(r, q.name, true, R_AUDIT) < 0) {
		reply(r, &q, MB_DNS_NXDOMAIN, NULL, 0, conn, tcp, peer, peerlen);
		return; /* no report, no answer */
	}
	start_lookup(r, &q, conn, tcp, peer, peerlen);
}

/* ---- UDP ---------------------------------------------------------------- */

static void on_udp(struct mb_io *w, uint32_t ev)
{
	(void)ev;
	struct mb_resolver *r = (struct mb_resolver *)((char *)w - offsetof(struct mb_resolver, udp_w));
	for (unsigned i = 0; i < MB_DNS_UDP_BATCH; i++) {
		uint8_t buf[MB_DNS_QUERY_MAX + 1];
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof(peer);
		/* MSG_TRUNC: the datagram's whole length, so that one longer than
		 * the buffer is refused as such, not parsed cut. */
		ssize_t n = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&peer, &peerlen);
		if (n < 0)
			return;
		size_t len = (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n;
		question(r, buf, len, NULL, false, &peer, peerlen);
	}
}

/* ---- TCP ---------------------------------------------------------------- */

static void conn_close(struct mb_dns_conn *c)
{
	struct mb_resolver *r = c->r;
	for (struct mb_pending *p = r->pending; p; p = p->next)
		if (p->conn == c)
			p->conn = NULL;
	if (c->watched)
		mb_io_del(&c->w);
	if (c->timed && r->loop)
		mb_timer_cancel(r->loop, &c->idle);
	mb_close(c->w.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->nconns--;
	free(c);
}

static void on_idle(struct mb_timer *t)
{
	struct mb_dns_conn *c = (struct mb_dns_conn *)((char *)t - offsetof(struct mb_dns_conn, idle));
	c->timed = false;
	conn_close(c);
}

/* Questions on a connection, each after its two-byte length (RFC 7766). */
static void on_conn(struct mb_io *w, uint32_t ev)
{
	struct mb_dns_conn *c = (struct mb_dns_conn *)((char *)w - offsetof(struct mb_dns_conn, w));
	struct mb_resolver *r = c->r;
	if (ev & (EPOLLERR | EPOLLHUP) && !(ev & EPOLLIN)) {
		conn_close(c);
		return;
	}
	ssize_t n = recv(w->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	c->in_len += (size_t)n;
	mb_timer_arm(r->loop, &c->idle, MB_DNS_IDLE_MS);
	c->timed = true;
	while (c->in_len >= 2) {
		size_t len = (size_t)c->in[0] << 8 | c->in[1];
		if (len > MB_DNS_QUERY_MAX) {
			(void)report(r, "(malformed)", false,
				     "a DNS message refused: a message longer than a question can be");
			r->stats.refused++;
			conn_close(c); /* its end cannot be found without reading it */
			return;
		}
		if (c->in_len < 2 + len)
			return;
		question(r, c->in + 2, len, c, true, NULL, 0);
		if (!conn_alive(r, c))
			return;
		memmove(c->in, c->in + 2 + len, c->in_len - 2 - len);
		c->in_len -= 2 + len;
	}
}

static void on_accept(struct mb_io *w, uint32_t ev)
{
	(void)ev;
	struct mb_resolver *r = (struct mb_resolver *)((char *)w - offsetof(struct mb_resolver, tcp_w));
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct mb_dns_conn *c = r->nconns < MB_DNS_CONNS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		close(fd); /* the client falls back or asks again */
		return;
	}
	c->r = r;
	c->w.fd = fd;
	c->w.events = EPOLLIN;
	c->w.cb = on_conn;
	c->idle.cb = on_idle;
	c->next = r->conns;
	if (r->conns)
		r->conns->prev = c;
	r->conns = c;
	r->nconns++;
	if (mb_io_add(r->loop, &c->w) < 0) {
		conn_close(c);
		return;
	}
	c->watched = true;
	mb_timer_arm(r->loop, &c->idle, MB_DNS_IDLE_MS);
	c->timed = true;
}

static bool conn_alive(const struct mb_resolver *r, const struct mb_dns_conn *c)
{
	for (const struct mb_dns_conn *x = r->conns; x; x = x->next)
		if (x == c)
			return true;
	return false;
}

/* ---- in the loop -------------------------------------------------------- */

static void watch(struct mb_resolver *r, struct mb_io *w, bool *added, int fd, mb_io_fn cb)
{
	if (fd < 0)
		return;
	w->fd = fd;
	w->events = EPOLLIN;
	w->cb = cb;
	*added = mb_io_add(r->loop, w) == 0;
}

void mb_resolver_server_attach(struct mb_resolver *r, struct mb_loop *loop)
{
	if (r->loop == loop)
		return;
	/* The old loop may be gone: forget our places in it untouched, and
	 * the connections with them. */
	r->udp_added = r->tcp_added = r->lookups_added = false;
	for (struct mb_dns_conn *c = r->conns; c; c = c->next)
		c->watched = c->timed = false;
	while (r->conns)
		conn_close(r->conns);
	r->loop = loop;
	if (!loop)
		return;
	watch(r, &r->udp_w, &r->udp_added, r->cfg.udp_fd, on_udp);
	watch(r, &r->tcp_w, &r->tcp_added, r->cfg.tcp_fd, on_accept);
	watch(r, &r->lookups_w, &r->lookups_added, mb_lookups_fd(r->lookups), on_lookups);
}

void mb_resolver_server_free(struct mb_resolver *r)
{
	mb_resolver_server_attach(r, NULL);
	while (r->pending)
		pending_free(r->pending);
}
