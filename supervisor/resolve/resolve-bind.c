/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses answered for names (resolve-internal.h): a small table
 * scanned in full, bounded by MB_BINDINGS_MAX. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/resolve/resolve-internal.h"

void mb_bindings_free(struct mb_bindings *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static bool same_addr(const struct mb_binding *x, const struct mb_addr *a)
{
	return x->family == a->family &&
	       memcmp(x->addr, a->addr, a->family == AF_INET ? 4 : 16) == 0;
}

int mb_bindings_add(struct mb_bindings *b, const struct mb_addr *a, const char *name, uint64_t now,
		    uint64_t lifetime_ns)
{
	if (!b->v && !(b->v = calloc(MB_BINDINGS_MAX, sizeof(*b->v))))
		return -ENOMEM;
	struct mb_binding *slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < b->n; i++) {
		struct mb_binding *x = &b->v[i];
		if (same_addr(x, a) && strcmp(x->name, name) == 0) {
			slot = x; /* renewed */
			break;
		}
		if (!oldest || x->made_ns < oldest->made_ns)
			oldest = x;
	}
	if (!slot) {
		if (b->n < MB_BINDINGS_MAX) {
			slot = &b->v[b->n++];
		} else {
			for (size_t i = 0; i < b->n && !slot; i++)
				if (b->v[i].expires_ns <= now)
					slot = &b->v[i];
			if (!slot)
				slot = oldest;
		}
	}
	*slot = (struct mb_binding){ .family = a->family, .expires_ns = now + lifetime_ns,
				     .made_ns = now };
	memcpy(slot->addr, a->addr, 16);
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	return 0;
}

const struct mb_binding *mb_bindings_next(const struct mb_bindings *b, const struct mb_addr *a,
					  const struct mb_binding *prev)
{
	size_t i = prev ? (size_t)(prev - b->v) + 1 : 0;
	for (; i < b->n; i++)
		if (same_addr(&b->v[i], a))
			return &b->v[i];
	return NULL;
}
