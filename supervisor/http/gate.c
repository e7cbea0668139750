/* SPDX-License-Identifier: Apache-2.0 */
/* Host, Origin and rate (gate.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "supervisor/http/gate.h"

/* "localhost", "127.0.0.1", "[::1]", each with an optional ":port". */
static bool loopback_host(const char *h)
{
	size_t n;
	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		if (!close)
			return false;
		n = (size_t)(close - h) + 1;
		if (n != 5 || strncmp(h, "[::1]", 5) != 0)
			return false;
	} else {
		n = strcspn(h, ":");
		if (!(n == 9 && strncasecmp(h, "localhost", 9) == 0)) {
			/* 127.0.0.0/8 in dotted quad. */
			if (strncmp(h, "127.", 4) != 0 || strspn(h, "0123456789.") != n)
				return false;
		}
	}
	return h[n] == '\0' || (h[n] == ':' && h[n + 1] && strspn(h + n + 1, "0123456789") == strlen(h + n + 1));
}

static bool origin_is_own(const struct mb_listener *l, const char *rest)
{
	unsigned dflt = 0;
	mb_vec_foreach(o, &l->origins) {
		if (strcasecmp(*o, rest) == 0)
			return true;
		/* "//host" for "//host:80" / ":443", as browsers send it. */
		const char *colon = strrchr(*o, ':');
		dflt = l->port;
		if (colon && (dflt == 80 || dflt == 443) && strlen(rest) == (size_t)(colon - *o) &&
		    strncasecmp(*o, rest, (size_t)(colon - *o)) == 0)
			return true;
	}
	return false;
}

int mb_gate_origin(const struct mb_listener *l, bool tls, const char *host, const char *origin,
		   const char *const *allow, size_t nallow, const char **why)
{
	if (l->loopback && host && !loopback_host(host)) {
		*why = "the Host header names a site other than this loopback listener (DNS rebinding?)";
		return -EPERM;
	}
	if (!origin)
		return 0;
	for (size_t i = 0; i < nallow; i++)
		if (strcmp(allow[i], "*") == 0 || strcasecmp(allow[i], origin) == 0)
			return 0;
	const char *scheme = tls ? "https:" : "http:";
	size_t sl = strlen(scheme);
	if (strncasecmp(origin, scheme, sl) == 0 && origin_is_own(l, origin + sl))
		return 0;
	*why = "the Origin is neither this listener's own nor given by --allow-origin";
	return -EPERM;
}

#define RATE_SLOTS 1024

struct slot {
	char addr[48];
	double tokens;
	uint64_t last_ns;
};

struct mb_rate {
	double rate;
	struct slot slots[RATE_SLOTS];
};

int mb_rate_new(unsigned rate, struct mb_rate **ret)
{
	struct mb_rate *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->rate = rate;
	*ret = r;
	return 0;
}

void mb_rate_free(struct mb_rate *r)
{
	free(r);
}

/* FNV-1a: spreads addresses over the slots; two that share a slot share
 * a bucket until one of them has been quiet long enough to be replaced. */
static size_t slot_of(const char *addr)
{
	uint32_t h = 2166136261u;
	for (const char *p = addr; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % RATE_SLOTS;
}

bool mb_rate_take(struct mb_rate *r, const char *addr, uint64_t now_ns)
{
	struct slot *s = &r->slots[slot_of(addr)];
	double burst = 2 * r->rate;
	if (strncmp(s->addr, addr, sizeof(s->addr) - 1) != 0) {
		/* A new address takes the slot once its holder's bucket
		 * would be full again (it has been quiet for a while). */
		double idle = s->addr[0] ? (double)(now_ns - s->last_ns) / 1e9 * r->rate : burst;
		if (s->addr[0] && s->tokens + idle < burst)
			return s->tokens + idle >= 1 ? true : false;
		snprintf(s->addr, sizeof(s->addr), "%s", addr);
		s->tokens = burst;
		s->last_ns = now_ns;
	}
	s->tokens += (double)(now_ns - s->last_ns) / 1e9 * r->rate;
	if (s->tokens > burst)
		s->tokens = burst;
	s->last_ns = now_ns;
	if (s->tokens < 1)
		return false;
	s->tokens -= 1;
	return true;
}
