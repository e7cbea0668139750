/* Inside the broker: its state and the helpers its files share. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "supervisor/broker/broker.h"

/* A blocking connect whose answer waits for the host socket. */
struct mb_broker_wait {
	struct mb_io w;
	struct mb_timer t;
	struct mb_broker *b;
	uint64_t id;     /* the notification */
	int sock;        /* the host socket (owned) */
	int newfd;       /* the server's fd number */
	bool install;    /* a new socket to install; false: the server's own */
	bool cloexec;    /* the server's fd had FD_CLOEXEC */
	int status_fl;   /* file status flags to give the installed socket */
	bool watched;    /* w is in the loop */
	bool timed;      /* t is armed (SO_SNDTIMEO) */
	struct mb_broker_wait *prev, *next;
};

struct mb_broker {
	struct mb_broker_config cfg;
	int listener;        /* borrowed */
	struct mb_loop *loop; /* borrowed, may be NULL */
	/* The sandbox's network namespace (device, inode of /proc/PID/ns/net),
	 * read from the first notification: no process of the sandbox can
	 * leave it (the baseline refuses setns and unshare). */
	bool netns_known;
	dev_t netns_dev;
	ino_t netns_ino;
	bool netns_shared;   /* it is the supervisor's own: nothing is inside */
	struct mb_broker_stats stats;
	struct mb_sockopt_defaults *defaults; /* broker-sockopt.c's cache */
	struct mb_broker_wait *waits;
	unsigned nwaits;
};

/* ---- broker-sock.c: the server's socket --------------------------------- */

struct mb_srvsock {
	int fd;            /* our copy of it (pidfd_getfd), O_CLOEXEC; -1 */
	int domain, type, protocol;
	int status_fl;     /* F_GETFL: O_NONBLOCK... (shared with the server) */
	bool cloexec;      /* the server's own fd has FD_CLOEXEC */
	bool host;         /* it lives outside the sandbox's netns */
};

/* Take a copy of fd of thread tid and describe it. Returns 0, -ENOTSOCK (the
 * fd is not a socket), -EBADF (no such fd: the kernel answers that itself),
 * -ESRCH (the thread is gone) or another -errno. */
int mb_srvsock_get(struct mb_broker *b, pid_t tid, int fd, struct mb_srvsock *ret);
void mb_srvsock_done(struct mb_srvsock *s);

/* ---- broker-sockopt.c: options worth carrying over --------------------- */

struct mb_sockopt_defaults;

/* Copy from the server's socket to ours (same domain, type, protocol; ours
 * fresh) the options the server set: those whose value differs from a
 * fresh socket's (read from the first fresh one of each kind into *cache);
 * counts in stats. */
void mb_sockopt_copy(struct mb_sockopt_defaults **cache, int from, int to, int domain, int type,
		     int protocol, struct mb_broker_stats *stats);
void mb_sockopt_defaults_free(struct mb_sockopt_defaults *cache);

/* ---- broker-listeners.c: who listens at a loopback address ------------- */

/* Is there a socket at a (TCP: listening; UDP: bound) in the network
 * namespace of pid (0: the supervisor's own)? Read from /proc/PID/net.
 * Returns 1, 0, or -errno. */
int mb_net_bound(pid_t pid, bool stream, const struct mb_addr *a);

/* ---- broker.c ----------------------------------------------------------- */

/* The sockaddr for a, as a socket of domain takes it: an IPv4 address on
 * an IPv6 socket becomes ::ffff:a.b.c.d. Returns its length. */
socklen_t mb_broker_sockaddr(const struct mb_addr *a, int domain, struct sockaddr_storage *ss);
