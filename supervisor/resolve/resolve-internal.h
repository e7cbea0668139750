/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the sandbox's resolver: its state and what its files share. */
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "supervisor/resolve/dns-wire.h"
#include "supervisor/resolve/resolve.h"

/* ---- resolve-bind.c: addresses answered for names -------------------- */

/* At most this many bindings; past it an expired one, else the oldest,
 * makes room (a server that asks for many names loses its own oldest). */
#define MB_BINDINGS_MAX 1024

struct mb_binding {
	int family;
	uint8_t addr[16];
	char name[MB_NAME_MAX + 1];
	uint64_t expires_ns; /* CLOCK_MONOTONIC */
	uint64_t made_ns;
};

struct mb_bindings {
	struct mb_binding *v;
	size_t n;
};

void mb_bindings_free(struct mb_bindings *b);
/* Bind a (its family and address) to name until now + lifetime, renewing
 * the same pair. Returns 0 or -ENOMEM. */
int mb_bindings_add(struct mb_bindings *b, const struct mb_addr *a, const char *name, uint64_t now,
		    uint64_t lifetime_ns);
/* The next binding of a's address after prev (NULL: the first), expired
 * ones included, or NULL. */
const struct mb_binding *mb_bindings_next(const struct mb_bindings *b, const struct mb_addr *a,
					  const struct mb_binding *prev);

/* ---- resolve-lookup.c: getaddrinfo off the loop's thread -------------- */

#define MB_LOOKUP_ADDRS 64 /* addresses kept of one answer, both families */

struct mb_lookup {
	char name[MB_NAME_MAX + 1];
	int family;     /* AF_INET, AF_INET6, or AF_UNSPEC: both (the resolver's) */
	/* filled by a worker */
	int gai;        /* getaddrinfo's return */
	int sys_errno;  /* with EAI_SYSTEM */
	size_t n;
	struct mb_addr addrs[MB_LOOKUP_ADDRS];
	/* the caller's */
	void *ud;
	struct mb_lookup *next;
};

struct mb_lookups;

/* Up to threads workers, started as they are needed. Returns 0 or -errno. */
int mb_lookups_new(unsigned threads, struct mb_lookups **ret);
/* Readable while finished lookups wait for mb_lookups_done(). */
int mb_lookups_fd(const struct mb_lookups *p);
/* Hand l over (the pool's until mb_lookups_done returns it). */
int mb_lookups_submit(struct mb_lookups *p, struct mb_lookup *l);
/* A finished lookup (the caller's again), or NULL. */
struct mb_lookup *mb_lookups_done(struct mb_lookups *p);
/* Lookups not yet started are returned through done (gai EAI_CANCELED...)
 * no more: they are freed with the pool; workers inside getaddrinfo
 * finish on their own, drop what they found and free the pool last. */
void mb_lookups_free(struct mb_lookups *p, void (*free_ud)(void *ud));

/* ---- resolve-cache.c: answers reused for a moment --------------------- */

#define MB_ANSWER_CACHE 64

struct mb_answer_cache {
	struct mb_lookup v[MB_ANSWER_CACHE]; /* name "": a free slot */
	uint64_t until_ns[MB_ANSWER_CACHE];
};

/* The answer of a lookup of name still fresh at now, or NULL. */
const struct mb_lookup *mb_answer_cache_get(const struct mb_answer_cache *c, const char *name,
					    uint64_t now);
/* Keep l's answer until now + life (a failure the host's resolver may not
 * repeat, SERVFAIL's, is not kept); the stalest entry makes room. */
void mb_answer_cache_put(struct mb_answer_cache *c, const struct mb_lookup *l, uint64_t now,
			 uint64_t life_ns);

/* ---- resolve-scopes.c: the grants in force --------------------------- */

/* Which scope allows op on name, port, proto (port 0: any), and the
 * grant (borrowed from the profile). */
enum mb_name_scope mb_scopes_name(const struct mb_resolver *r, enum mb_op op, const char *name,
				  uint16_t port, uint8_t proto, const struct mb_endpoint **which);
/* Which scope grants a by a full-prefix endpoint of its very address. */
enum mb_name_scope mb_scopes_literal(const struct mb_resolver *r, enum mb_op op,
				     const struct mb_addr *a);
/* Does private_names list name? */
bool mb_scopes_private(const struct mb_resolver *r, const char *name);

/* ---- resolve-server.c: the sockets ----------------------------------- */

struct mb_dns_conn;
struct mb_pending;

void mb_resolver_server_attach(struct mb_resolver *r, struct mb_loop *loop);
void mb_resolver_server_free(struct mb_resolver *r);

/* ---- the resolver ---------------------------------------------------- */

struct mb_resolver {
	struct mb_resolver_config cfg;
	const struct mb_inflight *inflight;
	struct mb_loop *loop;
	uint32_t ttl_s;
	struct mb_bindings bindings;
	struct mb_answer_cache cache;
	struct mb_lookups *lookups;
	struct mb_io udp_w, tcp_w, lookups_w;
	bool udp_added, tcp_added, lookups_added;
	struct mb_dns_conn *conns;
	unsigned nconns;
	struct mb_pending *pending;
	unsigned npending;
	struct mb_resolver_stats stats;
	char last_name[MB_NAME_MAX + 1]; /* mb_resolver_grant()'s *name */
};
