/* SPDX-License-Identifier: Apache-2.0 */
/* Which socket options carry over from the server's socket to the host
 * socket that replaces it, and how.
 *
 * The server sets options on its socket before connect (or bind): they must
 * hold on the socket it ends up with. bypass4netns records every
 * setsockopt(2) the container makes (another watched call on the hot path);
 * we read them off the socket itself, through our copy of it, at the one
 * moment they matter.
 *
 * An option is copied only when the server's value differs from the value
 * of our fresh socket: copying a default would not be harmless (setting
 * SO_RCVBUF or SO_SNDBUF turns off the kernel's buffer auto-tuning). A
 * fresh socket of a new network namespace starts from the host's defaults
 * (the TCP buffer sysctls are copied from the initial namespace), so a
 * value that differs is one the server set, or a per-namespace sysctl of
 * the sandbox that differs from the host's (keepalive timers, SYN retries):
 * the server then keeps the value it saw.
 *
 * Copied: what changes how the connection or the datagrams behave
 * (address reuse, keepalive and its timers, Nagle and corking, buffer
 * sizes, linger, send and receive timeouts, the SYN retries and user
 * timeout that bound a connect, TOS/traffic class, TTL/hop limit, PMTU
 * discovery, error queues and the ancillary data the server asked to
 * receive, IPV6_V6ONLY, TCP Fast Open, UDP corking, GSO and GRO).
 * Not copied: what needs privileges the sandbox has dropped anyway
 * (SO_MARK, IP_TRANSPARENT, SO_BUSY_POLL above the default), what names
 * something of the sandbox's namespace (SO_BINDTODEVICE, multicast
 * memberships and interfaces), TCP_CONGESTION (an unprivileged process may
 * choose only among net.ipv4.tcp_allowed_congestion_control, which may
 * differ on the host), and state rather than settings (SO_ERROR, SO_TYPE).
 * A copy the host refuses is counted (stats.opts_failed) and the connect
 * goes on: the options are tuning, the destination is what was granted. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "common/kernel-compat.h"
#include "common/macros.h"
#include "supervisor/broker/broker-internal.h"

enum opt_kind {
	OPT_INT,
	OPT_BUF,     /* SO_RCVBUF, SO_SNDBUF: the kernel doubles what is set */
	OPT_LINGER,  /* struct linger */
	OPT_TIMEVAL, /* struct timeval */
};

enum opt_applies {
	ON_ALL,  /* every stream and datagram socket */
	ON_IP,   /* AF_INET and AF_INET6 (IPv4-mapped traffic) */
	ON_IP6,  /* AF_INET6 */
	ON_TCP,  /* SOCK_STREAM */
	ON_UDP,  /* SOCK_DGRAM */
};

static const struct sockopt {
	int level, name;
	uint8_t kind, applies;
} opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_REUSEPORT, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_KEEPALIVE, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_BROADCAST, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_OOBINLINE, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_DONTROUTE, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_PRIORITY, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_RCVLOWAT, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_TIMESTAMP, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_TIMESTAMPNS, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_RXQ_OVFL, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_ZEROCOPY, OPT_INT, ON_ALL },
	{ SOL_SOCKET, SO_NO_CHECK, OPT_INT, ON_UDP },
	{ SOL_SOCKET, SO_RCVBUF, OPT_BUF, ON_ALL },
	{ SOL_SOCKET, SO_SNDBUF, OPT_BUF, ON_ALL },
	{ SOL_SOCKET, SO_LINGER, OPT_LINGER, ON_ALL },
	{ SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEVAL, ON_ALL },
	{ SOL_SOCKET, SO_SNDTIMEO, OPT_TIMEVAL, ON_ALL },

	{ IPPROTO_TCP, TCP_NODELAY, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_CORK, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_SYNCNT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_LINGER2, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_MAXSEG, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_FASTOPEN, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT, OPT_INT, ON_TCP },
	{ IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, OPT_INT, ON_TCP },

	{ IPPROTO_UDP, UDP_CORK, OPT_INT, ON_UDP },
	{ IPPROTO_UDP, UDP_SEGMENT, OPT_INT, ON_UDP },
	{ IPPROTO_UDP, UDP_GRO, OPT_INT, ON_UDP },

	{ IPPROTO_IP, IP_TOS, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_TTL, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_RECVERR, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_MTU_DISCOVER, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_PKTINFO, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_RECVTOS, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_RECVTTL, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, OPT_INT, ON_IP },
	{ IPPROTO_IP, IP_FREEBIND, OPT_INT, ON_IP },

	{ IPPROTO_IPV6, IPV6_V6ONLY, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_TCLASS, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_RECVERR, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS, OPT_INT, ON_IP6 },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, OPT_INT, ON_IP6 },
};

static bool applies(const struct sockopt *o, int domain, int type)
{
	switch (o->applies) {
	case ON_IP:
		return domain == AF_INET || domain == AF_INET6;
	case ON_IP6:
		return domain == AF_INET6;
	case ON_TCP:
		return type == SOCK_STREAM;
	case ON_UDP:
		return type == SOCK_DGRAM;
	default:
		return true;
	}
}

static socklen_t opt_size(const struct sockopt *o)
{
	switch (o->kind) {
	case OPT_LINGER:
		return sizeof(struct linger);
	case OPT_TIMEVAL:
		return sizeof(struct timeval);
	default:
		return sizeof(int);
	}
}

union optval {
	int i;
	struct linger l;
	struct timeval tv;
};

/* A fresh socket's values, per kind: read once from the first fresh socket
 * of that kind, which halves the getsockopt calls of every later connect. */
struct mb_sockopt_defaults {
	int domain, type, protocol;
	bool known[ARRAY_SIZE(opts)]; /* the host has the option */
	union optval v[ARRAY_SIZE(opts)];
	struct mb_sockopt_defaults *next;
};

static struct mb_sockopt_defaults *defaults_for(struct mb_sockopt_defaults **cache, int fresh,
						int domain, int type, int protocol)
{
	for (struct mb_sockopt_defaults *d = *cache; d; d = d->next)
		if (d->domain == domain && d->type == type && d->protocol == protocol)
			return d;
	struct mb_sockopt_defaults *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	*d = (struct mb_sockopt_defaults){ .domain = domain, .type = type, .protocol = protocol };
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct sockopt *o = &opts[i];
		socklen_t len = opt_size(o);
		d->known[i] = applies(o, domain, type) &&
			      getsockopt(fresh, o->level, o->name, &d->v[i], &len) == 0 &&
			      len == opt_size(o);
	}
	d->next = *cache;
	*cache = d;
	return d;
}

void mb_sockopt_defaults_free(struct mb_sockopt_defaults *cache)
{
	while (cache) {
		struct mb_sockopt_defaults *next = cache->next;
		free(cache);
		cache = next;
	}
}

void mb_sockopt_copy(struct mb_sockopt_defaults **cache, int from, int to, int domain, int type,
		     int protocol, struct mb_broker_stats *stats)
{
	const struct mb_sockopt_defaults *d = defaults_for(cache, to, domain, type, protocol);
	if (!d)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct sockopt *o = &opts[i];
		if (!d->known[i])
			continue;
		union optval theirs;
		memset(&theirs, 0, sizeof(theirs));
		socklen_t lt = opt_size(o);
		/* An option one kernel side does not know is no difference. */
		if (getsockopt(from, o->level, o->name, &theirs, &lt) < 0 || lt != opt_size(o))
			continue;
		if (memcmp(&theirs, &d->v[i], lt) == 0)
			continue;
		if (o->kind == OPT_BUF)
			theirs.i /= 2; /* getsockopt shows the doubled size set */
		if (setsockopt(to, o->level, o->name, &theirs, lt) == 0)
			stats->opts_copied++;
		else
			stats->opts_failed++;
	}
}
