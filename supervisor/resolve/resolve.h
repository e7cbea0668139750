/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's resolver: membrane-run answers the sandbox's DNS itself,
 * and the answers are what a connect by name is allowed to reach
 * (docs/design.md "Names"; membrane-profile(5) "Name resolution").
 *
 *   the server's resolver (glibc, c-ares...) reads membrane's resolv.conf
 *     -> a question over UDP or TCP to the resolver's address, port 53, on
 *        sockets the supervisor holds (made in the sandbox's network
 *        namespace by its init, or on the host's loopback with network
 *        host) and reads in its event loop
 *     -> parsed (dns-wire.h): anything but one plain question is REFUSED
 *        and reported; a type other than A or AAAA too
 *     -> the name checked against the connect grants in force (runtime,
 *        and the client requests in flight): not granted is NXDOMAIN and
 *        reported (op resolve, target the name)
 *     -> resolved with the host's getaddrinfo on a worker thread
 *        (resolve-lookup.c: the loop never waits)
 *     -> guarded: a cloud metadata address, or a loopback, private,
 *        link-local, CGNAT or special one for a name private_names does not
 *        list, refuses the answer (REFUSED, reported)
 *     -> each address bound to the name, the grant and a lifetime
 *        (resolve-bind.c), and answered
 *   a later connect to an address
 *     -> the broker asks mb_resolver_grant(): was the address (and port)
 *        answered for a name a grant in force allows? Then it is granted by
 *        that name, and its report names it.
 *
 * One thread of the supervisor uses it, from the event loop; only the
 * lookups run elsewhere. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/loop.h"
#include "policy/match.h"
#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"

/* How long an answer lives in the sandbox (its TTL): getaddrinfo gives no
 * TTL, so membrane picks one, short enough that a name asked again is
 * checked again against the grants then in force. A binding lives twice
 * as long, for a connect made as the answer runs out.
 * MEMBRANE_TEST_RESOLVE_TTL (seconds) changes it for the test suite. */
#define MB_RESOLVE_TTL_S 30
#define MB_RESOLVE_TTL_ENV "MEMBRANE_TEST_RESOLVE_TTL"

/* Where the name a scope allows comes from. */
enum mb_name_scope {
	MB_SCOPE_NONE,
	MB_SCOPE_IN_FORCE, /* runtime, or a client request in flight */
	MB_SCOPE_STATIC,   /* only a scope not in force (the static union) */
};

struct mb_resolver_config {
	const struct mb_profile *profile; /* borrowed: mode, grants, private_names */
	/* The sandbox's resolver sockets (owned from here; -1: none, and the
	 * resolver only answers mb_resolver_grant()). */
	int udp_fd, tcp_fd;
	struct mb_addr addr; /* their address, port 53 */
	/* A violation line for a question (op resolve, target name, or what
	 * was read of it): allowed in audit mode for a name some scope
	 * grants. Returns 0 or -errno: the question is then refused. */
	int (*report)(void *ud, const char *target, bool allowed, const char *reason);
	void *report_ud;
	/* Learn mode: every well-formed A or AAAA question is answered as the
	 * host's resolver answers it, no grant checked, no guard applied,
	 * nothing reported; the addresses are bound all the same, so that
	 * the draft names what the server connected to (mb_resolver_name). */
	bool answer_all;
	/* Learn mode: each well-formed A or AAAA question's name, as asked
	 * (may be NULL). */
	void (*asked)(void *ud, const char *name);
	void *asked_ud;
};

struct mb_resolver_stats {
	uint64_t questions;  /* messages read */
	uint64_t answered;   /* NOERROR */
	uint64_t nxdomain;   /* names not granted (and names that exist nowhere) */
	uint64_t refused;    /* malformed, other types, guards */
	uint64_t servfail;   /* lookups that failed, or no room for one */
	uint64_t lookups;    /* getaddrinfo calls */
	uint64_t cached;     /* questions answered from an answer of the last second */
	uint64_t bound;      /* addresses bound to names */
};

struct mb_resolver;

int mb_resolver_new(const struct mb_resolver_config *cfg, struct mb_resolver **ret,
		    struct mb_error *err);
/* Closes the sockets and the connections; lookups still running end on
 * their own and are dropped. */
void mb_resolver_free(struct mb_resolver *r);
MB_DEFINE_CLEANUP(struct mb_resolver, mb_resolver_free)

/* The requests in flight and the loop whose turns read the sockets. Either
 * may be NULL (idle; no loop: the sockets are not read). Attaching another
 * loop forgets the old one without touching it. */
void mb_resolver_attach(struct mb_resolver *r, const struct mb_inflight *inflight,
			struct mb_loop *loop);

/* Is a the resolver itself (its address, port 53)? */
bool mb_resolver_is_self(const struct mb_resolver *r, const struct mb_addr *a);

/* What the names say of op (CONNECT, or BIND: never by name) on a (its
 * port and protocol): IN_FORCE when a was answered, within its lifetime,
 * for a name a grant in force allows on that port and protocol; STATIC
 * when only a scope not in force does. *name is the name (borrowed until
 * the next call), also when a was answered for a name that no grant
 * allows now or whose answer expired; NULL when a was never answered. */
enum mb_name_scope mb_resolver_grant(struct mb_resolver *r, enum mb_op op,
				     const struct mb_addr *a, const char **name);

/* Does an answer of a (any name) still live? */
bool mb_resolver_live(const struct mb_resolver *r, const struct mb_addr *a);

/* The name a was last answered for (expired or not), or NULL: borrowed
 * until the next call. */
const char *mb_resolver_name(struct mb_resolver *r, const struct mb_addr *a);

/* Does a grant of a's very address (a full-prefix endpoint, not a range)
 * allow op? The only grant of a cloud metadata address. */
enum mb_name_scope mb_resolver_literal(struct mb_resolver *r, enum mb_op op,
				       const struct mb_addr *a);

const struct mb_resolver_stats *mb_resolver_stats(const struct mb_resolver *r);
