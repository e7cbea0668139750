/* SPDX-License-Identifier: Apache-2.0 */
/* Answers of the host's resolver, reused for a moment (resolve-server.c
 * says how long): a fixed table, scanned in full. Only what getaddrinfo
 * said is kept; the grant check, the guards and the bindings are done
 * again for every question. */
#include <netdb.h>
#include <string.h>

#include "supervisor/resolve/resolve-internal.h"

const struct mb_lookup *mb_answer_cache_get(const struct mb_answer_cache *c, const char *name,
					    uint64_t now)
{
	for (size_t i = 0; i < MB_ANSWER_CACHE; i++)
		if (c->v[i].name[0] && c->until_ns[i] > now && strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

void mb_answer_cache_put(struct mb_answer_cache *c, const struct mb_lookup *l, uint64_t now,
			 uint64_t life_ns)
{
	if (life_ns == 0 ||
	    (l->gai != 0 && l->gai != EAI_NONAME && l->gai != EAI_NODATA && l->gai != EAI_ADDRFAMILY))
		return;
	size_t slot = 0;
	for (size_t i = 0; i < MB_ANSWER_CACHE; i++) {
		if (c->v[i].name[0] && strcmp(c->v[i].name, l->name) == 0) {
			slot = i;
			break;
		}
		if (c->until_ns[i] < c->until_ns[slot])
			slot = i;
	}
	c->v[slot] = *l;
	c->v[slot].ud = NULL;
	c->v[slot].next = NULL;
	c->until_ns[slot] = now + life_ns;
}
