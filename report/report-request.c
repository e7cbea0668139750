/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "report/report-request.h"

char *mb_report_cut(const char *s, size_t len, size_t max)
{
	struct mb_strbuf b = { 0 };
	if (len <= max) {
		mb_strbuf_append(&b, s, len);
	} else {
		size_t k = max;
		/* Do not split a UTF-8 sequence. */
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		mb_strbuf_append(&b, s, k);
		mb_strbuf_printf(&b, "...[cut: %zu bytes in all]", len);
	}
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return b.s ? mb_strbuf_take(&b) : strdup("");
}

/* Replace, at any depth, the values of keys the profile redacts. */
static void redact(const struct mb_profile *p, cJSON *node)
{
	for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(node) && c->string && p && mb_profile_redacts(p, c->string)) {
			cJSON *r = cJSON_CreateString("***");
			/* Sets r's key; c is freed. */
			if (!r || !cJSON_ReplaceItemInObjectCaseSensitive(node, c->string, r)) {
				cJSON_Delete(r);
				cJSON_DeleteItemFromObjectCaseSensitive(node, c->string);
				return;
			}
			c = r;
			continue;
		}
		redact(p, c);
	}
}

static cJSON *cut_value(const cJSON *v)
{
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		if (n <= MB_REPORT_VALUE_MAX)
			return cJSON_Duplicate(v, 1);
		char *s = mb_report_cut(v->valuestring, n, MB_REPORT_VALUE_MAX);
		cJSON *r = s ? cJSON_CreateString(s) : NULL;
		free(s);
		return r;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		char *text = cJSON_PrintUnformatted(v);
		if (!text)
			return NULL;
		size_t n = strlen(text);
		cJSON *r;
		if (n <= MB_REPORT_VALUE_MAX) {
			r = cJSON_Duplicate(v, 1);
		} else {
			char *s = mb_report_cut(text, n, MB_REPORT_VALUE_MAX);
			r = s ? cJSON_CreateString(s) : NULL;
			free(s);
		}
		free(text);
		return r;
	}
	return cJSON_Duplicate(v, 1);
}

cJSON *mb_report_arguments(const struct mb_profile *p, const cJSON *arguments)
{
	if (!arguments)
		return NULL;
	cJSON *copy = cJSON_Duplicate(arguments, 1);
	if (!copy)
		return NULL;
	redact(p, copy);
	if (!cJSON_IsObject(copy)) {
		cJSON *r = cut_value(copy);
		cJSON_Delete(copy);
		return r;
	}
	cJSON *out = cJSON_CreateObject();
	for (cJSON *c = copy->child; out && c; c = c->next) {
		cJSON *v = cut_value(c);
		if (!v) {
			cJSON_Delete(out);
			out = NULL;
			break;
		}
		cJSON_AddItemToObject(out, c->string, v);
	}
	cJSON_Delete(copy);
	return out;
}

cJSON *mb_report_request(const struct mb_profile *p, const char *id_raw, const char *method,
			 const char *tool, const cJSON *arguments)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (id_raw)
		cJSON_AddItemToObject(o, "id", cJSON_CreateRaw(id_raw));
	if (method)
		cJSON_AddStringToObject(o, "method", method);
	if (tool)
		cJSON_AddStringToObject(o, "tool", tool);
	if (arguments) {
		cJSON *a = mb_report_arguments(p, arguments);
		if (a)
			cJSON_AddItemToObject(o, "arguments", a);
	}
	return o;
}
