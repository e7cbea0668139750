/* SPDX-License-Identifier: Apache-2.0 */
/* MCP stdio framing: one message per line. A raw LF ends a message; a CR
 * before it is tolerated (and stays in the bytes forwarded). A line longer
 * than the limit is never buffered whole: once the buffer holds limit bytes
 * without an LF, the rest of the line is skipped up to its LF and reported as
 * one oversized frame.
 *
 * The framer owns the input buffer of one direction; the output queue
 * (mb_outq) holds bytes for one fd that could not be written yet. Together
 * they give backpressure: the owner stops reading a side while the queue it
 * feeds is above its high mark, so memory stays bounded by limit + high mark
 * and nothing is dropped or reordered. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum mb_frame_kind {
	MB_FRAME_LINE,      /* a complete line */
	MB_FRAME_PARTIAL,   /* bytes without a final LF at end of input */
	MB_FRAME_OVERSIZED, /* a line over the limit, skipped */
};

struct mb_frame {
	enum mb_frame_kind kind;
	const char *text;  /* the message, without LF and CR (LINE, PARTIAL) */
	size_t len;
	const char *raw;   /* the original bytes, terminator included */
	size_t raw_len;
	size_t skipped;    /* OVERSIZED: the line's length, LF excluded */
};

/* Called for each frame; the frame's memory is valid during the call only. */
typedef void (*mb_frame_fn)(void *ud, const struct mb_frame *f);

struct mb_framer {
	char *buf;
	size_t len, cap;
	size_t limit;      /* the longest message accepted, LF excluded */
	size_t scanned;    /* bytes of buf known to hold no LF */
	bool skipping;     /* inside an oversized line */
	size_t skipped;
};

void mb_framer_init(struct mb_framer *f, size_t limit);
void mb_framer_free(struct mb_framer *f);

/* Read once from fd and deliver every complete frame. Returns bytes read
 * (0 at EOF: a partial line is then delivered as MB_FRAME_PARTIAL), -EAGAIN,
 * or -errno. */
ssize_t mb_framer_read(struct mb_framer *f, int fd, mb_frame_fn fn, void *ud);

/* The same from memory (tests, fuzzing); eof delivers a trailing partial
 * line. Returns 0 or -ENOMEM. */
int mb_framer_feed(struct mb_framer *f, const char *data, size_t n, bool eof,
		   mb_frame_fn fn, void *ud);

/* Bytes waiting for one fd. */
struct mb_outq {
	char *buf;
	size_t off, len, cap; /* pending bytes are buf[off, off+len) */
	size_t high;          /* above this the queue is "full" */
};

void mb_outq_init(struct mb_outq *q, size_t high);
void mb_outq_free(struct mb_outq *q);
/* Queue bytes (always accepted: a producer checks mb_outq_full() before
 * taking more input). Returns 0 or -ENOMEM. */
int mb_outq_append(struct mb_outq *q, const char *data, size_t n);
/* Write as much as the fd takes. Returns 0 when the queue is empty, -EAGAIN
 * when bytes remain, or -errno (-EPIPE: the reader has gone). */
int mb_outq_flush(struct mb_outq *q, int fd);
static inline bool mb_outq_full(const struct mb_outq *q)
{
	return q->len > q->high;
}
static inline bool mb_outq_empty(const struct mb_outq *q)
{
	return q->len == 0;
}
