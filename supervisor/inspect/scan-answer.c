/* Answer scanning: the result (or error) of tools/call, tasks/result,
 * resources/read and prompts/get, every string of it (content text,
 * structuredContent, resource text, prompt messages, _meta; base64 blobs
 * are scanned as the text they are, not decoded), through the hidden-text,
 * secret and exact-value detectors. Findings are reported as event
 * "secret", one line per kind per answer (kind, action, request, field of
 * the first, occurrences, name for an exact value, span for hidden text;
 * never a secret's value). The profile's scan.answers then says, per kind:
 *  - redact: each occurrence is replaced by "[membrane: redacted KIND]"
 *    inside its string; the rest of the message is the server's, byte for
 *    byte (redact.h);
 *  - refuse: the whole answer is withheld: a tool result becomes a
 *    CallToolResult with isError, anything else a JSON-RPC error.
 * An answer without findings costs one walk and no allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report-request.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/redact.h"
#include "supervisor/inspect/scan-internal.h"

bool mb_scan_is_answer(const char *method)
{
	return strcmp(method, "tools/call") == 0 || strcmp(method, "tasks/result") == 0 ||
	       strcmp(method, "resources/read") == 0 || strcmp(method, "prompts/get") == 0;
}

struct finding {
	enum mb_scan_kind kind;
	size_t raw_off, raw_len, str_off;
	const char *label; /* the detector's, valid while the scanner is */
	char *shown;       /* hidden text as a report shows it; else NULL */
};

struct answer {
	struct mb_scan *sc;
	MB_VEC(struct finding) f;
	int err;
};

static void on_found(void *ud, const struct mb_scan_found *f)
{
	struct answer *a = ud;
	struct finding x = { f->hit.kind, f->raw_off, f->raw_len, f->str_off, f->hit.label, NULL };
	if (mb_scan_kind_class(x.kind) == MB_SCAN_CLASS_HIDDEN) {
		struct mb_strbuf b = { 0 };
		mb_scan_show(f->str->s + f->hit.off, f->hit.len, x.kind, 256, &b);
		x.shown = mb_strbuf_take(&b);
	}
	if (mb_vec_push(&a->f, x) < 0) {
		free(x.shown);
		a->err = -ENOMEM;
	}
}

static const char *action_word(enum mb_scan_action a)
{
	return a == MB_SCAN_REDACT ? "redacted" : a == MB_SCAN_REFUSE ? "refused" : "reported";
}

/* One line for kind k: its first finding, how many there were. */
static void report_kind(struct mb_scan *sc, struct mb_call *c, const char *text,
			struct mb_span payload, const struct answer *a, enum mb_scan_kind k,
			bool refused)
{
	const struct finding *first = NULL;
	size_t count = 0;
	mb_vec_foreach(x, &a->f) if (x->kind == k) {
		first = first ? first : x;
		count++;
	}
	enum mb_scan_action act = mb_scan_action_for(sc, MB_SCAN_IN_ANSWERS, k);
	if (refused && act == MB_SCAN_REDACT)
		act = MB_SCAN_REPORT; /* the whole answer went, not this finding alone */
	struct mb_strbuf field = { 0 }, reason = { 0 };
	mb_json_path_at(text, payload, first->str_off, &field);
	mb_strbuf_printf(&reason, "the answer to %s%s%s holds %s", c->method,
			 c->tool ? " of tool " : "", c->tool ? c->tool : "", mb_scan_kind_desc(k));
	if (first->label && *first->label)
		mb_strbuf_printf(&reason, " (%s)", first->label);
	if (act == MB_SCAN_REDACT)
		mb_strbuf_puts(&reason, "; replaced by a marker before the client saw it (scan.answers)");
	else if (act == MB_SCAN_REFUSE)
		mb_strbuf_puts(&reason, "; the answer was withheld from the client (scan.answers)");
	else if (sc->p->mode == MB_MODE_AUDIT && sc->p->scan.answers[k])
		mb_strbuf_printf(&reason, "; audit mode: not %s",
				 action_word(sc->p->scan.answers[k]));
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "kind", mb_scan_kind_name(k));
		cJSON_AddStringToObject(o, "action", action_word(act));
		cJSON *req = mb_report_request(sc->p, c->id_raw, c->method, c->tool,
					       mb_call_arguments(c));
		if (req)
			cJSON_AddItemToObject(o, "request", req);
		cJSON_AddStringToObject(o, "field", field.s ? field.s : "");
		cJSON_AddNumberToObject(o, "occurrences", (double)count);
		if (first->label && *first->label)
			cJSON_AddStringToObject(o, "name", first->label);
		if (first->shown)
			cJSON_AddStringToObject(o, "span", first->shown);
		cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "secret");
	}
	mb_strbuf_free(&field);
	mb_strbuf_free(&reason);
	mb_scan_report(sc, "secret", o);
}

/* The answer replaced by membrane's refusal. */
static void refusal(struct mb_call *c, const struct answer *a, struct mb_strbuf *out)
{
	struct mb_strbuf text = { 0 };
	mb_strbuf_puts(&text, "membrane withheld this answer: it held ");
	bool kinds[MB_SCAN_KIND_COUNT] = { false };
	size_t n = 0;
	mb_vec_foreach(x, &a->f) {
		if (kinds[x->kind])
			continue;
		kinds[x->kind] = true;
		mb_strbuf_printf(&text, "%s%s", n++ ? ", " : "", mb_scan_kind_name(x->kind));
	}
	mb_strbuf_puts(&text, " (scan.answers of the profile)");
	const char *msg = text.s ? text.s : "membrane withheld this answer";
	bool tool = strcmp(c->method, "tools/call") == 0 || strcmp(c->method, "tasks/result") == 0;
	if (tool) {
		mb_strbuf_puts(out, "{\"jsonrpc\":\"2.0\",\"id\":");
		mb_strbuf_puts(out, c->id_raw);
		mb_strbuf_puts(out, ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":");
		mb_strbuf_json_string(out, msg, strlen(msg));
		mb_strbuf_puts(out, "}],\"isError\":true}}");
	} else {
		mb_jr_error_line(out, c->id_raw, strlen(c->id_raw), MB_JR_REFUSED, msg);
		if (out->len && out->s[out->len - 1] == '\n')
			out->len--;
	}
	mb_strbuf_free(&text);
}

enum mb_scan_verdict mb_scan_answer(struct mb_scan *sc, struct mb_call *c, const char *text,
				    struct mb_span msg, bool error, struct mb_strbuf *out)
{
	struct mb_span payload;
	if (!mb_json_member(text, msg, error ? "error" : "result", &payload))
		return MB_SCAN_PASS;
	sc->stats.bytes += payload.len;
	struct answer a = { .sc = sc };
	int r = mb_scan_walk(sc->walker, sc->dets, DET__N, MB_SCAN_IN_ANSWERS, text, payload,
			     on_found, &a);
	if (r < 0 || a.err < 0) {
		cJSON *o = cJSON_CreateObject();
		if (o) {
			cJSON_AddStringToObject(o, "side", "server");
			cJSON_AddStringToObject(o, "reason", "out of memory scanning an answer: it was "
							    "not scanned whole");
		}
		mb_scan_report(sc, "error", o);
	}
	if (!a.f.n) {
		mb_vec_free(&a.f);
		return MB_SCAN_PASS;
	}
	sc->stats.findings += a.f.n;
	bool refuse = false, redact = false, done[MB_SCAN_KIND_COUNT] = { false };
	mb_vec_foreach(x, &a.f) {
		enum mb_scan_action act = mb_scan_action_for(sc, MB_SCAN_IN_ANSWERS, x->kind);
		refuse |= act == MB_SCAN_REFUSE;
		redact |= act == MB_SCAN_REDACT;
	}
	mb_vec_foreach(x, &a.f) {
		if (done[x->kind])
			continue;
		done[x->kind] = true;
		report_kind(sc, c, text, payload, &a, x->kind, refuse);
	}
	enum mb_scan_verdict v = MB_SCAN_PASS;
	if (refuse) {
		refusal(c, &a, out);
		v = MB_SCAN_EDITED;
	} else if (redact) {
		mb_edit_vec edits = { 0 };
		mb_vec_foreach(x, &a.f) {
			if (mb_scan_action_for(sc, MB_SCAN_IN_ANSWERS, x->kind) != MB_SCAN_REDACT)
				continue;
			const char *m = mb_scan_marker(x->kind);
			if (mb_edit_add(&edits, x->raw_off, x->raw_len, m, strlen(m)) < 0)
				out->oom = true; /* dropped rather than sent unredacted */
		}
		mb_edits_apply(text, msg, &edits, out);
		mb_vec_free(&edits);
		v = MB_SCAN_EDITED;
	}
	mb_vec_foreach(x, &a.f) free(x->shown);
	mb_vec_free(&a.f);
	return v;
}
