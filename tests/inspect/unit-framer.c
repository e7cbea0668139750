/* SPDX-License-Identifier: Apache-2.0 */
/* The framer: lines split across reads, CRLF, over-long lines skipped
 * without being buffered whole, a partial line at EOF; the output queue. */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "supervisor/inspect/framer.h"
#include "tests/tap.h"

struct got {
	struct mb_strbuf log; /* one entry per frame: K:text| */
	size_t max_cap;
};

static void on_frame(void *ud, const struct mb_frame *f)
{
	struct got *g = ud;
	char k = f->kind == MB_FRAME_LINE ? 'L' : f->kind == MB_FRAME_PARTIAL ? 'P' : 'O';
	mb_strbuf_putc(&g->log, k);
	mb_strbuf_putc(&g->log, ':');
	if (f->kind == MB_FRAME_OVERSIZED)
		mb_strbuf_printf(&g->log, "%zu", f->skipped);
	else
		mb_strbuf_append(&g->log, f->text, f->len);
	mb_strbuf_putc(&g->log, '|');
}

static const char *feed_bytewise(size_t limit, const char *in, bool eof)
{
	static struct got g;
	struct mb_framer f;
	mb_strbuf_free(&g.log);
	mb_framer_init(&f, limit);
	for (size_t i = 0; in[i]; i++) {
		mb_framer_feed(&f, in + i, 1, false, on_frame, &g);
		if (f.cap > g.max_cap)
			g.max_cap = f.cap;
	}
	mb_framer_feed(&f, NULL, 0, eof, on_frame, &g);
	mb_framer_free(&f);
	return g.log.s ? g.log.s : "";
}

static const char *feed_whole(size_t limit, const char *in, bool eof)
{
	static struct got g;
	struct mb_framer f;
	mb_strbuf_free(&g.log);
	mb_framer_init(&f, limit);
	mb_framer_feed(&f, in, strlen(in), eof, on_frame, &g);
	mb_framer_free(&f);
	return g.log.s ? g.log.s : "";
}

struct rawcheck {
	struct mb_strbuf raw;
};

static void on_raw(void *ud, const struct mb_frame *f)
{
	struct rawcheck *c = ud;
	if (f->kind != MB_FRAME_OVERSIZED)
		mb_strbuf_append(&c->raw, f->raw, f->raw_len);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	is_str(feed_whole(100, "a\nb\n", false), "L:a|L:b|", "two lines in one read");
	is_str(feed_bytewise(100, "abc\ndef\n", false), "L:abc|L:def|", "lines split across reads");
	is_str(feed_whole(100, "a\r\nb\n", false), "L:a|L:b|", "CRLF accepted, CR not in text");
	is_str(feed_whole(100, "\n\n", false), "L:|L:|", "empty lines are frames");
	is_str(feed_whole(100, "abc", true), "P:abc|", "partial line at EOF delivered");
	is_str(feed_whole(100, "abc\r", true), "P:abc|", "partial line at EOF, CR dropped from text");
	is_str(feed_whole(100, "abc", false), "", "no LF, no EOF: nothing yet");
	is_str(feed_whole(5, "12345\n", false), "L:12345|", "a line of exactly the limit passes");
	is_str(feed_whole(5, "123456\nok\n", false), "O:6|L:ok|", "a line over the limit is skipped, the next passes");
	is_str(feed_bytewise(5, "1234567890123\nok\n", false), "O:13|L:ok|",
	       "skipped across many reads, length counted");
	is_str(feed_bytewise(5, "1234567890", true), "O:10|", "over-long partial line at EOF");

	/* The buffer never holds a whole over-long line. */
	{
		struct got g = { 0 };
		struct mb_framer f;
		mb_framer_init(&f, 1000);
		char chunk[4096];
		memset(chunk, 'x', sizeof(chunk));
		size_t maxcap = 0;
		for (int i = 0; i < 1000; i++) { /* 4 MB without LF */
			mb_framer_feed(&f, chunk, sizeof(chunk), false, on_frame, &g);
			maxcap = f.cap > maxcap ? f.cap : maxcap;
		}
		mb_framer_feed(&f, "\n{}\n", 4, false, on_frame, &g);
		is_str(g.log.s, "O:4096000|L:{}|", "4 MB line skipped, next frame intact");
		ok(maxcap <= 1001, "buffer stayed within limit + 1 (%zu)", maxcap);
		mb_framer_free(&f);
		mb_strbuf_free(&g.log);
	}

	/* raw bytes: the concatenation of raw frames is the input. */
	{
		const char *in = "{\"a\":1}\r\n  {\"b\" : 2}\n\n";
		struct rawcheck c = { 0 };
		struct mb_framer f;
		mb_framer_init(&f, 100);
		mb_framer_feed(&f, in, strlen(in), true, on_raw, &c);
		is_str(c.raw.s, in, "raw frames are the original bytes");
		mb_framer_free(&f);
		mb_strbuf_free(&c.raw);
	}

	/* read() from a pipe, EOF */
	{
		int p[2];
		if (pipe(p) < 0)
			return 1;
		write(p[1], "x\ny", 3);
		close(p[1]);
		struct got g = { 0 };
		struct mb_framer f;
		mb_framer_init(&f, 100);
		ssize_t n1 = mb_framer_read(&f, p[0], on_frame, &g);
		ssize_t n2 = mb_framer_read(&f, p[0], on_frame, &g);
		is_int(n1, 3, "read 3 bytes");
		is_int(n2, 0, "then EOF");
		is_str(g.log.s, "L:x|P:y|", "line then partial at EOF");
		mb_framer_free(&f);
		mb_strbuf_free(&g.log);
		close(p[0]);
	}

	/* outq: a full pipe keeps bytes queued, in order, nothing lost */
	{
		int p[2];
		if (pipe2(p, O_NONBLOCK) < 0)
			return 1;
		struct mb_outq q;
		mb_outq_init(&q, 1024);
		char big[100000];
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 26);
		mb_outq_append(&q, big, sizeof(big));
		ok(mb_outq_full(&q), "queue above its high mark is full");
		int r = mb_outq_flush(&q, p[1]);
		is_int(r, -EAGAIN, "flush into a full pipe: -EAGAIN");
		ok(q.len > 0 && q.len < sizeof(big), "part written, part queued (%zu)", q.len);
		static char got[100000];
		size_t n = 0;
		while (n < sizeof(big)) {
			ssize_t k = read(p[0], got + n, sizeof(got) - n);
			if (k > 0)
				n += (size_t)k;
			r = mb_outq_flush(&q, p[1]);
			if (k <= 0 && r == 0 && q.len == 0 && n < sizeof(big))
				continue;
		}
		ok(n == sizeof(big) && memcmp(got, big, n) == 0, "every byte arrived, in order");
		ok(mb_outq_empty(&q), "queue drained");
		close(p[0]);
		r = mb_outq_append(&q, "x", 1);
		r = mb_outq_flush(&q, p[1]);
		is_int(r, -EPIPE, "reader gone: -EPIPE (SIGPIPE ignored)");
		close(p[1]);
		mb_outq_free(&q);
	}
	return done_testing();
}
