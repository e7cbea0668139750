/* libFuzzer target: the framer, the JSON-RPC classifier and the inspector,
 * fed bytes in both directions. The input is a series of segments split at
 * the byte 0xFE (never part of UTF-8, so real traffic is written as is):
 * segments alternate client, server, client...; a segment starting with 0xFD
 * ends that side's input (a partial line is then delivered).
 *
 * Besides the sanitizers, one property is checked: every line the inspector
 * sends to either side parses as JSON-RPC (the inspector never forwards or
 * writes a malformed frame). */
#include <stdint.h>

#include "../inspector/helpers.h"
#include "supervisor/jsonrpc.h"

static struct rig *cur;

static void check_lines(const struct mb_strbuf *b)
{
	const char *s = b->s ? b->s : "";
	size_t n = b->len;
	while (n) {
		const char *lf = memchr(s, '\n', n);
		if (!lf)
			abort(); /* output must be whole lines */
		size_t len = (size_t)(lf - s);
		if (len && s[len - 1] == '\r')
			len--;
		struct mb_jr_frame f;
		mb_jr_parse(s, len, &f);
		if (f.fault != MB_JR_FAULT_NONE)
			abort(); /* a malformed frame was written */
		mb_jr_frame_free(&f);
		n -= (size_t)(lf - s) + 1;
		s = lf + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig r;
	rig_init(&r, test_profile(), "/srv/mcp");
	mb_framer_free(&r.fc);
	mb_framer_free(&r.fs);
	mb_framer_init(&r.fc, 4096); /* small, so that over-long lines happen */
	mb_framer_init(&r.fs, 4096);
	cur = &r;
	int side = 0;
	bool eof[2] = { false, false };
	const uint8_t *p = data, *end = data + size;
	while (p <= end) {
		const uint8_t *q = memchr(p, 0xFE, (size_t)(end - p));
		if (!q)
			q = end;
		const char *seg = (const char *)p;
		size_t len = (size_t)(q - p);
		bool close = len && (uint8_t)seg[0] == 0xFD;
		if (close)
			seg++, len--;
		if (!eof[side]) {
			struct mb_framer *fr = side ? &r.fs : &r.fc;
			mb_frame_fn fn = side ? rig_server_frame : rig_client_frame;
			mb_framer_feed(fr, seg, len, close, fn, &r);
			eof[side] = close;
		}
		check_lines(&r.to_client);
		check_lines(&r.to_server);
		mb_strbuf_reset(&r.to_client);
		mb_strbuf_reset(&r.to_server);
		side ^= 1;
		p = q + 1;
	}
	mb_inspector_server_gone(r.ins, "exited with status 1");
	check_lines(&r.to_client);
	mb_inspector_expire(r.ins, UINT64_MAX);
	rig_free(&r);
	return 0;
}
