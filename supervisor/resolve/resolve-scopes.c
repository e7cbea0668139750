/* SPDX-License-Identifier: Apache-2.0 */
/* The grants in force, for names: runtime, then each client request in
 * flight whose window is open (its tool's, or its method's, grants), as
 * the correlator takes them (supervisor/notify/correlate.c). Endpoints
 * hold no placeholder, so a call's network grants are its declaration's:
 * nothing to fill in. Then, for audit mode, the static union: every tool
 * and request of the profile. */
#include <string.h>

#include "supervisor/resolve/resolve-internal.h"

/* The declared scope a request in flight brings, or NULL. */
static const struct mb_grants *call_scope(const struct mb_profile *p, const struct mb_call *c)
{
	if (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c))
		return NULL;
	const struct mb_tool *t = c->tool ? mb_profile_tool(p, c->tool)
				  : c->method ? mb_profile_request(p, c->method) : NULL;
	return t ? &t->grants : NULL;
}

struct want {
	enum mb_op op;
	const char *name;         /* a name, or */
	const struct mb_addr *a;  /* an address, by a full-prefix grant */
	uint16_t port;
	uint8_t proto;
};

static const struct mb_endpoint *scope_match(const struct mb_grants *g, const struct want *w)
{
	if (w->op != MB_OP_CONNECT && w->op != MB_OP_BIND)
		return NULL;
	mb_vec_foreach(ep, &g->net[MB_NET_OP_INDEX(w->op)]) {
		if (w->name ? mb_endpoint_match_name(ep, w->name, w->port, w->proto)
			    : ep->prefix == (ep->family == AF_INET ? 32 : 128) &&
				      mb_endpoint_match(ep, w->a))
			return ep;
	}
	return NULL;
}

static enum mb_name_scope find(const struct mb_resolver *r, const struct want *w,
			       const struct mb_endpoint **which)
{
	const struct mb_profile *p = r->cfg.profile;
	const struct mb_endpoint *ep = scope_match(&p->runtime, w);
	for (const struct mb_call *c = r->inflight ? mb_inflight_first(r->inflight) : NULL;
	     c && !ep; c = mb_inflight_next(c)) {
		const struct mb_grants *g = call_scope(p, c);
		if (g)
			ep = scope_match(g, w);
	}
	enum mb_name_scope s = ep ? MB_SCOPE_IN_FORCE : MB_SCOPE_STATIC;
	for (size_t i = 0; i < p->tools.n && !ep; i++)
		ep = scope_match(&p->tools.v[i].grants, w);
	for (size_t i = 0; i < p->requests.n && !ep; i++)
		ep = scope_match(&p->requests.v[i].grants, w);
	if (which)
		*which = ep;
	return ep ? s : MB_SCOPE_NONE;
}

enum mb_name_scope mb_scopes_name(const struct mb_resolver *r, enum mb_op op, const char *name,
				  uint16_t port, uint8_t proto, const struct mb_endpoint **which)
{
	struct want w = { .op = op, .name = name, .port = port, .proto = proto };
	return find(r, &w, which);
}

enum mb_name_scope mb_scopes_literal(const struct mb_resolver *r, enum mb_op op,
				     const struct mb_addr *a)
{
	struct want w = { .op = op, .a = a };
	return find(r, &w, NULL);
}

bool mb_scopes_private(const struct mb_resolver *r, const char *name)
{
	mb_vec_foreach(n, &r->cfg.profile->private_names) {
		if (mb_name_match(n->name, n->wildcard, name))
			return true;
	}
	return false;
}
