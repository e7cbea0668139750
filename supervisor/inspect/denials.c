/* SPDX-License-Identifier: Apache-2.0 */
/* Denials carried in a tool result: see denials.h. The response is edited
 * in place, by inserting text at two points of the original bytes, so that
 * numbers and members the server wrote reach the client as it wrote them. */
#include <stdlib.h>
#include <string.h>

#include "supervisor/inspect/denials.h"

#define NOTE_ITEMS 3 /* denials named in the note; the rest are counted */

static bool empty_container(const char *text, struct mb_span v)
{
	size_t i = v.off + 1;
	while (i < v.off + v.len && strchr(" \t\r\n", text[i]))
		i++;
	return i + 1 == v.off + v.len;
}

char *mb_denials_note(const cJSON *denials)
{
	int n = cJSON_GetArraySize(denials);
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "membrane denied %d operation%s during this call, which the server's answer may show as its own error: ",
			 n, n == 1 ? "" : "s");
	int i = 0;
	for (const cJSON *d = denials->child; d && i < NOTE_ITEMS; d = d->next, i++) {
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(d, "op");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "target");
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "grant");
		mb_strbuf_printf(&b, "%s%s %s", i ? "; " : "", cJSON_IsString(op) ? op->valuestring : "?",
				 cJSON_IsString(t) ? t->valuestring : "?");
		if (cJSON_IsString(g))
			mb_strbuf_printf(&b, " (the profile line %s would allow it)", g->valuestring);
	}
	if (n > NOTE_ITEMS)
		mb_strbuf_printf(&b, "; and %d more", n - NOTE_ITEMS);
	mb_strbuf_putc(&b, '.');
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

bool mb_denials_annotate(const struct mb_profile *p, const char *text, struct mb_jr_msg *m,
			 const struct mb_call *c, struct mb_strbuf *out)
{
	if (!c->denials || !cJSON_GetArraySize(c->denials) || !mb_span_is(text, m->result, '{'))
		return false;
	static const char *const keys[] = { "_meta", "content" };
	struct mb_span r[2];
	mb_jr_members(m, m->result, keys, 2, r);
	struct insert {
		size_t at;
		char *s;
	} ins[2] = { { 0 } };
	size_t nins = 0;
	char *list = cJSON_PrintUnformatted(c->denials);
	if (!list)
		return false;
	struct mb_strbuf a = { 0 };
	if (!r[0].len) {
		mb_strbuf_printf(&a, "\"_meta\":{\"" MB_DENIALS_META_KEY "\":%s}%s", list,
				 empty_container(text, m->result) ? "" : ",");
		ins[nins++] = (struct insert){ m->result.off + 1, mb_strbuf_take(&a) };
	} else if (mb_span_is(text, r[0], '{')) {
		static const char *const own[] = { MB_DENIALS_META_KEY };
		struct mb_span mine;
		mb_jr_members(m, r[0], own, 1, &mine);
		if (!mine.len) { /* a server's own entry of that name is left alone */
			mb_strbuf_printf(&a, "\"" MB_DENIALS_META_KEY "\":%s%s", list,
					 empty_container(text, r[0]) ? "" : ",");
			ins[nins++] = (struct insert){ r[0].off + 1, mb_strbuf_take(&a) };
		}
	}
	free(list);
	if (p->denials == MB_DENIALS_NOTE && mb_span_is(text, r[1], '[')) {
		char *note = mb_denials_note(c->denials);
		cJSON *item = note ? cJSON_CreateObject() : NULL;
		char *js = NULL;
		if (item && cJSON_AddStringToObject(item, "type", "text") &&
		    cJSON_AddStringToObject(item, "text", note))
			js = cJSON_PrintUnformatted(item);
		cJSON_Delete(item);
		free(note);
		if (js) {
			struct mb_strbuf t = { 0 };
			mb_strbuf_printf(&t, "%s%s", empty_container(text, r[1]) ? "" : ",", js);
			free(js);
			ins[nins++] = (struct insert){ r[1].off + r[1].len - 1, mb_strbuf_take(&t) };
		}
	}
	if (nins == 2 && ins[1].at < ins[0].at) {
		struct insert x = ins[0];
		ins[0] = ins[1];
		ins[1] = x;
	}
	bool ok = nins > 0;
	size_t pos = m->span.off;
	for (size_t i = 0; i < nins; i++) {
		ok &= ins[i].s != NULL;
		mb_strbuf_append(out, text + pos, ins[i].at - pos);
		if (ins[i].s)
			mb_strbuf_puts(out, ins[i].s);
		pos = ins[i].at;
		free(ins[i].s);
	}
	mb_strbuf_append(out, text + pos, m->span.off + m->span.len - pos);
	return ok && !mb_strbuf_failed(out);
}
