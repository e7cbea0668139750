/* SPDX-License-Identifier: Apache-2.0 */
/* A string map for membrane-audit's views (audit.h): open addressing over
 * entries allocated one by one and linked in the order they were made, so
 * that a view prints in report order and an entry can be dropped (a session
 * that reached its exit) without moving the others. Bounded by cap: the
 * caller says what a full table means. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "audit/audit.h"

struct node {
	struct node *prev, *next;
	uint64_t h;
	char *key;
	max_align_t data[];
};

static char tomb_mark;
#define TOMB ((struct node *)(void *)&tomb_mark)

struct audit_map {
	size_t entry_size, cap, n, used;
	struct node **slot;
	size_t nslots; /* a power of two */
	struct node *head, *tail;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct node *node_of(const void *entry)
{
	return (struct node *)(void *)((char *)(uintptr_t)entry - offsetof(struct node, data));
}

struct audit_map *audit_map_new(size_t entry_size, size_t cap)
{
	struct audit_map *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->entry_size = entry_size;
	m->cap = cap;
	m->nslots = 64;
	if (!(m->slot = calloc(m->nslots, sizeof(*m->slot)))) {
		free(m);
		return NULL;
	}
	return m;
}

static size_t find_slot(const struct audit_map *m, const char *key, uint64_t h, bool *found)
{
	size_t mask = m->nslots - 1, first_free = SIZE_MAX;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct node *n = m->slot[i];
		if (!n) {
			*found = false;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (n == TOMB) {
			if (first_free == SIZE_MAX)
				first_free = i;
			continue;
		}
		if (n->h == h && strcmp(n->key, key) == 0) {
			*found = true;
			return i;
		}
	}
}

static int grow(struct audit_map *m)
{
	size_t ns = m->nslots * 2;
	struct node **s = calloc(ns, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (struct node *n = m->head; n; n = n->next) {
		size_t i = n->h & (ns - 1);
		while (s[i])
			i = (i + 1) & (ns - 1);
		s[i] = n;
	}
	free(m->slot);
	m->slot = s;
	m->nslots = ns;
	m->used = m->n;
	return 0;
}

void *audit_map_get(struct audit_map *m, const char *key, bool create, bool *full)
{
	uint64_t h = hash(key);
	bool found;
	size_t i = find_slot(m, key, h, &found);
	if (found)
		return m->slot[i]->data;
	if (!create)
		return NULL;
	if (m->n >= m->cap || ((m->used + 1) * 2 > m->nslots && grow(m) < 0)) {
		if (full)
			*full = true;
		return NULL;
	}
	i = find_slot(m, key, h, &found); /* the table may have grown */
	struct node *n = calloc(1, sizeof(*n) + m->entry_size);
	if (!n || !(n->key = strdup(key))) {
		free(n);
		if (full)
			*full = true;
		return NULL;
	}
	n->h = h;
	n->prev = m->tail;
	if (m->tail)
		m->tail->next = n;
	else
		m->head = n;
	m->tail = n;
	if (!m->slot[i])
		m->used++;
	m->slot[i] = n;
	m->n++;
	return n->data;
}

void *audit_map_next(const struct audit_map *m, const void *prev)
{
	struct node *n = prev ? node_of(prev)->next : m->head;
	return n ? n->data : NULL;
}

const char *audit_map_entry_key(const void *entry)
{
	return node_of(entry)->key;
}

size_t audit_map_count(const struct audit_map *m)
{
	return m->n;
}

void audit_map_del(struct audit_map *m, const char *key)
{
	bool found;
	size_t i = find_slot(m, key, hash(key), &found);
	if (!found)
		return;
	struct node *n = m->slot[i];
	m->slot[i] = TOMB;
	if (n->prev)
		n->prev->next = n->next;
	else
		m->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		m->tail = n->prev;
	m->n--;
	free(n->key);
	free(n);
}

void audit_map_free(struct audit_map *m)
{
	if (!m)
		return;
	for (struct node *n = m->head, *next; n; n = next) {
		next = n->next;
		free(n->key);
		free(n);
	}
	free(m->slot);
	free(m);
}
