/* SPDX-License-Identifier: Apache-2.0 */
/* SSE streams (http-internal.h): events kept until delivered, read by
 * libmicrohttpd through a content-reader callback that suspends the
 * connection while there is nothing to send and is resumed when an event
 * comes. Event ids are "STREAM-SEQ" so that a Last-Event-ID names both the
 * stream to resume and where. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>

#include "supervisor/http/http-internal.h"

/* What a stream keeps of text already delivered, for Last-Event-ID, and
 * how much it holds undelivered before the oldest events are dropped (a
 * client that never opens the GET stream must not grow the front). */
#define KEEP_SENT (256u << 10)
#define MAX_BACKLOG (8u << 20)

struct mb_stream *mb_stream_new(struct mb_session *s, bool standalone)
{
	struct mb_stream *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->f = s->f;
	st->s = s;
	st->no = ++s->next_stream;
	st->standalone = standalone;
	st->refs = 1;
	st->seq = 1;
	st->base = 1;
	st->touched_ns = mb_now_ns();
	st->next = s->streams;
	s->streams = st;
	return st;
}

void mb_stream_unref(struct mb_stream *st)
{
	if (!st || --st->refs > 0)
		return;
	mb_strbuf_free(&st->text);
	mb_vec_free(&st->events);
	free(st);
}

/* Drop the first k kept events (and their text). */
static void drop_events(struct mb_stream *st, size_t k)
{
	size_t cut = k < st->events.n ? st->events.v[k] : st->text.len;
	memmove(st->text.s, st->text.s + cut, st->text.len - cut);
	st->text.len -= cut;
	st->text.s[st->text.len] = '\0';
	st->sent = st->sent > cut ? st->sent - cut : 0;
	memmove(st->events.v, st->events.v + k, (st->events.n - k) * sizeof(size_t));
	st->events.n -= k;
	for (size_t i = 0; i < st->events.n; i++)
		st->events.v[i] -= cut;
	st->base += k;
}

static void trim(struct mb_stream *st)
{
	/* Delivered events beyond KEEP_SENT go. */
	size_t k = 0;
	while (k < st->events.n && st->sent >= KEEP_SENT && st->events.v[k] < st->sent - KEEP_SENT)
		k++;
	/* Undelivered beyond MAX_BACKLOG: the oldest go (the client lost them). */
	while (k + 1 < st->events.n && st->text.len - st->events.v[k] > MAX_BACKLOG)
		k++;
	if (k)
		drop_events(st, k);
}

int mb_stream_event(struct mb_stream *st, const char *line, size_t len)
{
	if (st->ended)
		return 0;
	if (mb_vec_push(&st->events, st->text.len) < 0)
		return -ENOMEM;
	mb_strbuf_printf(&st->text, "event: message\nid: %u-%" PRIu64 "\ndata: ", st->no, st->seq++);
	mb_strbuf_append(&st->text, line, len);
	mb_strbuf_puts(&st->text, "\n\n");
	if (mb_strbuf_failed(&st->text))
		return -ENOMEM;
	trim(st);
	mb_stream_wake(st);
	return 0;
}

int mb_stream_prime(struct mb_stream *st)
{
	/* Not an event of the log: a resumption from it replays them all. */
	mb_strbuf_printf(&st->text, "id: %u-0\ndata: \n\n", st->no);
	return mb_strbuf_failed(&st->text) ? -ENOMEM : 0;
}

void mb_stream_end(struct mb_stream *st)
{
	st->ended = true;
	mb_stream_wake(st);
}

void mb_stream_wake(struct mb_stream *st)
{
	if (st->hup_io.fd >= 0 && st->hup_io.cb) {
		mb_io_del(&st->hup_io);
		st->hup_io.cb = NULL;
	}
	if (st->conn && st->suspended) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
		st->f->kick = true;
	}
}

int mb_stream_parse_event_id(const char *s, unsigned *no, uint64_t *seq)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);
	if (end == s || *end != '-' || n > UINT32_MAX)
		return -EINVAL;
	const char *q = end + 1;
	unsigned long long v = strtoull(q, &end, 10);
	if (end == q || *end)
		return -EINVAL;
	*no = (unsigned)n;
	*seq = v;
	return 0;
}

bool mb_stream_can_resume(const struct mb_stream *st, uint64_t seq)
{
	return seq + 1 >= st->base && seq < st->seq;
}

static void on_hup(struct mb_io *w, uint32_t ev)
{
	struct mb_stream *st = (struct mb_stream *)((char *)w - offsetof(struct mb_stream, hup_io));
	st->gone = true;
	if (getenv("MEMBRANE_HTTP_DEBUG"))
		fprintf(stderr, "membrane-run: http: stream %u: the client hung up (events %#x)\n", st->no, ev);
	mb_stream_wake(st);
}

/* Watch the suspended connection's socket for the client going away. */
static void watch_hup(struct mb_stream *st)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(st->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	st->hup_io = (struct mb_io){ .fd = ci->connect_fd, .events = EPOLLRDHUP, .cb = on_hup };
	if (mb_io_add(st->f->loop, &st->hup_io) < 0)
		st->hup_io.cb = NULL;
}

static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct mb_stream *st = cls;
	st->touched_ns = mb_now_ns();
	if (st->gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (st->sent < st->text.len) {
		size_t n = MB_MIN(max, st->text.len - st->sent);
		memcpy(buf, st->text.s + st->sent, n);
		st->sent += n;
		return (ssize_t)n;
	}
	if (st->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->ping && max >= 3) {
		/* A comment: keeps proxies from timing out, and finds a
		 * client that went away (suspended, MHD would not see it). */
		st->ping = false;
		memcpy(buf, ":\n\n", 3);
		return 3;
	}
	if (!st->conn)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	st->suspended = true;
	MHD_suspend_connection(st->conn);
	watch_hup(st);
	return 0;
}

static void free_cb(void *cls)
{
	struct mb_stream *st = cls;
	if (getenv("MEMBRANE_HTTP_DEBUG"))
		fprintf(stderr, "membrane-run: http: stream %u: %s\n", st->no,
			st->ended && st->sent >= st->text.len ? "delivered" : "the client went away");
	if (st->hup_io.cb) {
		mb_io_del(&st->hup_io);
		st->hup_io.cb = NULL;
	}
	st->conn = NULL;
	st->gone = false;
	st->suspended = false;
	if (st->s)
		mb_session_touch(st->s);
	mb_stream_unref(st);
}

struct MHD_Response *mb_stream_response(struct mb_stream *st, struct MHD_Connection *conn,
					const char *last_event_id)
{
	if (last_event_id) {
		unsigned no;
		uint64_t seq;
		if (mb_stream_parse_event_id(last_event_id, &no, &seq) == 0 &&
		    mb_stream_can_resume(st, seq)) {
			size_t i = (size_t)(seq + 1 - st->base);
			st->sent = i < st->events.n ? st->events.v[i] : st->text.len;
		}
	}
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, read_cb,
								   st, free_cb);
	if (!r)
		return NULL;
	st->refs++;
	st->conn = conn;
	st->suspended = false;
	(void)MHD_add_response_header(r, "Content-Type", "text/event-stream");
	(void)MHD_add_response_header(r, "Cache-Control", "no-cache, no-transform");
	(void)MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return r;
}
