/* SPDX-License-Identifier: Apache-2.0 */
/* What the answer scanners cost, from memory (no pipes): a tools/call round
 * trip through the inspector whose answer is SIZE bytes of text (prose,
 * code and config lines, some non-ASCII, joined by \n escapes, no secret),
 * with the scanners on and off, rounds interleaved; the difference is the
 * scan. Also the same answer with one secret at its end under redact (the
 * path that edits), and the echo round trip of bench/inspect-cost (8-byte
 * argument) on and off.
 *   scan-cost [-n N] [-s SIZE] [-r ROUNDS]
 * With files, it scans each one's content as a text result instead and
 * prints what was found per kind: the false positives on text that holds
 * no secret (reports go nowhere; no value is printed).
 *   scan-cost FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/profile.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/inspect/inspector.h"
#include "supervisor/inspect/scan.h"

static int kinds[MB_SCAN_KIND_COUNT];

static int io_send(void *ud, enum mb_side to, const char *buf, size_t n)
{
	(void)ud, (void)to, (void)buf, (void)n;
	return 0;
}

static int io_report(void *ud, const char *event, const cJSON *fields)
{
	(void)ud;
	const cJSON *k = cJSON_GetObjectItem(fields, "kind");
	enum mb_scan_kind kind;
	if (!strcmp(event, "secret") && cJSON_IsString(k) &&
	    mb_scan_kind_from_name(k->valuestring, &kind) == 0)
		kinds[kind] += cJSON_GetObjectItem(fields, "occurrences")->valueint;
	return 0;
}

static void client_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_client_frame(ud, f);
}

static void server_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_server_frame(ud, f);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct bench {
	struct mb_profile *p;
	struct mb_inspector *ins;
	struct mb_framer fc, fs;
	struct mb_strbuf resp;
	long id;
};

static void bench_init(struct bench *b, bool scan, bool redact)
{
	memset(b, 0, sizeof(*b));
	b->p = calloc(1, sizeof(*b->p));
	struct mb_tool *t = mb_vec_new(&b->p->tools);
	b->p->version = 1;
	t->name = strdup("echo");
	if (redact)
		for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++)
			b->p->scan.answers[k] = MB_SCAN_REDACT;
	struct mb_inspector_config cfg = { .profile = b->p, .cwd = "/", .max_message = 64u << 20 };
	struct mb_inspector_io io = { io_send, io_report, NULL, NULL };
	if (mb_inspector_new(&cfg, &io, &b->ins) < 0)
		exit(1);
	if (!scan)
		mb_scan_disable(mb_inspector_scan(b->ins));
	mb_framer_init(&b->fc, 64u << 20);
	mb_framer_init(&b->fs, 64u << 20);
}

static void bench_free(struct bench *b)
{
	mb_framer_free(&b->fc);
	mb_framer_free(&b->fs);
	mb_inspector_free(b->ins);
	mb_strbuf_free(&b->resp);
	mb_profile_free(b->p);
}

/* One round trip whose answer's text is the JSON string body s. */
static void round_trip(struct bench *b, const char *body, size_t len)
{
	char req[160];
	long id = ++b->id;
	int k = snprintf(req, sizeof(req),
			 "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}}\n",
			 id);
	mb_framer_feed(&b->fc, req, (size_t)k, false, client_frame, b->ins);
	mb_strbuf_reset(&b->resp);
	mb_strbuf_printf(&b->resp, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"", id);
	mb_strbuf_append(&b->resp, body, len);
	mb_strbuf_puts(&b->resp, "\"}]}}\n");
	mb_framer_feed(&b->fs, b->resp.s, b->resp.len, false, server_frame, b->ins);
}

static double ns_per(bool scan, bool redact, const char *body, size_t len, long n)
{
	struct bench b;
	bench_init(&b, scan, redact);
	for (long i = 0; i < n / 10 + 1; i++)
		round_trip(&b, body, len);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		round_trip(&b, body, len);
	double dt = (now_ns() - t0) / (double)n;
	bench_free(&b);
	return dt;
}

/* SIZE bytes of text that holds no secret, as a JSON string body. */
static char *make_text(size_t size, size_t *len)
{
	static const char *const lines[] = {
		"The inspector relays every line in both directions and keeps the table of requests.",
		"    if (r < 0 && !ins->report_err)\\n        ins->report_err = r;",
		"timeout: 30s\\nretries: 3\\nendpoint: https://api.example.org/v2/items?page=2",
		"Caf\xc3\xa9 cr\xc3\xa8" "me br\xc3\xbb" "l\xc3\xa9" "e \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80 ok",
		"2026-11-26T14:03:11.123456Z INFO request id=7f3a9c completed in 12.5 ms",
		"| name | size | modified |\\n|------|-----:|----------|\\n| notes.txt | 1,024 | yesterday |",
		"\\t\\\"quoted\\\" text with a path /srv/mcp/project/src/main.c:42 and a hash 3f2a9bd",
	};
	struct mb_strbuf b = { 0 };
	for (size_t i = 0; b.len < size; i = (i * 7 + 3) % 7) {
		mb_strbuf_puts(&b, lines[i]);
		mb_strbuf_puts(&b, "\\n");
	}
	b.len = size;
	/* Do not end inside an escape or a character. */
	while (b.len && (b.s[b.len - 1] == '\\' || (unsigned char)b.s[b.len - 1] >= 0x80))
		b.len--;
	*len = b.len;
	return b.s;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void measure(const char *what, const char *body, size_t len, long n, int rounds, bool redact)
{
	double on[32], off[32];
	for (int r = 0; r < rounds; r++) {
		off[r] = ns_per(false, redact, body, len, n);
		on[r] = ns_per(true, redact, body, len, n);
	}
	qsort(on, (size_t)rounds, sizeof(double), cmp);
	qsort(off, (size_t)rounds, sizeof(double), cmp);
	double m_on = on[rounds / 2], m_off = off[rounds / 2], scan = m_on - m_off;
	printf("%-34s bytes=%zu off_ns=%.0f on_ns=%.0f ratio=%.3f scan_us=%.1f scan_MBps=%.0f\n", what,
	       len, m_off, m_on, m_on / m_off, scan / 1000, scan > 0 ? (double)len / scan * 1000 : 0);
}

static int scan_files(int argc, char **argv)
{
	size_t total = 0;
	struct bench b;
	bench_init(&b, true, false);
	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f)
			continue;
		struct mb_strbuf raw = { 0 }, body = { 0 };
		char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			mb_strbuf_append(&raw, buf, n);
		fclose(f);
		if (raw.len && mb_utf8_valid(raw.s, raw.len) && !memchr(raw.s, 0, raw.len)) {
			mb_strbuf_json_string(&body, raw.s, raw.len);
			round_trip(&b, body.s + 1, body.len - 2);
			total += raw.len;
		}
		mb_strbuf_free(&raw);
		mb_strbuf_free(&body);
	}
	bench_free(&b);
	int sum = 0;
	printf("scanned %d files, %zu bytes\n", argc, total);
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++)
		if (kinds[k]) {
			printf("  %-20s %d\n", mb_scan_kind_name(k), kinds[k]);
			sum += kinds[k];
		}
	printf("findings %d (%.2f per MB)\n", sum, total ? sum / ((double)total / 1e6) : 0);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 2000;
	size_t size = 64 * 1024;
	int rounds = 5, i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			size = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			rounds = atoi(argv[i + 1]);
	}
	if (i < argc)
		return scan_files(argc - i, argv + i);
	if (rounds > 32)
		rounds = 32;
	size_t len;
	char *text = make_text(size, &len);
	measure("echo, 8-byte text", "xxxxxxxx", 8, n * 20, rounds, false);
	measure("answer, text without secret", text, len, n, rounds, false);
	/* One secret at the end, redacted: the walk, the report and the edit. */
	struct mb_strbuf s = { 0 };
	mb_strbuf_append(&s, text, len - 64);
	mb_strbuf_puts(&s, " key AKIAIOSFODNN7EXAMPLF end");
	measure("answer, one secret, redact", s.s, s.len, n, rounds, true);
	mb_strbuf_free(&s);
	free(text);
	return 0;
}
