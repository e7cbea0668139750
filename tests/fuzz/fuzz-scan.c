/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the stream scanners (supervisor/inspect/scan*.c). The
 * first byte picks where the rest goes:
 *  - 0: it is a tool result (its JSON value) answered to a tools/call,
 *    under a profile that redacts every kind;
 *  - 1: it is the tools array of a tools/list result, under a profile
 *    that strips the hidden and markup kinds and hides the phrase kinds;
 *  - 2: it is initialize's instructions value, the same profile;
 *  - else: it is one decoded string, given to every detector.
 * Besides the sanitizers:
 *  - every hit lies within its string and on character boundaries;
 *  - every line the inspector sends parses as JSON-RPC: edits keep the
 *    JSON valid;
 *  - a redacted answer, scanned again, holds nothing more to redact. */
#include <stdint.h>

#include "tests/inspect/helpers.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/scan.h"

static void check(bool cond)
{
	if (!cond)
		abort();
}

static struct mb_detector dets[4];
static bool ready;

static void setup(void)
{
	if (ready)
		return;
	check(mb_detector_hidden(&dets[0]) == 0 && mb_detector_contract_text(&dets[1]) == 0 &&
	      mb_detector_secrets(&dets[2]) == 0 && mb_detector_exact(&dets[3]) == 0);
	check(mb_detector_exact_add(&dets[3], MB_SCAN_ENV_SECRET, "T", "s3cret-Value", 12) == 0);
	ready = true;
}

struct bounds {
	const char *s;
	size_t n;
};

static bool boundary(const char *s, size_t n, size_t i)
{
	return i == 0 || i >= n || ((unsigned char)s[i] & 0xc0) != 0x80;
}

static void on_hit(void *ud, const struct mb_scan_hit *h)
{
	const struct bounds *b = ud;
	check(h->len > 0 && h->off <= b->n && h->len <= b->n - h->off);
	check(boundary(b->s, b->n, h->off) && boundary(b->s, b->n, h->off + h->len));
	check((unsigned)h->kind < MB_SCAN_KIND_COUNT);
}

static void detectors(const char *s, size_t n)
{
	if (!mb_utf8_valid(s, n) || memchr(s, 0, n))
		return;
	static const char *const names[] = { "send_email", "read_file" };
	struct mb_scan_str str = { s, n, "api_key", 7, names, 2 };
	struct bounds b = { s, n };
	for (size_t i = 0; i < 4; i++)
		dets[i].scan(&dets[i], &str, on_hit, &b);
}

static void check_lines(const struct mb_strbuf *b)
{
	const char *s = b->s ? b->s : "";
	size_t n = b->len;
	while (n) {
		const char *lf = memchr(s, '\n', n);
		check(lf != NULL);
		struct mb_jr_frame f;
		mb_jr_parse(s, (size_t)(lf - s), &f);
		check(f.fault == MB_JR_FAULT_NONE);
		mb_jr_frame_free(&f);
		n -= (size_t)(lf - s) + 1;
		s = lf + 1;
	}
}

static void count(void *ud, const struct mb_scan_found *f)
{
	(void)f;
	++*(int *)ud;
}

/* The redacted answer the client got, scanned again: nothing left. */
static void rescan(const struct mb_strbuf *b)
{
	if (!b->len || !strstr(b->s, "\"result\""))
		return;
	struct mb_jr_frame f;
	mb_jr_parse(b->s, b->len - 1, &f);
	if (f.fault == MB_JR_FAULT_NONE && f.n == 1 && f.msgs[0].result.len) {
		struct mb_scan_walker *w;
		int found = 0;
		check(mb_scan_walker_new(&w) == 0);
		mb_scan_walk(w, dets, 4, MB_SCAN_IN_ANSWERS, b->s, f.msgs[0].result, count, &found);
		mb_scan_walker_free(w);
		check(found == 0);
	}
	mb_jr_frame_free(&f);
}

static void through_inspector(int mode, const char *data, size_t n)
{
	struct mb_profile *p = test_profile();
	p->unlisted_tools = MB_UNLISTED_ALLOW;
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++) {
		enum mb_scan_class c = mb_scan_kind_class(k);
		p->scan.answers[k] = MB_SCAN_REDACT;
		p->scan.contract[k] = c == MB_SCAN_CLASS_PHRASE ? MB_SCAN_HIDE : MB_SCAN_STRIP;
	}
	static char *const envp[] = { "API_TOKEN=s3cret-Value", NULL };
	struct rig r;
	rig_init_env(&r, p, "/srv/mcp", envp);
	static const char *const req[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}\n",
	};
	static const char *const pre[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\",\"instructions\":",
	};
	from_client(&r, req[mode]);
	struct mb_strbuf msg = { 0 };
	mb_strbuf_puts(&msg, pre[mode]);
	mb_strbuf_append(&msg, data, n);
	mb_strbuf_puts(&msg, mode ? "}}\n" : "}\n");
	if (!memchr(data, '\n', n)) {
		mb_strbuf_reset(&r.to_client);
		mb_framer_feed(&r.fs, msg.s, msg.len, false, rig_server_frame, &r);
		check_lines(&r.to_client);
		if (mode == 0)
			rescan(&r.to_client);
	}
	mb_strbuf_free(&msg);
	rig_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (!size)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	if (data[0] < 3)
		through_inspector(data[0], s, n);
	else
		detectors(s, n);
	return 0;
}
