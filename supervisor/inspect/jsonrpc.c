/* SPDX-License-Identifier: Apache-2.0 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/inspect/jsonrpc.h"

const char *mb_jr_kind_name(enum mb_jr_kind k)
{
	switch (k) {
	case MB_JR_INVALID: return "invalid";
	case MB_JR_REQUEST: return "request";
	case MB_JR_NOTIFICATION: return "notification";
	case MB_JR_RESULT: return "result";
	case MB_JR_ERROR: return "error";
	}
	return "?";
}

const char *mb_json_get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *mb_json_get_object(const cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
}

cJSON *mb_json_get_array(const cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsArray(v) ? v : NULL;
}

char *mb_jr_id_key(const cJSON *id)
{
	struct mb_strbuf b = { 0 };
	if (cJSON_IsString(id)) {
		mb_strbuf_putc(&b, 's');
		mb_strbuf_puts(&b, id->valuestring);
	} else if (cJSON_IsNumber(id)) {
		double v = id->valuedouble;
		/* A peer re-serialising 1.0 or 1e0 answers 1: one key. */
		if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
			mb_strbuf_printf(&b, "n%lld", (long long)v);
		else
			mb_strbuf_printf(&b, "n%.17g", v);
	} else {
		return NULL;
	}
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

/* ---- the frame's arena ---- */

struct mb_jr_block {
	struct mb_jr_block *next;
	char data[];
};

static char *arena_alloc(struct mb_jr_frame *f, size_t n)
{
	if (n <= MB_JR_ARENA - f->arena_used) {
		char *p = f->arena + f->arena_used;
		f->arena_used += n;
		return p;
	}
	struct mb_jr_block *b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	b->next = f->blocks;
	f->blocks = b;
	return b->data;
}

const char *mb_jr_str(struct mb_jr_msg *m, struct mb_span v)
{
	if (!mb_span_is(m->text, v, '"'))
		return NULL;
	char *out = arena_alloc(m->frame, v.len);
	if (out)
		mb_json_unescape(m->text, v, out);
	return out;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *mb_jr_key(struct mb_jr_msg *m, struct mb_span v)
{
	const char *s = m->text + v.off;
	if (!v.len)
		return NULL;
	if (s[0] == '"') {
		char *k = arena_alloc(m->frame, v.len + 1);
		if (!k)
			return NULL;
		k[0] = 's';
		mb_json_unescape(m->text, v, k + 1);
		return k;
	}
	if (s[0] != '-' && !is_digit(s[0]))
		return NULL;
	/* A plain integer of up to 15 digits is its own canonical form (what
	 * mb_jr_id_key makes of its double); "-0" is "0". */
	size_t i = s[0] == '-', digits = 0;
	while (i < v.len && is_digit(s[i]))
		i++, digits++;
	if (i == v.len && digits <= 15 && !(v.len == 2 && s[0] == '-' && s[1] == '0')) {
		char *k = arena_alloc(m->frame, v.len + 2);
		if (!k)
			return NULL;
		k[0] = 'n';
		memcpy(k + 1, s, v.len);
		k[v.len + 1] = '\0';
		return k;
	}
	/* Anything else as cJSON reads it: strtod, then mb_jr_id_key's form. */
	char num[MB_JSON_NUMBER_MAX + 1];
	size_t n = v.len < sizeof(num) ? v.len : sizeof(num) - 1;
	memcpy(num, s, n);
	num[n] = '\0';
	double d = strtod(num, NULL);
	char buf[64];
	if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0)
		snprintf(buf, sizeof(buf), "n%lld", (long long)d);
	else
		snprintf(buf, sizeof(buf), "n%.17g", d);
	size_t bl = strlen(buf);
	char *k = arena_alloc(m->frame, bl + 1);
	if (k)
		memcpy(k, buf, bl + 1);
	return k;
}

size_t mb_jr_members(const struct mb_jr_msg *m, struct mb_span obj, const char *const *keys,
		     size_t n, struct mb_span *out)
{
	return mb_json_tape_members(&m->frame->tape, m->text, obj, keys, n, out);
}

/* ---- trees on demand ---- */

static cJSON *parse_span(struct mb_jr_msg *m, struct mb_span v)
{
	m->trees = true;
	return v.len ? cJSON_ParseWithLength(m->text + v.off, v.len) : NULL;
}

const cJSON *mb_jr_param_node(struct mb_jr_msg *m, enum mb_jr_pkey k)
{
	if (!m->pnode[k])
		m->pnode[k] = parse_span(m, m->p[k]);
	return m->pnode[k];
}

const cJSON *mb_jr_params_node(struct mb_jr_msg *m)
{
	if (!m->params_node)
		m->params_node = parse_span(m, m->params);
	return m->params_node;
}

const cJSON *mb_jr_result_node(struct mb_jr_msg *m)
{
	if (!m->result_node)
		m->result_node = parse_span(m, m->result);
	return m->result_node;
}

/* ---- classification ---- */

enum { T_JSONRPC, T_ID, T_METHOD, T_PARAMS, T_RESULT, T_ERROR, T__N };
static const char *const top_keys[T__N] = { "jsonrpc", "id", "method", "params", "result", "error" };
static const char *const param_keys[MB_P__N] = {
	[MB_P_NAME] = "name",
	[MB_P_ARGUMENTS] = "arguments",
	[MB_P_META] = "_meta",
	[MB_P_TASK_ID] = "taskId",
	[MB_P_CURSOR] = "cursor",
	[MB_P_REQUEST_STATE] = "requestState",
	[MB_P_INPUT_RESPONSES] = "inputResponses",
	[MB_P_REQUEST_ID] = "requestId",
	[MB_P_STATUS] = "status",
	[MB_P_URI] = "uri",
	[MB_P_PROGRESS_TOKEN] = "progressToken",
	[MB_P_TASK] = "task",
};

static bool has_dup_in(const struct mb_jr_frame *f, struct mb_span sp)
{
	for (size_t i = 0; i < f->ndup; i++)
		if (f->dups[i] >= sp.off && f->dups[i] < sp.off + sp.len)
			return true;
	return false;
}

static bool is_version(struct mb_jr_msg *m, struct mb_span v)
{
	if (v.len == 5 && memcmp(m->text + v.off, "\"2.0\"", 5) == 0)
		return true;
	const char *s = mb_jr_str(m, v); /* "2\u002e0" is "2.0" too */
	return s && strcmp(s, "2.0") == 0;
}

static void classify(struct mb_jr_msg *m)
{
	const char *text = m->text;
	m->kind = MB_JR_INVALID;
	if (!mb_span_is(text, m->span, '{')) {
		m->invalid = "not a JSON-RPC message: expected an object";
		return;
	}
	if (has_dup_in(m->frame, m->span)) {
		m->invalid = "an object has the same key twice";
		return;
	}
	struct mb_span v[T__N];
	mb_jr_members(m, m->span, top_keys, T__N, v);
	m->has_method = v[T_METHOD].len != 0;
	m->has_result = v[T_RESULT].len != 0;
	m->has_error = v[T_ERROR].len != 0;
	if (!v[T_JSONRPC].len) {
		m->invalid = "no \"jsonrpc\" member";
		return;
	}
	if (!is_version(m, v[T_JSONRPC])) {
		m->invalid = "\"jsonrpc\" is not \"2.0\"";
		return;
	}
	struct mb_span id = v[T_ID];
	if (id.len) {
		m->id.present = true;
		m->id.null = id.len == 4 && memcmp(text + id.off, "null", 4) == 0;
		m->id.raw = text + id.off;
		m->id.raw_len = id.len;
		if (!m->id.null) {
			char c = text[id.off];
			if (c != '"' && c != '-' && !is_digit(c)) {
				m->invalid = "\"id\" must be a string or a number";
				return;
			}
			m->id.key = mb_jr_key(m, id);
			if (!m->id.key) {
				m->invalid = "out of memory";
				return;
			}
		}
	}
	struct mb_span method = v[T_METHOD], params = v[T_PARAMS];
	m->result = v[T_RESULT];
	m->error = v[T_ERROR];
	if (method.len) {
		if (!mb_span_is(text, method, '"')) {
			m->invalid = "\"method\" is not a string";
			return;
		}
		if (m->result.len || m->error.len) {
			m->invalid = "a request cannot carry \"result\" or \"error\"";
			return;
		}
		if (params.len && !mb_span_is(text, params, '{') && !mb_span_is(text, params, '[')) {
			m->invalid = "\"params\" must be an object";
			return;
		}
		if (m->id.present && m->id.null) {
			m->invalid = "a request's \"id\" cannot be null";
			return;
		}
		m->method = mb_jr_str(m, method);
		if (!m->method) {
			m->invalid = "out of memory";
			return;
		}
		m->params = params;
		if (mb_span_is(text, params, '{'))
			mb_jr_members(m, params, param_keys, MB_P__N, m->p);
		m->kind = m->id.present ? MB_JR_REQUEST : MB_JR_NOTIFICATION;
		return;
	}
	m->result = m->error = (struct mb_span){ 0, 0 };
	if (v[T_RESULT].len && v[T_ERROR].len) {
		m->invalid = "a response cannot carry both \"result\" and \"error\"";
		return;
	}
	if (v[T_RESULT].len) {
		if (!m->id.present || m->id.null) {
			m->invalid = "a result needs an \"id\"";
			return;
		}
		m->result = v[T_RESULT];
		m->kind = MB_JR_RESULT;
		return;
	}
	if (v[T_ERROR].len) {
		if (!mb_span_is(text, v[T_ERROR], '{')) {
			m->invalid = "\"error\" must be an object";
			return;
		}
		m->error = v[T_ERROR];
		m->kind = MB_JR_ERROR;
		return;
	}
	m->invalid = "neither \"method\", \"result\" nor \"error\"";
}

static int count_elem(struct mb_span elem, void *ud)
{
	(void)elem;
	(*(size_t *)ud)++;
	return 0;
}

struct fill_ctx {
	struct mb_jr_frame *f;
	size_t i;
};

static int fill_elem(struct mb_span elem, void *ud)
{
	struct fill_ctx *c = ud;
	if (c->i < c->f->n)
		c->f->msgs[c->i++].span = elem;
	return 0;
}

static void init_msg(struct mb_jr_frame *f, struct mb_jr_msg *m)
{
	m->text = f->text;
	m->frame = f;
}

void mb_jr_parse(const char *text, size_t len, struct mb_jr_frame *f)
{
	/* Everything but the arena's bytes. */
	memset(f, 0, offsetof(struct mb_jr_frame, arena));
	f->text = text;
	f->len = len;
	f->tape.n = 0;
	f->tape.overflow = false;
	struct mb_span all = mb_json_trim(text, len);
	if (all.len == 0) {
		f->fault = MB_JR_FAULT_EMPTY;
		return;
	}
	f->scan = mb_json_validate(text, len, MB_JSON_MAX_DEPTH, &f->dups, &f->ndup, &f->tape);
	if (f->scan != MB_JSON_OK) {
		f->fault = f->scan == MB_JSON_SYNTAX  ? MB_JR_FAULT_PARSE
			   : f->scan == MB_JSON_NOMEM ? MB_JR_FAULT_NOMEM
						      : MB_JR_FAULT_SCAN;
		return;
	}
	char root = text[all.off];
	if (root == '[') {
		f->batch = true;
		size_t n = 0;
		mb_json_elements(text, all, count_elem, &n);
		if (!n) {
			f->fault = MB_JR_FAULT_EMPTY_BATCH;
			return;
		}
		f->msgs = calloc(n, sizeof(*f->msgs));
		if (!f->msgs) {
			f->fault = MB_JR_FAULT_NOMEM;
			return;
		}
		f->n = n;
		struct fill_ctx fc = { f, 0 };
		mb_json_elements(text, all, fill_elem, &fc);
		for (size_t i = 0; i < n; i++) {
			init_msg(f, &f->msgs[i]);
			classify(&f->msgs[i]);
		}
		return;
	}
	if (root != '{') {
		f->fault = MB_JR_FAULT_NOT_OBJECT;
		return;
	}
	f->n = 1;
	f->msgs = &f->one;
	init_msg(f, &f->one);
	f->one.span = all;
	classify(&f->one);
}

void mb_jr_frame_free(struct mb_jr_frame *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct mb_jr_msg *m = &f->msgs[i];
		if (!m->trees)
			continue;
		for (size_t k = 0; k < MB_P__N; k++)
			cJSON_Delete(m->pnode[k]);
		cJSON_Delete(m->params_node);
		cJSON_Delete(m->result_node);
	}
	if (f->msgs != &f->one)
		free(f->msgs);
	for (struct mb_jr_block *b = f->blocks, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	free(f->dups);
	memset(f, 0, offsetof(struct mb_jr_frame, arena));
}

const char *mb_jr_fault_reason(const struct mb_jr_frame *f)
{
	switch (f->fault) {
	case MB_JR_FAULT_NONE: return "no fault";
	case MB_JR_FAULT_EMPTY: return "an empty line";
	case MB_JR_FAULT_SCAN: return mb_json_fault_name(f->scan);
	case MB_JR_FAULT_PARSE: return "not valid JSON";
	case MB_JR_FAULT_NOT_OBJECT: return "not a JSON-RPC message: expected an object";
	case MB_JR_FAULT_EMPTY_BATCH: return "an empty batch";
	case MB_JR_FAULT_NOMEM: return "out of memory";
	}
	return "?";
}

void mb_jr_error_line(struct mb_strbuf *b, const char *id_raw, size_t id_len, int code,
		      const char *message)
{
	mb_strbuf_puts(b, "{\"jsonrpc\":\"2.0\",\"id\":");
	if (id_raw && id_len)
		mb_strbuf_append(b, id_raw, id_len);
	else
		mb_strbuf_puts(b, "null");
	mb_strbuf_printf(b, ",\"error\":{\"code\":%d,\"message\":", code);
	mb_strbuf_json_string(b, message, strlen(message));
	mb_strbuf_puts(b, "}}\n");
}
