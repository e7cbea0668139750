/* SPDX-License-Identifier: Apache-2.0 */
/* The network rule: what happens to one connect, bind or send, given the
 * profile's network mode, where the socket lives, what the address is and
 * what the grants say. Pure: no system call, so that the whole table is
 * tested as data (tests/broker/unit-rule.c), as libseccomp tests its
 * policies.
 *
 * The rule, as membrane-profile(5) states it ("Network"). "Performed" is
 * done by the supervisor on its copy of the server's socket, with the
 * address it checked: never left to the kernel, which would read the
 * server's memory and look the fd up again.
 *
 * network: brokered, a socket of the sandbox (its own, empty netns)
 *   connect, bind  granted           -> brokered: a new socket made in the
 *                                       host's namespace, handed to the server
 *                  not granted, to a loopback (or unspecified) address
 *                                    -> stays inside: performed on the
 *                                       server's own socket, in the sandbox's
 *                                       netns, where only what the server
 *                                       itself listens on exists. A connect is
 *                                       reported when nothing in the sandbox
 *                                       listens there but something on the
 *                                       host does: the server meant the
 *                                       host's loopback.
 *                  not granted, elsewhere -> denied (EPERM), reported
 *   send with a destination (sendto, sendmsg, sendmmsg)
 *                  to loopback, not granted -> stays inside (as connect)
 *                  otherwise         -> denied (EPERM), reported: datagrams
 *                                       leave the sandbox only on a socket
 *                                       whose connect() was brokered
 * network: brokered, a socket already brokered (it lives on the host)
 *   connect, bind  granted           -> performed, on it
 *                  not granted       -> denied, reported (its loopback is
 *                                       the host's: nothing stays inside)
 *   send with a destination          -> denied, reported (send() without a
 *                                       destination on the connected socket)
 * network: host (every socket lives on the host)
 *   granted                          -> performed
 *   a TCP connect to loopback that nothing on the host listens on
 *                                    -> ECONNREFUSED, not reported (a probe)
 *   otherwise                        -> denied (EPERM), reported
 * brokered and host, no address (a send without a destination, connect
 * with AF_UNSPEC, which dissolves an association)
 *                                    -> performed: it reaches what the
 *                                       socket is connected to, decided when
 *                                       it was connected, or nothing
 *
 * What grants an address (docs/design.md "Names"): a literal grant (an
 * address or a range), or a name a grant allows that the sandbox's
 * resolver answered with this address (within the answer's lifetime); the
 * better of the two counts. A cloud metadata address is granted only by a
 * grant of that very address (a full prefix), never by a range or a name,
 * in every mode: refused (EPERM), reported.
 * The sandbox's resolver itself (its address, port 53), on a socket of the
 * sandbox (or any, with host, where it listens on the host's loopback)
 *                                    -> performed in place (CONTINUE with
 *                                       none), never reported, whatever a
 *                                       loopback grant says: DNS goes to
 *                                       membrane-run, nowhere else; on a
 *                                       brokered socket it is the host's
 *                                       address: as any other
 * network: none
 *   everything CONTINUEs: the empty netns answers (ENETUNREACH, Landlock's
 *   EACCES), and no socket of the server lives anywhere else, so a race
 *   reaches nothing; what is not granted is reported as for brokered (the
 *   report names the address read, which a racing thread can make
 *   inexact).
 *
 * Audit mode: an operation that some scope of the profile grants (the
 * static union), not the requests in flight, is done as if granted and
 * reported "allowed". One that no scope grants is left to the static layer
 * behind its socket, reported "allowed" (membrane let it through to that
 * layer): done in place in the sandbox's netns (brokered), or CONTINUE
 * (host: Landlock's TCP ports, the kernel); a socket already brokered has
 * no layer behind it and is refused in both modes.
 *
 * The errno of a refusal is EPERM, as for every connect and bind the
 * dynamic layer refuses (membrane-run(1)), and as a packet filter answers.
 */
#pragma once

#include <stdbool.h>

#include "policy/profile.h"

enum mb_net_call {
	MB_NET_CONNECT,
	MB_NET_BIND,
	MB_NET_SEND, /* sendto, sendmsg, sendmmsg */
};

/* What the grants say about the address (the correlator's answer). */
enum mb_net_grant {
	MB_NET_NOT_GRANTED,
	MB_NET_GRANTED,        /* by the grants in force: runtime + calls in flight */
	MB_NET_GRANTED_STATIC, /* only by a scope not in force (the static union) */
};

enum mb_net_scope {
	MB_ADDR_REMOTE,
	MB_ADDR_LOOPBACK, /* 127.0.0.0/8, ::1 */
	MB_ADDR_ANY,      /* 0.0.0.0, ::: a connect to it reaches loopback */
};

/* Who has a socket at a loopback address and port (TCP: listening; UDP:
 * bound), looked up only when the rule needs it. */
enum mb_net_presence {
	MB_PRESENT_NOWHERE,
	MB_PRESENT_INSIDE, /* in the sandbox's netns (checked first) */
	MB_PRESENT_ON_HOST,
};

struct mb_net_facts {
	enum mb_network network;
	enum mb_mode mode;
	enum mb_net_call call;
	bool no_address;  /* a send without a destination, or connect(AF_UNSPEC):
			     scope, grant and presence do not apply */
	bool host_socket; /* the socket lives in the supervisor's netns */
	bool brokerable;  /* a stream or datagram socket */
	bool stream;      /* SOCK_STREAM */
	enum mb_net_scope scope;
	enum mb_net_grant grant;      /* by a literal grant (an address or a range) */
	enum mb_net_grant name_grant; /* by a name answered with this address */
	bool metadata;                /* a cloud metadata address (policy/addr-class.h) */
	enum mb_net_grant exact_grant; /* metadata: by a grant of this very address */
	bool resolver;                /* the sandbox's resolver, port 53 */
	bool name_expired;            /* answered for a name, every such answer
					 run out: said in the reason */
	enum mb_net_presence (*presence)(void *ud);
	void *presence_ud;
};

enum mb_net_action {
	MB_NET_DO_BROKER,   /* on a new socket in the host's namespace, installed */
	MB_NET_DO_IN_PLACE, /* by the supervisor, on the server's own socket */
	MB_NET_DO_CONTINUE, /* by the kernel (network none, audit mode) */
	MB_NET_DO_DENY,     /* answer error */
};

struct mb_net_outcome {
	enum mb_net_action action;
	int error;          /* MB_NET_DO_DENY: a positive errno */
	bool report;        /* write a violation report */
	bool allowed;       /* its decision: "allowed" (audit mode) or "denied" */
	const char *reason; /* for the report: why it is refused or allowed */
	bool host_only;     /* the target exists on the host, not in the sandbox */
	const char *name;   /* the name the address was answered for, if any:
			       reports carry it (set by the caller, not the rule) */
};

struct mb_net_outcome mb_net_rule(const struct mb_net_facts *f);

const char *mb_net_call_name(enum mb_net_call c);
