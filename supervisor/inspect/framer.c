/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macros.h"
#include "supervisor/inspect/framer.h"

#define FRAMER_MIN_CAP (64u * 1024u)
/* After a large message the buffer shrinks back once it is this idle. */
#define FRAMER_SHRINK_ABOVE (1024u * 1024u)

void mb_framer_init(struct mb_framer *f, size_t limit)
{
	*f = (struct mb_framer){ .limit = limit ? limit : 1 };
}

void mb_framer_free(struct mb_framer *f)
{
	free(f->buf);
	*f = (struct mb_framer){ .limit = f->limit };
}

/* Room for at least one more byte; the buffer never exceeds limit + 1
 * (a line of limit bytes plus the byte that proves it too long). */
static int make_room(struct mb_framer *f)
{
	if (f->len < f->cap)
		return 0;
	size_t max = f->limit + 1;
	size_t ncap = f->cap ? f->cap * 2 : FRAMER_MIN_CAP;
	if (ncap > max)
		ncap = MB_MAX(max, f->cap);
	if (ncap <= f->cap)
		return -ENOBUFS; /* cannot happen: process() empties a full buffer */
	char *p = realloc(f->buf, ncap);
	if (!p)
		return -ENOMEM;
	f->buf = p;
	f->cap = ncap;
	return 0;
}

static void maybe_shrink(struct mb_framer *f)
{
	if (f->cap <= FRAMER_SHRINK_ABOVE || f->len > FRAMER_MIN_CAP / 2)
		return;
	char *p = realloc(f->buf, FRAMER_MIN_CAP);
	if (p) {
		f->buf = p;
		f->cap = FRAMER_MIN_CAP;
	}
}

static void deliver_line(struct mb_framer *f, size_t start, size_t lf, mb_frame_fn fn, void *ud)
{
	size_t tlen = lf - start;
	if (tlen && f->buf[start + tlen - 1] == '\r')
		tlen--;
	struct mb_frame fr = {
		.kind = MB_FRAME_LINE,
		.text = f->buf + start,
		.len = tlen,
		.raw = f->buf + start,
		.raw_len = lf - start + 1,
	};
	fn(ud, &fr);
}

/* Deliver every complete line in buf; keep the tail. */
static void process(struct mb_framer *f, mb_frame_fn fn, void *ud)
{
	size_t start = 0;
	if (f->skipping) {
		char *lf = memchr(f->buf, '\n', f->len);
		if (!lf) {
			f->skipped += f->len;
			f->len = 0;
			f->scanned = 0;
			return;
		}
		size_t p = (size_t)(lf - f->buf);
		f->skipped += p;
		f->skipping = false;
		struct mb_frame fr = { .kind = MB_FRAME_OVERSIZED, .skipped = f->skipped };
		f->skipped = 0;
		fn(ud, &fr);
		start = p + 1;
		f->scanned = start;
	}
	for (;;) {
		size_t from = MB_MAX(start, f->scanned);
		char *lf = from < f->len ? memchr(f->buf + from, '\n', f->len - from) : NULL;
		if (!lf)
			break;
		size_t p = (size_t)(lf - f->buf);
		if (p - start > f->limit) {
			/* A line over the limit that arrived whole in one read. */
			struct mb_frame fr = { .kind = MB_FRAME_OVERSIZED, .skipped = p - start };
			fn(ud, &fr);
		} else {
			deliver_line(f, start, p, fn, ud);
		}
		start = p + 1;
		f->scanned = start;
	}
	if (start) {
		memmove(f->buf, f->buf + start, f->len - start);
		f->len -= start;
	}
	f->scanned = f->len;
	if (f->len > f->limit) {
		/* No LF within limit bytes: drop what we hold and skip to the
		 * end of the line without buffering it. */
		f->skipping = true;
		f->skipped = f->len;
		f->len = 0;
		f->scanned = 0;
	}
	maybe_shrink(f);
}

static void finish(struct mb_framer *f, mb_frame_fn fn, void *ud)
{
	if (f->skipping) {
		struct mb_frame fr = { .kind = MB_FRAME_OVERSIZED, .skipped = f->skipped };
		f->skipping = false;
		f->skipped = 0;
		fn(ud, &fr);
	} else if (f->len) {
		size_t tlen = f->len;
		if (f->buf[tlen - 1] == '\r')
			tlen--;
		struct mb_frame fr = {
			.kind = MB_FRAME_PARTIAL,
			.text = f->buf,
			.len = tlen,
			.raw = f->buf,
			.raw_len = f->len,
		};
		fn(ud, &fr);
	}
	f->len = 0;
	f->scanned = 0;
}

ssize_t mb_framer_read(struct mb_framer *f, int fd, mb_frame_fn fn, void *ud)
{
	int r = make_room(f);
	if (r < 0)
		return r;
	ssize_t n = read(fd, f->buf + f->len, f->cap - f->len);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : mb_neg_errno();
	if (n == 0) {
		finish(f, fn, ud);
		return 0;
	}
	f->len += (size_t)n;
	process(f, fn, ud);
	return n;
}

int mb_framer_feed(struct mb_framer *f, const char *data, size_t n, bool eof, mb_frame_fn fn,
		   void *ud)
{
	while (n) {
		int r = make_room(f);
		if (r < 0)
			return r;
		size_t k = MB_MIN(n, f->cap - f->len);
		memcpy(f->buf + f->len, data, k);
		f->len += k;
		data += k;
		n -= k;
		process(f, fn, ud);
	}
	if (eof)
		finish(f, fn, ud);
	return 0;
}

void mb_outq_init(struct mb_outq *q, size_t high)
{
	*q = (struct mb_outq){ .high = high };
}

void mb_outq_free(struct mb_outq *q)
{
	free(q->buf);
	*q = (struct mb_outq){ .high = q->high };
}

int mb_outq_append(struct mb_outq *q, const char *data, size_t n)
{
	if (!n)
		return 0;
	if (q->off + q->len + n > q->cap) {
		if (q->off) {
			memmove(q->buf, q->buf + q->off, q->len);
			q->off = 0;
		}
		if (q->len + n > q->cap) {
			size_t ncap = q->cap ? q->cap : 4096;
			while (ncap < q->len + n)
				ncap *= 2;
			char *p = realloc(q->buf, ncap);
			if (!p)
				return -ENOMEM;
			q->buf = p;
			q->cap = ncap;
		}
	}
	memcpy(q->buf + q->off + q->len, data, n);
	q->len += n;
	return 0;
}

int mb_outq_flush(struct mb_outq *q, int fd)
{
	while (q->len) {
		ssize_t n = write(fd, q->buf + q->off, q->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -EAGAIN;
			return mb_neg_errno();
		}
		q->off += (size_t)n;
		q->len -= (size_t)n;
	}
	q->off = 0;
	/* Give back the memory a burst took. */
	if (q->cap > 4 * q->high && q->cap > 1024 * 1024) {
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
	return 0;
}
