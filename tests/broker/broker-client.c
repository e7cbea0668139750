/* SPDX-License-Identifier: Apache-2.0 */
/* The sandboxed side of tests/broker/kernel-broker.c: a client that makes
 * the connects, binds and sends the broker decides, inside a sandbox with
 * network brokered (or host), and prints one line per case:
 *
 *   CASE name key=value ...
 *
 * with what its own system calls returned (rc, errno names) and what its
 * socket looks like afterwards (options, flags, the reply of the host's
 * echo server). Ports come on the command line:
 *   broker-client --tcp4 P --tcp6 P --udp4 P --udp6 P --refused P
 *                 --secret P --hole P --bind P --abstract NAME [--host] [--stderr]
 * With --host only the cases that make sense in network host run. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/broker/case-line.h"

static struct {
	int tcp4, tcp6, udp4, udp6, refused, secret, hole, bind;
	const char *abstract;
	bool host;
} o;

static const char *en(int e)
{
	switch (e) {
	case 0: return "0";
	case EINPROGRESS: return "EINPROGRESS";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENETUNREACH: return "ENETUNREACH";
	case EISCONN: return "EISCONN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EAGAIN: return "EAGAIN";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	default: return strerror(e);
	}
}

static struct sockaddr_storage sa4(const char *ip4, int port, socklen_t *len)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip4, &s->sin_addr);
	*len = sizeof(*s);
	return ss;
}

static struct sockaddr_storage sa6(const char *ip6, int port, socklen_t *len)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, ip6, &s->sin6_addr);
	*len = sizeof(*s);
	return ss;
}

static int geti(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	return getsockopt(fd, level, name, &v, &l) < 0 ? -errno : v;
}

/* Send a line, read the reply (the host's echo server prefixes "host:"). */
static void exchange(int fd, const char *tag, char *reply, size_t n)
{
	char msg[128];
	snprintf(msg, sizeof(msg), "%s\n", tag);
	reply[0] = '\0';
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 10000) <= 0 || send(fd, msg, strlen(msg), MSG_NOSIGNAL) < 0) {
		snprintf(reply, n, "send:%s", en(errno));
		return;
	}
	p.events = POLLIN;
	if (poll(&p, 1, 10000) <= 0) {
		snprintf(reply, n, "timeout");
		return;
	}
	ssize_t k = recv(fd, reply, n - 1, 0);
	if (k < 0) {
		snprintf(reply, n, "recv:%s", en(errno));
		return;
	}
	reply[k] = '\0';
	char *nl = strchr(reply, '\n');
	if (nl)
		*nl = '\0';
	if (!reply[0])
		snprintf(reply, n, "closed");
}

/* A TCP connect with options set first; the socket's state after. */
static void tcp_case_v6only(const char *name, int family, const char *ip, int port,
			    bool nonblock, bool cloexec, int v6only);

static void tcp_case(const char *name, int family, const char *ip, int port, bool nonblock,
		     bool cloexec)
{
	tcp_case_v6only(name, family, ip, port, nonblock, cloexec, 1);
}

static void tcp_case_v6only(const char *name, int family, const char *ip, int port,
			    bool nonblock, bool cloexec, int v6only)
{
	int type = SOCK_STREAM | (cloexec ? SOCK_CLOEXEC : 0) | (nonblock ? SOCK_NONBLOCK : 0);
	int fd = socket(family, type, 0);
	int one = 1, buf = 65536;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	int idle = 77;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	socklen_t len;
	struct sockaddr_storage ss = family == AF_INET ? sa4(ip, port, &len) : sa6(ip, port, &len);
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	int e = rc < 0 ? errno : 0;
	int soerr = 0;
	if (e == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		poll(&p, 1, 10000);
		soerr = geti(fd, SOL_SOCKET, SO_ERROR);
	}
	char reply[256] = "-";
	if (rc == 0 || (e == EINPROGRESS && soerr == 0))
		exchange(fd, name, reply, sizeof(reply));
	say(name,
	    "rc=%d errno=%s soerr=%s keepalive=%d nodelay=%d rcvbuf=%d keepidle=%d v6only=%d "
	    "cloexec=%d nonblock=%d reply=%s",
	    rc, en(e), en(soerr), geti(fd, SOL_SOCKET, SO_KEEPALIVE),
	    geti(fd, IPPROTO_TCP, TCP_NODELAY), geti(fd, SOL_SOCKET, SO_RCVBUF),
	    geti(fd, IPPROTO_TCP, TCP_KEEPIDLE),
	    family == AF_INET6 ? geti(fd, IPPROTO_IPV6, IPV6_V6ONLY) : -1,
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0, (fcntl(fd, F_GETFL) & O_NONBLOCK) ? 1 : 0,
	    reply);
	close(fd);
}

static int udp_connected(int family, const char *ip, int port, int *err)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len;
	struct sockaddr_storage ss = family == AF_INET ? sa4(ip, port, &len) : sa6(ip, port, &len);
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	*err = rc < 0 ? errno : 0;
	return fd;
}

static void udp_case(const char *name, int family, const char *ip, int port)
{
	int e;
	int fd = udp_connected(family, ip, port, &e);
	char reply[256] = "-";
	if (!e)
		exchange(fd, name, reply, sizeof(reply));
	say(name, "errno=%s reply=%s", en(e), reply);
	close(fd);
}

static void plain_connect(const char *name, int family, const char *ip, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len;
	struct sockaddr_storage ss = family == AF_INET ? sa4(ip, port, &len) : sa6(ip, port, &len);
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	say(name, "rc=%d errno=%s", rc, en(rc < 0 ? errno : 0));
	close(fd);
}

/* A listener of the sandbox's own, on its loopback, at port (a port the
 * host listens on too): a connect to it stays inside and reaches it. */
static void inside_case(int port)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t len;
	struct sockaddr_storage ss = sa4("127.0.0.1", port, &len);
	int brc = bind(l, (struct sockaddr *)&ss, len);
	int be = brc < 0 ? errno : 0;
	listen(l, 4);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int crc = connect(c, (struct sockaddr *)&ss, len);
	int ce = crc < 0 ? errno : 0;
	char got[64] = "-";
	if (crc == 0) {
		int a = accept(l, NULL, NULL);
		send(c, "inside\n", 7, MSG_NOSIGNAL);
		ssize_t k = a >= 0 ? recv(a, got, sizeof(got) - 1, 0) : -1;
		got[k > 0 ? k - 1 : 0] = '\0';
		close(a);
	}
	say("inside", "bind=%s connect=%s got=%s", en(be), en(ce), got[0] ? got : "-");
	close(c);
	close(l);

	/* UDP inside: sendto to a socket of its own, on loopback. */
	int r = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage us = sa4("127.0.0.1", 0, &len);
	bind(r, (struct sockaddr *)&us, len);
	getsockname(r, (struct sockaddr *)&us, &len);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n = sendto(s, "dgram", 5, 0, (struct sockaddr *)&us, len);
	int se = n < 0 ? errno : 0;
	char d[16] = "-";
	struct pollfd p = { .fd = r, .events = POLLIN };
	if (n == 5 && poll(&p, 1, 5000) > 0) {
		ssize_t k = recv(r, d, sizeof(d) - 1, 0);
		d[k > 0 ? k : 0] = '\0';
	}
	say("udp-inside", "sent=%zd errno=%s got=%s", n, en(se), d);
	close(s);
	close(r);
}

/* An unconnected datagram to a granted address outside: refused. */
static void sendto_case(const char *name, int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len;
	struct sockaddr_storage ss = sa4("127.0.0.1", port, &len);
	ssize_t n = sendto(fd, "leak", 4, 0, (struct sockaddr *)&ss, len);
	say(name, "sent=%zd errno=%s", n, en(n < 0 ? errno : 0));
	close(fd);
}

/* A brokered UDP socket, then: connected again elsewhere (not granted),
 * and a datagram with a destination on it. */
static void rebroker_case(void)
{
	int e;
	int fd = udp_connected(AF_INET, "127.0.0.1", o.udp4, &e);
	char reply[256] = "-";
	exchange(fd, "rebroker", reply, sizeof(reply));
	socklen_t len;
	struct sockaddr_storage ss = sa4("127.0.0.1", o.secret, &len);
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	int e2 = rc < 0 ? errno : 0;
	struct sockaddr_storage back = sa4("127.0.0.1", o.udp4, &len);
	ssize_t n = sendto(fd, "x", 1, 0, (struct sockaddr *)&back, len);
	int e3 = n < 0 ? errno : 0;
	char again[256] = "-";
	exchange(fd, "still", again, sizeof(again));
	say("rebroker", "first=%s reply=%s reconnect=%s sendto=%s after=%s", en(e), reply, en(e2),
	    en(e3), again);
	close(fd);
}

static void *hole_thread(void *arg)
{
	(void)arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 4 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	socklen_t len;
	struct sockaddr_storage ss = sa4("127.0.0.1", o.hole, &len);
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	say("hole", "rc=%d errno=%s", rc, en(rc < 0 ? errno : 0));
	close(fd);
	return NULL;
}

/* A blocking connect that does not complete (the listener's backlog is
 * full: SYNs are dropped) must not hold up another thread's connect. */
static void concurrency_case(void)
{
	pthread_t t;
	pthread_create(&t, NULL, hole_thread, NULL);
	usleep(200 * 1000); /* let the hole's connect reach the broker first */
	tcp_case("beside-hole", AF_INET, "127.0.0.1", o.tcp4, false, true);
	pthread_join(t, NULL);
}

/* A granted bind: the listener is on the host; the test connects to it. */
static void bind_case(void)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t len;
	struct sockaddr_storage ss = sa4("127.0.0.1", o.bind, &len);
	int rc = bind(l, (struct sockaddr *)&ss, len);
	int e = rc < 0 ? errno : 0;
	int lr = listen(l, 4);
	say("bind", "errno=%s listen=%d reuseaddr=%d", en(e), lr, geti(l, SOL_SOCKET, SO_REUSEADDR));
	char got[64] = "-";
	struct pollfd p = { .fd = l, .events = POLLIN };
	if (!e && poll(&p, 1, 10000) > 0) {
		int a = accept(l, NULL, NULL);
		p.fd = a;
		if (a >= 0 && poll(&p, 1, 10000) > 0) {
			ssize_t k = recv(a, got, sizeof(got) - 1, 0);
			got[k > 0 ? k : 0] = '\0';
			char *nl = strchr(got, '\n');
			if (nl)
				*nl = '\0';
		}
		close(a);
	}
	say("accepted", "got=%s", got);
	close(l);
}

static void abstract_case(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(o.abstract);
	memcpy(sun.sun_path + 1, o.abstract, n);
	int rc = connect(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	say("abstract", "rc=%d errno=%s", rc, en(rc < 0 ? errno : 0));
	close(fd);
}

/* listen(2) without bind(2): the kernel binds every address on a port of
 * its choosing. */
static void listen_case(const char *name, int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = listen(fd, 1);
	say(name, "rc=%d errno=%s", rc, en(rc < 0 ? errno : 0));
	close(fd);
}

/* bind(2) of an abstract name (the test's own, with a suffix). */
static void abstract_bind_case(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int n = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "%s-squat", o.abstract);
	int rc = bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n));
	say("abstract-bind", "rc=%d errno=%s", rc, en(rc < 0 ? errno : 0));
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp4", 1, NULL, '4' }, { "tcp6", 1, NULL, '6' }, { "udp4", 1, NULL, 'u' },
		{ "udp6", 1, NULL, 'U' }, { "refused", 1, NULL, 'r' }, { "secret", 1, NULL, 's' },
		{ "hole", 1, NULL, 'h' }, { "bind", 1, NULL, 'b' }, { "abstract", 1, NULL, 'a' },
		{ "host", 0, NULL, 'H' }, { "stderr", 0, NULL, 'E' }, { 0 },
	};
	int c;
	case_out = stdout;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case '4': o.tcp4 = atoi(optarg); break;
		case '6': o.tcp6 = atoi(optarg); break;
		case 'u': o.udp4 = atoi(optarg); break;
		case 'U': o.udp6 = atoi(optarg); break;
		case 'r': o.refused = atoi(optarg); break;
		case 's': o.secret = atoi(optarg); break;
		case 'h': o.hole = atoi(optarg); break;
		case 'b': o.bind = atoi(optarg); break;
		case 'a': o.abstract = optarg; break;
		case 'H': o.host = true; break;
		case 'E': case_out = stderr; break;
		default: return 2;
		}
	}
	if (o.host) {
		tcp_case("host-tcp4", AF_INET, "127.0.0.1", o.tcp4, false, true);
		plain_connect("host-secret", AF_INET, "127.0.0.1", o.secret);
		plain_connect("host-refused", AF_INET, "127.0.0.1", o.refused);
		udp_case("host-udp4", AF_INET, "127.0.0.1", o.udp4);
		abstract_case();
		listen_case("host-listen4", AF_INET);
		listen_case("host-listen6", AF_INET6);
		fprintf(case_out, "DONE\n");
		return 0;
	}
	tcp_case("tcp4-block", AF_INET, "127.0.0.1", o.tcp4, false, true);
	tcp_case("tcp4-nonblock", AF_INET, "127.0.0.1", o.tcp4, true, false);
	tcp_case("tcp6-block", AF_INET6, "::1", o.tcp6, false, false);
	tcp_case("tcp6-nonblock", AF_INET6, "::1", o.tcp6, true, true);
	/* An IPv4 address on an IPv6 socket: granted as 127.0.0.1, connected
	 * as ::ffff:127.0.0.1 on the host; with IPV6_V6ONLY copied, the
	 * kernel's own refusal. */
	tcp_case_v6only("tcp6-mapped", AF_INET6, "::ffff:127.0.0.1", o.tcp4, false, true, 0);
	tcp_case_v6only("tcp6-mapped-v6only", AF_INET6, "::ffff:127.0.0.1", o.tcp4, false, true, 1);
	udp_case("udp4", AF_INET, "127.0.0.1", o.udp4);
	udp_case("udp6", AF_INET6, "::1", o.udp6);
	tcp_case("refused-block", AF_INET, "127.0.0.1", o.refused, false, true);
	tcp_case("refused-nonblock", AF_INET, "127.0.0.1", o.refused, true, true);
	plain_connect("secret", AF_INET, "127.0.0.1", o.secret);
	plain_connect("remote", AF_INET, "192.0.2.1", 80);
	inside_case(o.secret);
	sendto_case("sendto-granted", o.udp4);
	rebroker_case();
	concurrency_case();
	abstract_case();
	abstract_bind_case();
	listen_case("listen4", AF_INET);
	bind_case();
	fprintf(case_out, "DONE\n");
	return 0;
}
