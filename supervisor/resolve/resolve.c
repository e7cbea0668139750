/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's resolver (resolve.h): its life, and what it tells the
 * broker about addresses answered for names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "supervisor/resolve/resolve-internal.h"

#define LOOKUP_THREADS 4

static uint32_t ttl_from_env(void)
{
	const char *s = getenv(MB_RESOLVE_TTL_ENV);
	char *end;
	unsigned long v = s && *s ? strtoul(s, &end, 10) : 0;
	return v > 0 && v <= 3600 && *end == '\0' ? (uint32_t)v : MB_RESOLVE_TTL_S;
}

int mb_resolver_new(const struct mb_resolver_config *cfg, struct mb_resolver **ret,
		    struct mb_error *err)
{
	struct mb_resolver *r = calloc(1, sizeof(*r));
	if (!r) {
		mb_close(cfg->udp_fd);
		mb_close(cfg->tcp_fd);
		return mb_error_set(err, -ENOMEM, "out of memory");
	}
	r->cfg = *cfg;
	r->ttl_s = ttl_from_env();
	int e = mb_lookups_new(LOOKUP_THREADS, &r->lookups);
	if (e < 0) {
		mb_resolver_free(r);
		return mb_error_set(err, e, "the sandbox's resolver: %s", strerror(-e));
	}
	*ret = r;
	return 0;
}

void mb_resolver_free(struct mb_resolver *r)
{
	if (!r)
		return;
	mb_resolver_server_free(r);
	mb_lookups_free(r->lookups, NULL);
	mb_close(r->cfg.udp_fd);
	mb_close(r->cfg.tcp_fd);
	mb_bindings_free(&r->bindings);
	free(r);
}

void mb_resolver_attach(struct mb_resolver *r, const struct mb_inflight *inflight,
			struct mb_loop *loop)
{
	r->inflight = inflight;
	mb_resolver_server_attach(r, loop);
}

bool mb_resolver_is_self(const struct mb_resolver *r, const struct mb_addr *a)
{
	if (!r || r->cfg.udp_fd < 0 || a->family != r->cfg.addr.family ||
	    a->port != r->cfg.addr.port)
		return false;
	return memcmp(a->addr, r->cfg.addr.addr, a->family == AF_INET ? 4 : 16) == 0;
}

enum mb_name_scope mb_resolver_grant(struct mb_resolver *r, enum mb_op op,
				     const struct mb_addr *a, const char **name)
{
	*name = NULL;
	if (!r || op != MB_OP_CONNECT)
		return MB_SCOPE_NONE; /* a bind is never by name */
	uint64_t now = mb_now_ns();
	enum mb_name_scope best = MB_SCOPE_NONE;
	for (const struct mb_binding *b = mb_bindings_next(&r->bindings, a, NULL); b;
	     b = mb_bindings_next(&r->bindings, a, b)) {
		bool live = b->expires_ns > now;
		enum mb_name_scope s = live ? mb_scopes_name(r, op, b->name, a->port, a->proto, NULL)
					    : MB_SCOPE_NONE;
		/* The name to report: the one that allows it, else the first. */
		if (!*name || (s != MB_SCOPE_NONE && best == MB_SCOPE_NONE)) {
			snprintf(r->last_name, sizeof(r->last_name), "%s", b->name);
			*name = r->last_name;
		}
		if (s == MB_SCOPE_IN_FORCE)
			return s;
		if (s == MB_SCOPE_STATIC)
			best = s;
	}
	return best;
}

bool mb_resolver_live(const struct mb_resolver *r, const struct mb_addr *a)
{
	uint64_t now = mb_now_ns();
	for (const struct mb_binding *b = r ? mb_bindings_next(&r->bindings, a, NULL) : NULL; b;
	     b = mb_bindings_next(&r->bindings, a, b))
		if (b->expires_ns > now)
			return true;
	return false;
}

const char *mb_resolver_name(struct mb_resolver *r, const struct mb_addr *a)
{
	const struct mb_binding *b = r ? mb_bindings_next(&r->bindings, a, NULL) : NULL;
	const struct mb_binding *last = b;
	for (; b; b = mb_bindings_next(&r->bindings, a, b))
		if (b->made_ns > last->made_ns)
			last = b;
	if (!last)
		return NULL;
	snprintf(r->last_name, sizeof(r->last_name), "%s", last->name);
	return r->last_name;
}

enum mb_name_scope mb_resolver_literal(struct mb_resolver *r, enum mb_op op,
				       const struct mb_addr *a)
{
	return r ? mb_scopes_literal(r, op, a) : MB_SCOPE_NONE;
}

const struct mb_resolver_stats *mb_resolver_stats(const struct mb_resolver *r)
{
	return &r->stats;
}
