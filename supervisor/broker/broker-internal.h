/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the broker: its state and the helpers its files share. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "supervisor/broker/broker.h"

struct mb_send_job;

/* A call whose answer waits for a socket: a blocking connect, or a blocking
 * send whose buffer is full (job). */
struct mb_broker_wait {
	struct mb_io w;
	struct mb_timer t;
	struct mb_broker *b;
	uint64_t id;     /* the notification */
	int sock;        /* a connect's socket (owned), or -1 */
	int newfd;       /* the server's fd number */
	bool install;    /* a new socket to install; false: the server's own */
	bool cloexec;    /* the server's fd had FD_CLOEXEC */
	int status_fl;   /* file status flags to give the installed socket */
	struct mb_send_job *job; /* a send to go on with (owned), or NULL */
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
	int proto;         /* MB_PROTO_TCP, MB_PROTO_UDP, or 0 (another) */
	int status_fl;     /* F_GETFL: O_NONBLOCK... (shared with the server) */
	bool cloexec;      /* the server's own fd has FD_CLOEXEC: read by
			      mb_srvsock_cloexec(), only before an install */
	pid_t tid;         /* whose fd it is, and its number there */
	int num;
	bool host;         /* it lives outside the sandbox's netns */
};

/* Take a copy of fd of thread tid and describe it. Returns 0, -ENOTSOCK (the
 * fd is not a socket), -EBADF (no such fd: the kernel answers that itself),
 * -ESRCH (the thread is gone) or another -errno. */
int mb_srvsock_get(struct mb_broker *b, pid_t tid, int fd, struct mb_srvsock *ret);
void mb_srvsock_done(struct mb_srvsock *s);
/* Read the server's close-on-exec flag of the fd into s->cloexec (from
 * /proc/TID/fdinfo: a file to read, so only when a socket is to be
 * installed in its place). 0, -ESRCH (the thread is gone) or -errno. */
int mb_srvsock_cloexec(struct mb_srvsock *s);

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

/* ---- broker-send.c: sends performed ------------------------------------ */

/* Where one message goes: nowhere given (has false: the socket's peer), an
 * address, or (has, len 0) sendto's address of length 0. */
struct mb_send_dest {
	bool has;
	socklen_t len;
	struct sockaddr_storage sa;
};

/* Read op's data and control (sendto, sendmsg, or sendmmsg's op->nmsg
 * messages, to dests[i]) out of the server's memory. Returns 0 with *ret,
 * -EPERM with *why (flags or a control message the supervisor does not
 * send: a refusal to report), or the kernel's own -errno (EFAULT,
 * EMSGSIZE, ENOBUFS, EINVAL). */
int mb_send_prepare(struct mb_broker *b, const struct mb_notified_op *op, struct mb_srvsock *ss,
		    const struct mb_send_dest *dests, struct mb_send_job **ret, const char **why);
/* Send on ss (its fd taken), answer now or once the socket has room. */
void mb_send_start(struct mb_send_job *j, struct mb_srvsock *ss);
/* Go on after a wait (timed_out: SO_SNDTIMEO expired). True when answered. */
bool mb_send_resume(struct mb_send_job *j, bool timed_out);
void mb_send_job_free(struct mb_send_job *j);

/* ---- broker.c ----------------------------------------------------------- */

/* The sockaddr for a, as a socket of domain takes it: an IPv4 address on
 * an IPv6 socket becomes ::ffff:a.b.c.d. Returns its length. */
socklen_t mb_broker_sockaddr(const struct mb_addr *a, int domain, struct sockaddr_storage *ss);
/* The server's SO_SNDTIMEO on its socket fd, in ms (0: none): what bounds
 * a blocking connect or send. */
uint64_t mb_broker_send_timeout_ms(int fd);
/* Answer notification id: error (positive errno), or val when error is 0. */
void mb_broker_reply(struct mb_broker *b, uint64_t id, int64_t val, int error);
/* Performed on a new host socket, handed over (ADDFD): connect or bind to
 * a. Answers, now or once a blocking connect is done. */
void mb_broker_perform_brokered(struct mb_broker *b, const struct mb_notified_op *op,
				struct mb_srvsock *ss, enum mb_net_call call,
				const struct mb_addr *a);
/* Performed on the server's own socket (our copy): connect or bind to a. */
void mb_broker_in_place(struct mb_broker *b, const struct mb_notified_op *op,
			struct mb_srvsock *ss, enum mb_net_call call, const struct mb_addr *a);
/* Performed as written, on our copy: connect(AF_UNSPEC) or listen. */
void mb_broker_raw(struct mb_broker *b, const struct mb_notified_op *op, struct mb_srvsock *ss);
/* Wait in the event loop until sock has room, then mb_send_resume(j);
 * j is the wait's from here (answered ENOBUFS and freed if it cannot). */
void mb_broker_wait_send(struct mb_broker *b, uint64_t id, int sock, uint64_t timeout_ms,
			 struct mb_send_job *j);
