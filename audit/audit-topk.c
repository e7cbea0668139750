/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded counting for the summary (Space-Saving; see audit.h): a hash
 * table over at most cap entries and a min-heap by count, so that the
 * entry to replace when the table is full is found in O(1) and each count
 * costs O(log cap). Memory: cap entries of at most AUDIT_TOPK_KEY bytes. */
#include <errno.h>
#include <string.h>

#include "audit/audit.h"

struct topk_entry {
	char *key;
	uint64_t count, error;
	size_t heap;  /* position in the heap */
	ssize_t next; /* next entry in the same bucket, -1 at the end */
};

struct audit_topk {
	size_t cap, n, nbuckets;
	struct topk_entry *e;
	size_t *heap;
	ssize_t *bucket;
	uint64_t total;
	bool overflowed;
};

struct audit_topk *audit_topk_new(size_t cap)
{
	struct audit_topk *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = cap ? cap : 1;
	t->nbuckets = 16;
	while (t->nbuckets < 2 * t->cap)
		t->nbuckets *= 2;
	t->e = calloc(t->cap, sizeof(*t->e));
	t->heap = calloc(t->cap, sizeof(*t->heap));
	t->bucket = malloc(t->nbuckets * sizeof(*t->bucket));
	if (!t->e || !t->heap || !t->bucket) {
		audit_topk_free(t);
		return NULL;
	}
	for (size_t i = 0; i < t->nbuckets; i++)
		t->bucket[i] = -1;
	return t;
}

void audit_topk_free(struct audit_topk *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->e && i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	free(t->heap);
	free(t->bucket);
	free(t);
}

static size_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static void heap_swap(struct audit_topk *t, size_t a, size_t b)
{
	size_t x = t->heap[a];
	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->e[t->heap[a]].heap = a;
	t->e[t->heap[b]].heap = b;
}

static void sift_up(struct audit_topk *t, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (t->e[t->heap[p]].count <= t->e[t->heap[i]].count)
			break;
		heap_swap(t, i, p);
		i = p;
	}
}

static void sift_down(struct audit_topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
			m = l;
		if (r < t->n && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static void unlink_entry(struct audit_topk *t, size_t idx)
{
	const char *k = t->e[idx].key;
	ssize_t *p = &t->bucket[hash(k, strlen(k)) & (t->nbuckets - 1)];
	while (*p != (ssize_t)idx)
		p = &t->e[*p].next;
	*p = t->e[idx].next;
}

int audit_topk_add(struct audit_topk *t, const char *key, uint64_t weight)
{
	size_t len = strnlen(key, AUDIT_TOPK_KEY);
	size_t b = hash(key, len) & (t->nbuckets - 1);
	t->total += weight;
	for (ssize_t i = t->bucket[b]; i >= 0; i = t->e[i].next) {
		struct topk_entry *e = &t->e[i];
		if (strncmp(e->key, key, len) == 0 && e->key[len] == '\0') {
			e->count += weight;
			sift_down(t, e->heap);
			return 0;
		}
	}
	char *k = strndup(key, len);
	if (!k)
		return -ENOMEM;
	size_t idx;
	if (t->n < t->cap) {
		idx = t->n++;
		t->e[idx] = (struct topk_entry){ .key = k, .count = weight, .heap = idx };
		t->heap[idx] = idx;
		sift_up(t, idx);
	} else {
		/* Replace the least counted key: the newcomer may have been
		 * among the ones it stood for, so it inherits that count as
		 * its error bound. */
		t->overflowed = true;
		idx = t->heap[0];
		unlink_entry(t, idx);
		free(t->e[idx].key);
		t->e[idx].key = k;
		t->e[idx].error = t->e[idx].count;
		t->e[idx].count += weight;
		sift_down(t, 0);
	}
	t->e[idx].next = t->bucket[b];
	t->bucket[b] = (ssize_t)idx;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct audit_topk_entry *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct audit_topk_entry *audit_topk_sorted(struct audit_topk *t, size_t *n)
{
	struct audit_topk_entry *out = calloc(t->n ? t->n : 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		out[i] = (struct audit_topk_entry){ t->e[i].key, t->e[i].count, t->e[i].error };
	qsort(out, t->n, sizeof(*out), by_count);
	*n = t->n;
	return out;
}

uint64_t audit_topk_total(const struct audit_topk *t)
{
	return t->total;
}

bool audit_topk_overflowed(const struct audit_topk *t)
{
	return t->overflowed;
}
