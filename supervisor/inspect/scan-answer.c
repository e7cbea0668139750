/* SPDX-License-Identifier: Apache-2.0 */
/* Answer scanning: the result (or error) of tools/call, tasks/result,
 * resources/read and prompts/get, every string of it (content text,
 * structuredContent, resource text, prompt messages, _meta; base64 blobs
 * are scanned as the text they are, not decoded), through the hidden-text,
 * secret and exact-value detectors. Findings are reported as event
 * "secret", one line per kind per answer (kind, action, request, field of
 * the first, occurrences, name for an exact value, span for hidden text;
 * never a secret's value); a canary token's as event "exfiltration", the
 * name the report contract gives a planted token seen leaving, with the
 * same fields and the record's decoy and where (membrane-run registers each
 * decoy's token, labelled with the decoy's path; the record then leaves
 * the frames the scanner reported to it, supervisor/record/decoy.c). The profile's scan.answers then says, per kind:
 *  - redact: each occurrence is replaced by "[membrane: redacted KIND]"
 *    inside its string; the rest of the message is the server's, byte for
 *    byte (redact.h);
 *  - refuse: the whole answer is withheld: a tool result becomes a
 *    CallToolResult with isError, anything else a JSON-RPC error.
 * Redaction is checked: taking a secret out can bring another to light (one
 * written right after it now starts a token, one right before it now ends
 * one), so when a redacted finding touches a token character on either
 * side the redacted answer is scanned again, and what is found then is
 * redacted too, for at most MAX_ROUNDS rounds; an answer still not clean
 * after them is refused.
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

#define MAX_ROUNDS 4

/* Where an occurrence lies, for the edit. */
struct occurrence {
	enum mb_scan_kind kind;
	size_t raw_off, raw_len;
	bool glued; /* a token character right before or after it */
};

/* What a report line says about a kind: its first occurrence. */
struct kind_seen {
	size_t count;
	char *field, *shown;
	const char *label; /* the detector's, valid while the scanner is */
};

struct answer {
	struct mb_scan *sc;
	const char *text;
	struct mb_span payload;
	bool later;  /* a round after the first: only what redact takes counts */
	bool error;  /* a JSON-RPC error response */
	MB_VEC(struct occurrence) occ;
	struct kind_seen k[MB_SCAN_KIND_COUNT];
	int err;
};

static void on_found(void *ud, const struct mb_scan_found *f)
{
	struct answer *a = ud;
	enum mb_scan_kind kind = f->hit.kind;
	if (a->later && mb_scan_action_for(a->sc, MB_SCAN_IN_ANSWERS, kind) != MB_SCAN_REDACT)
		return; /* reported already, and left as it is */
	struct kind_seen *k = &a->k[kind];
	if (!k->count++) {
		struct mb_strbuf field = { 0 }, shown = { 0 };
		mb_json_path_at(a->text, a->payload, f->str_off, &field);
		k->field = field.s ? mb_strbuf_take(&field) : strdup("");
		if (mb_scan_kind_class(kind) == MB_SCAN_CLASS_HIDDEN) {
			mb_scan_show(f->str->s + f->hit.off, f->hit.len, kind, 256, &shown);
			k->shown = mb_strbuf_take(&shown);
		}
		k->label = f->hit.label;
	}
	size_t end = f->hit.off + f->hit.len;
	bool glued = (f->hit.off > 0 && mb_scan_token_char((unsigned char)f->str->s[f->hit.off - 1])) ||
		     (end < f->str->n && mb_scan_token_char((unsigned char)f->str->s[end]));
	struct occurrence o = { kind, f->raw_off, f->raw_len, glued };
	if (mb_vec_push(&a->occ, o) < 0)
		a->err = -ENOMEM;
}

static const char *action_word(enum mb_scan_action a)
{
	return a == MB_SCAN_REDACT ? "redacted" : a == MB_SCAN_REFUSE ? "refused" : "reported";
}

static void report_kind(struct mb_scan *sc, struct mb_call *c, const struct answer *a,
			enum mb_scan_kind k, bool refused)
{
	const struct kind_seen *ks = &a->k[k];
	enum mb_scan_action act = mb_scan_action_for(sc, MB_SCAN_IN_ANSWERS, k);
	if (refused && act == MB_SCAN_REDACT)
		act = MB_SCAN_REPORT; /* the whole answer went, not this finding alone */
	struct mb_strbuf reason = { 0 };
	mb_strbuf_printf(&reason, "the answer to %s%s%s holds %s", c->method,
			 c->tool ? " of tool " : "", c->tool ? c->tool : "", mb_scan_kind_desc(k));
	if (ks->label && *ks->label)
		mb_strbuf_printf(&reason, " (%s)", ks->label);
	if (act == MB_SCAN_REDACT)
		mb_strbuf_puts(&reason, "; replaced by a marker before the client saw it (scan.answers)");
	else if (refused)
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
		cJSON_AddStringToObject(o, "field", ks->field ? ks->field : "");
		cJSON_AddNumberToObject(o, "occurrences", (double)ks->count);
		if (ks->label && *ks->label)
			cJSON_AddStringToObject(o, "name", ks->label);
		if (k == MB_SCAN_CANARY) {
			/* The fields the record's own exfiltration line has
			 * (supervisor/record/decoy.c): a decoy's label is its path. */
			cJSON_AddStringToObject(o, "decoy", ks->label ? ks->label : "");
			cJSON_AddStringToObject(o, "where", a->error ? "error" : "result");
		}
		if (ks->shown)
			cJSON_AddStringToObject(o, "span", ks->shown);
		cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "secret");
	}
	mb_strbuf_free(&reason);
	if (k == MB_SCAN_CANARY)
		sc->stats.canary_lines++;
	mb_scan_report(sc, k == MB_SCAN_CANARY ? "exfiltration" : "secret", o);
}

/* The answer replaced by membrane's refusal. */
static void refusal(struct mb_call *c, const struct answer *a, struct mb_strbuf *out)
{
	struct mb_strbuf text = { 0 };
	mb_strbuf_puts(&text, "membrane withheld this answer: it held ");
	size_t n = 0;
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++)
		if (a->k[k].count)
			mb_strbuf_printf(&text, "%s%s", n++ ? ", " : "", mb_scan_kind_name(k));
	mb_strbuf_puts(&text, " (scan.answers of the profile)");
	const char *msg = text.s ? text.s : "membrane withheld this answer";
	mb_strbuf_reset(out);
	if (strcmp(c->method, "tools/call") == 0 || strcmp(c->method, "tasks/result") == 0) {
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

/* One walk over the answer at span msg of text; true if it found something. */
static bool walk(struct answer *a, const char *text, struct mb_span msg, bool error)
{
	a->occ.n = 0;
	a->text = text;
	if (!mb_json_member(text, msg, error ? "error" : "result", &a->payload))
		return false;
	a->sc->stats.bytes += a->payload.len;
	int r = mb_scan_walk(a->sc->walker, a->sc->dets, DET__N, MB_SCAN_IN_ANSWERS, text,
			     a->payload, on_found, a);
	if (r < 0 || a->err < 0) {
		mb_scan_report_oom(a->sc, "an answer");
		a->err = 0;
	}
	return a->occ.n > 0;
}

/* Replace what redact takes in text[msg] into out; true if an edit was
 * glued to a token (the result needs another look). */
static bool redact(struct answer *a, const char *text, struct mb_span msg, struct mb_strbuf *out)
{
	mb_edit_vec edits = { 0 };
	bool glued = false;
	mb_vec_foreach(x, &a->occ) {
		if (mb_scan_action_for(a->sc, MB_SCAN_IN_ANSWERS, x->kind) != MB_SCAN_REDACT)
			continue;
		glued |= x->glued;
		const char *m = mb_scan_marker(x->kind);
		if (mb_edit_add(&edits, x->raw_off, x->raw_len, m, strlen(m)) < 0)
			out->oom = true; /* dropped rather than sent unredacted */
	}
	mb_strbuf_reset(out);
	mb_edits_apply(text, msg, &edits, out);
	mb_vec_free(&edits);
	return glued;
}

enum mb_scan_verdict mb_scan_answer(struct mb_scan *sc, struct mb_call *c, const char *text,
				    struct mb_span msg, bool error, struct mb_strbuf *out)
{
	struct answer a = { .sc = sc, .error = error };
	if (!walk(&a, text, msg, error)) {
		mb_vec_free(&a.occ);
		return MB_SCAN_PASS;
	}
	bool refuse = false, redacts = false;
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++) {
		if (!a.k[k].count)
			continue;
		enum mb_scan_action act = mb_scan_action_for(sc, MB_SCAN_IN_ANSWERS, k);
		refuse |= act == MB_SCAN_REFUSE;
		redacts |= act == MB_SCAN_REDACT;
	}
	struct mb_strbuf cur = { 0 };
	if (!refuse && redacts) {
		bool again = redact(&a, text, msg, out);
		a.later = true;
		for (int round = 1; again && !mb_strbuf_failed(out); round++) {
			/* out is the message alone: scan it again. */
			mb_strbuf_free(&cur);
			cur = *out;
			*out = (struct mb_strbuf){ 0 };
			struct mb_span m = { 0, cur.len };
			if (!walk(&a, cur.s, m, error)) {
				*out = cur;
				cur = (struct mb_strbuf){ 0 };
				break;
			}
			if (round == MAX_ROUNDS) {
				refuse = true;
				break;
			}
			again = redact(&a, cur.s, m, out);
		}
	}
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++) {
		if (!a.k[k].count)
			continue;
		sc->stats.findings += a.k[k].count;
		report_kind(sc, c, &a, k, refuse);
	}
	if (refuse)
		refusal(c, &a, out);
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++) {
		free(a.k[k].field);
		free(a.k[k].shown);
	}
	mb_strbuf_free(&cur);
	mb_vec_free(&a.occ);
	return refuse || redacts ? MB_SCAN_EDITED : MB_SCAN_PASS;
}
