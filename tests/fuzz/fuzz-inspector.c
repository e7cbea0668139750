/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the framer, the JSON-RPC classifier and the inspector,
 * fed bytes in both directions. The input is a series of segments split at
 * the byte 0xFE (never part of UTF-8, so real traffic is written as is):
 * segments alternate client, server, client...; a segment starting with 0xFD
 * ends that side's input (a partial line is then delivered).
 *
 * Besides the sanitizers, two properties are checked:
 *  - every line the inspector sends to either side parses as JSON-RPC (the
 *    inspector never forwards or writes a malformed frame);
 *  - differentially, on every frame: what the one-pass validator accepts,
 *    cJSON parses whole and the pre-scan passes; a frame it refuses for a
 *    pre-scan reason gets that reason from the pre-scan too; and for each
 *    message, duplicate keys, the id's key, the method, and the members read
 *    from the validator's tape agree with cJSON's tree and a plain scan of
 *    the text. */
#include <stdint.h>

#include "tests/inspect/helpers.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/json-text.h"

static struct rig *cur;

static void check(bool cond)
{
	if (!cond)
		abort();
}

/* Any object in the tree with the same key twice (as cJSON decodes keys)? */
static bool tree_has_dup(const cJSON *node)
{
	if (cJSON_IsObject(node))
		for (const cJSON *a = node->child; a; a = a->next)
			for (const cJSON *b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return true;
	for (const cJSON *c = node->child; c; c = c->next)
		if (tree_has_dup(c))
			return true;
	return false;
}

/* Same tree? (cJSON_Compare calls inf and inf different.) Both come from
 * parsing the same text, so members are compared in order. */
static bool tree_equal(const cJSON *a, const cJSON *b)
{
	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble ||
		       (a->valuedouble != a->valuedouble && b->valuedouble != b->valuedouble);
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	const cJSON *x = a->child, *y = b->child;
	for (; x && y; x = x->next, y = y->next)
		if ((x->string || y->string) &&
		    (!x->string || !y->string || strcmp(x->string, y->string) != 0))
			return false;
		else if (!tree_equal(x, y))
			return false;
	return !x && !y;
}

static const char *const top_keys[] = { "jsonrpc", "id", "method", "params", "result", "error" };
static const char *const some_keys[] = { "name", "arguments", "_meta", "taskId", "cursor",
					 "progressToken", "a", "" };

/* The members found through the tape and by scanning the text agree, and
 * each value is what cJSON holds under that key. */
static void same_members(const struct mb_jr_msg *m, struct mb_span obj, const cJSON *node,
			 const char *const *keys, size_t n)
{
	struct mb_span a[8], b[8];
	size_t fa = mb_jr_members(m, obj, keys, n, a);
	size_t fb = mb_json_members(m->text, obj, keys, n, b);
	check(fa == fb);
	for (size_t i = 0; i < n; i++) {
		check(a[i].off == b[i].off && a[i].len == b[i].len);
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(node, keys[i]);
		check((a[i].len != 0) == (want != NULL));
		if (!want)
			continue;
		cJSON *got = cJSON_ParseWithLength(m->text + a[i].off, a[i].len);
		check(got && tree_equal(got, want));
		cJSON_Delete(got);
	}
}

static void differential(const char *s, size_t len)
{
	struct mb_jr_frame f;
	mb_jr_parse(s, len, &f);
	if (f.fault == MB_JR_FAULT_SCAN) {
		check(mb_json_prescan(s, len, MB_JSON_MAX_DEPTH, NULL) == f.scan);
	} else if (f.fault == MB_JR_FAULT_NONE || f.fault == MB_JR_FAULT_NOT_OBJECT ||
		   f.fault == MB_JR_FAULT_EMPTY_BATCH) {
		check(mb_json_prescan(s, len, MB_JSON_MAX_DEPTH, NULL) == MB_JSON_OK);
		const char *end = NULL;
		cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
		check(root && end && mb_json_trim(end, len - (size_t)(end - s)).len == 0);
		const cJSON *node = f.batch ? root->child : root;
		for (size_t i = 0; i < f.n; i++, node = node->next) {
			struct mb_jr_msg *m = &f.msgs[i];
			check(node != NULL);
			if (!cJSON_IsObject(node))
				continue;
			bool dup = tree_has_dup(node);
			check(dup == (m->invalid && strstr(m->invalid, "same key twice")));
			if (dup)
				continue;
			same_members(m, m->span, node, top_keys, 6);
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
			if (m->id.key) {
				char *k = mb_jr_id_key(id);
				check(k && strcmp(k, m->id.key) == 0);
				free(k);
			}
			const cJSON *method = cJSON_GetObjectItemCaseSensitive(node, "method");
			if (m->method)
				check(cJSON_IsString(method) && strcmp(method->valuestring, m->method) == 0);
			const cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
			if (m->method && cJSON_IsObject(params))
				same_members(m, m->params, params, some_keys, 8);
			const cJSON *result = cJSON_GetObjectItemCaseSensitive(node, "result");
			if (cJSON_IsObject(result)) {
				struct mb_span r;
				static const char *const rk[] = { "result" };
				mb_json_members(s, m->span, rk, 1, &r);
				same_members(m, r, result, some_keys, 8);
			}
		}
		check(node == NULL || !f.batch);
		cJSON_Delete(root);
	}
	mb_jr_frame_free(&f);
}

static void fz_client_frame(void *ud, const struct mb_frame *f)
{
	if (f->kind != MB_FRAME_OVERSIZED)
		differential(f->text, f->len);
	rig_client_frame(ud, f);
}

static void fz_server_frame(void *ud, const struct mb_frame *f)
{
	if (f->kind != MB_FRAME_OVERSIZED)
		differential(f->text, f->len);
	rig_server_frame(ud, f);
}

static void check_lines(const struct mb_strbuf *b)
{
	const char *s = b->s ? b->s : "";
	size_t n = b->len;
	while (n) {
		const char *lf = memchr(s, '\n', n);
		check(lf != NULL); /* output must be whole lines */
		size_t len = (size_t)(lf - s);
		if (len && s[len - 1] == '\r')
			len--;
		struct mb_jr_frame f;
		mb_jr_parse(s, len, &f);
		check(f.fault == MB_JR_FAULT_NONE); /* a malformed frame was written */
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
			mb_frame_fn fn = side ? fz_server_frame : fz_client_frame;
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
