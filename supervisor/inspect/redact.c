/* SPDX-License-Identifier: Apache-2.0 */
/* Byte-exact edits of a JSON text (redact.h). */
#include <stdlib.h>

#include "supervisor/inspect/redact.h"

int mb_edit_add(mb_edit_vec *v, size_t off, size_t len, const char *repl, size_t repl_len)
{
	struct mb_edit e = { off, len, repl, repl_len };
	return mb_vec_push(v, e);
}

int mb_edit_hide_elements(mb_edit_vec *v, const struct mb_span *elems, const bool *hide, size_t n)
{
	size_t last_kept = n;
	for (size_t i = 0; i < n; i++)
		if (!hide[i])
			last_kept = i;
	for (size_t i = 0; i < n; i++) {
		if (!hide[i])
			continue;
		size_t from, to;
		if (last_kept == n) {
			/* Nothing stays: from the first element to the last. */
			from = elems[0].off;
			to = elems[n - 1].off + elems[n - 1].len;
		} else if (i < last_kept) {
			/* Up to the next element: its comma goes with it. */
			from = elems[i].off;
			to = elems[i + 1].off;
		} else {
			/* After the last kept one: from the end of the one before. */
			from = elems[i - 1].off + elems[i - 1].len;
			to = elems[i].off + elems[i].len;
		}
		if (mb_edit_add(v, from, to - from, "", 0) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct mb_edit *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->len > y->len ? -1 : x->len < y->len;
}

void mb_edits_apply(const char *text, struct mb_span span, mb_edit_vec *v, struct mb_strbuf *out)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), by_offset);
	size_t at = span.off, end = span.off + span.len;
	for (size_t i = 0; i < v->n; i++) {
		const struct mb_edit *e = &v->v[i];
		if (e->off < at || e->off + e->len > end) {
			/* Overlaps what was already replaced: widen that. */
			if (e->off < at && e->off + e->len > at && e->off + e->len <= end)
				at = e->off + e->len;
			continue;
		}
		mb_strbuf_append(out, text + at, e->off - at);
		mb_strbuf_append(out, e->repl, e->repl_len);
		at = e->off + e->len;
	}
	mb_strbuf_append(out, text + at, end - at);
}
