/* SPDX-License-Identifier: Apache-2.0 */
/* The broker: the network side of the notifier's decisions. For each
 * watched connect, bind, listen and send on an IPv4 or IPv6 socket it
 * looks at the server's socket (what an AF_UNSPEC address or a missing
 * destination means depends on it: broker-decide.c), applies the network
 * rule (broker-rule.h) and, outside network none, performs the call itself
 * or refuses it: the kernel, left to it, would read the server's memory
 * and look the fd up again. A connect or bind the rule brokers is made in
 * the supervisor's (the host's) network namespace and handed to the
 * server:
 *
 *   1. the sockaddr is the one the notifier read and the grants were
 *      checked against (struct mb_notified_target.addr): the supervisor
 *      connects to that, never to what the server's memory holds later, so
 *      a racing thread cannot change the destination (no TOCTOU);
 *   2. it takes a copy of the server's socket (pidfd_getfd(2)) to read its
 *      domain, type, protocol, file status flags (O_NONBLOCK) and options,
 *      and the server's close-on-exec flag (/proc/TID/fdinfo);
 *   3. it makes a socket of the same domain, type and protocol in its own
 *      namespace, copies the options the server had set (broker-sockopt.c
 *      says which and why), and connects it without waiting (or binds it);
 *   4. it installs that socket in place of the server's, at the same fd
 *      number (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SETFD,
 *      O_CLOEXEC as the server had it), and answers the notification with
 *      what the call would have returned.
 *
 * Blocking and non-blocking connects keep their meaning:
 *  - O_NONBLOCK: installed at once, answered -EINPROGRESS (or 0, or the
 *    error the connect gave at once); the server polls its socket, which is
 *    now the real one, and reads SO_ERROR from it as usual;
 *  - blocking: the supervisor never blocks. The notification stays
 *    unanswered (the server's thread waits in the kernel, as it would in
 *    connect) while the event loop waits for the host socket to become
 *    writable; then 0 (installed) or the error (ECONNREFUSED, ETIMEDOUT...;
 *    not installed: the server's socket is as a failed connect leaves it).
 *    SO_SNDTIMEO is honoured as connect(2) does: when it expires the socket
 *    is installed, still connecting, and the answer is -EINPROGRESS.
 *    Unlike a plain connect, the wait is not interrupted by a non-fatal
 *    signal (WAIT_KILLABLE_RECV: the signal is handled after the answer).
 * What a failed connect leaves: nothing is installed, the server keeps its
 * own socket and may connect it again (each attempt is brokered anew).
 *
 * A socket that already lives on the host (brokered before, or every
 * socket in network host) is connected, bound, listened on and sent on in
 * place, on the supervisor's copy: same file, nothing to install. Sends
 * are broker-send.c's: data and control read once, blocking kept, the
 * destination the one decided.
 *
 * Left to the kernel: every call with network none (nothing outside the
 * empty namespace is reachable), and a send without a destination or a
 * listen on a socket of another family (AF_UNIX: performing it would show
 * the receiver the supervisor's credentials and need fd passing
 * translated). The latter can still be raced: a thread that dup2()s a
 * host socket onto that number before the kernel looks, and rewrites the
 * msghdr, sends from it.
 *
 * The destination is the address and port that were checked: an IPv6 flow
 * label and scope id are not carried (a link-local destination fails with
 * EINVAL; the sandbox's interfaces are not the host's anyway).
 *
 * What is not carried over to the host socket: a local address the server
 * bound inside the sandbox (it names the sandbox's loopback; the host
 * kernel picks the source as for any unbound socket), SO_BINDTODEVICE (a
 * device of the sandbox), O_ASYNC/F_SETOWN, and anything the server sets
 * after the connect (it sets it on the host socket itself, then). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/profile.h"
#include "supervisor/broker/broker-rule.h"
#include "common/loop.h"
#include "supervisor/notify/notify.h"

/* What names and the sandbox's resolver say of an address
 * (supervisor/resolve/resolve.h answers, through the run's hooks). */
struct mb_net_names {
	enum mb_net_grant grant; /* a name a grant allows was answered with it */
	const char *name;        /* the name it was answered for, or NULL
				    (borrowed until the next call) */
	enum mb_net_grant exact; /* a cloud metadata address: a grant of it */
	bool resolver;           /* it is the sandbox's resolver, port 53 */
	bool expired;            /* answered for a name, and no such answer
				    lives any more (grant NOT_GRANTED) */
};

/* What the correlator answers for the broker. */
struct mb_broker_hooks {
	/* Do the grants allow op (MB_OP_CONNECT or MB_OP_BIND) on a? Asked
	 * once per operation; an addressed send is asked as a connect. */
	enum mb_net_grant (*granted)(void *ud, const struct mb_notified_op *op, enum mb_op o,
				     const struct mb_addr *a);
	/* Write the violation report for op on t (an address: MB_TARGET_INET;
	 * otherwise t->path says what it was, "(unreadable)"...): decision
	 * "allowed" or "denied", reason from the rule. Returns 0 or -errno; a
	 * report that cannot be written fails the operation closed (EACCES)
	 * and the caller's reporter stops the server. */
	int (*report)(void *ud, const struct mb_notified_op *op, enum mb_op o,
		      const struct mb_notified_target *t, const struct mb_net_outcome *outcome);
	/* What names say of op o on a (may be NULL: nothing). Asked once
	 * per operation with an address. */
	void (*names)(void *ud, const struct mb_notified_op *op, enum mb_op o,
		      const struct mb_addr *a, struct mb_net_names *ret);
	void *ud;
};

struct mb_broker_config {
	enum mb_network network;
	enum mb_mode mode;
	struct mb_broker_hooks hooks;
};

struct mb_broker_stats {
	uint64_t decided;    /* operations the rule decided */
	uint64_t brokered;   /* performed by the supervisor */
	uint64_t installed;  /* host sockets handed to the server (ADDFD) */
	uint64_t pending;    /* blocking connects answered later */
	uint64_t continued;  /* left to the kernel */
	uint64_t denied;     /* refused by the rule */
	uint64_t failed;     /* performed, and the call failed (ECONNREFUSED...) */
	uint64_t vanished;   /* the server's thread went away before the answer */
	uint64_t opts_copied, opts_failed; /* socket options */
};

struct mb_broker;

int mb_broker_new(const struct mb_broker_config *cfg, struct mb_broker **ret, struct mb_error *err);
void mb_broker_free(struct mb_broker *b);
MB_DEFINE_CLEANUP(struct mb_broker, mb_broker_free)

/* The notifier's listener (borrowed: ADDFD and the answers go there), and
 * the event loop that waits for blocking connects. Without a loop a
 * blocking connect is answered when it completes, waiting in the
 * supervisor: only tests do that. */
void mb_broker_set_listener(struct mb_broker *b, int listener);
void mb_broker_set_loop(struct mb_broker *b, struct mb_loop *loop);

/* Is op the broker's? listen, and connect, bind, sendto, sendmsg, sendmmsg
 * whose target is an IPv4 or IPv6 address, AF_UNSPEC, no destination, or
 * an argument the notifier could not read. */
bool mb_broker_handles(const struct mb_notified_op *op);

/* Decide op (mb_broker_handles() said yes) and act: the notifier's
 * decision, MB_VERDICT_ANSWERED when the broker answered or will answer
 * itself. */
struct mb_answer mb_broker_decide(struct mb_broker *b, const struct mb_notified_op *op);

/* The other socket calls (an AF_UNIX or other family's address), before
 * the correlator decides them: on an IPv4 or IPv6 socket the kernel
 * refuses the family, and the supervisor answers so itself (true, *ret)
 * rather than let the kernel read the address again; on another socket,
 * false: the correlator's. */
bool mb_broker_foreign(struct mb_broker *b, const struct mb_notified_op *op, struct mb_answer *ret);

const struct mb_broker_stats *mb_broker_stats(const struct mb_broker *b);
/* Blocking connects still waiting. */
unsigned mb_broker_waiting(const struct mb_broker *b);
