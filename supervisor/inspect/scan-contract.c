/* SPDX-License-Identifier: Apache-2.0 */
/* Contract scanning: every page of tools/list, prompts/list, resources/list
 * and resources/templates/list, and the result of initialize (and
 * server/discover: instructions, serverInfo), as it goes to the client,
 * through the hidden-text, markup and phrase detectors. Each finding is an
 * event "poisoning" (kind, where, target, field, span, action) the first
 * time it is seen in the session: a listing seen again is not reported
 * again, a changed one is, whatever the pin says (a rug pull that adds a
 * finding is reported as tool-changed and as poisoning). The profile's
 * scan.contract then says, per kind, what else:
 *  - strip: the offending text is cut out of the string (a hidden
 *    character, an escape sequence, a comment or a directive block whole;
 *    for a phrase, the sentence that holds it), every other byte kept;
 *  - hide: the tool (prompt, resource) is removed from the listing, and a
 *    request for it is refused (mb_scan_refuses) until a listing shows it
 *    clean; the instructions are sent as "", serverInfo is stripped.
 * Tools the inspector hides anyway (unlisted_tools: deny) are gone from
 * the text scanned here: what is scanned is what the client would see. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/redact.h"
#include "supervisor/inspect/scan-internal.h"

static const struct list {
	const char *method, *array, *name, *what;
	char letter;
} lists[] = {
	{ "tools/list", "tools", "name", "tool", 't' },
	{ "prompts/list", "prompts", "name", "prompt", 'p' },
	{ "resources/list", "resources", "uri", "resource", 'r' },
	{ "resources/templates/list", "resourceTemplates", "uriTemplate", "resource template", 'r' },
};

static const struct list *list_of(const char *method)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (strcmp(lists[i].method, method) == 0)
			return &lists[i];
	return NULL;
}

bool mb_scan_is_contract(const char *method)
{
	return list_of(method) || strcmp(method, "initialize") == 0 ||
	       strcmp(method, "server/discover") == 0;
}

struct prior {
	size_t str_off, off, end;
	enum mb_scan_kind kind;
};

struct elem {
	struct mb_scan *sc;
	const char *method, *what, *target;
	bool blank; /* hide blanks the string (the instructions) */
	const char *text;
	struct mb_span root; /* fields are named from here */
	mb_edit_vec *edits;
	bool hide;
	int err;
	/* Hits of this element so far: a phrase two expressions match is
	 * one finding. */
	MB_VEC(struct prior) prior;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* Once per session and finding. */
static bool seen(struct mb_scan *sc, enum mb_scan_kind k, const char *target, const char *field,
		 const char *span)
{
	uint64_t h = 0xcbf29ce484222325ull;
	h = fnv(h, &k, sizeof(k));
	h = fnv(h, target, strlen(target) + 1);
	h = fnv(h, field, strlen(field) + 1);
	h = fnv(h, span, strlen(span));
	mb_vec_foreach(x, &sc->seen) if (*x == h) return true;
	if (sc->seen.n >= MB_SCAN_SEEN_MAX) {
		sc->seen_full = true;
		return false;
	}
	(void)mb_vec_push(&sc->seen, h);
	return false;
}

/* The sentence around [off, end) of s: after the previous ". ", "! ",
 * "? " or line break, through the next and one blank after it. */
static void sentence(const char *s, size_t n, size_t *off, size_t *end)
{
	size_t a = *off, b = *end;
	while (a > 0 && s[a - 1] != '\n' &&
	       !(a >= 2 && (s[a - 2] == '.' || s[a - 2] == '!' || s[a - 2] == '?') && s[a - 1] == ' '))
		a--;
	while (b < n && s[b] != '\n' && !((s[b] == '.' || s[b] == '!' || s[b] == '?') &&
					  (b + 1 == n || s[b + 1] == ' ' || s[b + 1] == '\n')))
		b++;
	if (b < n)
		b++;
	if (b < n && s[b] == ' ')
		b++; /* and the blank that started the next one */
	*off = a;
	*end = b;
}

static const char *action_word(enum mb_scan_action a)
{
	return a == MB_SCAN_STRIP ? "stripped" : a == MB_SCAN_HIDE ? "hidden" : "reported";
}

static void report(struct elem *e, const struct mb_scan_found *f, enum mb_scan_action a,
		   const char *field, const char *span)
{
	struct mb_scan *sc = e->sc;
	cJSON *o = cJSON_CreateObject();
	struct mb_strbuf reason = { 0 };
	mb_strbuf_printf(&reason, "%s %s: %s holds %s", e->what, e->target, *field ? field : "its text",
			 mb_scan_kind_desc(f->hit.kind));
	if (a == MB_SCAN_STRIP)
		mb_strbuf_puts(&reason, "; cut out before the client saw it (scan.contract)");
	else if (a == MB_SCAN_HIDE)
		mb_strbuf_printf(&reason, "; %s (scan.contract)",
				 e->blank ? "blanked before the client saw it"
							  : "hidden from the client, and its requests refused");
	else if (sc->p->mode == MB_MODE_AUDIT && sc->p->scan.contract[f->hit.kind])
		mb_strbuf_printf(&reason, "; audit mode: not %s", action_word(sc->p->scan.contract[f->hit.kind]));
	if (o) {
		cJSON_AddStringToObject(o, "kind", mb_scan_kind_name(f->hit.kind));
		cJSON_AddStringToObject(o, "where", e->method);
		cJSON_AddStringToObject(o, "target", e->target);
		cJSON_AddStringToObject(o, "field", field);
		cJSON_AddStringToObject(o, "span", span);
		cJSON_AddStringToObject(o, "action", action_word(a));
		cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "poisoning");
	}
	mb_strbuf_free(&reason);
	mb_scan_report(sc, "poisoning", o);
}

static void on_found(void *ud, const struct mb_scan_found *f)
{
	struct elem *e = ud;
	struct mb_scan *sc = e->sc;
	enum mb_scan_kind k = f->hit.kind;
	size_t hend = f->hit.off + f->hit.len;
	mb_vec_foreach(p, &e->prior) if (p->kind == k && p->str_off == f->str_off &&
					 p->off < hend && f->hit.off < p->end) return;
	struct prior pr = { f->str_off, f->hit.off, hend, k };
	if (mb_vec_push(&e->prior, pr) < 0)
		e->err = -ENOMEM;
	enum mb_scan_action a = mb_scan_action_for(sc, MB_SCAN_IN_CONTRACT, k);
	struct mb_strbuf field = { 0 }, span = { 0 };
	mb_json_path_at(e->text, e->root, f->str_off, &field);
	mb_scan_show(f->str->s + f->hit.off, f->hit.len, k, 256, &span);
	sc->stats.findings++;
	if (mb_strbuf_failed(&field) || mb_strbuf_failed(&span)) {
		e->err = -ENOMEM;
	} else if (!seen(sc, k, e->target, field.s ? field.s : "", span.s ? span.s : "")) {
		report(e, f, a, field.s ? field.s : "", span.s ? span.s : "");
	}
	mb_strbuf_free(&field);
	mb_strbuf_free(&span);
	if (a == MB_SCAN_HIDE && !e->blank) {
		e->hide = true;
		return;
	}
	if (a == MB_SCAN_REPORT)
		return;
	size_t off = f->hit.off, end = f->hit.off + f->hit.len;
	if (a == MB_SCAN_HIDE || mb_scan_kind_class(k) == MB_SCAN_CLASS_PHRASE) {
		/* A phrase goes with its sentence; blanking takes everything. */
		if (a == MB_SCAN_HIDE)
			off = 0, end = f->str->n;
		else
			sentence(f->str->s, f->str->n, &off, &end);
	}
	size_t ro = mb_scan_raw_off(f, off, false), re = mb_scan_raw_off(f, end, true);
	if (mb_edit_add(e->edits, ro, re - ro, "", 0) < 0)
		e->err = -ENOMEM;
}

/* The decoded string value at span v, or "?"; *shown: the same as a
 * report shows it (hidden characters escaped, cut at 256 bytes). */
static char *string_of(const char *text, struct mb_span v, char **shown)
{
	char *buf = mb_span_is(text, v, '"') ? malloc(v.len + 1) : strdup("?");
	if (!buf)
		return NULL;
	size_t n = mb_span_is(text, v, '"') ? mb_json_unescape(text, v, buf) : 1;
	struct mb_strbuf b = { 0 };
	mb_scan_show(buf, n, MB_SCAN_ZERO_WIDTH, 256, &b);
	*shown = b.s ? mb_strbuf_take(&b) : strdup("");
	if (!*shown) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool is_hidden(struct mb_scan *sc, char letter, const char *name, size_t *at)
{
	for (size_t i = 0; i < sc->hidden.n; i++)
		if (sc->hidden.v[i][0] == letter && strcmp(sc->hidden.v[i] + 1, name) == 0) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

/* A listing shows name poisoned (hide) or clean: remember which. */
static void set_hidden(struct mb_scan *sc, char letter, const char *name, bool hide)
{
	size_t at;
	bool was = is_hidden(sc, letter, name, &at);
	if (hide && !was) {
		size_t n = strlen(name);
		char *k = malloc(n + 2);
		if (!k)
			return;
		k[0] = letter;
		memcpy(k + 1, name, n + 1);
		if (mb_vec_push(&sc->hidden, k) < 0)
			free(k);
	} else if (!hide && was) {
		free(sc->hidden.v[at]);
		sc->hidden.v[at] = sc->hidden.v[--sc->hidden.n];
	}
}

struct spans {
	MB_VEC(struct mb_span) v;
};

static int collect(struct mb_span elem, void *ud)
{
	struct spans *s = ud;
	return mb_vec_push(&s->v, elem) < 0 ? -ENOMEM : 0;
}

/* The tool names of a tools/list page join those seen before. */
static int learn_names(struct mb_scan *sc, const char *text, const struct spans *sp)
{
	for (size_t i = 0; i < sp->v.n; i++) {
		struct mb_span name;
		if (!mb_span_is(text, sp->v.v[i], '{') || !mb_json_member(text, sp->v.v[i], "name", &name) ||
		    !mb_span_is(text, name, '"'))
			continue;
		char *s = malloc(name.len + 1);
		if (!s)
			return -ENOMEM;
		mb_json_unescape(text, name, s);
		bool known = sc->tool_names.n >= MB_SCAN_SEEN_MAX;
		mb_vec_foreach(x, &sc->tool_names) known |= strcmp(*x, s) == 0;
		if (known || mb_vec_push(&sc->tool_names, s) < 0)
			free(s);
	}
	return 0;
}

static int scan_list(struct mb_scan *sc, const struct list *l, const char *text, struct mb_span arr,
		     mb_edit_vec *edits)
{
	struct spans sp = { 0 };
	int r = mb_json_elements(text, arr, collect, &sp);
	if (r == 0 && l->letter == 't')
		r = learn_names(sc, text, &sp);
	mb_scan_walker_names(sc->walker, (const char *const *)sc->tool_names.v, sc->tool_names.n);
	bool *hide = sp.v.n ? calloc(sp.v.n, sizeof(*hide)) : NULL;
	if (r == 0 && sp.v.n && !hide)
		r = -ENOMEM;
	bool any = false;
	for (size_t i = 0; r == 0 && i < sp.v.n; i++) {
		struct mb_span name = { 0, 0 };
		if (mb_span_is(text, sp.v.v[i], '{'))
			mb_json_member(text, sp.v.v[i], l->name, &name);
		char *target = NULL, *name_s = string_of(text, name, &target);
		if (!name_s) {
			r = -ENOMEM;
			break;
		}
		struct elem e = { .sc = sc, .method = l->method, .what = l->what, .target = target,
				  .text = text, .root = sp.v.v[i], .edits = edits };
		r = mb_scan_walk(sc->walker, sc->dets, DET__N, MB_SCAN_IN_CONTRACT, text, sp.v.v[i],
				 on_found, &e);
		mb_vec_free(&e.prior);
		if (r == 0)
			r = e.err;
		hide[i] = e.hide;
		any |= e.hide;
		set_hidden(sc, l->letter, name_s, e.hide);
		free(name_s);
		free(target);
	}
	mb_scan_walker_names(sc->walker, NULL, 0);
	if (r == 0 && any)
		r = mb_edit_hide_elements(edits, sp.v.v, hide, sp.v.n);
	free(hide);
	mb_vec_free(&sp.v);
	return r;
}

/* initialize: the instructions (blanked when hidden) and serverInfo. */
static int scan_init(struct mb_scan *sc, const char *method, const char *text,
		     struct mb_span result, mb_edit_vec *edits)
{
	static const char *const keys[] = { "instructions", "serverInfo" };
	struct mb_span v[2];
	mb_json_members(text, result, keys, 2, v);
	int r = 0;
	for (size_t i = 0; i < 2 && r == 0; i++) {
		if (!v[i].len)
			continue;
		struct elem e = { .sc = sc, .method = method, .what = "server", .target = keys[i],
				  .blank = true, .text = text, .root = result, .edits = edits };
		r = mb_scan_walk(sc->walker, sc->dets, DET__N, MB_SCAN_IN_CONTRACT, text, v[i],
				 on_found, &e);
		mb_vec_free(&e.prior);
		if (r == 0)
			r = e.err;
	}
	return r;
}

enum mb_scan_verdict mb_scan_contract(struct mb_scan *sc, const char *method, const char *text,
				      struct mb_span msg, struct mb_strbuf *out)
{
	struct mb_span result, arr;
	if (!mb_json_member(text, msg, "result", &result) || !mb_span_is(text, result, '{'))
		return MB_SCAN_PASS;
	sc->stats.bytes += result.len;
	mb_edit_vec edits = { 0 };
	const struct list *l = list_of(method);
	int r = 0;
	if (!l)
		r = scan_init(sc, method, text, result, &edits);
	else if (mb_json_member(text, result, l->array, &arr) && mb_span_is(text, arr, '['))
		r = scan_list(sc, l, text, arr, &edits);
	if (r < 0) {
		/* Out of memory mid-way: what was found is reported; the
		 * listing goes on as the server sent it. */
		mb_scan_report_oom(sc, "a listing of the tool contract");
	}
	enum mb_scan_verdict v = MB_SCAN_PASS;
	if (edits.n) {
		mb_edits_apply(text, msg, &edits, out);
		v = MB_SCAN_EDITED;
	}
	mb_vec_free(&edits);
	return v;
}

char *mb_scan_refuses(struct mb_scan *sc, struct mb_jr_msg *m)
{
	if (!sc->hidden.n)
		return NULL;
	char letter = 0;
	const char *name = NULL;
	if (strcmp(m->method, "tools/call") == 0)
		letter = 't', name = mb_jr_param_str(m, MB_P_NAME);
	else if (strcmp(m->method, "prompts/get") == 0)
		letter = 'p', name = mb_jr_param_str(m, MB_P_NAME);
	else if (strcmp(m->method, "resources/read") == 0)
		letter = 'r', name = mb_jr_param_str(m, MB_P_URI);
	if (!name || !is_hidden(sc, letter, name, NULL))
		return NULL;
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "%s %s was hidden from the client: its contract holds what "
			     "scan.contract hides (see the poisoning report)",
			 letter == 't' ? "tool" : letter == 'p' ? "prompt" : "resource", name);
	return mb_strbuf_take(&b);
}
