#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/jsonrpc.h"

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Any object in the tree with the same key twice? (cJSON keeps both and
 * finds the first; JavaScript's JSON.parse keeps the last.) */
static bool has_duplicate_key(const cJSON *node)
{
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return false;
	if (cJSON_IsObject(node)) {
		size_t n = 0;
		for (const cJSON *c = node->child; c; c = c->next)
			n++;
		if (n > 1 && n <= 8) {
			for (const cJSON *a = node->child; a; a = a->next)
				for (const cJSON *b = a->next; b; b = b->next)
					if (strcmp(a->string, b->string) == 0)
						return true;
		} else if (n > 8) {
			const char **keys = malloc(n * sizeof(*keys));
			if (!keys)
				return true; /* cannot tell: refuse */
			size_t i = 0;
			for (const cJSON *c = node->child; c; c = c->next)
				keys[i++] = c->string;
			qsort(keys, n, sizeof(*keys), cmp_str);
			bool dup = false;
			for (i = 1; i < n && !dup; i++)
				dup = strcmp(keys[i - 1], keys[i]) == 0;
			free(keys);
			if (dup)
				return true;
		}
	}
	for (const cJSON *c = node->child; c; c = c->next)
		if (has_duplicate_key(c))
			return true;
	return false;
}

static void classify(const char *text, struct mb_jr_msg *m)
{
	cJSON *o = m->node;
	m->kind = MB_JR_INVALID;
	if (!cJSON_IsObject(o)) {
		m->invalid = "not a JSON-RPC message: expected an object";
		return;
	}
	if (has_duplicate_key(o)) {
		m->invalid = "an object has the same key twice";
		return;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
	if (!v) {
		m->invalid = "no \"jsonrpc\" member";
		return;
	}
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0) {
		m->invalid = "\"jsonrpc\" is not \"2.0\"";
		return;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (id) {
		struct mb_span sp;
		m->id.present = true;
		m->id.null = cJSON_IsNull(id);
		if (!mb_json_member(text, m->span, "id", &sp)) {
			/* cJSON and our scanner disagree: refuse rather than guess. */
			m->invalid = "the \"id\" member could not be located";
			m->id.present = false;
			return;
		}
		m->id.raw = text + sp.off;
		m->id.raw_len = sp.len;
		if (!m->id.null) {
			if (!cJSON_IsString(id) && !cJSON_IsNumber(id)) {
				m->invalid = "\"id\" must be a string or a number";
				return;
			}
			m->id.key = mb_jr_id_key(id);
			if (!m->id.key) {
				m->invalid = "out of memory";
				return;
			}
		}
	}
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(o, "method");
	cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "params");
	cJSON *result = cJSON_GetObjectItemCaseSensitive(o, "result");
	cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (method) {
		if (!cJSON_IsString(method)) {
			m->invalid = "\"method\" is not a string";
			return;
		}
		if (result || error) {
			m->invalid = "a request cannot carry \"result\" or \"error\"";
			return;
		}
		if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
			m->invalid = "\"params\" must be an object";
			return;
		}
		if (m->id.present && m->id.null) {
			m->invalid = "a request's \"id\" cannot be null";
			return;
		}
		m->method = method->valuestring;
		m->params = params;
		m->kind = m->id.present ? MB_JR_REQUEST : MB_JR_NOTIFICATION;
		return;
	}
	if (result && error) {
		m->invalid = "a response cannot carry both \"result\" and \"error\"";
		return;
	}
	if (result) {
		if (!m->id.present || m->id.null) {
			m->invalid = "a result needs an \"id\"";
			return;
		}
		m->result = result;
		m->kind = MB_JR_RESULT;
		return;
	}
	if (error) {
		if (!cJSON_IsObject(error)) {
			m->invalid = "\"error\" must be an object";
			return;
		}
		m->error = error;
		m->kind = MB_JR_ERROR;
		return;
	}
	m->invalid = "neither \"method\", \"result\" nor \"error\"";
}

struct pair_ctx {
	struct mb_jr_frame *f;
	size_t i;
};

static int pair_span(struct mb_span elem, void *ud)
{
	struct pair_ctx *c = ud;
	if (c->i < c->f->n)
		c->f->msgs[c->i++].span = elem;
	return 0;
}

void mb_jr_parse(const char *text, size_t len, struct mb_jr_frame *f)
{
	*f = (struct mb_jr_frame){ .text = text, .len = len };
	struct mb_span all = mb_json_trim(text, len);
	if (all.len == 0) {
		f->fault = MB_JR_FAULT_EMPTY;
		return;
	}
	f->scan = mb_json_prescan(text, len, MB_JSON_MAX_DEPTH, NULL);
	if (f->scan != MB_JSON_OK) {
		f->fault = MB_JR_FAULT_SCAN;
		return;
	}
	const char *end = NULL;
	f->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!f->root) {
		f->fault = MB_JR_FAULT_PARSE;
		return;
	}
	if (!end || end < text || (size_t)(end - text) > len ||
	    mb_json_trim(end, len - (size_t)(end - text)).len != 0) {
		f->fault = MB_JR_FAULT_PARSE;
		return;
	}
	if (cJSON_IsArray(f->root)) {
		f->batch = true;
		size_t n = (size_t)cJSON_GetArraySize(f->root);
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
		struct pair_ctx pc = { f, 0 };
		mb_json_elements(text, all, pair_span, &pc);
		size_t i = 0;
		for (cJSON *c = f->root->child; c && i < n; c = c->next, i++) {
			f->msgs[i].node = c;
			classify(text, &f->msgs[i]);
		}
		return;
	}
	if (!cJSON_IsObject(f->root)) {
		f->fault = MB_JR_FAULT_NOT_OBJECT;
		return;
	}
	f->n = 1;
	f->msgs = &f->one;
	f->one.node = f->root;
	f->one.span = all;
	classify(text, &f->one);
}

void mb_jr_frame_free(struct mb_jr_frame *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->msgs[i].id.key);
	if (f->msgs != &f->one)
		free(f->msgs);
	cJSON_Delete(f->root);
	*f = (struct mb_jr_frame){ 0 };
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
